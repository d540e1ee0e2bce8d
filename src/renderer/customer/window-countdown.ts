// The 24-hour window in words for the customer panel: "Open · closes in 5 h 12 min", "Closed", "Not opened".
import { windowRemainingMs } from '../../shared/service-window';
import { strings } from '../ui/strings';

export interface WindowView {
  state: 'open' | 'closed' | 'never';
  text: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A duration as the panel shows it: "5 h 12 min", "12 min", "less than a minute". */
export function durationText(ms: number): string {
  if (ms < MINUTE) return strings.customer.lessThanAMinute;
  const hours = Math.floor(ms / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  return hours > 0 ? strings.customer.hoursMinutes(hours, minutes) : strings.customer.minutes(minutes);
}

export function windowView(lastInboundAt: number | null, nowMs: number): WindowView {
  if (lastInboundAt === null) return { state: 'never', text: strings.customer.windowNever };
  const remaining = windowRemainingMs(lastInboundAt, nowMs);
  if (remaining === 0) return { state: 'closed', text: strings.customer.windowClosed };
  return { state: 'open', text: strings.customer.windowOpen(durationText(remaining)) };
}
