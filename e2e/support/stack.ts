// Starts the real stack for browser tests as separate processes: a sandbox relay (fake WhatsApp) and the web
// preview of the console signed in to it. Free ports on 127.0.0.1, bounded waits, and everything is stopped in close().
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RELAY_CLI = path.join(ROOT, 'src/relay/cli/relay-cli.ts');
const PREVIEW_CLI = path.join(ROOT, 'src/main/core/preview/preview-cli.ts');
/** How long a process may take to print its address. */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
/** The sandbox's defaults (relay-config.ts): the envelope of a webhook must name them. */
const PHONE_NUMBER_ID = '100000000000001';
const BUSINESS_ACCOUNT_ID = '200000000000001';

interface Running {
  child: ChildProcess;
  lines: string[];
  stderr: string[];
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const running: Running = { child, lines: [], stderr: [] };
  createInterface({ input: child.stdout! }).on('line', (line) => running.lines.push(line));
  // Kept (the last lines only) to explain a failure; never printed otherwise.
  createInterface({ input: child.stderr! }).on('line', (line) => {
    running.stderr.push(line);
    if (running.stderr.length > 200) running.stderr.shift();
  });
  return running;
}

/** Waits (bounded) until the process has printed a line matching `pattern`. */
async function waitForLine(running: Running, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    for (const line of running.lines) {
      const match = pattern.exec(line);
      if (match !== null) return match;
    }
    if (running.child.exitCode !== null) throw new Error(`${what} exited with ${running.child.exitCode}:\n${running.stderr.slice(-20).join('\n')}`);
    if (Date.now() > deadline) throw new Error(`${what} did not start within ${START_TIMEOUT_MS} ms:\n${running.stderr.slice(-20).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(running: Running | null): Promise<void> {
  if (running === null || running.child.exitCode !== null || running.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => running.child.once('exit', () => resolve()));
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** A customer's message for a hand-made webhook: text, or a reaction to one of our messages (by wamid). */
export type InboundMessage = {
  from: string;
  name: string;
  /** When the customer wrote; the sandbox's own /sandbox/inbound always uses "now". */
  at: number;
} & ({ text: string } | { reactTo: string; emoji: string });

export interface OutboundEntry {
  wamid: string;
  to: string;
  type: 'text' | 'template' | 'image' | 'document';
  text?: string;
  template?: { name: string; language: string; parameters: string[] };
}

export interface Stack {
  /** The console page, with its one-time token. */
  readonly consoleUrl: string;
  readonly relayUrl: string;
  /** The agent token the console signed in with (agent "e2e", "E2E Agent", team main). */
  readonly token: string;
  /**
   * The sandbox's demo agents' tokens by id, as the relay printed them: "demo" (Demo Agent, main), "demo-north" (Noa
   * North, north) and "demo-lead" (Sam Supervisor, both teams).
   */
  readonly demoTokens: Readonly<Record<string, string>>;
  /** The sandbox's own OpenID provider as the relay's banner names it (a new port after each relay start). */
  readonly sso: () => { issuer: string; password: string };
  /** The events the first console logged so far (its preview.log, by name: "session.refreshed", …), oldest first. */
  consoleEvents(): string[];
  /** Another console (its own web preview and data folder) signed in with this token; its page URL. */
  openConsole(token: string): Promise<string>;
  /** A customer writes in now, through the sandbox (as Meta would deliver it); `to`: another of our numbers (the north team's). */
  customerWrites(from: string, name: string, text: string, to?: string): Promise<void>;
  /** Customers' messages with chosen timestamps, as one webhook signed with the relay's app secret. */
  deliverWebhook(messages: readonly InboundMessage[]): Promise<void>;
  /**
   * One `messages` change exactly as Meta words it (`contacts`, `messages`, …: see e2e/support/meta-messages.ts), wrapped
   * in the delivery envelope for the sandbox's number and signed with the relay's app secret.
   */
  deliverMeta(value: Record<string, unknown>): Promise<void>;
  /** What fake WhatsApp accepted for this number, in arrival order. */
  outbound(to: string): Promise<OutboundEntry[]>;
  stopRelay(): Promise<void>;
  /** Starts the relay again on the same port and data folder. */
  startRelay(): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  previewToken?: string;
  previewArgs?: string[];
  /** The preview starts at the sign-in screen (no token); the agent signs in through the page. */
  signedOut?: boolean;
  /** More relay settings, e.g. short session lifetimes (RELAY_AUTH_SESSION_MINUTES, RELAY_AUTH_MAX_SESSION_HOURS). */
  relayEnv?: Record<string, string>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'branchline-e2e-'));
  const relayData = path.join(dataDir, 'relay');
  const appSecret = randomBytes(18).toString('base64url');
  let relay: Running | null = null;
  let preview: Running | null = null;
  const others: Running[] = [];
  let port = 0;

  const close = async () => {
    await Promise.allSettled([stop(preview), stop(relay), ...others.map(stop)]);
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    // An agent of our own: the sandbox's demo agent gets a new token at every start, ours survives a restart.
    const adding = run([RELAY_CLI, 'agents', 'add', 'e2e', '--name', 'E2E Agent', '--data', relayData]);
    const token = (await waitForLine(adding, /^(blt_\S+)$/, 'relay agents add'))[1]!;
    await stop(adding);

    const demoTokens: Record<string, string> = {};
    let sso = { issuer: '', password: '' };
    const startRelay = async () => {
      relay = run([RELAY_CLI, '--sandbox', '--port', String(port), '--data', relayData], { WHATSAPP_APP_SECRET: appSecret, ...options.relayEnv });
      port = Number((await waitForLine(relay, /^relay listening on http:\/\/127\.0\.0\.1:(\d+)$/, 'relay'))[1]);
      // The sandbox names its demo agents and their tokens (kept across restarts), then its OpenID provider.
      await waitForLine(relay, /^sandbox: data in /, 'relay demo agents');
      for (const line of relay.lines) {
        const demo = /^sandbox: demo \S+ "([^"]+)" .*, token (\S+)$/.exec(line);
        if (demo !== null) demoTokens[demo[1]!] = demo[2]!;
      }
      const issuer = (await waitForLine(relay, /^sandbox: single sign-on through the built-in OpenID provider at (\S+) /, 'relay OpenID provider'))[1]!;
      const password = (await waitForLine(relay, /^sandbox: sign in there as .* with the password (\S+)$/, 'relay OpenID provider'))[1]!;
      sso = { issuer, password };
    };
    await startRelay();
    const relayUrl = `http://127.0.0.1:${port}`;

    /**
     * A web preview signed in with `token`. It signs in before it prints its address; on a loaded machine that can miss
     * its deadline, and the test would meet a signed-out console, so the preview is started again (bounded).
     */
    const startPreview = async (
      previewToken: string | null,
      folder: string,
      args: readonly string[],
      checkSignedIn: boolean,
    ): Promise<Running & { url: string }> => {
      for (let attempt = 1; ; attempt++) {
        // The preview keeps its cache key in the user's config folder: this run's own, removed with the stack.
        const config = path.join(dataDir, 'config');
        const signIn = previewToken === null ? [] : ['--token', previewToken];
        const started = run([PREVIEW_CLI, '--relay', relayUrl, ...signIn, '--port', '0', '--data', path.join(dataDir, folder), ...args], {
          XDG_CONFIG_HOME: config,
          APPDATA: config,
        });
        const url = (await waitForLine(started, /^console at (\S+)$/, 'preview'))[1]!;
        if (!checkSignedIn || (await consoleSignedIn(url))) return Object.assign(started, { url });
        await stop(started);
        if (attempt === 3) throw new Error(`the preview could not sign in to the relay:\n${started.stderr.slice(-20).join('\n')}`);
      }
    };
    const firstToken = options.signedOut === true ? null : (options.previewToken ?? token);
    const first = await startPreview(firstToken, 'console', options.previewArgs ?? [], firstToken === token);
    preview = first;
    const consoleUrl = first.url;

    const post = async (route: string, body: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${relayUrl}${route}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`POST ${route} answered ${response.status}: ${await response.text()}`);
    };

    return {
      consoleUrl,
      relayUrl,
      token,
      demoTokens,
      sso: () => sso,
      consoleEvents: () => readEvents(path.join(dataDir, 'console', 'preview.log')),
      async openConsole(otherToken) {
        const started = await startPreview(otherToken, `console-${others.length + 2}`, [], true);
        others.push(started);
        return started.url;
      },
      customerWrites: (from, name, text, to) => post('/sandbox/inbound', JSON.stringify({ from, name, text, ...(to !== undefined && { to }) })),
      async deliverWebhook(messages) {
        const body = JSON.stringify(webhookBody(messages));
        const signature = `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
        await post('/webhook', body, { 'x-hub-signature-256': signature });
      },
      async deliverMeta(value) {
        const body = JSON.stringify(envelope(value));
        const signature = `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
        await post('/webhook', body, { 'x-hub-signature-256': signature });
      },
      async outbound(to) {
        const response = await fetch(`${relayUrl}/sandbox/outbound?to=${to}`, { signal: AbortSignal.timeout(10_000) });
        return ((await response.json()) as { messages: OutboundEntry[] }).messages;
      },
      stopRelay: async () => {
        await stop(relay);
        relay = null;
      },
      startRelay,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function readEvents(file: string): string[] {
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  return lines.filter((line) => line !== '').map((line) => (JSON.parse(line) as { event: string }).event);
}

/** Asks the console service behind the preview, over its own bridge socket, whether it is signed in. */
async function consoleSignedIn(consoleUrl: string): Promise<boolean> {
  const url = new URL(consoleUrl);
  const socket = new WebSocket(`ws://${url.host}/bridge?token=${url.searchParams.get('token') ?? ''}`);
  try {
    return await new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the preview did not answer session.get within 10 s')), 10_000);
      socket.on('open', () => socket.send(JSON.stringify({ type: 'call', id: 1, method: 'session.get', input: {} })));
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { type?: string; id?: number; result?: { ok: boolean; value?: { signedIn?: boolean } } };
        if (frame.type !== 'result' || frame.id !== 1) return;
        clearTimeout(timer);
        resolve(frame.result?.ok === true && frame.result.value?.signedIn === true);
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } finally {
    socket.close();
  }
}

/** Customers' messages in Meta's webhook shape (fixtures/whatsapp/inbound-text.json). */
function webhookBody(messages: readonly InboundMessage[]): unknown {
  const contacts = [...new Map(messages.map((m) => [m.from, { profile: { name: m.name }, wa_id: m.from }])).values()];
  return envelope({
    contacts,
    messages: messages.map((m) => ({
      from: m.from,
      id: `wamid.e2e.${randomBytes(12).toString('hex')}`,
      timestamp: String(Math.floor(m.at / 1000)),
      ...('text' in m ? { type: 'text', text: { body: m.text } } : { type: 'reaction', reaction: { message_id: m.reactTo, emoji: m.emoji } }),
    })),
  });
}

/** One `messages` change for the sandbox's number, in Meta's delivery envelope. */
function envelope(value: Record<string, unknown>): unknown {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: BUSINESS_ACCOUNT_ID,
        changes: [
          {
            field: 'messages',
            value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID }, ...value },
          },
        ],
      },
    ],
  };
}
