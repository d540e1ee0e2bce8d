// Dates, times and sizes as the agent reads them, in the agent's locale and time zone.
import { strings } from './strings';

const DAY = 24 * 60 * 60 * 1000;

/** A calendar day in local time, e.g. "2026-03-14": equal keys are the same day. */
export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function startOfDay(ms: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** Whole calendar days from `ms` to `nowMs` (0 = today, 1 = yesterday), robust to DST changes. */
export function daysAgo(ms: number, nowMs: number): number {
  return Math.round((startOfDay(nowMs) - startOfDay(ms)) / DAY);
}

export function formatTime(ms: number, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(ms);
}

/** The separator between days in a conversation: "Today", "Yesterday", "Monday", "14 March 2025". */
export function dayLabel(ms: number, nowMs: number, locale?: string): string {
  const ago = daysAgo(ms, nowMs);
  if (ago === 0) return strings.dates.today;
  if (ago === 1) return strings.dates.yesterday;
  if (ago > 1 && ago < 7) return new Intl.DateTimeFormat(locale, { weekday: 'long' }).format(ms);
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric' }).format(ms);
}

/** The time column of the conversation list: a time today, then "Yesterday", a weekday, a short date. */
export function listTime(ms: number, nowMs: number, locale?: string): string {
  const ago = daysAgo(ms, nowMs);
  if (ago <= 0) return formatTime(ms, locale);
  if (ago === 1) return strings.dates.yesterday;
  if (ago < 7) return new Intl.DateTimeFormat(locale, { weekday: 'short' }).format(ms);
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: '2-digit' }).format(ms);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return strings.sizes.bytes(bytes);
  if (bytes < 1024 * 1024) return strings.sizes.kilobytes(Math.round(bytes / 1024));
  return strings.sizes.megabytes(Math.round((bytes / (1024 * 1024)) * 10) / 10);
}

/** A WhatsApp id (digits) as a phone number. */
export function formatPhone(waId: string): string {
  return `+${waId}`;
}
