// The composer's check of an attached file against WhatsApp's rules (shared/media-limits), in the agent's words.
import { MEDIA_RULES, checkOutboundMedia, type OutboundMediaKind } from '../../shared/media-limits';
import { strings } from '../ui/strings';

export type FileVerdict = { ok: true; kind: OutboundMediaKind } | { ok: false; message: string };

const MB = 1024 * 1024;

export function checkAttachment(mimeType: string, size: number): FileVerdict {
  const check = checkOutboundMedia(mimeType === '' ? 'application/octet-stream' : mimeType, size);
  if (check.ok) return check;
  if (check.code === 'media_too_large') {
    const kind = (Object.keys(MEDIA_RULES) as OutboundMediaKind[]).find((k) =>
      (MEDIA_RULES[k].mimeTypes as readonly string[]).includes(mimeType.toLowerCase().split(';')[0]!.trim()),
    );
    const rule = MEDIA_RULES[kind ?? 'document'];
    return {
      ok: false,
      message: strings.composer.fileTooLarge(kind === 'image' ? strings.composer.kindImage : strings.composer.kindDocument, rule.maxBytes / MB),
    };
  }
  return { ok: false, message: strings.composer.fileTypeUnsupported };
}

/** Base64 of a file's bytes, in chunks so a large file does not overflow the call stack. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}
