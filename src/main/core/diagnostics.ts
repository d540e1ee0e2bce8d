// "Export diagnostics": one zip IT can read — logs, versions, settings, policy, connection history — with nothing secret in it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ZipFile } from 'yazl';
import type { ConnectionState } from '../../shared/contract';
import { scrub } from '../../shared/structured-log';
import type { LoadedPolicy } from './policy';

/** One change of the relay link as the console service recorded it (the contract's status and detail). */
export interface DiagnosticsConnectionEntry {
  /** Epoch ms. */
  at: number;
  status: ConnectionState['status'];
  detail: ConnectionState['detail'];
}

export interface DiagnosticsCache {
  encrypted: boolean;
  /** 'keychain', 'memory', 'environment' or 'file' (cache-key.ts); null when the cache is not encrypted. */
  keyStorage: string | null;
  /** The headless key file, when the key is kept in one. */
  keyFile: string | null;
}

export interface DiagnosticsInput {
  logFiles: readonly string[];
  versions: Record<string, string>;
  settings: Record<string, unknown>;
  policy: LoadedPolicy;
  connectionHistory: readonly DiagnosticsConnectionEntry[];
  /** Whether the cache is encrypted and where its key lives (never the key): IT's first question after a lost PC. */
  cache?: DiagnosticsCache;
  /** Values that must never appear in the bundle, whatever logged them (the agent's token). */
  secrets: readonly string[];
  now: Date;
}

/** Settings keys whose values are never exported. */
const SECRET_SETTING = /token|secret|password|key|cookie|draft|body|text/i;

/** An ISO-8601 UTC timestamp (the logger's `t`, the history's `at`): its digit run is a date, not a phone number. */
const TIMESTAMP = /(?<![\d+])(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z)/;

function clean(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 6) out = out.split(secret).join('[redacted]');
  // Each line again through the logger's scrubber: a line written by mistake still leaves no token or number.
  // Timestamps are kept whole (split keeps them at odd indexes), or IT would get "[digits]T09:00:00Z" for every date.
  return out
    .split('\n')
    .map((line) =>
      line
        .split(TIMESTAMP)
        .map((part, i) => (i % 2 === 1 ? part : scrub(part)))
        .join(''),
    )
    .join('\n');
}

/** A log file, cleaned; null when it is gone (rotated away between listing and reading, or never written). */
async function readLog(file: string, secrets: readonly string[]): Promise<Buffer | null> {
  try {
    return Buffer.from(clean(await readFile(file, 'utf8'), secrets));
  } catch {
    return null;
  }
}

/** Collects the zip yazl streams out: the bundle is a few tens of MB at most (the rotated logs bound it). */
function collect(zip: ZipFile): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

export async function buildDiagnostics(input: DiagnosticsInput): Promise<Buffer> {
  const zip = new ZipFile();
  const done = collect(zip);
  const add = (name: string, data: Buffer) => zip.addBuffer(data, name, { mtime: input.now });
  const json = (value: unknown) => Buffer.from(clean(JSON.stringify(value, null, 2), input.secrets));

  const logs = await Promise.all(input.logFiles.map(async (file) => ({ name: `logs/${path.basename(file)}`, data: await readLog(file, input.secrets) })));
  for (const log of logs) if (log.data !== null) add(log.name, log.data);
  const settings = Object.fromEntries(Object.entries(input.settings).map(([k, v]) => [k, SECRET_SETTING.test(k) ? '[redacted]' : v]));
  add('versions.json', json(input.versions));
  add('settings.json', json(settings));
  add('policy.json', json(input.policy));
  if (input.cache !== undefined) add('cache.json', json(input.cache));
  add('connection-history.json', json(input.connectionHistory.map((h) => ({ at: new Date(h.at).toISOString(), status: h.status, detail: h.detail }))));
  add(
    'README.txt',
    Buffer.from(
      `Branchline diagnostics, exported ${input.now.toISOString()}.\n` +
        'Logs carry no message text, tokens or phone numbers (customers appear as wa_… pseudonyms).\n' +
        (input.cache === undefined
          ? ''
          : `cache.json: the local cache is ${input.cache.encrypted ? `encrypted (SQLCipher; key: ${input.cache.keyStorage})` : 'NOT encrypted'}; the key itself is never exported.\n`) +
        'connection-history.json: each change of the relay link; "detail" says why it was not live, as a code and its parameters (for example unreachable, ECONNREFUSED).\n',
    ),
  );
  zip.end();
  return done;
}
