// A console's address, vouched for across relay instances: the instance that passes a long poll on signs the address
// with the home's key from the registry, so the home's log, audit and sign-in throttle see the console, not the other
// instance, while an X-Forwarded-For or this header from anyone else is believed no more than before.
import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { secretsEqual } from '../../node-shared/secret-compare';

/** Set on every request one instance passes on to another; its presence alone stops it from being passed on again. */
export const FORWARD_HEADER = 'x-branchline-forwarded';
/** A vouch older (or newer) than this is ignored: instances' clocks agree within seconds, a replay is not welcome. */
const VALID_MS = 60_000;

interface Vouch {
  /** The instance passing the request on. */
  readonly from: string;
  /** The console's address as that instance saw it (its own trusted proxies applied). */
  readonly source: string;
  readonly at: number;
  readonly method: string;
  /** The request target as sent (path and query): a vouch holds for that one request shape only. */
  readonly target: string;
}

function signature(key: string, v: Vouch): string {
  return createHmac('sha256', key)
    .update(['v1', v.from, String(v.at), v.source, v.method, v.target].join('\n'))
    .digest('base64url');
}

/** The header value: `v1.<from>.<at>.<base64url source>.<signature>`. */
export function vouchFor(key: string, v: Vouch): string {
  return `v1.${v.from}.${v.at}.${Buffer.from(v.source, 'utf8').toString('base64url')}.${signature(key, v)}`;
}

/** The console's address this request carries a valid vouch for, under `key`, at wall time `now`; null otherwise. */
export function vouchedSource(key: string, req: IncomingMessage, now: number): string | null {
  const header = req.headers[FORWARD_HEADER];
  if (typeof header !== 'string') return null;
  const parts = /^v1\.([0-9a-f]{1,40})\.(\d{1,15})\.([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{43})$/.exec(header);
  if (parts === null) return null;
  const [, from = '', atText = '', sourceText = '', given = ''] = parts;
  const at = Number(atText);
  if (Math.abs(now - at) > VALID_MS) return null;
  const v: Vouch = { from, at, source: Buffer.from(sourceText, 'base64url').toString('utf8'), method: req.method ?? '', target: req.url ?? '' };
  return secretsEqual(given, signature(key, v)) ? v.source : null;
}

/** `sourceOf`, believing a valid vouch from another instance before anything else the request says. */
export function trustingForwards(sourceOf: (req: IncomingMessage) => string, key: string, now: () => number): (req: IncomingMessage) => string {
  return (req) => vouchedSource(key, req, now()) ?? sourceOf(req);
}
