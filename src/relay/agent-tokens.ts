// Agent bearer tokens: shown once, stored only as a hash.
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'blt_';

/** 256 random bits: a hash without salt is enough, since nothing this long can be guessed. */
export function generateAgentToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashAgentToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Reads the token from an `Authorization: Bearer …` header value. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/.exec(header ?? '');
  return match === null ? null : match[1]!;
}
