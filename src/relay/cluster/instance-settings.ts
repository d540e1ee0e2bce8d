// Where the other relay instances reach this one (instance.url / RELAY_INSTANCE_URL), so they can pass it the long polls
// of the sessions it holds; a bad value stops startup by name.
import { isIPv4 } from 'node:net';
import { z } from 'zod';

export interface InstanceSettings {
  /** The origin other instances forward to (http or https, no path); null: derived from a loopback address, or none. */
  readonly url: string | null;
}

/** The `instance` object of the relay's config file. */
export const InstanceFileConfig = z.object({ url: z.string() }).partial().strict().optional();
export type InstanceFileConfig = z.infer<typeof InstanceFileConfig>;

export class InstanceConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InstanceConfigError';
  }
}

/** Config file < environment. */
export function loadInstanceSettings(env: NodeJS.ProcessEnv, file: InstanceFileConfig): InstanceSettings {
  const fromEnv = env['RELAY_INSTANCE_URL'];
  const raw = fromEnv !== undefined && fromEnv !== '' ? fromEnv : file?.url;
  if (raw === undefined || raw === '') return { url: null };
  const where = fromEnv !== undefined && fromEnv !== '' ? 'RELAY_INSTANCE_URL' : 'instance.url';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InstanceConfigError(`${where} must be a URL such as http://10.0.0.5:8787`);
  }
  const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare) {
    throw new InstanceConfigError(`${where} must be an http(s) origin with no path, query or credentials, such as http://10.0.0.5:8787`);
  }
  return { url: url.origin };
}

/**
 * The URL this instance registers: the setting, else its own address when it listens on loopback (every instance of a
 * one-machine cluster reaches it there). On any other address the relay cannot know which of its names the others can
 * reach, so it registers none and its poll sessions are reachable only through requests that land on it.
 */
export function instanceUrl(settings: InstanceSettings, host: string, port: number): string | null {
  if (settings.url !== null) return settings.url;
  const loopback = host === 'localhost' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
  if (!loopback) return null;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
