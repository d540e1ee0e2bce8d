// Chromium's proxy answers read as the one proxy the relay client can use: a table.
import { describe, expect, it } from 'vitest';
import { proxyFromPac } from './proxy-answer';

describe('the proxy from a PAC answer', () => {
  it.each([
    ['DIRECT', null],
    ['PROXY proxy.bank.local:8080', 'http://proxy.bank.local:8080'],
    ['PROXY proxy.bank.local:8080; DIRECT', 'http://proxy.bank.local:8080'],
    ['DIRECT; PROXY proxy.bank.local:8080', null],
    ['SOCKS5 socks.bank.local:1080; PROXY proxy.bank.local:3128', 'http://proxy.bank.local:3128'],
    ['HTTPS secure.bank.local:443', null],
    ['PROXY [fd00::1]:8080', 'http://[fd00::1]:8080'],
    ['proxy lower.bank.local:80', 'http://lower.bank.local:80'],
    ['PROXY http://evil@x:1', null],
    ['', null],
  ])('"%s" → %s', (answer, proxy) => expect(proxyFromPac(answer)).toBe(proxy));
});
