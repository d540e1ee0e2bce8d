// Turns a refused call (ConsoleError {code, message}) into words for the agent, from strings.ts.
import { ConsoleError } from '../../shared/contract';
import { strings } from './strings';

type Code = keyof typeof strings.errors;

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
  return Object.hasOwn(strings.errors, code) ? strings.errors[code as Code] : strings.errors.generic;
}
