// Meta's WhatsApp Cloud API behind the provider port: sends and read receipts here; media and templates beside it.
import { z } from 'zod';
import { judgeGraphError } from '../domain/graph-verdict';
import { makeRedactor } from '../domain/graph-redact';
import { createExchange, isSuccess, problem, unexpected } from './graph-http';
import { createGraphMedia } from './graph-media';
import { listTemplates } from './graph-templates';
import { recipientAddress, type ProviderResult, type ProviderSend, type SendOutcome, type WhatsAppProvider } from './provider';
import { contentStrings, messagePayload } from './send-payload';

export interface CloudApiOptions {
  /** Base such as `https://graph.facebook.com` or the sandbox's `http://127.0.0.1:PORT/sandbox/graph`. */
  readonly graphUrl: string;
  readonly apiVersion?: string;
  readonly accessToken: string;
  /** Needed only to list templates (they belong to the WhatsApp Business Account, not the number). */
  readonly businessAccountId?: string;
  readonly requestTimeoutMs?: number;
  readonly maxMediaBytes?: number;
  readonly fetch?: typeof fetch;
}

const DEFAULT_API_VERSION = 'v21.0';
const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_MEDIA_BYTES = 100 * 1024 * 1024;

/** Graph's answer to an accepted send: the wamid is the first message's id. */
const Accepted = z.object({ messages: z.tuple([z.object({ id: z.string().min(1) })], z.unknown()) });
const MarkedRead = z.object({ success: z.literal(true) });

export function createCloudApiProvider(options: CloudApiOptions): WhatsAppProvider {
  const base = parseBase(options.graphUrl);
  const version = options.apiVersion ?? DEFAULT_API_VERSION;
  const timeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS);
  const maxMediaBytes = positive('maxMediaBytes', options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES);
  const token = options.accessToken;
  // A token with control characters would make fetch throw an error that quotes the header.
  if (!/^[\x21-\x7e]+$/.test(token)) throw new RangeError('accessToken is empty or has characters not allowed in an HTTP header');
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const graph = (...segments: string[]): string => [base.href.replace(/\/+$/, ''), version, ...segments.map(encodeURIComponent)].join('/');
  const exchange = createExchange(doFetch, { authorization: `Bearer ${token}` }, timeoutMs);
  const postJson = (url: string, payload: unknown) =>
    exchange(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  const media = createGraphMedia({ base, graph, token, exchange, doFetch, timeoutMs, maxMediaBytes });

  return {
    async sendMessage(send: ProviderSend): Promise<SendOutcome> {
      const redact = makeRedactor(token, [recipientAddress(send.to), ...contentStrings(send.content)]);
      const result = await postJson(graph(send.from, 'messages'), messagePayload(send));
      if (result.kind === 'lost') return { kind: 'retry', reason: result.reason, ambiguous: result.ambiguous };
      if (isSuccess(result.status)) {
        const accepted = Accepted.safeParse(result.body);
        // Meta said yes but we cannot tell to what: only a status webhook can settle it.
        return accepted.success ? { kind: 'accepted', wamid: accepted.data.messages[0].id } : { kind: 'retry', reason: 'server_error', ambiguous: true };
      }
      const verdict = judgeGraphError({ status: result.status, body: result.body, retryAfter: result.headers.get('retry-after') }, redact);
      if (verdict.kind === 'retry') {
        return {
          kind: 'retry',
          reason: verdict.reason,
          ambiguous: false,
          ...(verdict.retryAfterMs !== undefined && { retryAfterMs: verdict.retryAfterMs }),
          ...(verdict.metaCode !== undefined && { metaCode: verdict.metaCode }),
        };
      }
      return { kind: 'failed', failure: { code: verdict.code, message: verdict.text, ...(verdict.metaCode !== undefined && { metaCode: verdict.metaCode }) } };
    },

    async markRead(wamid: string, from: string): Promise<ProviderResult<true>> {
      const result = await postJson(graph(from, 'messages'), { messaging_product: 'whatsapp', status: 'read', message_id: wamid });
      if (result.kind === 'answer' && isSuccess(result.status)) {
        return MarkedRead.safeParse(result.body).success ? { ok: true, value: true } : unexpected('mark read');
      }
      return problem('mark read', result, makeRedactor(token, []));
    },

    uploadMedia: (file, from) => media.upload(file, from),
    fetchMedia: (waMediaId) => media.fetchMedia(waMediaId),

    async listTemplates() {
      if (options.businessAccountId === undefined || options.businessAccountId === '') return { ok: true, value: [] };
      const firstPage = `${graph(options.businessAccountId, 'message_templates')}?fields=name,language,status,category,components&limit=100`;
      return listTemplates(exchange, firstPage, base, token);
    },
  };
}

function parseBase(graphUrl: string): URL {
  let url: URL;
  try {
    url = new URL(graphUrl);
  } catch {
    throw new RangeError('graphUrl is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RangeError('graphUrl must be http or https');
  if (url.search !== '' || url.hash !== '') throw new RangeError('graphUrl must not carry a query or fragment');
  return url;
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}
