// "Export diagnostics": one zip IT can read — logs, versions, settings, policy, connection history — with nothing secret in it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { scrub } from '../../shared/structured-log';
import type { LoadedPolicy } from './policy';
import { buildZip, type ZipEntry } from './zip-writer';

export interface DiagnosticsInput {
  logFiles: readonly string[];
  versions: Record<string, string>;
  settings: Record<string, unknown>;
  policy: LoadedPolicy;
  connectionHistory: readonly { at: number; status: string; detail: string | null }[];
  /** Values that must never appear in the bundle, whatever logged them (the agent's token). */
  secrets: readonly string[];
  now: Date;
}

/** Settings keys whose values are never exported. */
const SECRET_SETTING = /token|secret|password|key|cookie|draft|body|text/i;

function clean(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 6) out = out.split(secret).join('[redacted]');
  // Each line again through the logger's scrubber: a line written by mistake still leaves no token or number.
  return out
    .split('\n')
    .map((line) => scrub(line))
    .join('\n');
}

export function buildDiagnostics(input: DiagnosticsInput): Buffer {
  const entries: ZipEntry[] = [];
  for (const file of input.logFiles) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    entries.push({ name: `logs/${path.basename(file)}`, data: Buffer.from(clean(text, input.secrets)) });
  }
  const settings = Object.fromEntries(Object.entries(input.settings).map(([k, v]) => [k, SECRET_SETTING.test(k) ? '[redacted]' : v]));
  const json = (value: unknown) => Buffer.from(clean(JSON.stringify(value, null, 2), input.secrets));
  entries.push({ name: 'versions.json', data: json(input.versions) });
  entries.push({ name: 'settings.json', data: json(settings) });
  entries.push({ name: 'policy.json', data: json(input.policy) });
  entries.push({ name: 'connection-history.json', data: json(input.connectionHistory.map((h) => ({ ...h, at: new Date(h.at).toISOString() }))) });
  entries.push({
    name: 'README.txt',
    data: Buffer.from(
      `Branchline diagnostics, exported ${input.now.toISOString()}.\n` +
        'Logs carry no message text, tokens or phone numbers (customers appear as wa_… pseudonyms).\n',
    ),
  });
  return buildZip(entries, input.now);
}
