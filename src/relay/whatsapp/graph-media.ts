// Media through the Graph API: uploads for sends, and inbound files fetched by id, size-capped and hash-checked.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { makeRedactor } from '../domain/graph-redact';
import { isSuccess, lostFrom, problem, readCapped, refused, unexpected, type Exchange } from './graph-http';
import type { FetchedMedia, ProviderResult } from './provider';

/** Upload time grows with size: a fixed 15 s would fail large documents on a modest uplink. */
const UPLOAD_MS_PER_MIB = 1_000;

export interface GraphMediaDeps {
  readonly base: URL;
  /** The Graph URL for these path segments (encoded), under the configured version. */
  readonly graph: (...segments: string[]) => string;
  readonly token: string;
  readonly exchange: Exchange;
  readonly doFetch: typeof fetch;
  readonly timeoutMs: number;
  readonly maxMediaBytes: number;
}

const Uploaded = z.object({ id: z.string().min(1) });

const optionalText = z.string().min(1).optional().catch(undefined);
/** GET /{media-id}. Graph has sent file_size both as a number and as a string. */
const MediaInfo = z.object({
  url: z.string(),
  mime_type: optionalText,
  sha256: optionalText,
  file_size: z
    .union([z.number(), z.string().transform(Number).pipe(z.number())])
    .optional()
    .catch(undefined),
});
type MediaInfo = z.infer<typeof MediaInfo>;

export function createGraphMedia(deps: GraphMediaDeps) {
  const { token, exchange, timeoutMs, maxMediaBytes } = deps;
  const auth = { authorization: `Bearer ${token}` };
  const tokenOnly = makeRedactor(token, []);

  async function upload(file: { bytes: Buffer; mimeType: string; fileName: string }, from: string): Promise<ProviderResult<string>> {
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', file.mimeType);
    form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.mimeType }), file.fileName);
    const limitMs = timeoutMs + Math.ceil(file.bytes.length / (1024 * 1024)) * UPLOAD_MS_PER_MIB;
    const result = await exchange(deps.graph(from, 'media'), { method: 'POST', body: form }, limitMs);
    if (result.kind === 'answer' && isSuccess(result.status)) {
      const uploaded = Uploaded.safeParse(result.body);
      return uploaded.success ? { ok: true, value: uploaded.data.id } : unexpected('media upload');
    }
    return problem('media upload', result, makeRedactor(token, [file.fileName]));
  }

  async function fetchMedia(waMediaId: string): Promise<ProviderResult<FetchedMedia>> {
    // Media ids are numeric; refusing '..' and the like keeps the id from escaping its path segment.
    if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/.test(waMediaId)) return refused('media fetch: not a WhatsApp media id');
    const meta = await exchange(deps.graph(waMediaId), { method: 'GET' });
    if (meta.kind === 'lost' || !isSuccess(meta.status)) return problem('media fetch', meta, tokenOnly);
    const parsed = MediaInfo.safeParse(meta.body);
    if (!parsed.success) return unexpected('media fetch');
    const info = parsed.data;
    if (info.file_size !== undefined && info.file_size > maxMediaBytes) {
      return refused(`media fetch: ${info.file_size} bytes is over the ${maxMediaBytes}-byte limit`);
    }
    let url: URL;
    try {
      url = new URL(info.url);
    } catch {
      return unexpected('media fetch');
    }
    // The download carries the bearer token: never over anything weaker than the Graph call itself.
    const allowed = deps.base.protocol === 'https:' ? ['https:'] : ['https:', 'http:'];
    if (!allowed.includes(url.protocol)) return refused('media fetch: the download link is not https');
    return download(url, info);
  }

  async function download(url: URL, info: MediaInfo): Promise<ProviderResult<FetchedMedia>> {
    // An idle timer rather than one deadline: a 100 MiB file may take longer than a JSON call but must keep moving.
    const controller = new AbortController();
    const stall = (): NodeJS.Timeout => setTimeout(() => controller.abort(new DOMException('media download stalled', 'TimeoutError')), timeoutMs);
    let timer = stall();
    const touch = (): void => {
      clearTimeout(timer);
      timer = stall();
    };
    try {
      let response: Response;
      try {
        response = await deps.doFetch(url, { method: 'GET', headers: auth, signal: controller.signal });
      } catch (error) {
        return problem('media download', lostFrom(error, timeoutMs), tokenOnly);
      }
      if (!isSuccess(response.status)) {
        await response.body?.cancel().catch(() => undefined);
        return problem('media download', { kind: 'answer', status: response.status, headers: response.headers, body: undefined }, tokenOnly);
      }
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (declared > maxMediaBytes) {
        await response.body?.cancel().catch(() => undefined);
        return refused(`media download: ${declared} bytes is over the ${maxMediaBytes}-byte limit`);
      }
      const hash = createHash('sha256');
      let bytes: Buffer | undefined;
      try {
        bytes = await readCapped(response.body, maxMediaBytes, (chunk) => {
          touch();
          hash.update(chunk);
        });
      } catch (error) {
        return problem('media download', lostFrom(error, timeoutMs), tokenOnly);
      }
      if (bytes === undefined) return refused(`media download: more than the ${maxMediaBytes}-byte limit`);
      const digest = hash.digest();
      if (info.sha256 !== undefined && !digestMatches(info.sha256, digest)) return refused('media download: SHA-256 does not match what Meta announced');
      const mimeType = info.mime_type ?? response.headers.get('content-type') ?? 'application/octet-stream';
      // Hex, whichever form Meta used: one spelling for everything downstream.
      return { ok: true, value: { bytes, mimeType, sha256: digest.toString('hex') } };
    } finally {
      clearTimeout(timer);
    }
  }

  return { upload, fetchMedia };
}

/** Meta documents the media hash as base64; some answers carry hex. */
function digestMatches(expected: string, digest: Buffer): boolean {
  const value = expected.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase() === digest.toString('hex');
  const decoded = Buffer.from(value, 'base64');
  return decoded.length === digest.length && decoded.equals(digest);
}
