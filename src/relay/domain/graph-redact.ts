// Strips what must never reach a log or an agent's screen from Graph's texts: the token, the message, phone numbers.
export type Redactor = (text: string) => string;

/** Longest text we pass on from Meta; SendFailure.message in the shared domain has the same cap. */
export const MAX_MESSAGE_CHARS = 1_000;
/** Phone numbers in Meta's texts (7+ digits); Meta's own error codes have at most 6. */
const PHONE_LIKE = /\+?\d(?:[ -]?\d){6,}/g;

/** Meta may quote back the request (the token, the customer's text) in an error: every such word becomes [redacted]. */
export function makeRedactor(token: string, secrets: readonly string[]): Redactor {
  // Short strings ("Hi") would blank out ordinary words; longest first so overlaps go whole.
  const words = [token, ...secrets.filter((s) => s.length >= 4)].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const word of words) out = out.split(word).join('[redacted]');
    return cap(out.replace(PHONE_LIKE, '[number]'));
  };
}

export function cap(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…` : text;
}
