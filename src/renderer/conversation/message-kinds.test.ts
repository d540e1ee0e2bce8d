// The words for 2026's kinds in quotes, accessible names and system lines: what a screen reader and the e2e test hear.
import { describe, expect, it } from 'vitest';
import type { MessageContent } from '../../shared/domain';
import { message } from '../test-support/fake-api';
import { contentSummary, messageAccessibleName } from './message-label';

const card = { name: 'Ruth Mizrahi', phones: [{ phone: '+972 50 123 4000', waId: '972501234000' }], emails: [], urls: [], addresses: [] };

describe('contentSummary for what customers send since 2026', () => {
  it.each<[string, MessageContent, RegExp]>([
    ['a contact card', { type: 'contacts', contacts: [card] }, /^Contact: Ruth Mizrahi$/],
    [
      'an order with its total',
      { type: 'order', catalogId: 'c', items: [{ productId: 'p', quantity: 2, unitPrice: 12.5, currency: 'EUR' }] },
      /^Order: 2 items, €25\.00$/,
    ],
    ['a Flow answer', { type: 'interactive_reply', kind: 'flow', title: 'Address change', fields: [] }, /^Form answer: Address change$/],
    ['a number change', { type: 'system', event: 'number_changed', newWaId: '447700900123' }, /^Customer changed their phone number to \+447700900123$/],
    ['the first-contact signal', { type: 'system', event: 'chat_opened' }, /^Customer opened the chat$/],
    ['a deleted message (no content)', { type: 'deleted' }, /^Deleted by the customer$/],
  ])('%s', (_, content, expected) => {
    expect(contentSummary(content)).toMatch(expected);
  });
});

describe('messageAccessibleName', () => {
  it('says a message was edited, and never for a deleted one', () => {
    const edited = message('m', { edited: { at: 1, previous: [{ type: 'text', body: 'old' }] } }, { type: 'text', body: 'new' });
    expect(messageAccessibleName(edited, 'Dana', '10:42')).toBe('Dana, 10:42: new (edited)');
    const deleted = message('m', { edited: { at: 1, previous: [] } }, { type: 'deleted' });
    expect(messageAccessibleName(deleted, 'Dana', '10:42')).toBe('Dana, 10:42: Deleted by the customer');
  });
});
