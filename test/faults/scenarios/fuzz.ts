// Property-based fuzzing (fast-check) of a running relay with byte-wise mutated frames and signed webhook deliveries.
import fc from 'fast-check';
import { uuidv7 } from '../../../src/shared/uuidv7';
import { signBody } from '../../../src/relay/test-support/relay-harness';
import { openAgentSocket, type AgentSocket } from '../support/agent-socket';
import { CUSTOMERS, customersSayHello } from '../support/customers';
import { emptyFigures, type Figures } from '../support/figures';
import { mutate, mutationArb } from '../support/mutate';
import { APP_SECRET, healthy, startRelayProcess, type RelayProcess } from '../support/relay-process';
import type { Scenario } from '../support/scenario';
import { relayData } from '../support/tally';
import { inboundText, statusDelivery, unknownTypeDelivery } from '../support/webhooks';

/** Valid frames whose valid form stores nothing either (reads, acks, pings, and a send the 24-hour window refuses). */
function baseFrames(conversationId: string): Buffer[] {
  return [
    {
      type: 'req',
      id: 'fz-send',
      method: 'messages.send',
      params: { clientMessageId: uuidv7(), waId: '972599999999', content: { type: 'text', body: 'fuzzed' } },
      deadlineMs: 5_000,
    },
    { type: 'req', id: 'fz-list', method: 'conversations.list', params: { limit: 5 } },
    { type: 'req', id: 'fz-hist', method: 'messages.history', params: { conversationId, limit: 5 } },
    { type: 'req', id: 'fz-read', method: 'messages.markRead', params: { conversationId, upToMessageId: 'no-such-message' } },
    { type: 'ack', seq: 0 },
    { type: 'ping' },
  ].map((f) => Buffer.from(JSON.stringify(f)));
}

async function fuzzFrames(relay: RelayProcess, figures: Figures, runs: number, seed: number): Promise<void> {
  const conversationId = relay.query<{ id: string }>('SELECT id FROM conversations LIMIT 1')[0]!.id;
  const bases = baseFrames(conversationId);
  // Several devices, so the per-device request limit does not turn the fuzz into a flood test.
  const sockets: (AgentSocket | null)[] = [null, null, null, null];
  let turn = 0;
  const socket = async (): Promise<AgentSocket> => {
    const i = turn++ % sockets.length;
    const current = sockets[i];
    if (current !== null && current !== undefined && current.ws.readyState === current.ws.OPEN) return current;
    const fresh = await openAgentSocket(relay.url, { token: relay.token, device: `fuzz-${i}` });
    sockets[i] = fresh;
    return fresh;
  };
  const before = relayData(relay);
  let closes = 0;
  const property = fc.asyncProperty(
    fc.constantFrom(...bases.keys()),
    fc.array(mutationArb({ allowHuge: true }), { minLength: 1, maxLength: 4 }),
    async (base, mutations) => {
      const frame = mutate(bases[base]!, mutations);
      const s = await socket();
      const from = s.frames.length;
      s.send(frame);
      s.send('{"type":"ping"}');
      figures.badInputs += 1;
      // Every frame is answered or closes the link (over the size limit, or bytes that are not UTF-8): never silence.
      const pong = await s.next((f) => s.frames.indexOf(f) >= from && f['type'] === 'pong', 5_000);
      if (pong === null && s.ws.readyState === s.ws.OPEN) throw new Error('the relay did not answer a ping sent after a mutated frame');
      if (pong === null) closes += 1;
      if (relayData(relay) !== before) throw new Error('a mutated frame changed what the relay stores');
      if (relay.crashed) throw new Error('the relay process exited');
    },
  );
  const outcome = await fc.check(property, { numRuns: runs, seed, endOnFailure: true });
  if (outcome.failed) {
    figures.accepted += 1;
    figures.violations.push(
      `frame fuzz: ${outcome.errorInstance instanceof Error ? outcome.errorInstance.message : 'failed'} (seed ${seed}, counterexample ${JSON.stringify(outcome.counterexample).slice(0, 300)})`,
    );
  }
  for (const s of sockets) await s?.close();
  figures.notes.push(`frame fuzz: ${outcome.numRuns} mutated frames, ${closes} closed the link (oversized or not UTF-8)`);
}

async function fuzzWebhooks(relay: RelayProcess, figures: Figures, runs: number, seed: number): Promise<void> {
  const bases = [
    inboundText(CUSTOMERS[0], 'fz inbound base').body,
    statusDelivery('wamid.fuzz-base', 'delivered', CUSTOMERS[1], null),
    unknownTypeDelivery(CUSTOMERS[2], 'order').body,
  ].map((b) => Buffer.from(b));
  const statuses = new Map<number, number>();
  const property = fc.asyncProperty(
    fc.constantFrom(...bases.keys()),
    fc.array(mutationArb({ allowHuge: false }), { minLength: 1, maxLength: 4 }),
    async (base, mutations) => {
      const body = mutate(bases[base]!, mutations);
      const before = relayData(relay);
      const res = await fetch(`${relay.url}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, APP_SECRET) },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      figures.badInputs += 1;
      if (![200, 400, 413].includes(res.status)) throw new Error(`a mutated delivery got HTTP ${res.status}`);
      if (res.status !== 200 && relayData(relay) !== before) throw new Error(`a refused delivery (HTTP ${res.status}) changed what the relay stores`);
    },
  );
  const outcome = await fc.check(property, { numRuns: runs, seed: seed + 1, endOnFailure: true });
  if (outcome.failed) {
    figures.accepted += 1;
    figures.violations.push(
      `webhook fuzz: ${outcome.errorInstance instanceof Error ? outcome.errorInstance.message : 'failed'} (seed ${seed + 1}, counterexample ${JSON.stringify(outcome.counterexample).slice(0, 300)})`,
    );
  }
  figures.notes.push(`webhook fuzz: ${outcome.numRuns} mutated deliveries → ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')}`);
}

export const fuzz: Scenario = {
  name: 'fuzz',
  title: 'fast-check mutates valid frames and signed deliveries byte-wise and sends them to a running relay',
  async run(ctx) {
    const fast = ctx.scale === 'fast';
    const figures = emptyFigures();
    const relay = await startRelayProcess(ctx);
    await customersSayHello(() => relay.url, CUSTOMERS, 'fz');
    await fuzzFrames(relay, figures, fast ? 150 : 3_000, ctx.seed);
    await fuzzWebhooks(relay, figures, fast ? 150 : 2_000, ctx.seed);
    const probe = await openAgentSocket(relay.url, { token: relay.token, device: 'after-fuzz' });
    const answer = await probe.request('after', 'conversations.list', { limit: 1 });
    await probe.close();
    if (!(await healthy(relay.url)) || answer?.['ok'] !== true || relay.crashed) figures.violations.push('the relay stopped serving after the fuzz');
    await relay.stop();
    return figures;
  },
};
