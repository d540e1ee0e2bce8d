// Meta's permanent error codes, in the words the agent acts on: one table for send answers and failed-status webhooks.
import type { SendFailure } from '../../shared/domain';

const FAILURE_BY_META_CODE: ReadonlyMap<number, SendFailure['code']> = new Map<number, SendFailure['code']>([
  [131047, 'template_required'], // the 24-hour window is closed
  [131026, 'undeliverable'], // not a WhatsApp user, old app, or blocked
  [131049, 'undeliverable'], // Meta chose not to deliver (ecosystem limits)
  [131051, 'media_type_unsupported'],
  [131052, 'media_type_unsupported'],
  [131053, 'media_type_unsupported'],
  [100, 'invalid_input'],
  [131009, 'invalid_input'],
  [132000, 'invalid_input'], // template parameter count
  [132001, 'invalid_input'], // template does not exist
  [132005, 'invalid_input'],
  [132007, 'invalid_input'],
  [132012, 'invalid_input'],
  [131062, 'invalid_input'], // this message cannot go to a business-scoped user id (e.g. an authentication template)
]);

/** The failure code for a known permanent Meta error, or undefined (callers treat those as 'rejected', showing Meta's title). */
export function metaFailureCode(code: number | undefined): SendFailure['code'] | undefined {
  return code === undefined ? undefined : FAILURE_BY_META_CODE.get(code);
}
