// Store contract, the event log: seqs that only grow, each event read only by its audience's teams (and not by those
// a transfer's removal spares), how far an answer is complete (throughSeq), and pruning that never moves the head back.
import { beforeEach, describe, expect, it } from 'vitest';
import type { RelayStore } from '../store/relay-store';
import { at, customerWrites, decode, kindsFor, MAIN_NUMBER, NORTH_NUMBER, seedBranches, send, T0, useStore, type OpenStore } from './store-contract-support';

/** What a device of these teams collects by reading pages of `limit` from 0, each from the last page's throughSeq. */
async function pageThrough(store: RelayStore, teams: readonly string[], limit: number): Promise<number[]> {
  const seen: number[] = [];
  let after = 0;
  for (let page = 0; page < 100; page += 1) {
    const read = await store.readEventsFor(teams, after, limit);
    expect(read.events.length).toBeLessThanOrEqual(limit);
    for (const e of read.events) {
      expect(e.seq).toBeGreaterThan(after);
      expect(e.seq).toBeLessThanOrEqual(read.throughSeq);
    }
    seen.push(...read.events.map((e) => e.seq));
    if (read.throughSeq === (await store.head())) return seen;
    expect(read.throughSeq).toBeGreaterThan(after); // a device always moves on
    after = read.throughSeq;
  }
  throw new Error('readEventsFor never reached the head');
}

export function eventLogContract(open: OpenStore): void {
  describe('the event log', () => {
    const store = useStore(open);

    it('starts empty: head 0, oldest 1, nothing to read', async () => {
      expect(await store().head()).toBe(0);
      expect(await store().oldest()).toBe(1);
      expect(await store().readEvents(0, 10)).toEqual([]);
      expect(await store().readEventsFor(['main'], 0, 10)).toEqual({ events: [], throughSeq: 0 });
    });

    describe('with two branches writing', () => {
      beforeEach(async () => {
        await seedBranches(store());
        await customerWrites(store(), '972541234567', 'wamid.M1', { phoneNumberId: MAIN_NUMBER });
        await customerWrites(store(), '972541112223', 'wamid.N1', { phoneNumberId: NORTH_NUMBER });
        await customerWrites(store(), '972541234567', 'wamid.M2', { phoneNumberId: MAIN_NUMBER, at: T0 + 1 });
        await customerWrites(store(), '972541112224', 'wamid.N2', { phoneNumberId: NORTH_NUMBER, at: T0 + 2 });
      });

      it('hands out seqs that only grow, the head being the last; every stored event is a valid protocol event', async () => {
        const all = await store().readEvents(0, 1000);
        expect(all.length).toBeGreaterThanOrEqual(8);
        const seqs = all.map((e) => e.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(new Set(seqs).size).toBe(seqs.length);
        expect(await store().head()).toBe(seqs.at(-1));
        for (const e of all) expect(() => decode(e.json)).not.toThrow();
        expect(await store().readEvents(seqs[1]!, 2)).toEqual(all.slice(2, 4));
        expect(await store().readEvents(await store().head(), 10)).toEqual([]);
      });

      it('gives each team only the events of its conversations, oldest first', async () => {
        const all = (await store().readEvents(0, 1000)).map((e) => e.seq);
        const main = await store().readEventsFor(['main'], 0, 1000);
        const north = await store().readEventsFor(['north'], 0, 1000);
        expect(main.events.length).toBeGreaterThan(0);
        expect(north.events.length).toBeGreaterThan(0);
        for (const e of main.events) expect(await teamOf(store(), e.json)).toBe('main');
        for (const e of north.events) expect(await teamOf(store(), e.json)).toBe('north');
        const both = (await store().readEventsFor(['north', 'main'], 0, 1000)).events.map((e) => e.seq);
        expect(both).toEqual(all);
        expect([...main.events, ...north.events].map((e) => e.seq).sort((a, b) => a - b)).toEqual(all);
        expect(await store().readEventsFor([], 0, 10)).toEqual({ events: [], throughSeq: await store().head() });
        expect((await store().readEventsFor(['south'], 0, 10)).events).toEqual([]);
      });

      it('says how far an answer is complete: the head when the limit was not reached, else no further than the last event', async () => {
        const head = await store().head();
        expect((await store().readEventsFor(['main'], 0, 1000)).throughSeq).toBe(head);
        const page = await store().readEventsFor(['main', 'north'], 0, 3);
        const firstThree = (await store().readEvents(0, 3)).map((e) => e.seq);
        expect(page.events.map((e) => e.seq)).toEqual(firstThree);
        expect(page.throughSeq).toBe(firstThree[2]);
        // North's own first two events fill the limit: nothing is known beyond them, whatever main wrote meanwhile.
        const cut = await store().readEventsFor(['north'], 0, 2);
        expect(cut.events).toHaveLength(2);
        expect(cut.throughSeq).toBe(cut.events[1]!.seq);
      });

      it('lets a device page through by throughSeq and see every event of its teams exactly once', async () => {
        for (const teams of [['main'], ['north'], ['main', 'north']]) {
          const whole = (await store().readEventsFor(teams, 0, 1000)).events.map((e) => e.seq);
          for (const limit of [1, 2, 3]) expect(await pageThrough(store(), teams, limit)).toEqual(whole);
        }
      });

      it('does not tell agents also in the new team that a transferred conversation left the old one', async () => {
        const north = await customerWrites(store(), '972541112225', 'wamid.N3', { phoneNumberId: NORTH_NUMBER });
        const head = await store().head();
        expect((await store().transfer(north, 'main', T0 + 5, at('sara'))).ok).toBe(true);
        expect(await kindsFor(store(), ['north'], head)).toEqual(['conversation.removed']);
        expect(await kindsFor(store(), ['main'], head)).toEqual(['conversation.upserted']);
        expect(await kindsFor(store(), ['main', 'north'], head)).toEqual(['conversation.upserted']);
        expect(await kindsFor(store(), ['north', 'main'], head)).toEqual(['conversation.upserted']);
      });

      it('prunes the oldest events, keeping the newest; the head never moves back and seqs are never reused', async () => {
        const conversation = await firstMain(store());
        const before = await store().readEvents(0, 1000);
        const head = await store().head();
        const removed = await store().pruneEvents(2);
        const kept = await store().readEvents(0, 1000);
        expect(removed + kept.length).toBe(before.length);
        expect(kept.length).toBeGreaterThanOrEqual(1);
        expect(kept.length).toBeLessThanOrEqual(2);
        expect(kept).toEqual(before.slice(before.length - kept.length));
        expect(await store().head()).toBe(head);
        expect(await store().oldest()).toBe(kept[0]!.seq);
        await store().pruneEvents(0);
        expect(await store().readEvents(0, 1000)).toEqual([]);
        expect(await store().head()).toBe(head);
        expect(await store().oldest()).toBe(head + 1);
        expect((await send(store(), 'ana', conversation)).ok).toBe(true);
        expect((await store().readEvents(0, 1000))[0]!.seq).toBeGreaterThan(head);
      });
    });
  });
}

async function firstMain(store: RelayStore): Promise<string> {
  const page = await store.listConversations(undefined, 1, ['main']);
  if (!page.ok || page.value.items[0] === undefined) throw new Error('main has no conversation');
  return page.value.items[0].id;
}

/** The team an event was for, judged by the conversation it names as it is now (no transfers in these tests). */
async function teamOf(store: RelayStore, json: string): Promise<string | undefined> {
  const event = decode(json);
  const id =
    event.kind === 'message.created' || event.kind === 'message.updated'
      ? event.message.conversationId
      : event.kind === 'conversation.upserted'
        ? event.conversation.id
        : event.kind === 'events.skipped'
          ? null
          : event.conversationId;
  return id === null ? undefined : (await store.conversationAccess(id))?.team.id;
}
