// Which relay refusals are the message's own fault (shown to the agent as failed, with words) and which only mean "later".
import type { SendFailure } from '../../../shared/domain';
import type { AppError } from '../../../shared/errors';

/** Relay errors that describe the message itself: sending it again unchanged would fail the same way. */
export function failureFor(error: AppError): SendFailure | null {
  if (error.retryable) return null;
  switch (error.code) {
    case 'template_required':
      return { code: 'template_required', message: 'The customer has not written in the last 24 hours: send a template to reopen the conversation.' };
    case 'media_too_large':
    case 'media_type_unsupported':
      return { code: error.code, message: error.message };
    case 'invalid_input':
    case 'payload_too_large':
      return { code: 'invalid_input', message: error.message };
    case 'not_found':
    case 'conflict':
    case 'forbidden':
      return { code: 'rejected', message: error.message };
    default:
      // unauthorized, unsupported_version, internal …: not the message's fault; keep it queued.
      return null;
  }
}
