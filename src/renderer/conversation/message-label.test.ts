// Delivery states and bubble names in words.
import { describe, expect, it } from 'vitest';
import type { MessageContent, MessageStatus } from '../../shared/domain';
import { message } from '../test-support/fake-api';
import { contentSummary, messageAccessibleName, statusLabel } from './message-label';

describe('statusLabel', () => {
  it.each([
    ['queued', 'Queued'],
    ['pending', 'Sending'],
    ['sent', 'Sent'],
    ['delivered', 'Delivered'],
    ['read', 'Read'],
  ] as const)('%s reads "%s"', (status: MessageStatus, label) => {
    expect(statusLabel(status, null)).toBe(label);
  });

  it('says why a message failed, in words', () => {
    expect(statusLabel('failed', { code: 'template_required', message: 'Meta 131047' })).toBe(
      'Failed: The customer has not written in the last 24 hours, so only a template can be sent.',
    );
    expect(statusLabel('failed', { code: 'undeliverable', message: 'x' })).toBe('Failed: WhatsApp could not deliver it to this number.');
    expect(statusLabel('failed', { code: 'rejected', message: 'Spam rate limit hit' })).toBe('Failed: It could not be sent (Spam rate limit hit).');
    expect(statusLabel('failed', null)).toBe('Failed: WhatsApp did not say why.');
  });
});

describe('messageAccessibleName', () => {
  it('ends an outbound bubble with its state', () => {
    expect(messageAccessibleName(message('m', { direction: 'out', status: 'queued' }, { type: 'text', body: 'On my way' }), 'You', '10:42')).toBe(
      'You, 10:42: On my way — Queued',
    );
  });

  it('names an inbound bubble by its sender, with no state', () => {
    expect(messageAccessibleName(message('m', {}, { type: 'text', body: 'Hello' }), 'Dana Levi', '09:00')).toBe('Dana Levi, 09:00: Hello');
  });

  it('shortens a very long text', () => {
    const name = messageAccessibleName(message('m', {}, { type: 'text', body: 'x'.repeat(1000) }), 'Dana', '09:00');
    expect(name.length).toBeLessThan(330);
  });
});

describe('contentSummary', () => {
  it.each<[MessageContent, string]>([
    [{ type: 'image', mediaId: 'm', mimeType: 'image/png', caption: 'receipt' }, 'Photo: receipt'],
    [{ type: 'document', mediaId: 'm', mimeType: 'application/pdf', fileName: 'a.pdf' }, 'Document: a.pdf'],
    [{ type: 'audio', mediaId: 'm', mimeType: 'audio/ogg', voice: true }, 'Voice message'],
    [{ type: 'location', latitude: 32, longitude: 34.7, name: 'Branch 12' }, 'Location: Branch 12'],
    [{ type: 'template', name: 'branch_follow_up', language: 'en_US', parameters: ['Ruth', 'branch'] }, 'Template branch_follow_up: Ruth, branch'],
    [{ type: 'reaction', emoji: '', targetMessageId: null }, 'Removed a reaction'],
    [{ type: 'unsupported', waType: 'order' }, 'Unsupported message (order)'],
  ])('%j reads "%s"', (content, text) => {
    expect(contentSummary(content)).toBe(text);
  });
});
