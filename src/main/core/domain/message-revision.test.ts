// Edits and deletions arriving in any order leave the newest version in the cache.
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../shared/domain';
import { newestRevision } from './message-revision';

type Version = Pick<Message, 'content' | 'edited'>;
const original: Version = { content: { type: 'text', body: 'IBAN DE00 1234' } };
const edit1: Version = { content: { type: 'text', body: 'IBAN DE00 1235' }, edited: { at: 2_000, previous: [original.content] } };
const edit2: Version = {
  content: { type: 'text', body: 'IBAN DE00 1236' },
  edited: { at: 3_000, previous: [original.content, edit1.content] },
};
const deleted: Version = { content: { type: 'deleted' }, edited: null };

describe('newestRevision', () => {
  it.each([
    ['an edit replaces the original', original, edit1, edit1],
    ['a later edit replaces an earlier one', edit1, edit2, edit2],
    ['a late copy of the original does not undo an edit', edit2, original, edit2],
    ['a late earlier edit does not undo a later one', edit2, edit1, edit2],
    ['a deletion replaces any version', edit2, deleted, deleted],
    ['a late original does not bring back a deleted message', deleted, original, deleted],
    ['a late edit does not bring back a deleted message', deleted, edit2, deleted],
    ['a repeat of the same version keeps it', edit1, edit1, edit1],
  ])('%s', (_, stored, incoming, expected) => {
    expect(newestRevision(stored, incoming)).toEqual(expected);
  });
});
