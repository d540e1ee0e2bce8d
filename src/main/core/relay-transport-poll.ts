// The long-polling transport (/v1/poll): the same frames as the WebSocket, for proxies that refuse upgrades.
import http from 'node:http';
import https from 'node:https';
import { LONG_POLL_HOLD_MS, PROTOCOL_VERSION } from '../../shared/protocol';
import { createRelayAgent, isSecureUrl, relayEndpoint } from './net-options';
import type { RelayTransport, TransportEnd, TransportHandlers, TransportParams } from './relay-connection-types';

/** The relay takes at most this many frames per POST. */
const MAX_FRAMES_PER_POST = 64;
/** A receive is held up to LONG_POLL_HOLD_MS; past this margin the request is considered lost. */
const RECEIVE_TIMEOUT_MS = LONG_POLL_HOLD_MS + 20_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** Many events at once can make a receive large; anything past this is not a relay answer. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

interface HttpAnswer {
  status: number;
  body: string;
  retryAfter: string | null;
}

class TransportClosed extends Error {}

class PollTransport implements RelayTransport {
  readonly kind = 'poll' as const;
  private readonly agent: http.Agent;
  private readonly secure: boolean;
  private sessionId: string | null = null;
  private outbox: string[] = [];
  private posting = false;
  private ended = false;
  private readonly inFlight = new Set<http.ClientRequest>();

  constructor(
    private readonly params: TransportParams,
    private readonly handlers: TransportHandlers,
  ) {
    this.secure = isSecureUrl(new URL(params.relayUrl));
    this.agent = createRelayAgent(params.net, this.secure, true);
    void this.run().catch((error: unknown) => this.fail(error));
  }

  send(text: string): void {
    if (this.ended) return;
    this.outbox.push(text);
    if (this.sessionId !== null && !this.posting) void this.flush().catch((error: unknown) => this.fail(error));
  }

  close(): Promise<void> {
    this.shutdown();
    return Promise.resolve();
  }

  private async run(): Promise<void> {
    const open = await this.call('POST', '/v1/poll', {
      // The protocol version, as the WebSocket names it in its subprotocol.
      v: String(PROTOCOL_VERSION),
      device: this.params.deviceId,
      since: this.params.since === null ? null : String(this.params.since),
    });
    if (open.status !== 200) return this.end(httpEnd(open));
    const sessionId = (safeJson(open.body) as { sessionId?: unknown } | null)?.sessionId;
    if (typeof sessionId !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(sessionId)) {
      return this.end({ kind: 'network', error: new Error('the relay answered the poll open without a session id') });
    }
    this.sessionId = sessionId;
    if (this.outbox.length > 0) void this.flush().catch((error: unknown) => this.fail(error));
    while (!this.ended) {
      const answer = await this.call('GET', `/v1/poll/${sessionId}`, {}, undefined, RECEIVE_TIMEOUT_MS);
      if (this.ended) return;
      if (answer.status !== 200) return this.end(httpEnd(answer));
      const body = safeJson(answer.body) as { frames?: unknown; closed?: { code?: unknown; reason?: unknown } } | null;
      if (body?.closed !== undefined) {
        const code = typeof body.closed.code === 'number' ? body.closed.code : 1006;
        return this.end({ kind: 'closed', code, reason: typeof body.closed.reason === 'string' ? body.closed.reason : '' });
      }
      if (!Array.isArray(body?.frames))
        return this.end({ kind: 'network', error: new Error('the relay answered a poll receive with something other than frames') });
      // Every answer, even an empty one, shows the relay is there.
      this.handlers.alive();
      for (const frame of body.frames) {
        if (this.ended) return;
        this.handlers.frame(JSON.stringify(frame));
      }
    }
  }

  private async flush(): Promise<void> {
    if (this.posting || this.sessionId === null) return;
    this.posting = true;
    try {
      while (!this.ended && this.outbox.length > 0) {
        const batch = this.outbox.splice(0, MAX_FRAMES_PER_POST);
        // Frames are already JSON text: join them rather than parse and re-serialise.
        const answer = await this.call('POST', `/v1/poll/${this.sessionId}`, {}, `{"frames":[${batch.join(',')}]}`);
        if (this.ended) return;
        if (answer.status !== 204 && answer.status !== 200) return this.end(httpEnd(answer));
      }
    } finally {
      this.posting = false;
    }
  }

  private call(method: 'GET' | 'POST', path: string, query: Record<string, string | null>, body?: string, timeoutMs = REQUEST_TIMEOUT_MS): Promise<HttpAnswer> {
    if (this.ended) return Promise.reject(new TransportClosed());
    const url = relayEndpoint(this.params.relayUrl, 'http', path, query);
    const request = this.secure ? https.request : http.request;
    return new Promise<HttpAnswer>((resolve, reject) => {
      const req = request(url, {
        method,
        agent: this.agent,
        headers: {
          authorization: `Bearer ${this.params.token}`,
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
      });
      this.inFlight.add(req);
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('the relay did not answer in time'), { code: 'ETIMEDOUT' })));
      req.once('error', (error) => {
        this.inFlight.delete(req);
        reject(this.ended ? new TransportClosed() : error);
      });
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) req.destroy(new Error('the relay answer is too large'));
          else chunks.push(chunk);
        });
        res.once('end', () => {
          this.inFlight.delete(req);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), retryAfter: res.headers['retry-after'] ?? null });
        });
        res.once('error', (error) => {
          this.inFlight.delete(req);
          reject(this.ended ? new TransportClosed() : error);
        });
      });
      req.end(body);
    });
  }

  private fail(error: unknown): void {
    if (error instanceof TransportClosed) return;
    this.end({ kind: 'network', error });
  }

  private end(how: TransportEnd): void {
    if (this.ended) return;
    this.shutdown();
    this.handlers.ended(how);
  }

  private shutdown(): void {
    this.ended = true;
    this.outbox = [];
    for (const req of this.inFlight) req.destroy();
    this.inFlight.clear();
    this.agent.destroy();
  }
}

function httpEnd(answer: HttpAnswer): TransportEnd {
  const code = (safeJson(answer.body) as { error?: { code?: unknown } } | null)?.error?.code;
  return { kind: 'http', status: answer.status, errorCode: typeof code === 'string' ? code : null, retryAfter: answer.retryAfter };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export function openPollTransport(params: TransportParams, handlers: TransportHandlers): RelayTransport {
  return new PollTransport(params, handlers);
}
