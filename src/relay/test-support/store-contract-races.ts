// Store contract, operations that meet: each port method is atomic, so the same delivery, the same send or two
// agents' first replies arriving at once (from one relay, or several on one database) still give one outcome. On
// SQLite the calls run one after the other; on a networked database they truly overlap.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  batch,
  customerWrites,
  decode,
  events,
  inbound,
  NORTH_NUMBER,
  person,
  seedBranches,
  send,
  T0,
  useStore,
  type OpenStore,
} from './store-contract-support';

export function racesContract(open: OpenStore): void {
  describe('operations at the same time', () => {
    const store = useStore(open);
    beforeEach(async () => {
      await seedBranches(store());
    });

    it('files a delivery that arrives twice at once a single time', async () => {
      const delivery = batch({ messages: [inbound(person('972541234567'), 'wamid.IN1'), inbound(person('972501112233'), 'wamid.IN2')] });
      const outcomes = await Promise.all([store().recordWebhook(delivery, T0), store().recordWebhook(delivery, T0)]);
      expect(outcomes.map((o) => o.changed).sort()).toEqual([false, true]);
      expect((await events(store())).filter((e) => e.kind === 'message.created')).toHaveLength(2);
      const list = await store().listConversations(undefined, 10);
      expect(list.ok && list.value.total).toBe(2);
    });

    it('accepts the same send arriving twice at once as one message with one job', async () => {
      const conversation = await customerWrites(store(), '972541234567', 'wamid.IN1');
      const clientMessageId = '01900000-0000-7000-8000-0000000000aa';
      const both = await Promise.all([send(store(), 'ana', conversation, { clientMessageId }), send(store(), 'ana', conversation, { clientMessageId })]);
      expect(both.map((r) => r.ok && r.value.id)).toEqual([clientMessageId, clientMessageId]);
      expect(await store().pendingJobCount()).toBe(1);
    });

    it('makes exactly one of two teammates replying at once the owner; the other is refused', async () => {
      const north = await customerWrites(store(), '972541112223', 'wamid.N1', { phoneNumberId: NORTH_NUMBER });
      const [noa, tal] = await Promise.all([send(store(), 'noa', north), send(store(), 'tal', north)]);
      expect([noa.ok, tal.ok].sort()).toEqual([false, true]);
      const owner = noa.ok ? 'noa' : 'tal';
      expect((await store().conversationsById([north]))[0]!.assignedAgentId).toBe(owner);
      expect(noa.ok ? tal : noa).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await store().pendingJobCount()).toBe(1);
    });

    it('gives every event of deliveries stored at once its own seq, readable in order', async () => {
      const writes = Array.from({ length: 12 }, (_, i) =>
        store().recordWebhook(batch({ messages: [inbound(person(`9725400000${String(i).padStart(2, '0')}`), `wamid.C${i}`, { at: T0 + i })] }), T0 + i),
      );
      await Promise.all(writes);
      const all = await store().readEvents(0, 1000);
      const seqs = all.map((e) => e.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(all.filter((e) => decode(e.json).kind === 'message.created')).toHaveLength(12);
      expect(await store().head()).toBe(seqs.at(-1));
    });

    it('spends a refresh token once when the same device presents it twice at once', async () => {
      const token = (hash: string) => ({ hash, expiresAt: T0 + 3_600_000 });
      await store().createDeviceSession(
        {
          familyId: 'fam-1',
          agentId: 'noa',
          deviceId: 'tablet',
          firstFactor: 'token',
          createdAt: T0,
          expiresAt: T0 + 86_400_000,
          access: token('a1'),
          refresh: token('r1'),
        },
        { at: T0, action: 'session.sign_in', actorId: 'noa', source: '10.0.0.7' },
      );
      const refresh = (n: number) =>
        store().refreshDeviceSession({
          refreshHash: 'r1',
          deviceId: 'tablet',
          now: T0 + 1000,
          source: '10.0.0.7',
          retryGraceMs: 30_000,
          access: token(`a${n}`),
          refresh: token(`r${n}`),
        });
      const kinds = (await Promise.all([refresh(2), refresh(3)])).map((o) => o.kind);
      expect(kinds.filter((k) => k === 'rotated')).toHaveLength(1);
      // Two tabs of one device racing is no theft: the agent stays signed in.
      expect((await store().deviceSessionStates(['fam-1'])).get('fam-1')!.revokedAt).toBeNull();
    });
  });
}
