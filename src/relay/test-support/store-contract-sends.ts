// Store contract, agents' sends and the outbound queue: idempotence, the 24-hour window, first responder, who may
// write, media that must be ready, per-conversation order, in flight / sent / failed / rescheduled, crash recovery.
import { beforeEach, describe, expect, it } from 'vitest';
import type { RelayStore } from '../store/relay-store';
import {
  batch,
  customerWrites,
  HOUR,
  inbound,
  MAIN_NUMBER,
  NORTH_NUMBER,
  person,
  seedBranches,
  send,
  T0,
  TEMPLATE,
  useStore,
  type OpenStore,
} from './store-contract-support';

const DANA = '972541234567';
const GRACE = 20_000;

const ok = <T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
};
const dueIds = async (store: RelayStore, now: number) => (await store.dueJobs(now, 10)).map((j) => j.messageId);
const statusOf = async (store: RelayStore, conversationId: string, messageId: string) =>
  (ok(await store.history(conversationId, undefined, 100)).items.find((m) => m.id === messageId) ?? null)?.status;

export function sendsContract(open: OpenStore): void {
  describe('sends and the outbound queue', () => {
    const store = useStore(open);
    let dana: string;
    let north: string;
    beforeEach(async () => {
      await seedBranches(store());
      dana = await customerWrites(store(), DANA, 'wamid.IN1');
      north = await customerWrites(store(), '972541112223', 'wamid.N1', { phoneNumberId: NORTH_NUMBER });
    });

    it('accepts a send once per clientMessageId: a repeat gets the first result, other content is a conflict', async () => {
      const first = ok(await send(store(), 'ana', dana, { clientMessageId: '01900000-0000-7000-8000-000000000001', requestHash: 'h1' }));
      expect(first).toMatchObject({
        direction: 'out',
        status: 'pending',
        senderAgentId: 'ana',
        sender: { id: 'ana', name: 'Ana Cohen' },
        conversationId: dana,
      });
      const head = await store().head();
      const repeat = await send(store(), 'ana', dana, { clientMessageId: first.id, requestHash: 'h1', now: T0 + 5000 });
      expect(repeat).toEqual({ ok: true, value: first });
      expect(await store().head()).toBe(head);
      expect(await store().pendingJobCount()).toBe(1);
      expect(await send(store(), 'ana', dana, { clientMessageId: first.id, requestHash: 'h2' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
      expect(ok(await store().history(dana, undefined, 10)).items.filter((m) => m.direction === 'out')).toHaveLength(1);
    });

    it('sends free text only within 24 hours of the customer’s last message, a template at any time', async () => {
      expect((await send(store(), 'ana', dana, { now: T0 + 23 * HOUR })).ok).toBe(true);
      const jobs = await store().pendingJobCount();
      const late = await send(store(), 'ana', dana, { now: T0 + 24 * HOUR });
      expect(late).toMatchObject({ ok: false, error: { code: 'template_required' } });
      expect(await store().pendingJobCount()).toBe(jobs);
      expect((await send(store(), 'ana', dana, { now: T0 + 25 * HOUR, content: TEMPLATE })).ok).toBe(true);
      // A customer who never wrote: a template starts the conversation, in the number's team.
      expect(await send(store(), 'ana', 'waId:972547777777')).toMatchObject({ ok: false, error: { code: 'template_required' } });
      const started = ok(await send(store(), 'ana', 'waId:972547777777', { content: TEMPLATE }));
      expect(await store().conversationAccess(started.conversationId)).toMatchObject({
        team: { id: 'main' },
        assignedAgentId: 'ana',
        phoneNumberId: MAIN_NUMBER,
      });
      expect((await store().conversationsById([started.conversationId]))[0]!.customer.waId).toBe('972547777777');
    });

    it('makes the first responder the owner: a teammate is then refused with her name, a supervisor is not', async () => {
      expect((await store().conversationsById([north]))[0]!.assignedAgentId).toBeNull();
      expect((await send(store(), 'noa', north)).ok).toBe(true);
      expect((await store().conversationsById([north]))[0]).toMatchObject({ assignedAgentId: 'noa', assignedAgent: { id: 'noa', name: 'Noa Katz' } });
      const refused = await send(store(), 'tal', north);
      expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(refused.ok || refused.error.message).toContain('Noa Katz');
      expect((await send(store(), 'sara', north)).ok).toBe(true);
      expect((await store().conversationsById([north]))[0]!.assignedAgentId).toBe('noa');
      const sent = (await store().readAudit({ conversationId: north, limit: 10 })).filter((e) => e.action === 'message.send');
      expect(sent.map((e) => [e.actorId, e.source])).toEqual([
        ['noa', '10.0.0.7'],
        ['sara', '10.0.0.7'],
      ]);
    });

    it('refuses, storing nothing, an agent of another team, an admin, a revoked agent and an unknown conversation', async () => {
      const head = await store().head();
      const otherTeam = await send(store(), 'ana', north);
      expect(otherTeam).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(otherTeam.ok || otherTeam.error.message).toContain('North branch');
      expect(await send(store(), 'ana', 'waId:972547777777', { phoneNumberId: NORTH_NUMBER, content: TEMPLATE })).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
      expect(await send(store(), 'ido', north)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await store().head()).toBe(head);
      await store().revokeAgent('tal', T0);
      const afterRevoke = await store().head();
      expect(await send(store(), 'tal', north)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await send(store(), 'noa', 'no-such-conversation')).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(await store().head()).toBe(afterRevoke);
      expect(await store().pendingJobCount()).toBe(0);
      expect((await store().readAudit({ limit: 100 })).filter((e) => e.action === 'message.send')).toEqual([]);
    });

    it('sends only media that was uploaded and is ready, named by the relay’s media id', async () => {
      const image = (mediaId: string) => ({ content: { type: 'image' as const, mediaId, caption: 'the form' } });
      expect(await send(store(), 'ana', dana, image('no-such-media'))).toMatchObject({ ok: false, error: { code: 'not_found' } });
      await store().createUploadedMedia({
        id: 'up-1',
        mimeType: 'image/png',
        fileName: 'form.png',
        size: 2048,
        sha256: 'ab'.repeat(32),
        uploadedBy: 'ana',
        now: T0,
      });
      const sent = ok(await send(store(), 'ana', dana, image('up-1')));
      expect(sent.content).toEqual({ type: 'image', mediaId: 'up-1', mimeType: 'image/png', size: 2048, caption: 'the form' });
      const inboundImage = { type: 'image' as const, waMediaId: 'wa-media-9', mimeType: 'image/jpeg' };
      const pending = (await store().recordWebhook(batch({ messages: [inbound(person(DANA), 'wamid.IN2', { content: inboundImage })] }), T0)).mediaToFetch;
      expect(await send(store(), 'ana', dana, image(pending[0]!.mediaId))).toMatchObject({ ok: false, error: { code: 'not_found' } });
      await store().setMediaState(pending[0]!.mediaId, 'failed');
      expect(await send(store(), 'ana', dana, image(pending[0]!.mediaId))).toMatchObject({ ok: false, error: { code: 'not_found' } });
    });

    it('refuses a phone-number-only template to a customer known by BSUID alone, and a quote from another conversation', async () => {
      const bsuidOnly = await customerWritesAs(store(), person(null, 'IL.onlybsuid'), 'wamid.B1');
      expect(await send(store(), 'ana', bsuidOnly, { content: TEMPLATE, phoneNumberOnly: true })).toMatchObject({
        ok: false,
        error: { code: 'invalid_input' },
      });
      expect((await send(store(), 'ana', dana, { content: TEMPLATE, phoneNumberOnly: true })).ok).toBe(true);
      const foreign = ok(await store().history(north, undefined, 1)).items[0]!.id;
      expect(await send(store(), 'ana', dana, { replyToId: foreign })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    });

    it('gives the dispatcher each conversation’s oldest job only, with whom and what to send', async () => {
      const quoted = ok(await store().history(dana, undefined, 1)).items[0]!.id;
      const a1 = ok(await send(store(), 'ana', dana, { replyToId: quoted }));
      ok(await send(store(), 'ana', dana, { now: T0 + 1001 })); // waits behind a1
      const b1 = ok(await send(store(), 'noa', north, { now: T0 + 1002 }));
      expect(await dueIds(store(), T0 + 999)).toEqual([]);
      expect(await dueIds(store(), T0 + 5000)).toEqual([a1.id, b1.id]);
      expect((await store().dueJobs(T0 + 5000, 1)).map((j) => j.messageId)).toEqual([a1.id]);
      const [job] = await store().dueJobs(T0 + 5000, 1);
      expect(job).toEqual({
        messageId: a1.id,
        conversationId: dana,
        phoneNumberId: (await store().conversationAccess(dana))!.phoneNumberId,
        to: { kind: 'phone', waId: DANA },
        content: a1.content,
        replyToWamid: 'wamid.IN1',
        attempts: 0,
        wamid: null,
      });
      expect((await store().dueJobs(T0 + 5000, 10)).find((j) => j.messageId === b1.id)?.phoneNumberId).toBe(NORTH_NUMBER);
      expect(await store().pendingJobCount()).toBe(3);
    });

    it('holds a job in flight, then sends the next when it completes; failed and rescheduled jobs as told', async () => {
      const a1 = ok(await send(store(), 'ana', dana)).id;
      const a2 = ok(await send(store(), 'ana', dana, { now: T0 + 1001 })).id;
      const b1 = ok(await send(store(), 'noa', north, { now: T0 + 1002 })).id;
      await store().markInFlight(a1, T0 + 2000);
      expect(await dueIds(store(), T0 + 3000)).toEqual([b1]);
      await store().completeSend(a1, 'wamid.OUT1', T0 + 3000);
      expect(await statusOf(store(), dana, a1)).toBe('sent');
      expect(await dueIds(store(), T0 + 3000)).toEqual([a2, b1]);
      const failure = { code: 'rejected' as const, message: 'Meta refused the message', metaCode: 131026 };
      await store().markInFlight(b1, T0 + 3000);
      await store().failSend(b1, failure, T0 + 4000);
      expect(ok(await store().history(north, undefined, 10)).items[0]).toMatchObject({ id: b1, status: 'failed', failure });
      await store().markInFlight(a2, T0 + 4000);
      await store().rescheduleJob(a2, 1, T0 + 60_000);
      expect(await dueIds(store(), T0 + 59_999)).toEqual([]);
      expect(await store().dueJobs(T0 + 60_000, 10)).toMatchObject([{ messageId: a2, attempts: 1 }]);
      expect(await store().pendingJobCount()).toBe(1);
    });

    it('gives each instance only the jobs of the numbers it sends for, and claims a job for one send only', async () => {
      const a1 = ok(await send(store(), 'ana', dana)).id;
      const b1 = ok(await send(store(), 'noa', north, { now: T0 + 1001 })).id;
      const main = (await store().conversationAccess(dana))!.phoneNumberId;
      const dueOn = async (numbers: readonly string[]) => (await store().dueJobs(T0 + 5000, 10, numbers)).map((j) => j.messageId);
      expect(await dueOn([NORTH_NUMBER])).toEqual([b1]);
      expect(await dueOn([main, NORTH_NUMBER])).toEqual([a1, b1]);
      expect(await dueOn([])).toEqual([]);
      // Two instances read the same due job (a stale read, a leadership hand-over): only the first claim sends it.
      expect(await store().markInFlight(a1, T0 + 5000)).toBe(true);
      expect(await store().markInFlight(a1, T0 + 5001)).toBe(false);
      expect(await dueOn([main])).toEqual([]);
    });

    it('recovers the in-flight jobs of one number when an instance takes it over, leaving other numbers’ sends alone', async () => {
      const a1 = ok(await send(store(), 'ana', dana)).id;
      const b1 = ok(await send(store(), 'noa', north, { now: T0 + 1001 })).id;
      await store().markInFlight(a1, T0 + 2000);
      await store().markInFlight(b1, T0 + 2000);
      expect(await store().recoverInFlight(T0 + 10_000, GRACE, NORTH_NUMBER)).toBe(1);
      // b1 waits the grace for a webhook; a1 is still in flight with the instance that holds its number.
      expect(await dueIds(store(), T0 + 10_000 + GRACE - 1)).toEqual([]);
      expect(await dueIds(store(), T0 + 10_000 + GRACE)).toEqual([b1]);
      expect(await store().markInFlight(a1, T0 + 10_000)).toBe(false);
    });

    it('after a crash holds sends that may have reached Meta for the grace, again on every restart; untried ones go at once', async () => {
      const tried = ok(await send(store(), 'ana', dana)).id;
      const untried = ok(await send(store(), 'noa', north)).id;
      await store().markInFlight(tried, T0 + 2000);
      expect(await store().recoverInFlight(T0 + 10_000, GRACE)).toBe(1);
      expect(await dueIds(store(), T0 + 10_000)).toEqual([untried]);
      expect(await dueIds(store(), T0 + 10_000 + GRACE - 1)).toEqual([untried]);
      // The relay dies again inside the grace: downtime must not use the grace up.
      expect(await store().recoverInFlight(T0 + 25_000, GRACE)).toBe(0);
      expect(await dueIds(store(), T0 + 10_000 + GRACE)).toEqual([untried]);
      expect(await dueIds(store(), T0 + 25_000 + GRACE)).toEqual([tried, untried]);
    });
  });
}

async function customerWritesAs(store: RelayStore, from: ReturnType<typeof person>, wamid: string): Promise<string> {
  await store.recordWebhook(batch({ messages: [inbound(from, wamid)] }), T0);
  const list = await store.listConversations(undefined, 100);
  const found = list.ok ? list.value.items.find((c) => c.customer.bsuid === from.bsuid && c.customer.waId === from.waId) : undefined;
  if (found === undefined) throw new Error(`no conversation for ${wamid}`);
  return found.id;
}
