import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MediaFiles } from './media-files';

const STATEMENT = Buffer.from('%PDF-1.7 statement of account IL620108000000099999999');
const folder = () => path.join(mkdtempSync(path.join(tmpdir(), 'branchline-media-')), 'media');

describe('media files of an encrypted cache', () => {
  it('keeps no document bytes in the clear, and reads them back with the same key after a restart', () => {
    const dir = folder();
    const key = randomBytes(32);
    const name = new MediaFiles(dir, key).write(STATEMENT);
    expect(readFileSync(path.join(dir, name)).includes(Buffer.from('statement of account'))).toBe(false);
    expect(new MediaFiles(dir, key).read(name)).toEqual(STATEMENT);
  });

  it('treats a file it cannot authenticate (another key, altered bytes, swapped names) as a cache miss', () => {
    const dir = folder();
    const key = randomBytes(32);
    const files = new MediaFiles(dir, key);
    const a = files.write(STATEMENT);
    const b = files.write(Buffer.from('another customer ID photo'));
    expect(new MediaFiles(dir, randomBytes(32)).read(a)).toBeNull();
    writeFileSync(path.join(dir, b), readFileSync(path.join(dir, a)));
    expect(files.read(b)).toBeNull();
    const altered = readFileSync(path.join(dir, a));
    altered[altered.length - 1]! ^= 1;
    writeFileSync(path.join(dir, a), altered);
    expect(files.read(a)).toBeNull();
  });

  it('encrypts files an older version left in the clear when the cache gets its key', () => {
    const dir = folder();
    const name = new MediaFiles(dir).write(STATEMENT);
    expect(readFileSync(path.join(dir, name))).toEqual(STATEMENT);
    const key = randomBytes(32);
    const files = new MediaFiles(dir, key);
    expect(readdirSync(dir)).toEqual([name]);
    expect(readFileSync(path.join(dir, name)).includes(Buffer.from('statement of account'))).toBe(false);
    expect(files.read(name)).toEqual(STATEMENT);
  });
});
