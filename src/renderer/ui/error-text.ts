// Turns a refused call (ConsoleError {code, message}) into words for the agent, from strings.ts.
import { ConsoleError } from '../../shared/contract';
import { strings } from './strings';

type Code = keyof typeof strings.errors;

/**
 * Refusals whose own message is written for the agent: the relay says who holds the conversation or which team has
 * it now ("This conversation is now handled by the North branch team"), which the code alone cannot.
 */
const WORDED: ReadonlySet<string> = new Set(['forbidden', 'conflict']);

export function errorCode(error: unknown): string {
  return error instanceof ConsoleError
    ? error.code
    : typeof error === 'object' && error !== null && 'code' in error
      ? String((error as { code: unknown }).code)
      : 'internal';
}

/** Words for the agent; unknown codes get the generic sentence, never a stack trace. */
export function errorText(error: unknown): string {
  const code = errorCode(error);
  if (WORDED.has(code) && error instanceof ConsoleError) {
    const words = error.message.trim();
    if (words !== '' && words.length <= 300) return /[.!?…]$/.test(words) ? words : `${words}.`;
  }
  return Object.hasOwn(strings.errors, code) ? strings.errors[code as Code] : strings.errors.generic;
}
