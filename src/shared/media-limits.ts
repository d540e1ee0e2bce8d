// What WhatsApp accepts as outbound media, checked by the composer before queueing and by the relay on upload.

const MB = 1024 * 1024;

export const MEDIA_RULES = {
  image: { maxBytes: 5 * MB, mimeTypes: ['image/jpeg', 'image/png'] },
  document: {
    maxBytes: 100 * MB,
    mimeTypes: [
      'application/pdf',
      'text/plain',
      'application/msword',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
  },
} as const;

export type OutboundMediaKind = keyof typeof MEDIA_RULES;

export type MediaCheck = { ok: true; kind: OutboundMediaKind } | { ok: false; code: 'media_type_unsupported' | 'media_too_large'; message: string };

/** Which kind a file would be sent as, or why it cannot be sent. */
export function checkOutboundMedia(mimeType: string, size: number): MediaCheck {
  const type = mimeType.toLowerCase().split(';')[0]!.trim();
  for (const kind of Object.keys(MEDIA_RULES) as OutboundMediaKind[]) {
    const rule = MEDIA_RULES[kind];
    if ((rule.mimeTypes as readonly string[]).includes(type)) {
      if (size > rule.maxBytes) {
        return {
          ok: false,
          code: 'media_too_large',
          message: `${kind === 'image' ? 'Images' : 'Documents'} can be at most ${rule.maxBytes / MB} MB on WhatsApp`,
        };
      }
      return { ok: true, kind };
    }
  }
  return { ok: false, code: 'media_type_unsupported', message: 'WhatsApp accepts JPEG and PNG images, and PDF, text and Office documents' };
}

export const MAX_OUTBOUND_MEDIA_BYTES = Math.max(...Object.values(MEDIA_RULES).map((r) => r.maxBytes));
