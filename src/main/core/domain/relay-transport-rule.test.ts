// The plain-transport rule as a table: which relay addresses may carry the token without encryption.
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, refusedPlainRelayHost } from './relay-transport-rule';

describe('plain ws:// and http:// relays', () => {
  it.each([
    ['ws://127.0.0.1:8787', null],
    ['http://127.9.8.7/', null],
    ['ws://localhost:8787/base', null],
    ['ws://LOCALHOST.:8787', null],
    ['ws://[::1]:8787', null],
    ['ws://127.1:8787', null],
    ['wss://relay.bank.example', null],
    ['https://10.1.2.3', null],
    ['ws://relay.bank.example', 'relay.bank.example'],
    ['http://10.1.2.3:8787', '10.1.2.3:8787'],
    ['ws://128.0.0.1', '128.0.0.1'],
    ['ws://localhost.evil.example', 'localhost.evil.example'],
    ['ws://127.0.0.1.evil.example', '127.0.0.1.evil.example'],
    ['ws://[::2]', '[::2]'],
  ])('%s → refused host %s', (url, refused) => {
    expect(refusedPlainRelayHost(url, false)).toBe(refused);
  });

  it('lets machine policy allow a plain relay on the bank network', () => {
    expect(refusedPlainRelayHost('ws://relay.bank.example', true)).toBeNull();
    expect(refusedPlainRelayHost('http://10.1.2.3', true)).toBeNull();
  });

  it('leaves an unparseable address to the URL schema', () => {
    expect(refusedPlainRelayHost('not a url', false)).toBeNull();
  });

  it('knows loopback from names that only look like it', () => {
    expect(isLoopbackHost('127.255.255.254')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('mylocalhost')).toBe(false);
    expect(isLoopbackHost('::ffff:10.0.0.1')).toBe(false);
  });
});
