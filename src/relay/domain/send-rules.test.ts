// What an agent's send may be and becomes: the 24-hour window, authentication templates, media, first responder.
import { describe, expect, it } from 'vitest';
import { assigneeAfterSend, mediaIdOf, PHONE_NUMBER_ONLY_NO_NUMBER, PHONE_NUMBER_ONLY_TO_GROUP, sendContent, sendRefusal, type SendTarget } from './send-rules';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 1, 9);
const text = { type: 'text', body: 'Your card is ready' } as const;
const template = { type: 'template', name: 'card_ready', language: 'en', parameters: [] as string[] } as const;
const wroteAnHourAgo: SendTarget = { groupId: null, waId: '972541234567', lastInboundAt: NOW - HOUR };

describe('the 24-hour window on a send', () => {
  it('lets text through while the customer wrote within 24 hours, and asks for a template once it closed', () => {
    expect(sendRefusal(text, wroteAnHourAgo, false, NOW)).toBeNull();
    const closed = sendRefusal(text, { ...wroteAnHourAgo, lastInboundAt: NOW - 24 * HOUR }, false, NOW);
    expect(closed).toEqual({ code: 'template_required', message: 'the 24-hour window is closed: only an approved template can be sent', retryable: false });
    expect(sendRefusal(template, { ...wroteAnHourAgo, lastInboundAt: NOW - 24 * HOUR }, false, NOW)).toBeNull();
  });

  it('asks for a template to start a conversation, or in one the customer never wrote in', () => {
    expect(sendRefusal(text, null, false, NOW)?.code).toBe('template_required');
    expect(sendRefusal(text, { ...wroteAnHourAgo, lastInboundAt: null }, false, NOW)?.code).toBe('template_required');
    expect(sendRefusal(template, null, false, NOW)).toBeNull();
  });

  it('sends an authentication template only to a phone number, saying why otherwise', () => {
    expect(sendRefusal(template, wroteAnHourAgo, true, NOW)).toBeNull();
    expect(sendRefusal(template, { ...wroteAnHourAgo, groupId: 'g1', waId: null }, true, NOW)?.message).toBe(PHONE_NUMBER_ONLY_TO_GROUP);
    expect(sendRefusal(template, { ...wroteAnHourAgo, waId: null }, true, NOW)?.message).toBe(PHONE_NUMBER_ONLY_NO_NUMBER);
  });
});

describe('what a send with media becomes', () => {
  const upload = { id: 'm1', state: 'ready', mimeType: 'application/pdf', fileName: 'statement.pdf', size: 2048 } as const;

  it('carries the upload’s type, size and file name, the agent’s own name and caption winning', () => {
    const doc = { type: 'document', mediaId: 'm1' } as const;
    expect(mediaIdOf(doc)).toBe('m1');
    expect(sendContent(doc, upload)).toEqual({
      ok: true,
      value: { type: 'document', mediaId: 'm1', mimeType: 'application/pdf', fileName: 'statement.pdf', size: 2048 },
    });
    expect(sendContent({ ...doc, fileName: 'march.pdf', caption: 'March' }, upload)).toEqual({
      ok: true,
      value: { type: 'document', mediaId: 'm1', mimeType: 'application/pdf', fileName: 'march.pdf', size: 2048, caption: 'March' },
    });
  });

  it('gives a photo no file name, and refuses an upload that is missing or not ready', () => {
    const photo = { type: 'image', mediaId: 'm2' } as const;
    const stored = sendContent(photo, { ...upload, id: 'm2', mimeType: 'image/jpeg', size: null });
    expect(stored).toEqual({ ok: true, value: { type: 'image', mediaId: 'm2', mimeType: 'image/jpeg' } });
    expect(sendContent(photo, null)).toMatchObject({ ok: false, error: { code: 'not_found', message: 'media not found: upload it first' } });
    expect(sendContent(photo, { ...upload, state: 'pending' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('stores text and templates as asked, with no upload to look up', () => {
    expect(mediaIdOf(text)).toBeNull();
    expect(sendContent(text, null)).toEqual({ ok: true, value: text });
  });
});

describe('first responder', () => {
  it('makes an unassigned conversation the sender’s and leaves an assigned one with its assignee', () => {
    expect(assigneeAfterSend(null, 'ana')).toBe('ana');
    expect(assigneeAfterSend('dana', 'sue')).toBe('dana');
  });
});
