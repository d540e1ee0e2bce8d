// What the conversation list and notifications say for each kind a customer can send in 2026.
import { describe, expect, it } from 'vitest';
import type { MessageContent } from '../../../shared/domain';
import { conversationTitle, previewOf, searchTextOf } from './message-text';

const card = {
  name: 'Ruth Mizrahi',
  organization: 'Mizrahi Bakery',
  phones: [{ phone: '+972 50 123 4000', waId: '972501234000' }],
  emails: [],
  urls: [],
  addresses: [],
};

describe('previewOf', () => {
  it.each<[string, MessageContent, string]>([
    ['a contact card', { type: 'contacts', contacts: [card] }, 'Contact: Ruth Mizrahi'],
    ['two contact cards', { type: 'contacts', contacts: [card, { ...card, name: 'Eli' }] }, 'Contacts: Ruth Mizrahi, Eli'],
    [
      'an order, with its total',
      {
        type: 'order',
        catalogId: 'cat',
        items: [
          { productId: 'safe-box-s', quantity: 2, unitPrice: 12.5, currency: 'EUR' },
          { productId: 'card-case', quantity: 1, unitPrice: 1000, currency: 'EUR' },
        ],
      },
      'Order: 3 items, 1,025.00 EUR',
    ],
    ['a Flow answer', { type: 'interactive_reply', kind: 'flow', title: 'Address change', fields: [] }, 'Form answered: Address change'],
    [
      'a call permission',
      { type: 'interactive_reply', kind: 'call_permission', fields: [{ label: 'Answer', value: 'Accepted' }] },
      'Call permission: Accepted',
    ],
    ['the first-contact signal', { type: 'system', event: 'chat_opened' }, 'Customer opened the chat'],
    ['a number change', { type: 'system', event: 'number_changed', newWaId: '447700900123' }, 'Customer changed their phone number to +447700900123'],
    ['an identity change', { type: 'system', event: 'identity_changed' }, 'Customer’s security code changed'],
    ['a deleted message', { type: 'deleted' }, 'Deleted by the customer'],
    ['a photo with a caption', { type: 'image', mediaId: 'x', mimeType: 'image/png', caption: 'my card' }, 'Photo: my card'],
  ])('%s', (_, content, expected) => {
    expect(previewOf(content)).toBe(expected);
  });
});

describe('searchTextOf', () => {
  it('indexes shared contacts and form answers, and nothing of a deleted message', () => {
    expect(searchTextOf({ type: 'contacts', contacts: [card] })).toBe('Ruth Mizrahi Mizrahi Bakery +972 50 123 4000');
    expect(searchTextOf({ type: 'interactive_reply', kind: 'flow', fields: [{ label: 'City', value: 'Haifa' }] })).toBe('City Haifa');
    expect(searchTextOf({ type: 'deleted' })).toBe('');
  });
});

describe('conversationTitle', () => {
  it.each([
    ['the profile name first', { customer: { waId: '972541234567', name: 'Dana' } }, 'Dana'],
    ['the username when there is no name', { customer: { waId: null, bsuid: 'US.1', username: 'noa.k', name: null } }, '@noa.k'],
    ['the number when that is all', { customer: { waId: '972541234567', name: null } }, '+972541234567'],
    ['"Customer" for a BSUID alone (never the id itself)', { customer: { waId: null, bsuid: 'US.1', name: null } }, 'Customer'],
    ['the group’s subject for a group', { customer: { waId: null, name: null }, group: { id: 'g', subject: 'Levi family' } }, 'Levi family'],
  ])('%s', (_, conversation, expected) => {
    expect(conversationTitle(conversation)).toBe(expected);
  });
});
