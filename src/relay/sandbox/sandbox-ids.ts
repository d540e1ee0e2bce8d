// Identifiers the fake Meta mints: wamids, media ids, conversation ids and trace ids.
import { randomBytes, randomInt } from 'node:crypto';

/** Meta's wamids are opaque base64 text after "wamid."; ours are random so two sandboxes never collide. */
export function newWamid(): string {
  return `wamid.${randomBytes(24).toString('base64url')}`;
}

/** Meta's media ids are 15–16 digit numbers, kept as strings. */
export function newMediaId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 15; i++) id += String(randomInt(0, 10));
  return id;
}

export function newConversationId(): string {
  return randomBytes(16).toString('hex');
}

export function newFbTraceId(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}
