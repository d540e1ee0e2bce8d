// Property: under any interleaving of sends, relay answers, lost answers, crashes and status events,
// every message reaches the relay exactly once, in per-conversation order, and statuses never go back.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MESSAGE_STATUSES, type Message, type MessageStatus } from '../../shared/domain';
import { uuidv7 } from '../../shared/uuidv7';
import { statusRank } from '../../shared/status-merge';
import { openLocalStore } from './local-store';

type Op =
  | { kind: 'queue'; conversation: number }
  | { kind: 'deliver'; answerLost: boolean }
  | { kind: 'crash' }
  | { kind: 'status'; pick: number; status: MessageStatus }
  | { kind: 'replay'; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('queue' as const), conversation: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), answerLost: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('status' as const), pick: fc.nat(), status: fc.constantFrom(...MESSAGE_STATUSES.filter((s) => s !== 'queued')) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replay' as const), pick: fc.nat() }) },
);

/** The relay as the protocol promises it: idempotent on clientMessageId. */
class ModelRelay {
  readonly accepted: { id: string; conversation: string; body: string }[] = [];
  private readonly byId = new Map<string, Message>();

  send(message: Message, conversation: string): Message {
    const existing = this.byId.get(message.id);
    if (existing !== undefined) return existing;
    const stored: Message = { ...message, status: 'pending' };
    this.byId.set(message.id, stored);
    this.accepted.push({ id: message.id, conversation, body: (message.content as { body: string }).body });
    return stored;
  }
}

describe('outbox and status merge under random interleavings', () => {
  it('delivers each message exactly once, in order per conversation, and never regresses a status', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const dir = mkdtempSync(path.join(tmpdir(), 'branchline-prop-'));
        let store = openLocalStore(dir);
        const relay = new ModelRelay();
        const queued: { id: string; conversation: string; body: string }[] = [];
        const highest = new Map<string, number>();
        let seq = 0;
        let n = 0;
        const conversations = ['c0', 'c1', 'c2'];
        try {
          for (const o of ops) {
            switch (o.kind) {
              case 'queue': {
                const conversation = conversations[o.conversation]!;
                const id = uuidv7();
                const body = `m${n++}`;
                store.outbox.queue({
                  id,
                  request: { conversationId: conversation, content: { type: 'text', body } },
                  content: { type: 'text', body },
                  agentId: null,
                  now: n,
                });
                queued.push({ id, conversation, body });
                break;
              }
              case 'deliver': {
                const [item] = store.outbox.due(Number.MAX_SAFE_INTEGER, 1);
                if (item === undefined) break;
                const answer = relay.send(store.message(item.messageId)!, item.conversationId);
                // A lost answer leaves the row queued: the next delivery sends the same id again.
                if (!o.answerLost) store.outbox.accepted(item.messageId, answer);
                break;
              }
              case 'crash':
                store.close();
                store = openLocalStore(dir);
                break;
              case 'status':
              case 'replay': {
                const target = relay.accepted[o.pick % Math.max(1, relay.accepted.length)];
                if (target === undefined) break;
                const status = o.kind === 'status' ? o.status : 'delivered';
                store.applyEvents([
                  { seq: ++seq, event: { kind: 'message.status', messageId: target.id, conversationId: target.conversation, status, failure: null, at: seq } },
                ]);
                break;
              }
            }
            // Statuses only ever move forward.
            for (const q of queued) {
              const rank = statusRank(store.message(q.id)!.status);
              expect(rank).toBeGreaterThanOrEqual(highest.get(q.id) ?? 0);
              highest.set(q.id, rank);
            }
          }
          // Drain what is left, then check the relay's record.
          for (let item = store.outbox.due(Number.MAX_SAFE_INTEGER, 1)[0]; item !== undefined; item = store.outbox.due(Number.MAX_SAFE_INTEGER, 1)[0]) {
            store.outbox.accepted(item.messageId, relay.send(store.message(item.messageId)!, item.conversationId));
          }
          expect(store.outbox.queuedCount()).toBe(0);
          expect(relay.accepted.map((a) => a.id).sort()).toEqual(queued.map((q) => q.id).sort());
          for (const c of conversations) {
            expect(relay.accepted.filter((a) => a.conversation === c).map((a) => a.body)).toEqual(
              queued.filter((q) => q.conversation === c).map((q) => q.body),
            );
          }
        } finally {
          store.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});
