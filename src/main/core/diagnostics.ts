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

/** How the host stores the local cache: whether it is encrypted and where its key lives (a place, never the key). */
export interface DiagnosticsStorage {
  encrypted: boolean;
  /** For example "OS keychain (safeStorage)", "BRANCHLINE_CACHE_KEY", or the key file's path. */
  keyLocation: string;
}

export interface DiagnosticsInput {
  logFiles: readonly string[];
  versions: Record<string, string>;
  settings: Record<string, unknown>;
  policy: LoadedPolicy;
  connectionHistory: readonly DiagnosticsConnectionEntry[];
  /** Values that must never appear in the bundle, whatever logged them (the agent's token, the cache key). */
  secrets: readonly string[];
  /** Absent where the host does not say: the bundle then reads "not reported" rather than guessing. */
  storage?: DiagnosticsStorage;
  now: Date;
}

/** Settings keys whose values are never exported. */
const SECRET_SETTING = /token|secret|password|key|cookie|draft|body|text/i;

function clean(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 6) out = out.split(secret).join('[redacted]');
  // Each line again through the logger's scrubber: a line written by mistake still leaves no token or number
  // (and keeps its dates, or IT would get "[digits]T09:00:00Z" for every event).
  return out.split('\n').map(scrub).join('\n');
}

/** A key written out by mistake where its location belongs (hex, as SQLCipher takes raw keys) never leaves. */
const KEY_SHAPED = /\b[0-9a-f]{32,}\b/gi;

function storageReport(storage: DiagnosticsStorage | undefined, secrets: readonly string[]): { cache: string; keyLocation: string } {
  if (storage === undefined) return { cache: 'not reported', keyLocation: 'not reported' };
  return { cache: storage.encrypted ? 'encrypted' : 'not encrypted', keyLocation: clean(storage.keyLocation.replace(KEY_SHAPED, '[redacted]'), secrets) };
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
  const storage = storageReport(input.storage, input.secrets);
  add('storage.json', json(storage));
  add('connection-history.json', json(input.connectionHistory.map((h) => ({ at: new Date(h.at).toISOString(), status: h.status, detail: h.detail }))));
  add(
    'README.txt',
    Buffer.from(
      `Branchline diagnostics, exported ${input.now.toISOString()}.\n` +
        'Logs carry no message text, tokens or phone numbers (customers appear as wa_… pseudonyms); dates are kept.\n' +
        `Local cache: ${storage.cache}; key: ${storage.keyLocation} (storage.json; the key itself is never exported).\n` +
        'connection-history.json: each change of the relay link; "detail" says why it was not live, as a code and its parameters (for example unreachable, ECONNREFUSED).\n',
    ),
  );
  zip.end();
  return done;
}
