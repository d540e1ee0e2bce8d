// Validation of Graph API send bodies: what Meta accepts, what it refuses and with which code.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGraphMessage, TEXT_BODY_MAX } from './send-request';

const KNOWN_MEDIA = '1503221694512345';
const parse = (body: unknown) => parseGraphMessage(body, (id) => id === KNOWN_MEDIA);
const base = { messaging_product: 'whatsapp', to: '972541234567' };

describe('parseGraphMessage', () => {
  it.each([
    ['text', { ...base, type: 'text', text: { body: 'hi', preview_url: true } }, { type: 'text', body: 'hi', previewUrl: true }],
    ['text with type omitted', { ...base, text: { body: 'hi' } }, { type: 'text', body: 'hi', previewUrl: false }],
    [
      'template',
      {
        ...base,
        type: 'template',
        template: {
          name: 'appointment_reminder',
          language: { code: 'en_US' },
          components: [{ type: 'body', parameters: ['A', 'B', 'C'].map((text) => ({ type: 'text', text })) }],
        },
      },
      { type: 'template', name: 'appointment_reminder', language: 'en_US', parameters: ['A', 'B', 'C'] },
    ],
    ['image', { ...base, type: 'image', image: { id: KNOWN_MEDIA, caption: 'c' } }, { type: 'image', mediaId: KNOWN_MEDIA, caption: 'c' }],
    [
      'document',
      { ...base, type: 'document', document: { id: KNOWN_MEDIA, filename: 'f.pdf' } },
      { type: 'document', mediaId: KNOWN_MEDIA, fileName: 'f.pdf' },
    ],
  ])('accepts %s', (_label, body, content) => {
    const parsed = parse(body);
    expect(parsed).toMatchObject({ ok: true, value: { kind: 'send', send: { to: '972541234567', content, bizOpaque: null, replyToWamid: null } } });
  });

  it('normalises a leading + but echoes the input', () => {
    expect(parse({ ...base, to: '+972541234567', text: { body: 'x' } })).toMatchObject({
      ok: true,
      value: { send: { input: '+972541234567', to: '972541234567' } },
    });
  });

  it('keeps biz_opaque_callback_data and context', () => {
    const parsed = parse({ ...base, text: { body: 'x' }, biz_opaque_callback_data: 'id-1', context: { message_id: 'wamid.Q' } });
    expect(parsed).toMatchObject({ ok: true, value: { send: { bizOpaque: 'id-1', replyToWamid: 'wamid.Q' } } });
  });

  it('recognises a mark-read', () => {
    expect(parse({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X' })).toEqual({
      ok: true,
      value: { kind: 'mark_read', messageId: 'wamid.X' },
    });
  });

  it.each([
    ['not an object', 'hello'],
    ['no messaging_product', { to: base.to, text: { body: 'x' } }],
    ['a non-read status', { messaging_product: 'whatsapp', status: 'delivered', message_id: 'wamid.X' }],
    ['a mark-read without message_id', { messaging_product: 'whatsapp', status: 'read' }],
    ['no to', { messaging_product: 'whatsapp', text: { body: 'x' } }],
    ['a 21-digit to', { ...base, to: '1'.repeat(21), text: { body: 'x' } }],
    ['a formatted to', { ...base, to: '972-54-123-4567', text: { body: 'x' } }],
    ['a group recipient type', { ...base, recipient_type: 'group', text: { body: 'x' } }],
    ['a numeric body', { ...base, text: { body: 5 } }],
    ['a body over the cap', { ...base, text: { body: 'x'.repeat(TEXT_BODY_MAX + 1) } }],
    ['an unsupported type', { ...base, type: 'audio', audio: { id: KNOWN_MEDIA } }],
    ['a media link', { ...base, type: 'image', image: { link: 'https://example.com/a.jpg' } }],
    ['an unknown media id', { ...base, type: 'image', image: { id: '42' } }],
    ['a long biz_opaque', { ...base, text: { body: 'x' }, biz_opaque_callback_data: 'b'.repeat(513) }],
    ['a context without message_id', { ...base, text: { body: 'x' }, context: {} }],
    ['a template without name', { ...base, type: 'template', template: { language: { code: 'en_US' } } }],
    [
      'a template with a header component',
      { ...base, type: 'template', template: { name: 'branch_follow_up', language: { code: 'en_US' }, components: [{ type: 'header', parameters: [] }] } },
    ],
    [
      'a non-text parameter',
      {
        ...base,
        type: 'template',
        template: { name: 'branch_follow_up', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'currency' }] }] },
      },
    ],
  ])('refuses %s with code 100', (_label, body) => {
    const parsed = parse(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatchObject({ httpStatus: 400, code: 100 });
  });

  it("refuses an unknown template with Meta's 132001 and a wrong parameter count with 132000", () => {
    const template = (name: string, params: string[]) => ({
      ...base,
      type: 'template',
      template: { name, language: { code: 'en_US' }, components: [{ type: 'body', parameters: params.map((text) => ({ type: 'text', text })) }] },
    });
    expect(parse(template('no_such_template', []))).toMatchObject({ ok: false, problem: { code: 132001 } });
    expect(parse(template('branch_follow_up', ['only one']))).toMatchObject({ ok: false, problem: { code: 132000, httpStatus: 400 } });
  });

  it('accepts exactly the text bodies of 1 to 4096 characters sent to 6 to 20 digits', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: TEXT_BODY_MAX + 5 }), fc.stringMatching(/^\d{4,22}$/), (body, to) => {
        const parsed = parse({ messaging_product: 'whatsapp', to, type: 'text', text: { body } });
        const valid = body.length >= 1 && body.length <= TEXT_BODY_MAX && to.length >= 6 && to.length <= 20;
        expect(parsed.ok).toBe(valid);
        if (parsed.ok && parsed.value.kind === 'send') expect(parsed.value.send.content).toEqual({ type: 'text', body, previewUrl: false });
      }),
    );
  });
});
