// Bad input from the renderer: every contract method with wrong types, huge strings, path-like ids, unknown names.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WireResult } from '../../../src/shared/contract';
import { createConsole } from '../../../src/main/core/create-console';
import type { LocalStore } from '../../../src/main/core/local-store';
import { createRelayMediaClient } from '../../../src/main/core/relay-media-client';
import type { ConnectionFactory, LinkSnapshot } from '../../../src/main/core/service-types';
import { memoryTokenStore } from '../../../src/main/core/session-service';
import { methodChannel, registerIpcBridge, type InvokeEventLike } from '../../../src/main/ipc-bridge';
import { scanLogs } from '../support/checks';
import { emptyFigures, type Figures } from '../support/figures';
import { badCalls, type BadCall } from '../support/ipc-inputs';
import { freshDir } from '../support/paths';
import type { Scenario } from '../support/scenario';
import { tried } from '../support/tally';

const NOW = Date.now();
const LIVE: LinkSnapshot = {
  status: 'live',
  transport: 'ws',
  nextAttemptAtMono: null,
  detail: null,
  tlsProblem: false,
  agent: { id: 'ana', name: 'Ana Cohen' },
};
const APP_ORIGIN = 'app://branchline';
const REFUSALS = new Set(['invalid_input', 'unknown_method', 'payload_too_large', 'not_found']);

function consoleData(store: LocalStore): string {
  const tables = ['session', 'user_settings', 'templates', 'conversations', 'messages', 'outbox', 'uploads', 'drafts', 'media_files'];
  return JSON.stringify(tables.map((t) => store.db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()));
}

/** Stands in for the relay's HTTP side: records every path asked for (media.get goes here through the real client). */
async function httpStub(): Promise<{ url: string; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found","message":"no such media","retryable":false}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function setup(relayHttp: { url: string; paths: string[] }) {
  const relayCalls: string[] = [];
  // A relay that says yes to everything: a bad input that got through would show up here, not as a refusal.
  const connect: ConnectionFactory = (options) => {
    queueMicrotask(() => options.onStateChange(LIVE));
    return {
      start: () => {},
      stop: async () => {},
      retryNow: () => {},
      snapshot: () => LIVE,
      request: async (method) => (relayCalls.push(method), { ok: true, value: {} }),
    };
  };
  const logLines: string[] = [];
  const core = createConsole({
    dataDir: freshDir('ipc'),
    connect,
    log: (event, fields = {}) => void logLines.push(JSON.stringify({ event, ...fields })),
    tokens: memoryTokenStore('token-0123456789'),
    media: createRelayMediaClient({ timeoutMs: 5_000 }),
  });
  const { store } = core;
  store.session.setRelayUrl(relayHttp.url);
  store.applySnapshot(
    [
      {
        id: 'c1',
        customer: { waId: '972500000101', name: 'Dana' },
        assignedAgentId: null,
        lastInboundAt: NOW - 60_000,
        caseId: null,
        readUpTo: null,
        lastMessageAt: NOW,
        createdAt: NOW,
        updatedAt: NOW,
      },
    ],
    [
      {
        id: 'm1',
        conversationId: 'c1',
        direction: 'in',
        content: { type: 'text', body: 'hello' },
        status: 'delivered',
        failure: null,
        replyToId: null,
        senderAgentId: null,
        createdAt: NOW,
        updatedAt: NOW,
      },
    ],
  );
  const mediaCalls = relayHttp.paths;
  return { store, core, service: core.service, relayCalls, mediaCalls, logLines };
}

/**
 * Refused clearly: an error with a code and words, nothing stored, nothing sent to the relay or fetched. An id of "."
 * or ".." passes the contract (ids may hold dots): it may read nothing or go to the relay, which checks it again, but
 * it must store nothing and never become part of a URL path.
 */
function judge(figures: Figures, call: BadCall, result: unknown, effects: { stored: boolean; relay: boolean; media: boolean }, via: string): void {
  const r = result as WireResult<unknown>;
  const refused =
    r !== null && typeof r === 'object' && r.ok === false && REFUSALS.has(r.error.code) && r.error.message.length > 0 && r.error.message.length < 500;
  const ok = call.dotted === true ? !effects.stored && !effects.media : refused && !effects.stored && !effects.relay && !effects.media;
  tried(figures, `${call.what} (${via})`, ok, r.ok === false ? { code: r.error.code, ...effects } : { ok: true, ...effects });
}

export const badIpc: Scenario = {
  name: 'bad-ipc',
  title: 'every contract method called with wrong types, huge strings, path-like ids and unknown names (service and IPC bridge)',
  async run(ctx) {
    const figures = emptyFigures();
    const relayHttp = await httpStub();
    ctx.defer(() => relayHttp.close());
    const { store, core, service, relayCalls, mediaCalls, logLines } = setup(relayHttp);
    ctx.defer(() => core.stop());
    await core.start();
    const calls = badCalls({ hugeBase64: ctx.scale === 'full' });

    const probe = async (call: BadCall, via: string, invoke: () => Promise<unknown>) => {
      const before = consoleData(store);
      const [relay, media] = [relayCalls.length, mediaCalls.length];
      const result = await invoke();
      judge(figures, call, result, { stored: consoleData(store) !== before, relay: relayCalls.length !== relay, media: mediaCalls.length !== media }, via);
    };
    for (const call of calls) await probe(call, 'service', () => service.call(call.method, call.input));

    // The same through the Electron bridge, from our window's top frame, and then from frames that may not call at all.
    const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
    const ipcMain = {
      handle: (channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>) => void handlers.set(channel, listener),
      removeHandler: (channel: string) => void handlers.delete(channel),
    };
    const window = { isDestroyed: () => false, webContents: { id: 1, isDestroyed: () => false, getURL: () => `${APP_ORIGIN}/index.html`, send: () => {} } };
    const bridge = registerIpcBridge({ ipcMain, service, windows: () => [window], appOrigin: APP_ORIGIN });
    ctx.defer(() => bridge.dispose());
    const ours: InvokeEventLike = { sender: { id: 1 }, senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: null } };
    for (const call of calls) {
      if (typeof call.method !== 'string') continue;
      const handler = handlers.get(methodChannel(call.method as never));
      if (handler === undefined) continue; // not a method: there is no channel to call
      await probe(call, 'IPC bridge', () => handler(ours, call.input));
    }
    const strangers: [string, InvokeEventLike][] = [
      ['a foreign origin', { sender: { id: 1 }, senderFrame: { url: 'https://evil.example/x', parent: null } }],
      ['a sub-frame', { sender: { id: 1 }, senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: { url: `${APP_ORIGIN}/index.html`, parent: null } } }],
      ['another web contents', { sender: { id: 99 }, senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: null } }],
      ['a destroyed frame', { sender: { id: 1 }, senderFrame: null }],
    ];
    for (const [who, event] of strangers) {
      const before = consoleData(store);
      const result = (await handlers.get(methodChannel('settings.set'))!(event, { theme: 'dark' })) as WireResult<unknown>;
      const refused = result.ok === false && result.error.code === 'forbidden' && consoleData(store) === before;
      tried(figures, `a valid call from ${who}`, refused, result);
    }
    scanLogs(logLines, ['token-0123456789', 'x'.repeat(64), '../../etc/passwd', 'half a thought'], figures, 'the console');
    figures.notes.push(`${calls.length} bad calls per transport, ${handlers.size} IPC channels`);
    return figures;
  },
};
