import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/structured-log';
import { buildDiagnostics } from './diagnostics';
import { SAFE_DEFAULTS } from './policy';
import { RotatingLogFile } from './rotating-log';
import { unzip } from './test-support/unzip';

const TOKEN = 'blt_PlantedAgentToken0123456789abcdef';
const BODY = 'my card PIN is 4812 and my account 0044512399';
const PHONE = '972541234567';

describe('diagnostics export', () => {
  it('bundles logs, versions, settings, policy and connection history, and never a token, message text or number', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'branchline-logs-'));
    const logFile = new RotatingLogFile(dir, { maxBytes: 600, keep: 3 });
    const log = createLogger({ level: 'debug', write: (l) => logFile.write(l), pseudonym: (w) => `wa_${w.length}` });
    for (let i = 0; i < 20; i++) log.info('connection.changed', { status: 'live', seq: i });
    log.info('send', { token: TOKEN, body: BODY, waId: PHONE });
    // A line written around the logger, as a bug would: tokens and numbers in it are still caught on export.
    // (Prose cannot be recognised as a message body; bodies are kept out of logs by the logger's field rules.)
    logFile.write(`{"event":"oops","raw":"Bearer ${TOKEN} for +${PHONE}, account 0044512399"}\n`);
    await logFile.close();

    const zip = await buildDiagnostics({
      logFiles: logFile.files(),
      versions: { app: '0.1.0', electron: '45.4.1', node: process.versions.node },
      settings: { theme: 'dark', 'cache.token': TOKEN, 'draft.c1': BODY, notificationPrivacy: 'hide' },
      policy: { policy: SAFE_DEFAULTS, problems: [{ key: 'retention.days', message: 'must be at least 1' }], source: '/etc/branchline/policy.json' },
      connectionHistory: [
        { at: Date.UTC(2026, 10, 24, 9), status: 'reconnecting', detail: { code: 'unreachable', params: { error: 'ECONNREFUSED' } } },
        { at: Date.UTC(2026, 10, 24, 9, 1), status: 'live', detail: null },
      ],
      secrets: [TOKEN],
      now: new Date(Date.UTC(2026, 10, 24, 10)),
    });
    const files = await unzip(zip);
    expect(Object.keys(files).sort()).toEqual(
      [
        'README.txt',
        'connection-history.json',
        'logs/branchline.log',
        'logs/branchline.log.1',
        'logs/branchline.log.2',
        'logs/branchline.log.3',
        'policy.json',
        'settings.json',
        'storage.json',
        'versions.json',
      ].sort(),
    );
    const everything = Object.values(files).join('\n');
    for (const leaked of [TOKEN, 'PlantedAgentToken', 'card PIN', '4812', '0044512399', PHONE]) expect(everything).not.toContain(leaked);
    // The logs are all there (rotated files included), in their JSON-lines shape.
    const logLines = ['logs/branchline.log.3', 'logs/branchline.log.2', 'logs/branchline.log.1', 'logs/branchline.log']
      .map((n) => files[n]!)
      .join('')
      .trim()
      .split('\n');
    expect(logLines.at(-1)).toContain('"oops"');
    expect(logLines.at(-2)).toContain('"send"');
    expect(JSON.parse(logLines.at(-2)!)).toMatchObject({ event: 'send', token: '[redacted]', body: '[redacted]', waId: 'wa_12' });
    // The export's second scrub takes numbers out, not the dates IT reads the log by.
    expect(JSON.parse(logLines.at(-2)!).t).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(JSON.parse(files['versions.json']!)).toEqual({ app: '0.1.0', electron: '45.4.1', node: process.versions.node });
    expect(JSON.parse(files['settings.json']!)).toEqual({ theme: 'dark', 'cache.token': '[redacted]', 'draft.c1': '[redacted]', notificationPrivacy: 'hide' });
    expect(JSON.parse(files['policy.json']!).problems[0].key).toBe('retention.days');
    expect(JSON.parse(files['connection-history.json']!)).toEqual([
      { at: '2026-11-24T09:00:00.000Z', status: 'reconnecting', detail: { code: 'unreachable', params: { error: 'ECONNREFUSED' } } },
      { at: '2026-11-24T09:01:00.000Z', status: 'live', detail: null },
    ]);
    expect(files['README.txt']).toContain('2026-11-24T10:00:00.000Z');
  });

  it('leaves out a log file that is gone by the time of the export', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'branchline-logs-gone-'));
    const zip = await buildDiagnostics({
      logFiles: [path.join(dir, 'branchline.log.5')],
      versions: {},
      settings: {},
      policy: { policy: SAFE_DEFAULTS, problems: [], source: null },
      connectionHistory: [],
      secrets: [],
      now: new Date(),
    });
    const files = await unzip(zip);
    expect(Object.keys(files).sort()).toEqual(['README.txt', 'connection-history.json', 'policy.json', 'settings.json', 'storage.json', 'versions.json']);
    // A host that does not say how its cache is stored gets no guess.
    expect(JSON.parse(files['storage.json']!)).toEqual({ cache: 'not reported', keyLocation: 'not reported' });
    expect(files['README.txt']).toContain('Local cache: not reported; key: not reported');
  });

  it('keeps the dates of events, in the logger’s lines and in text written around it, while numbers next to them go', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'branchline-logs-dates-'));
    const logFile = new RotatingLogFile(dir, { maxBytes: 1_000_000, keep: 1 });
    const log = createLogger({ level: 'info', write: (l) => logFile.write(l), pseudonym: (w) => `wa_${w.length}`, now: () => Date.UTC(2026, 10, 24, 9, 30) });
    // What a TLS failure and a pruning run log: a date inside a field's text, next to a number that must go.
    log.warn('relay.tls_problem', { error: `certificate has expired (notAfter 2026-11-20T00:00:00.000Z) calling +${PHONE}` });
    log.info('retention.pruned', { note: `older than 2026-08-26, account 0044512399, customer 054-123-4567` });
    // Lines written around the logger, as a library or a bug would: other ISO-8601 shapes, and digit runs that only look like dates.
    logFile.write(`[2026-11-24 11:30:05+02:00] worker: ${PHONE} retried\n`);
    logFile.write(`{"event":"oops","at":"2026-11-24T09:31:00Z","card":"4111-1111-1111-1111","ref":"2026-11-24-5550123","n":"9722026-11-24"}\n`);
    await logFile.close();
    const zip = await buildDiagnostics({
      logFiles: logFile.files(),
      versions: {},
      settings: {},
      policy: { policy: SAFE_DEFAULTS, problems: [], source: null },
      connectionHistory: [],
      secrets: [],
      now: new Date(Date.UTC(2026, 10, 24, 10)),
    });
    const lines = (await unzip(zip))['logs/branchline.log']!.trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      t: '2026-11-24T09:30:00.000Z',
      error: 'certificate has expired (notAfter 2026-11-20T00:00:00.000Z) calling [digits]',
    });
    expect(JSON.parse(lines[1]!)).toMatchObject({ note: 'older than 2026-08-26, account [digits], customer [digits]' });
    expect(lines[2]).toBe('[2026-11-24 11:30:05+02:00] worker: [digits] retried');
    expect(JSON.parse(lines[3]!)).toEqual({ event: 'oops', at: '2026-11-24T09:31:00Z', card: '[digits]', ref: '[digits]', n: '[digits]' });
  });

  it('says whether the cache is encrypted and where its key lives, never the key', async () => {
    const key = 'a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const bundle = async (storage: { encrypted: boolean; keyLocation: string }) =>
      unzip(
        await buildDiagnostics({
          logFiles: [],
          versions: {},
          settings: {},
          policy: { policy: SAFE_DEFAULTS, problems: [], source: null },
          connectionHistory: [],
          secrets: [],
          storage,
          now: new Date(),
        }),
      );
    const keychain = await bundle({ encrypted: true, keyLocation: 'OS keychain (safeStorage)' });
    expect(JSON.parse(keychain['storage.json']!)).toEqual({ cache: 'encrypted', keyLocation: 'OS keychain (safeStorage)' });
    expect(keychain['README.txt']).toContain('Local cache: encrypted; key: OS keychain (safeStorage)');
    // A host that passed the key where its location belongs: the export still leaves it out.
    const mistaken = await bundle({ encrypted: false, keyLocation: `BRANCHLINE_CACHE_KEY=${key}` });
    expect(JSON.parse(mistaken['storage.json']!)).toEqual({ cache: 'not encrypted', keyLocation: 'BRANCHLINE_CACHE_KEY=[redacted]' });
    expect(Object.values(mistaken).join('\n')).not.toContain(key.slice(0, 16));
  });

  it('says whether the cache is encrypted and where its key lives, and never carries the key', async () => {
    const key = 'c0ffee'.repeat(10) + 'abcd';
    const zip = await buildDiagnostics({
      logFiles: [],
      versions: {},
      settings: {},
      policy: { policy: SAFE_DEFAULTS, problems: [], source: null },
      connectionHistory: [],
      storage: { encrypted: true, keyLocation: 'OS keychain (safeStorage), wrapped in cache-key.bin in the data folder' },
      secrets: [key],
      now: new Date(Date.UTC(2026, 10, 24, 10)),
    });
    const files = await unzip(zip);
    expect(JSON.parse(files['storage.json']!)).toEqual({
      cache: 'encrypted',
      keyLocation: 'OS keychain (safeStorage), wrapped in cache-key.bin in the data folder',
    });
    expect(files['README.txt']).toContain('Local cache: encrypted; key: OS keychain (safeStorage)');
    for (const text of Object.values(files)) expect(text).not.toContain(key);
  });
});
