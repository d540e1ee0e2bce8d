// Three relay processes (the CLI) on one real PostgreSQL database behind a round-robin TCP balancer, sending to a fake
// Graph API that counts: webhooks taken by any instance reach a console on another, 300 sends from consoles on
// different instances reach Meta once each and in order per conversation though the number's sender is SIGKILLed
// mid-stream, and revoking an agent closes her socket on whichever instance holds it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgentToken, hashAgentToken } from './agent-tokens';
import { openPostgresRelayDatabase } from './store/postgres/pg-migrations';
import { SqlRelayStore } from './store/sql-relay-store';
import { startCountingGraph, type CountingGraph } from './test-support/counting-graph';
import { PROTOCOL_V2, connectWebSocket, uuidv7, type Connection, type ServerFrame } from './test-support/docs-client';
import { testPostgres } from './test-support/postgres-tests';
import { signBody } from './test-support/relay-harness';
import { OFFLINE_RELAY_ENV, startRelayProcess, type RelayProcess } from './test-support/relay-processes';
import { startTcpBalancer, type TcpBalancer } from './test-support/tcp-balancer';
import { messageDelivery, person, text } from './webhook/delivery-kit';

const pg = testPostgres();
const suite = pg.skipReason === null ? 'three relay instances on one PostgreSQL database' : `three relay instances (SKIPPED: ${pg.skipReason})`;
const SECRET = OFFLINE_RELAY_ENV['WHATSAPP_APP_SECRET']!;
const CUSTOMERS = 30;
const PER_CUSTOMER = 10; // Meta's pair burst: no customer waits for the pair rate, so the test measures the number's queue.

let store: SqlRelayStore;
let graph: CountingGraph;
let balancer: TcpBalancer;
const relays: RelayProcess[] = [];
const dirs: string[] = [];
const connections: Connection[] = [];
let token = '';

const portOf = (url: string) => Number(new URL(url).port);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function connect(baseUrl: string, device: string): Connection {
  const c = connectWebSocket({ baseUrl, token, device, protocols: [PROTOCOL_V2] });
  connections.push(c);
  return c;
}

async function postWebhook(baseUrl: string, body: string): Promise<number> {
  const res = await fetch(`${baseUrl}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, SECRET) },
    body,
  });
  return res.status;
}

const createdWith = (body: string) => (f: ServerFrame) =>
  f.type === 'events' && f.events.some((e) => e.event.kind === 'message.created' && JSON.stringify(e.event).includes(body));

describe.skipIf(pg.skipReason !== null)(suite, () => {
  beforeAll(async () => {
    const url = await pg.createDatabase();
    store = new SqlRelayStore(await openPostgresRelayDatabase(url));
    token = generateAgentToken();
    await store.setAgentToken('ana', 'Ana Cohen', hashAgentToken(token), Date.now());
    graph = await startCountingGraph({ webhookUrl: () => `${balancer.url}/webhook`, appSecret: SECRET });
    const env = { ...OFFLINE_RELAY_ENV, RELAY_DATABASE_URL: url, WHATSAPP_GRAPH_URL: graph.url, RELAY_RECONCILE_GRACE_MS: '3000', RELAY_LOG_LEVEL: 'info' };
    for (let i = 0; i < 3; i++) {
      dirs.push(mkdtempSync(path.join(tmpdir(), `branchline-cluster-${i}-`)));
      relays.push(await startRelayProcess(dirs[i]!, env, 90_000));
    }
    balancer = await startTcpBalancer(relays.map((r) => portOf(r.url)));
  }, 300_000);

  afterAll(async () => {
    for (const c of connections) c.dispose();
    await Promise.all(relays.map((r) => r.stop()));
    await balancer?.close();
    await graph?.close();
    await store?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a console connected through the balancer receives webhooks posted straight to each instance', async () => {
    const console1 = connect(balancer.url, 'ana-desk');
    await console1.hello();
    const latencies: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (const [i, relay] of relays.entries()) {
        const body = `Hello instance ${i + 1}, round ${round}`;
        const arrived = console1.waitFor(createdWith(body), `the webhook posted to instance ${i + 1}`, { timeoutMs: 30_000 });
        const posted = performance.now();
        const { body: delivery } = messageDelivery(person({ waId: `97254100${String(i * 10 + round).padStart(4, '0')}`, name: 'Dana Levi' }), text(body));
        expect(await postWebhook(relay.url, delivery)).toBe(200);
        await arrived;
        latencies.push(performance.now() - posted);
      }
    }
    latencies.sort((a, b) => a - b);
    process.stdout.write(`webhook→console across instances: median ${latencies[7]!.toFixed(0)} ms, max ${latencies.at(-1)!.toFixed(0)} ms (15 webhooks)\n`);
  }, 120_000);

  it('300 sends from consoles on different instances reach Meta once each, in order, though the sender is killed mid-stream', async () => {
    // Thirty customers write first (the 24-hour window), to the balancer.
    const watcher = connect(balancer.url, 'ana-watch');
    await watcher.hello();
    const conversations: string[] = [];
    for (let c = 0; c < CUSTOMERS; c++) {
      const body = `Customer ${c} asks`;
      const arrived = watcher.waitFor(createdWith(body), `customer ${c}'s message`, { timeoutMs: 30_000 });
      expect(await postWebhook(balancer.url, messageDelivery(person({ waId: `97255200${String(c).padStart(4, '0')}` }), text(body)).body)).toBe(200);
      const frame = await arrived;
      if (frame.type !== 'events') throw new Error('not an events frame');
      const created = frame.events.map((e) => e.event).find((e) => e.kind === 'message.created' && JSON.stringify(e).includes(body));
      if (created?.kind !== 'message.created') throw new Error('no message.created');
      conversations.push(created.message.conversationId);
    }
    const holder = relays.findIndex((r) => r.log.some((line) => line.includes('outbound.number_taken')));
    expect(holder).toBeGreaterThanOrEqual(0);

    // Console k, on instance k, writes to every third conversation; like the real outbox it resends a request whose
    // answer it lost, with the same clientMessageId, through the balancer.
    const consoleSends = async (k: number) => {
      let conn = connect(relays[k]!.url, `ana-console-${k}`);
      await conn.hello();
      for (let m = 0; m < PER_CUSTOMER; m++) {
        for (let c = k; c < CUSTOMERS; c += 3) {
          const params = { clientMessageId: uuidv7(), conversationId: conversations[c]!, content: { type: 'text', body: `c${c} m${m}` } };
          for (let attempt = 0; ; attempt++) {
            const res = await conn.request('messages.send', params).catch(() => null);
            if (res?.ok === true) break;
            if (attempt >= 20) throw new Error(`send c${c} m${m} not accepted: ${JSON.stringify(res)}`);
            conn.dispose();
            conn = connect(balancer.url, `ana-console-${k}`);
            await conn.hello().catch(() => pause(200));
          }
        }
      }
    };
    const sending = Promise.all([0, 1, 2].map(consoleSends));
    // SIGKILL the number's sender once Meta has about a third.
    for (let i = 0; i < 600 && graph.sends.length < 100; i++) await pause(50);
    relays[holder]!.child.kill('SIGKILL');
    const killedAt = graph.sends.length;
    await sending;
    for (let i = 0; i < 1200 && new Set(graph.sends.map((s) => s.bizOpaque)).size < CUSTOMERS * PER_CUSTOMER; i++) await pause(50);

    const times = new Map<string, number>();
    for (const s of graph.sends) times.set(s.bizOpaque, (times.get(s.bizOpaque) ?? 0) + 1);
    expect(times.size).toBe(CUSTOMERS * PER_CUSTOMER);
    expect([...times.values()].filter((n) => n > 1)).toEqual([]);
    for (let c = 0; c < CUSTOMERS; c++) {
      const to = `97255200${String(c).padStart(4, '0')}`;
      expect(graph.sends.filter((s) => s.to === to).map((s) => s.text)).toEqual(Array.from({ length: PER_CUSTOMER }, (_, m) => `c${c} m${m}`));
    }
    const taker = relays.findIndex((r, i) => i !== holder && r.log.some((line) => line.includes('outbound.number_taken')));
    expect(taker).toBeGreaterThanOrEqual(0);
    process.stdout.write(`cluster sends: ${graph.sends.length} at Meta, killed instance ${holder + 1} at ${killedAt}, instance ${taker + 1} took over\n`);
  }, 240_000);

  it('revoking an agent in the database closes her socket on whichever instance holds it', async () => {
    const live = relays.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
    const sockets = live.map((r, i) => connect(r.url, `ana-revoke-${i}`));
    for (const s of sockets) await s.hello();
    const revoked = await store.revokeAgent('ana', Date.now());
    expect(revoked.ok).toBe(true);
    expect((await Promise.all(sockets.map((s) => s.closed))).map((c) => c.code)).toEqual(sockets.map(() => 4001));
  }, 60_000);
});
