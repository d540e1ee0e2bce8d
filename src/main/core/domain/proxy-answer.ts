// Chromium's proxy answer ("PROXY a:8080; DIRECT") read as the one proxy the relay client can use.

/**
 * The proxy to use from Chromium's answer ("PROXY a:8080; DIRECT"): the first entry the relay
 * client can use. Entries are fallbacks in order; HTTPS/SOCKS proxies are skipped because the
 * client tunnels through an http:// proxy with CONNECT only.
 */
export function proxyFromPac(answer: string): string | null {
  for (const entry of answer.split(';')) {
    const [kind = '', hostPort = ''] = entry.trim().split(/\s+/);
    const type = kind.toUpperCase();
    if (type === 'DIRECT') return null;
    if (type === 'PROXY' && /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(hostPort)) return `http://${hostPort}`;
  }
  return null;
}
