// What startRelay gives back (a running relay) and what tests may replace in it; kept apart from the wiring itself.
import type { Clock } from '../shared/clock';
import type { AuthGuard, AuthGuardSettings } from './auth/auth-guard';
import type { RelayAuthParts } from './auth/relay-auth';
import type { Logger } from './log';
import type { Sandbox } from './sandbox/sandbox';
import type { RelayStore } from './store/relay-store';
import type { WhatsAppProvider } from './whatsapp/provider';

export interface Relay {
  /** http://host:port — the base for /webhook, /v1/agent, /v1/media … */
  readonly url: string;
  readonly port: number;
  readonly store: RelayStore;
  readonly sandbox: Sandbox | null;
  readonly log: Logger;
  /** The process's sign-in guard: every door that takes a credential (the /v1/auth routes too) goes through it. */
  readonly authGuard: AuthGuard;
  /** Stops accepting work, tells devices to come back soon (1012), lets in-flight sends finish, closes the store. */
  close(): Promise<void>;
}

export interface RelayOverrides {
  clock?: Clock;
  random?: () => number;
  /** Where JSON log lines go (default: stderr). */
  writeLog?: (line: string) => void;
  /** Replace the WhatsApp adapter (tests); by default the Cloud API adapter, pointed at the sandbox in sandbox mode. */
  provider?: WhatsAppProvider;
  sandboxTiming?: { statusDelayMs?: number; replyDelayMs?: number; webhookRetryMs?: number };
  /** Long-poll hold time (tests shorten it). */
  pollHoldMs?: number;
  /** Sign-in throttle thresholds and delays (tests make them small; the defaults are in domain/auth-throttle.ts). */
  authGuard?: Partial<AuthGuardSettings>;
  /** The OpenID provider behind /v1/auth/oidc/* (absent: single sign-on not configured, 404). */
  auth?: RelayAuthParts;
}
