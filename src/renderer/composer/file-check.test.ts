// Attachment checks against WhatsApp's rules, and base64 of the bytes.
import { describe, expect, it } from 'vitest';
import { bytesToBase64, checkAttachment } from './file-check';

const MB = 1024 * 1024;

describe('checkAttachment', () => {
  it('accepts what WhatsApp accepts, as the kind it will be sent as', () => {
    expect(checkAttachment('image/png', 200_000)).toEqual({ ok: true, kind: 'image' });
    expect(checkAttachment('application/pdf', 50 * MB)).toEqual({ ok: true, kind: 'document' });
  });

  it('explains a file that is too large, by kind', () => {
    expect(checkAttachment('image/jpeg', 6 * MB)).toEqual({ ok: false, message: 'Photos can be at most 5 MB on WhatsApp. Choose a smaller file.' });
    expect(checkAttachment('application/pdf', 101 * MB)).toEqual({ ok: false, message: 'Documents can be at most 100 MB on WhatsApp. Choose a smaller file.' });
  });

  it('explains a type WhatsApp refuses, including files the browser could not type', () => {
    expect(checkAttachment('application/x-msdownload', 10).ok).toBe(false);
    expect(checkAttachment('', 10)).toEqual({ ok: false, message: expect.stringMatching(/^WhatsApp accepts JPEG and PNG photos/) });
  });
});

describe('bytesToBase64', () => {
  it('matches the standard encoding, across chunk boundaries', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    expect(bytesToBase64(bytes)).toBe(btoa(binary));
    expect(bytesToBase64(new Uint8Array())).toBe('');
  });
});
