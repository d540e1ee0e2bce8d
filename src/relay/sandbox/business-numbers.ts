// The business numbers fake WhatsApp serves: the configured one, and the demo's second number (team North branch).
import type { BusinessIdentity } from './webhook-payloads';

export const DEFAULT_DISPLAY_PHONE_NUMBER = '15550783881';

/** The demo's second number, answered by the demo team `north` (the sandbox registers it in the relay at start). */
export const DEMO_NORTH_NUMBER = { phoneNumberId: '100000000000002', displayPhoneNumber: '15550783882' } as const;

export interface BusinessNumbers {
  /** The configured number: a customer writes to it unless they name another. */
  readonly primary: BusinessIdentity;
  /** Every number served, by phone_number_id. */
  get(phoneNumberId: string): BusinessIdentity | undefined;
  readonly ids: readonly string[];
}

export function businessNumbers(
  businessAccountId: string,
  primary: { phoneNumberId: string; displayPhoneNumber: string },
  extra: readonly { phoneNumberId: string; displayPhoneNumber: string }[],
): BusinessNumbers {
  const all = new Map<string, BusinessIdentity>();
  for (const n of [primary, ...extra]) {
    if (!all.has(n.phoneNumberId)) all.set(n.phoneNumberId, { businessAccountId, phoneNumberId: n.phoneNumberId, displayPhoneNumber: n.displayPhoneNumber });
  }
  return { primary: all.get(primary.phoneNumberId)!, get: (id) => all.get(id), ids: [...all.keys()] };
}
