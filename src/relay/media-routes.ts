// HTTP media for agents, with the same bearer token as the socket: upload before sending, fetch to display — a file
// only for an agent who may see it (their own upload, or a file of their teams' conversations), each download audited.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { MEDIA_RULES, checkOutboundMedia } from '../shared/media-limits';
import type { MediaUploadResult } from '../shared/protocol-methods';
import { isUuidV7, uuidv7 } from '../shared/uuidv7';
import type { Clock } from '../shared/clock';
import { BodyTooLargeError } from '../node-shared/http-body';
import { sendLimited } from './agent-limits';
import type { AuthGuard } from './auth/auth-guard';
import { sendRateLimited, signInAtDoor } from './auth/door-sign-in';
import type { SignInAuth } from './agent-handshake';
import { bearerToken } from './agent-tokens';
import { decideMedia, decideUpload } from './domain/access';
import { refuseRest, sendError, sendJson } from './http-util';
import type { Logger } from './log';
import type { MediaFetcher } from './media-fetcher';
import type { MediaFiles } from './media-files';
import type { AgentAccess, RelayStore } from './store/relay-store';
import type { UploadQuota } from './upload-quota';

export interface MediaRouteDeps {
  store: RelayStore;
  files: MediaFiles;
  fetcher: MediaFetcher;
  clock: Clock;
  log: Logger;
  guard: AuthGuard;
  auth: SignInAuth;
  sourceOf: (req: IncomingMessage) => string;
  /** Files and bytes per agent per window (absent: only each file's own size limit). */
  quota?: UploadQuota;
}

/** `POST /v1/media` and `GET /v1/media/{id}` with the agent's token; false when the path is not one of them. */
export async function routeMedia(req: IncomingMessage, res: ServerResponse, pathname: string, deps: MediaRouteDeps): Promise<boolean> {
  if (pathname !== '/v1/media' && !pathname.startsWith('/v1/media/')) return false;
  const source = deps.sourceOf(req);
  const signedIn = await signInAtDoor(deps, bearerToken(req.headers.authorization), source, 'media', null);
  if (!signedIn.ok) {
    req.resume();
    if (signedIn.status === 429) sendRateLimited(res, signedIn.retryAfterSeconds);
    else sendError(res, 401, 'unauthorized', 'unknown or revoked token');
    return true;
  }
  const agent = signedIn.agent;
  if (pathname === '/v1/media' && req.method === 'POST') {
    await handleMediaUpload(req, res, agent, deps);
    return true;
  }
  const id = /^\/v1\/media\/([^/]{1,128})$/.exec(pathname)?.[1];
  if (id === undefined || req.method !== 'GET') return false;
  await handleMediaDownload(res, id, { agent, source }, deps);
  return true;
}

/** A file name safe to store and to echo in Content-Disposition: no paths, no control characters. */
export function cleanFileName(raw: string | undefined): string {
  let name = 'file';
  try {
    name = decodeURIComponent(raw ?? 'file');
  } catch {
    name = 'file';
  }
  // Control characters and path separators become '_': the name is shown and echoed, never used as a path.
  name = [...name]
    .map((c) => (c < ' ' || c === '\u007f' || c === '/' || c === '\\' ? '_' : c))
    .join('')
    .replace(/^\.+/, '_')
    .trim()
    .slice(0, 200);
  return name === '' ? 'file' : name;
}

export async function handleMediaUpload(req: IncomingMessage, res: ServerResponse, agent: AgentAccess, deps: MediaRouteDeps): Promise<void> {
  const allowed = decideUpload(agent);
  if (!allowed.ok) {
    refuseRest(req, res);
    sendError(res, 403, allowed.error.code, allowed.error.message);
    return;
  }
  const mimeType = (req.headers['content-type'] ?? '').toLowerCase().split(';')[0]!.trim();
  const declared = Number(req.headers['content-length'] ?? 0);
  const check = checkOutboundMedia(mimeType, Number.isFinite(declared) ? declared : 0);
  if (!check.ok) {
    refuseRest(req, res);
    sendError(res, check.code === 'media_too_large' ? 413 : 415, check.code, check.message);
    return;
  }
  const kindMaxBytes = MEDIA_RULES[check.kind].maxBytes;
  const quota = deps.quota === undefined ? null : await deps.quota.reserve(agent.id, Number.isFinite(declared) ? declared : 0, kindMaxBytes);
  if (quota !== null && !quota.ok) {
    refuseRest(req, res);
    deps.log.info('media.quota_refused', { agentId: agent.id, retryAfterSeconds: quota.retryAfterSeconds });
    sendLimited(res, quota.error, quota.retryAfterSeconds);
    return;
  }
  const grant = quota?.grant ?? null;
  const fileName = cleanFileName(firstHeader(req.headers['x-file-name']));
  const id = uuidv7();
  let written: { size: number; sha256: string };
  try {
    try {
      written = await deps.files.writeStream(id, req, grant?.maxBytes ?? kindMaxBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      refuseRest(req, res);
      const overQuota = grant?.overQuota ?? null;
      if (overQuota !== null) return sendLimited(res, overQuota.error, overQuota.retryAfterSeconds);
      sendError(res, 413, 'media_too_large', `${check.kind === 'image' ? 'Images' : 'Documents'} can be at most ${error.limitBytes} bytes`);
      return;
    }
    await deps.store.createUploadedMedia({
      id,
      mimeType,
      fileName,
      size: written.size,
      sha256: written.sha256,
      uploadedBy: agent.id,
      now: deps.clock.wallNow(),
    });
  } finally {
    // After the row is stored: from then on the store counts it.
    grant?.release();
  }
  deps.log.info('media.uploaded', { mediaId: id, bytes: written.size, kind: check.kind });
  const result: MediaUploadResult = { mediaId: id, mimeType, size: written.size, sha256: written.sha256 };
  sendJson(res, 201, result);
}

/** Who downloads, from where: the audit's actor and source. */
export interface MediaCaller {
  readonly agent: AgentAccess;
  readonly source: string;
}

export async function handleMediaDownload(res: ServerResponse, mediaId: string, caller: MediaCaller, deps: MediaRouteDeps): Promise<void> {
  const media = isUuidV7(mediaId) ? await deps.store.getMedia(mediaId) : null;
  const access = media === null ? null : await deps.store.mediaAccess(media.id);
  if (media === null || access === null) {
    sendError(res, 404, 'not_found', 'no such media');
    return;
  }
  const allowed = decideMedia(caller.agent, access);
  if (!allowed.ok) {
    deps.log.info('media.refused', { mediaId: media.id, code: allowed.error.code });
    sendError(res, 403, allowed.error.code, allowed.error.message);
    return;
  }
  if (media.state === 'pending' && media.waMediaId !== null) await deps.fetcher.fetch(media.id, media.waMediaId);
  const file = await deps.files.open(media.id);
  if (file === null) {
    sendError(res, 502, 'unavailable', 'the file could not be fetched from WhatsApp yet; try again shortly');
    return;
  }
  await deps.store.appendAudit({
    at: deps.clock.wallNow(),
    action: 'media.download',
    actorId: caller.agent.id,
    source: caller.source,
    conversationId: access.conversationIds[0] ?? null,
    detail: { mediaId: media.id, origin: media.origin, bytes: file.size },
  });
  const fileName = media.fileName ?? 'file';
  res.writeHead(200, {
    'content-type': media.mimeType,
    'content-length': String(file.size),
    'content-disposition': `attachment; filename="${fileName.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
    'cache-control': 'private, max-age=86400',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "sandbox; default-src 'none'",
  });
  await pipeline(file.stream, res);
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
