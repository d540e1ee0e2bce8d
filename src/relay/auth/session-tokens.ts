// Device session tokens: an access token (`bla_`) and a refresh token (`blr_`), 256 random bits each, stored only as
// SHA-256 hashes (nothing this long can be guessed, so a hash without salt is enough, as for agent tokens).
import { randomBytes } from 'node:crypto';
import { hashAgentToken } from '../agent-tokens';

export const ACCESS_PREFIX = 'bla_';
export const REFRESH_PREFIX = 'blr_';

export function generateAccessToken(): string {
  return ACCESS_PREFIX + randomBytes(32).toString('base64url');
}

export function generateRefreshToken(): string {
  return REFRESH_PREFIX + randomBytes(32).toString('base64url');
}

export function hashSessionToken(token: string): string {
  return hashAgentToken(token);
}

export function isAccessToken(token: string): boolean {
  return token.startsWith(ACCESS_PREFIX);
}
