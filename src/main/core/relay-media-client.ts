// Media over the relay's HTTP endpoints (POST /v1/media, GET /v1/media/{id}) with the agent's token.
import http from 'node:http';
import https from 'node:https';
import { appError, type AppError, type Result } from '../../shared/errors';
import { MAX_OUTBOUND_MEDIA_BYTES } from '../../shared/media-limits';
import { z } from 'zod';
import { WireError } from '../../shared/protocol';
import { MediaUploadResult } from '../../shared/protocol-methods';

export interface DownloadedMedia {
  bytes: Buffer;
  mimeType: string;
  fileName: string | null;
}

/** Upload and download of media over the relay's HTTP endpoints. */
export interface MediaClient {
  upload(relayUrl: string, token: string, file: { bytes: Buffer; mimeType: string; fileName: string }): Promise<Result<{ mediaId: string }>>;
  download(relayUrl: string, token: string, mediaId: string): Promise<Result<DownloadedMedia>>;
}

/** The relay's HTTP URL for `endpoint` (e.g. "/v1/media"), from a base given as ws(s):// or http(s)://, keeping any path prefix. */
export function relayHttpUrl(relayUrl: string, endpoint: string): URL {
  const url = new URL(relayUrl);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  if (url.protocol === 'wss:') url.protocol = 'https:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${endpoint}`;
  url.search = '';
  url.hash = '';
  return url;
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTP exchange with a size cap on the answer; `agent` carries the proxy tunnel and extra CA when configured. */
export function exchange(
  url: URL,
  options: { method: string; headers: Record<string, string>; body?: Buffer; agent?: http.Agent; timeoutMs: number; maxBytes: number },
): Promise<Answer> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { method: options.method, headers: options.headers, agent: options.agent, timeout: options.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          req.destroy(new Error('answer too large'));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

const ErrorAnswer = z.object({ error: WireError });

function errorOf(answer: Answer): AppError {
  try {
    const parsed = ErrorAnswer.safeParse(JSON.parse(answer.body.toString('utf8')));
    if (parsed.success) return parsed.data.error;
  } catch {
    // not the relay's JSON (a proxy's page): fall through
  }
  // Throttled without the relay's JSON (a front proxy): worth retrying later, not a broken request.
  if (answer.status === 429) return appError('rate_limited', 'the relay asks to slow down', true);
  return appError(answer.status >= 500 ? 'unavailable' : 'invalid_input', `the relay answered HTTP ${answer.status}`, answer.status >= 500);
}

export function createRelayMediaClient(options: { agent?: (url: URL) => http.Agent | undefined; timeoutMs?: number } = {}): MediaClient {
  const timeoutMs = options.timeoutMs ?? 120_000;
  return {
    async upload(relayUrl, token, file) {
      const url = relayHttpUrl(relayUrl, '/v1/media');
      try {
        const answer = await exchange(url, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': file.mimeType,
            'x-file-name': encodeURIComponent(file.fileName),
            'content-length': String(file.bytes.length),
          },
          body: file.bytes,
          agent: options.agent?.(url),
          timeoutMs,
          maxBytes: 64 * 1024,
        });
        if (answer.status !== 201) return { ok: false, error: errorOf(answer) };
        const parsed = MediaUploadResult.safeParse(JSON.parse(answer.body.toString('utf8')));
        if (!parsed.success) return { ok: false, error: appError('unavailable', 'the relay answered the upload with something that is not a media id', true) };
        return { ok: true, value: { mediaId: parsed.data.mediaId } };
      } catch (error) {
        return { ok: false, error: appError('unavailable', `upload failed: ${(error as Error).message}`, true) };
      }
    },
    async download(relayUrl, token, mediaId) {
      // "." and ".." are no media ids, and as a path segment they would climb out of /v1/media/ (URL parsers resolve
      // them, encoded or not), sending the token to another path.
      if (/^\.{1,2}$/.test(mediaId)) return { ok: false, error: appError('not_found', 'no such media', false) };
      const url = relayHttpUrl(relayUrl, `/v1/media/${encodeURIComponent(mediaId)}`);
      try {
        const answer = await exchange(url, {
          method: 'GET',
          headers: { authorization: `Bearer ${token}` },
          agent: options.agent?.(url),
          timeoutMs,
          maxBytes: MAX_OUTBOUND_MEDIA_BYTES * 2,
        });
        if (answer.status !== 200) return { ok: false, error: errorOf(answer) };
        const disposition = answer.headers['content-disposition'] ?? '';
        const star = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
        let fileName: string | null = null;
        try {
          fileName = star !== undefined ? decodeURIComponent(star) : null;
        } catch {
          fileName = null;
        }
        return { ok: true, value: { bytes: answer.body, mimeType: answer.headers['content-type'] ?? 'application/octet-stream', fileName } };
      } catch (error) {
        return { ok: false, error: appError('unavailable', `download failed: ${(error as Error).message}`, true) };
      }
    },
  };
}
