// Test scaffolding: a sandbox on a real loopback server, a webhook receiver standing in for the relay, bounded waits.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { verifySignature } from '../webhook/signature';
import { createSandbox, type Sandbox, type SandboxOptions } from './sandbox';

export const TEST_APP_SECRET = 'test-app-secret';
export const TEST_TOKEN = 'test-access-token';
export const TEST_PHONE_NUMBER_ID = '106540352242922';
export const TEST_WABA_ID = '102290129340398';

export interface ReceivedWebhook {
  readonly raw: string;
  readonly signatureValid: boolean;
  readonly json: WebhookJson;
}

/** Just enough of Meta's webhook shape for assertions; a webhook that does not have it fails the test that reads it. */
export const WebhookJson = z.object({
  entry: z.array(
    z.object({
      id: z.string(),
      changes: z.array(
        z.object({
          value: z.object({
            metadata: z.object({ phone_number_id: z.string(), display_phone_number: z.string() }),
            statuses: z
              .array(
                z.object({
                  id: z.string(),
                  status: z.string(),
                  recipient_id: z.string(),
                  timestamp: z.string(),
                  biz_opaque_callback_data: z.string().optional(),
                }),
              )
              .optional(),
            contacts: z.array(z.object({ profile: z.object({ name: z.string() }), wa_id: z.string() })).optional(),
            messages: z
              .array(
                z.object({
                  id: z.string(),
                  from: z.string(),
                  type: z.string(),
                  timestamp: z.string(),
                  text: z.object({ body: z.string() }).optional(),
                  context: z.object({ id: z.string(), from: z.string() }).optional(),
                }),
              )
              .optional(),
          }),
        }),
      ),
    }),
  ),
});
export type WebhookJson = z.infer<typeof WebhookJson>;

export interface Receiver {
  readonly url: string;
  /** Webhooks answered 200, in the order they arrived. */
  readonly accepted: ReceivedWebhook[];
  /** Every POST, refused ones included. */
  readonly attempts: ReceivedWebhook[];
  /** Answer this status instead of 200 until set back to null. */
  refuseWith(status: number | null): void;
  /** Wait this long before answering each POST (to see how many the sandbox sends at once). */
  answerAfter(ms: number): void;
  readonly maxConcurrent: number;
  /** POSTs received and not yet answered. */
  readonly inProgress: number;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function shutdown(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export async function startReceiver(appSecret = TEST_APP_SECRET): Promise<Receiver> {
  const accepted: ReceivedWebhook[] = [];
  const attempts: ReceivedWebhook[] = [];
  let refusal: number | null = null;
  let delayMs = 0;
  let current = 0;
  let maxConcurrent = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    current += 1;
    maxConcurrent = Math.max(maxConcurrent, current);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const signature = req.headers['x-hub-signature-256'];
      const signatureValid = verifySignature(raw, typeof signature === 'string' ? signature : undefined, appSecret);
      const webhook: ReceivedWebhook = { raw: raw.toString('utf8'), signatureValid, json: WebhookJson.parse(JSON.parse(raw.toString('utf8'))) };
      const answer = (): void => {
        current -= 1;
        attempts.push(webhook);
        const status = !signatureValid ? 401 : (refusal ?? 200);
        if (status === 200) accepted.push(webhook);
        res.writeHead(status).end();
      };
      if (delayMs === 0) return answer();
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer();
      }, delayMs);
      timers.add(timer);
    });
  });
  const url = `${await listen(server)}/webhook`;
  return {
    url,
    accepted,
    attempts,
    refuseWith: (status) => {
      refusal = status;
    },
    answerAfter: (ms) => {
      delayMs = ms;
    },
    get maxConcurrent() {
      return maxConcurrent;
    },
    get inProgress() {
      return current;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await shutdown(server);
    },
  };
}

export interface SandboxServer {
  readonly sandbox: Sandbox;
  readonly baseUrl: string;
  readonly graphUrl: string;
  readonly dataDir: string;
  /** Closes the sandbox, then the HTTP server. */
  close(): Promise<void>;
}

export function makeDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-sandbox-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startSandboxServer(options: Partial<SandboxOptions> & Pick<SandboxOptions, 'dataDir' | 'webhookUrl'>): Promise<SandboxServer> {
  const sandbox = createSandbox({
    appSecret: TEST_APP_SECRET,
    accessToken: TEST_TOKEN,
    phoneNumberId: TEST_PHONE_NUMBER_ID,
    businessAccountId: TEST_WABA_ID,
    timing: { statusDelayMs: 20, replyDelayMs: 60, webhookRetryMs: 20 },
    ...options,
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    void sandbox.handle(req, res, url).then((handled) => {
      if (!handled) res.writeHead(404).end('not a sandbox route');
    });
  });
  const baseUrl = await listen(server);
  return {
    sandbox,
    baseUrl,
    graphUrl: `${baseUrl}/sandbox/graph/v21.0`,
    dataDir: options.dataDir,
    close: async () => {
      await sandbox.close();
      if (server.listening) await shutdown(server);
    },
  };
}

/** A sandbox on its own data folder, posting its webhooks to a receiver: what most sandbox tests start from. */
export interface SandboxFixture {
  readonly data: { dir: string; remove(): void };
  readonly receiver: Receiver;
  readonly server: SandboxServer;
  /** Closes the sandbox (again, if a test closed it already), the receiver, then removes the data folder. */
  close(): Promise<void>;
}

export async function startSandboxFixture(): Promise<SandboxFixture> {
  const data = makeDataDir();
  const receiver = await startReceiver();
  const server = await startSandboxServer({ dataDir: data.dir, webhookUrl: () => receiver.url });
  return {
    data,
    receiver,
    server,
    close: async () => {
      await server.close();
      await receiver.close();
      data.remove();
    },
  };
}

/** The wamid of an accepted send: `messages[0].id` of the Graph answer. */
const AcceptedSend = z.object({ messages: z.array(z.object({ id: z.string() })).min(1) });

export async function acceptedWamid(res: Response): Promise<string> {
  return AcceptedSend.parse(await res.json()).messages[0]!.id;
}

/** Polls until `probe` returns something other than undefined/false, or fails after the deadline saying what it waited for. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const statusesOf = (webhooks: readonly ReceivedWebhook[], wamid: string): string[] =>
  webhooks.flatMap((w) => w.json.entry.flatMap((e) => e.changes.flatMap((c) => (c.value.statuses ?? []).filter((s) => s.id === wamid).map((s) => s.status))));

export const messagesOf = (webhooks: readonly ReceivedWebhook[]) =>
  webhooks.flatMap((w) =>
    w.json.entry.flatMap((e) => e.changes.flatMap((c) => (c.value.messages ?? []).map((m) => ({ ...m, contacts: c.value.contacts ?? [] })))),
  );

export function authHeaders(token = TEST_TOKEN): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
}
