// Names customers choose, made safe to show an agent: no bidi overrides, no invisible characters, no run-on length.
import { truncate } from './webhook-fields';

/*
 * Format characters (\p{Cf}) are the bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the
 * directional marks (U+200E, U+200F, U+061C), the zero-width characters (U+200B–U+200D, U+2060–U+2064, U+FEFF), the
 * soft hyphen and the tag characters. None of them belongs in a name, and the bidi ones let "\u202Etroppus knaB"
 * render as "Bank Support". The Hangul and Braille blanks are letters that draw nothing, used for invisible names.
 */
const INVISIBLE = /[\p{Cf}\u115F\u1160\u3164\uFFA0\u2800]/gu;
/** Controls and every Unicode space or line separator become one plain space. */
const SPACE_LIKE = /[\p{Cc}\p{Z}\s]+/gu;
/** Stacked combining marks ("Zalgo" text) would paint over neighbouring lines; real scripts need far fewer. */
const MARK_RUN = /(\p{M}{4})\p{M}+/gu;

export const MAX_PROFILE_NAME_LENGTH = 128;
export const MAX_USERNAME_LENGTH = 100;

/**
 * The text as an agent may safely see it, or null when nothing visible is left. Cut to `max` UTF-16 units (what the
 * shared schemas count) with a trailing "…" so a cut is never silent.
 */
export function neutraliseDisplayText(raw: string, max: number): string | null {
  const cleaned = raw.normalize('NFC').replace(INVISIBLE, '').replace(MARK_RUN, '$1').replace(SPACE_LIKE, ' ').trim();
  return cleaned === '' ? null : truncate(cleaned, max);
}
