// Starts a real relay on 127.0.0.1 over a fresh data folder, for tests; signs webhooks like Meta.
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateAgentToken, hashAgentToken } from '../agent-tokens';
import { loadRelayConfig, type RelayConfig } from '../relay-config';
import { startRelay, type Relay, type RelayOverrides } from '../relay-server';
import type { SqlRelayStore } from '../store/sql-relay-store';
import type { ProviderSend, SendOutcome, WhatsAppProvider } from '../whatsapp/provider';

export const TEST_APP_SECRET = 'test-app-secret-0123456789';
export const TEST_VERIFY_TOKEN = 'test-verify-token';
/** What the test relay's /metrics accepts (`RELAY_METRICS_TOKEN: ''` in `env` turns /metrics off). */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789abcdef';

export interface TestRelay {
  relay: Relay;
  config: RelayConfig;
  dataDir: string;
  /** Token of agent "ana", created for the test. */
  token: string;
  /** Every JSON line the relay logged. */
  logLines: string[];
  postWebhook(body: string | Buffer, signature?: string | null): Promise<Response>;
  stop(): Promise<void>;
}

export function signBody(body: string | Buffer, secret = TEST_APP_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function startTestRelay(
  options: { sandbox?: boolean; env?: Record<string, string>; dataDir?: string; port?: number; token?: string; overrides?: RelayOverrides } = {},
): Promise<TestRelay> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'branchline-relay-'));
  const config = loadRelayConfig({
    flags: { port: String(options.port ?? 0), data: dataDir, sandbox: options.sandbox === true },
    env: {
      WHATSAPP_APP_SECRET: TEST_APP_SECRET,
      WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
      // A sandbox refuses a real account's settings (sandbox-guard.ts): it makes up its own access and verify tokens.
      ...(options.sandbox === true
        ? {}
        : { WHATSAPP_VERIFY_TOKEN: TEST_VERIFY_TOKEN, WHATSAPP_ACCESS_TOKEN: 'test-access-token', WHATSAPP_GRAPH_URL: 'http://127.0.0.1:9/unused' }),
      RELAY_LOG_LEVEL: 'debug',
      RELAY_METRICS_TOKEN: TEST_METRICS_TOKEN,
      ...options.env,
    },
  });
  const logLines: string[] = [];
  const relay = await startRelay(config, { writeLog: (line) => logLines.push(line), ...options.overrides });
  const token = options.token ?? generateAgentToken();
  // A restart over the same folder keeps ana's token when the test passes it back in.
  await (relay.store as SqlRelayStore).setAgentToken('ana', 'Ana Cohen', hashAgentToken(token), Date.now());
  return {
    relay,
    config,
    dataDir,
    token,
    logLines,
    postWebhook: (body, signature) =>
      fetch(`${relay.url}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature !== null && { 'x-hub-signature-256': signature ?? signBody(body) }) },
        body,
      }),
    stop: () => relay.close(),
  };
}

/** A WhatsApp stand-in that records sends and answers with scripted outcomes (default: accepted). */
export class RecordingProvider implements WhatsAppProvider {
  readonly sends: ProviderSend[] = [];
  /** Read marks handed to WhatsApp, with the number each was sent from. */
  readonly reads: { wamid: string; from: string }[] = [];
  private script: SendOutcome[] = [];
  private counter = 0;

  /** The next sends get these outcomes, in order; then "accepted" again. */
  willAnswer(...outcomes: SendOutcome[]): void {
    this.script.push(...outcomes);
  }

  async sendMessage(send: ProviderSend): Promise<SendOutcome> {
    this.sends.push(send);
    return this.script.shift() ?? { kind: 'accepted', wamid: `wamid.test-${++this.counter}` };
  }

  async uploadMedia(): Promise<{ ok: true; value: string }> {
    return { ok: true, value: `wa-media-${++this.counter}` };
  }

  async fetchMedia(waMediaId: string) {
    return { ok: true as const, value: { bytes: Buffer.from(`bytes of ${waMediaId}`), mimeType: 'application/pdf' } };
  }

  async listTemplates() {
    return {
      ok: true as const,
      value: [{ name: 'branch_follow_up', language: 'en_US', category: 'UTILITY', body: 'Hi {{1}}, this is {{2}}.', parameterCount: 2 }],
    };
  }

  async markRead(wamid: string, from: string) {
    this.reads.push({ wamid, from });
    return { ok: true as const, value: true as const };
  }
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
