import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/structured-log';
import { buildDiagnostics } from './diagnostics';
import { SAFE_DEFAULTS } from './policy';
import { RotatingLogFile } from './rotating-log';

const TOKEN = 'blt_PlantedAgentToken0123456789abcdef';
const BODY = 'my card PIN is 4812 and my account 0044512399';
const PHONE = '972541234567';

/** Reads the zip back with Python's zipfile: an independent implementation checks the format too. */
function unzip(zip: Buffer): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-zip-'));
  const file = path.join(dir, 'd.zip');
  writeFileSync(file, zip);
  const script =
    'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps({n: z.read(n).decode() for n in z.namelist()}))';
  const result = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as Record<string, string>;
}

describe('diagnostics export', () => {
  it('bundles logs, versions, settings, policy and connection history, and never a token, message text or number', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'branchline-logs-'));
    const logFile = new RotatingLogFile(dir, { maxBytes: 600, keep: 3 });
    const log = createLogger({ level: 'debug', write: (l) => logFile.write(l), pseudonym: (w) => `wa_${w.length}` });
    for (let i = 0; i < 20; i++) log.info('connection.changed', { status: 'live', seq: i });
    log.info('send', { token: TOKEN, body: BODY, waId: PHONE });
    // A line written around the logger, as a bug would: tokens and numbers in it are still caught on export.
    // (Prose cannot be recognised as a message body; bodies are kept out of logs by the logger's field rules.)
    logFile.write(`{"event":"oops","raw":"Bearer ${TOKEN} for +${PHONE}, account 0044512399"}\n`);

    const zip = buildDiagnostics({
      logFiles: logFile.files(),
      versions: { app: '0.1.0', electron: '45.4.1', node: process.versions.node },
      settings: { theme: 'dark', 'cache.token': TOKEN, 'draft.c1': BODY, notificationPrivacy: 'hide' },
      policy: { policy: SAFE_DEFAULTS, problems: [{ key: 'retention.days', message: 'must be at least 1' }], source: '/etc/branchline/policy.json' },
      connectionHistory: [{ at: Date.UTC(2026, 10, 24, 9), status: 'reconnecting', detail: 'cannot reach the relay (ECONNREFUSED)' }],
      secrets: [TOKEN],
      now: new Date(Date.UTC(2026, 10, 24, 10)),
    });
    const files = unzip(zip);
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining(['versions.json', 'settings.json', 'policy.json', 'connection-history.json', 'README.txt', 'logs/branchline.log']),
    );
    expect(Object.keys(files).filter((n) => n.startsWith('logs/')).length).toBeGreaterThan(1); // rotated files included
    const everything = Object.values(files).join('\n');
    for (const leaked of [TOKEN, 'PlantedAgentToken', 'card PIN', '4812', '0044512399', PHONE]) expect(everything).not.toContain(leaked);
    expect(JSON.parse(files['settings.json']!)).toMatchObject({ theme: 'dark', notificationPrivacy: 'hide' });
    expect(JSON.parse(files['policy.json']!).problems[0].key).toBe('retention.days');
    expect(files['connection-history.json']).toContain('ECONNREFUSED');
  });

  it('rotates the log by size and keeps a bounded number of files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'branchline-rot-'));
    const file = new RotatingLogFile(dir, { maxBytes: 100, keep: 2 });
    for (let i = 0; i < 50; i++) file.write(`${'x'.repeat(40)} ${i}\n`);
    expect(file.files().map((f) => path.basename(f))).toEqual(['branchline.log.2', 'branchline.log.1', 'branchline.log']);
  });
});
