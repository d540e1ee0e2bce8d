// How a customer or group is named in the list, the header and the panel.
import { describe, expect, it } from 'vitest';
import { authorName, customerLabel } from './customer-label';

describe('customerLabel', () => {
  it.each([
    ['name and number', { customer: { waId: '972541234567', name: 'Dana Levi' } }, { name: 'Dana Levi', detail: '+972541234567', numberHidden: false }],
    ['number only', { customer: { waId: '972541234567', name: null } }, { name: '+972541234567', detail: null, numberHidden: false }],
    [
      'name and username, no number',
      { customer: { waId: null, bsuid: 'US.13491208655302741918', username: 'noa.k', name: 'Noa' } },
      { name: 'Noa', detail: '@noa.k · number hidden by WhatsApp', numberHidden: true },
    ],
    [
      'username only, no number',
      { customer: { waId: null, bsuid: 'US.13491208655302741918', username: 'noa.k', name: null } },
      { name: '@noa.k', detail: 'number hidden by WhatsApp', numberHidden: true },
    ],
    [
      'a BSUID alone is never shown as a name',
      { customer: { waId: null, bsuid: 'US.13491208655302741918', name: null } },
      { name: 'Customer', detail: 'number hidden by WhatsApp', numberHidden: true },
    ],
    [
      'a group, by its subject',
      { customer: { waId: null, name: null }, group: { id: 'g', subject: 'Levi family account' } },
      { name: 'Levi family account', detail: 'WhatsApp group', group: true },
    ],
    ['a group without a subject', { customer: { waId: null, name: null }, group: { id: 'g', subject: null } }, { name: 'WhatsApp group', group: true }],
  ])('%s', (_, conversation, expected) => {
    expect(customerLabel(conversation)).toMatchObject(expected);
  });
});

describe('authorName', () => {
  it('names a group participant by name, else number', () => {
    expect(authorName({ name: 'Dana', waId: null })).toBe('Dana');
    expect(authorName({ name: null, waId: '972541234567' })).toBe('+972541234567');
    expect(authorName(null)).toBe('Participant');
  });
});
