// Where a request came from, for the audit trail: the peer's address, or what X-Forwarded-For says when the peer is a
// proxy we were told to trust (anyone else can write any address into that header).

/** `::ffff:10.0.0.1` (IPv4 on a dual-stack socket) is 10.0.0.1. */
export function normaliseAddress(address: string): string {
  const trimmed = address.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(trimmed);
  return mapped !== null ? mapped[1]! : trimmed.toLowerCase();
}

/** One X-Forwarded-For item as an address: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:443`; null if it is none. */
function forwardedAddress(item: string): string | null {
  const text = item.trim();
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed !== null) return normaliseAddress(bracketed[1]!);
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?$/.exec(text);
  if (v4 !== null) return v4[1]!;
  if (/^[0-9a-fA-F:.]{2,45}$/.test(text) && text.includes(':')) return normaliseAddress(text);
  return null;
}

/**
 * The client's address. Proxies append the address they received from to X-Forwarded-For, so it is read from the right:
 * while the address at hand is a trusted proxy, the one it names before it is the next candidate. An untrusted peer's
 * header is ignored entirely; an unreadable item ends the walk at the last address we could vouch for.
 */
export function sourceAddress(
  peer: string | undefined,
  forwardedFor: string | readonly string[] | undefined,
  isTrustedProxy: (address: string) => boolean,
): string {
  let current = normaliseAddress(peer ?? '') || 'unknown';
  const header = typeof forwardedFor === 'string' ? forwardedFor : (forwardedFor ?? []).join(',');
  const items = header === '' ? [] : header.split(',');
  while (isTrustedProxy(current) && items.length > 0) {
    const previous = forwardedAddress(items.pop()!);
    if (previous === null) break;
    current = previous;
  }
  return current;
}
