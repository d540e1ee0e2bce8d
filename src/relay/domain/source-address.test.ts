// The address the audit trail records: X-Forwarded-For believed only as far as trusted proxies vouch for it.
import { describe, expect, it } from 'vitest';
import { normaliseAddress, sourceAddress } from './source-address';

const trusted = new Set(['10.0.0.1', '10.0.0.2', 'fd00::1']);
const isTrusted = (a: string) => trusted.has(a);

describe('sourceAddress', () => {
  it.each<[string, string | undefined, string | string[] | undefined, string]>([
    ['no proxy: the peer', '203.0.113.7', undefined, '203.0.113.7'],
    ['an untrusted peer’s header is ignored', '203.0.113.7', '198.51.100.1', '203.0.113.7'],
    ['a trusted proxy: the address it received from', '10.0.0.1', '198.51.100.1', '198.51.100.1'],
    ['a client cannot prepend a lie: only the proxy’s own item counts', '10.0.0.1', '1.1.1.1, 198.51.100.1', '198.51.100.1'],
    ['two trusted proxies in a row', '10.0.0.2', '198.51.100.1, 10.0.0.1', '198.51.100.1'],
    ['several headers read as one list', '10.0.0.1', ['1.1.1.1', '198.51.100.1'], '198.51.100.1'],
    ['a port after an IPv4 address', '10.0.0.1', '198.51.100.1:5123', '198.51.100.1'],
    ['an IPv6 client behind an IPv6 proxy', 'fd00::1', '2001:DB8::7', '2001:db8::7'],
    ['a bracketed IPv6 address with a port', '10.0.0.1', '[2001:db8::7]:443', '2001:db8::7'],
    ['IPv4 on a dual-stack socket is IPv4', '::ffff:203.0.113.7', undefined, '203.0.113.7'],
    ['a trusted proxy on a dual-stack socket', '::ffff:10.0.0.1', '198.51.100.1', '198.51.100.1'],
    ['garbage ends the walk at the proxy', '10.0.0.1', 'unknown', '10.0.0.1'],
    ['an empty header leaves the proxy', '10.0.0.1', '', '10.0.0.1'],
    ['no peer address at all', undefined, '198.51.100.1', 'unknown'],
  ])('%s', (_what, peer, header, expected) => {
    expect(sourceAddress(peer, header, isTrusted)).toBe(expected);
  });

  it('normalises case and mapped IPv4', () => {
    expect([normaliseAddress('::FFFF:127.0.0.1'), normaliseAddress(' FD00::1 ')]).toEqual(['127.0.0.1', 'fd00::1']);
  });
});
