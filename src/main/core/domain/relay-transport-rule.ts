// Whether the console may send its token to a relay address: always over wss:// or https://; over plain ws:// or
// http:// only to this machine (loopback) or where machine policy allows it (`relay.allowInsecure`).

/** 127.0.0.0/8, ::1 and "localhost": traffic that never leaves this computer, so a plain socket exposes nothing. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (host === 'localhost' || host === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The host a plain (unencrypted) relay address would send the token to, when that is refused; null when the address
 * may be used. WHATWG URL parsing first, so "127.1", "0x7f.0.0.1" or "LOCALHOST." read as the host they are.
 */
export function refusedPlainRelayHost(relayUrl: string, allowInsecure: boolean): string | null {
  let url: URL;
  try {
    url = new URL(relayUrl);
  } catch {
    return null; // not an address at all: the URL schema refuses it with its own words
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'http:') return null;
  if (allowInsecure || isLoopbackHost(url.hostname)) return null;
  return url.host;
}
