import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../shared/errors';
import { RotatingLogFile } from './rotating-log';

const tempDir = (name: string) => mkdtempSync(path.join(tmpdir(), `branchline-${name}-`));
const line = (i: number) => `{"event":"connection.changed","seq":${String(i).padStart(4, '0')}}\n`;
const read = (files: readonly string[]) => files.map((f) => readFileSync(f, 'utf8')).join('');

describe('the desktop log file', () => {
  it('lands every line in order, and close() flushes everything written before it', async () => {
    const dir = tempDir('log-order');
    const errors: AppError[] = [];
    const log = new RotatingLogFile(dir, { onError: (e) => errors.push(e) });
    const lines = Array.from({ length: 500 }, (_, i) => line(i));
    for (const l of lines) log.write(l);
    // No await between the last write and close(): nothing may still be in flight once it resolves.
    await log.close();
    expect(readFileSync(path.join(dir, 'branchline.log'), 'utf8')).toBe(lines.join(''));
    expect(log.files()).toEqual([path.join(dir, 'branchline.log')]);
    expect(errors).toEqual([]);
    // A line after close() (a late event during quit) is dropped without an exception.
    expect(() => log.write(line(999))).not.toThrow();
  });

  it('appends to the file a previous run left', async () => {
    const dir = tempDir('log-append');
    writeFileSync(path.join(dir, 'branchline.log'), line(0));
    const log = new RotatingLogFile(dir);
    log.write(line(1));
    await log.close();
    expect(readFileSync(path.join(dir, 'branchline.log'), 'utf8')).toBe(line(0) + line(1));
  });

  it('rotates at the size limit, keeps the newest N files and lists them oldest first', async () => {
    const dir = tempDir('log-rotate');
    const maxBytes = 200;
    const keep = 3;
    const log = new RotatingLogFile(dir, { maxBytes, keep });
    const lines = Array.from({ length: 100 }, (_, i) => line(i));
    for (const l of lines) log.write(l);
    await log.close();

    const files = log.files();
    expect(files.map((f) => path.basename(f))).toEqual(['branchline.log.3', 'branchline.log.2', 'branchline.log.1', 'branchline.log']);
    // Each rotated file was cut at the limit: it reached it, with at most one line beyond.
    for (const f of files.slice(0, -1)) {
      expect(statSync(f).size).toBeGreaterThanOrEqual(maxBytes);
      expect(statSync(f).size).toBeLessThan(maxBytes + line(0).length);
    }
    // Oldest lines were dropped with the oldest file; what is kept is the unbroken tail, in order, across the files.
    const kept = read(files);
    expect(lines.join('').endsWith(kept)).toBe(true);
    expect(kept.startsWith('{"event"')).toBe(true);
    expect(kept.length).toBeGreaterThanOrEqual(keep * maxBytes);
  });

  it('rotates a file a previous run left over the limit before writing to it', async () => {
    const dir = tempDir('log-rotate-start');
    writeFileSync(path.join(dir, 'branchline.log'), 'x'.repeat(300) + '\n');
    const log = new RotatingLogFile(dir, { maxBytes: 200, keep: 2 });
    log.write(line(1));
    await log.close();
    expect(log.files().map((f) => path.basename(f))).toEqual(['branchline.log.1', 'branchline.log']);
    expect(readFileSync(path.join(dir, 'branchline.log'), 'utf8')).toBe(line(1));
  });

  it('cuts a runaway line so the folder stays bounded', async () => {
    const dir = tempDir('log-long');
    const log = new RotatingLogFile(dir, { maxLineBytes: 1024 });
    log.write(`{"event":"big","detail":"${'y'.repeat(10_000)}"}\n`);
    log.write(line(2));
    await log.close();
    const [first, second] = readFileSync(path.join(dir, 'branchline.log'), 'utf8').split('\n');
    expect(Buffer.byteLength(`${first}\n`)).toBeLessThanOrEqual(1024);
    expect(first).toMatch(/^\{"event":"big".*\[cut\]$/);
    expect(`${second}\n`).toBe(line(2));
  });

  it('reports a folder it cannot write once, through the callback, and never throws', async () => {
    // Root may write anywhere, so "unwritable" is a folder that cannot exist: its parent is a regular file.
    const parent = path.join(tempDir('log-bad'), 'not-a-folder');
    writeFileSync(parent, 'a file');
    const errors: AppError[] = [];
    let reported!: () => void;
    const failed = new Promise<void>((resolve) => (reported = resolve));
    const log = new RotatingLogFile(path.join(parent, 'logs'), {
      onError: (e) => {
        errors.push(e);
        reported();
      },
    });
    expect(() => log.write(line(0))).not.toThrow();
    await failed;
    for (let i = 1; i < 20; i++) expect(() => log.write(line(i))).not.toThrow();
    await log.close();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'storage_readonly', retryable: false });
    expect(errors[0]!.message).toContain('branchline.log');
    expect(log.files()).toEqual([]);
  });
});
