// Keeps `--sandbox` off production: it listens on loopback only, and never starts beside a real WhatsApp account's settings.
import { isIP } from 'node:net';

/**
 * The settings that only mean something with a real Meta account: the token that sends as the bank, where Graph API
 * calls go, and the webhook handshake Meta's dashboard performs. The app secret and the number ids stay allowed: the
 * sandbox plays that app and those numbers (tests and demos sign webhooks with the secret they gave it).
 */
const PRODUCTION_SETTINGS = [
  { env: 'WHATSAPP_ACCESS_TOKEN', file: 'accessToken' },
  { env: 'WHATSAPP_GRAPH_URL', file: 'graphUrl' },
  { env: 'WHATSAPP_VERIFY_TOKEN', file: 'verifyToken' },
] as const;

/** 127.0.0.0/8, ::1 (also as an IPv4-mapped address) and `localhost`: reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)?.[1];
  const address = mapped ?? bare;
  if (isIP(address) === 4) return address.startsWith('127.');
  // The URL parser writes an IPv6 address in its shortest form, so 0:0:0:0:0:0:0:1 compares as ::1.
  return isIP(address) === 6 && new URL(`http://[${address}]`).hostname === '[::1]';
}

/**
 * Why a sandbox must not start with these settings, or null when it may. Names each setting found (never its value)
 * and says to unset it: the sandbox's /sandbox routes answer anyone who reaches them, and its demo agents have
 * printed tokens, so it must neither face a network nor hold a real account's keys.
 */
export function sandboxRefusal(host: string, env: NodeJS.ProcessEnv, fileWhatsApp: Readonly<Record<string, string | undefined>>): string | null {
  if (!isLoopbackHost(host)) {
    return `--sandbox listens on loopback only (127.0.0.1, ::1 or localhost), not on "${host.slice(0, 60)}": its demo tokens and /sandbox routes are open to anyone who reaches it`;
  }
  const found = PRODUCTION_SETTINGS.flatMap(({ env: name, file }) => [
    ...(nonEmpty(env[name]) ? [`${name} (environment)`] : []),
    ...(nonEmpty(fileWhatsApp[file]) ? [`whatsapp.${file} (config file; ${name} in the environment)`] : []),
  ]);
  if (found.length === 0) return null;
  return (
    `--sandbox refuses to start beside production WhatsApp settings: ${found.join(', ')}. ` +
    'Unset them for the sandbox (it plays Meta itself and must never reach a real account), or run without --sandbox.'
  );
}

function nonEmpty(value: string | undefined): boolean {
  return value !== undefined && value !== '';
}
