// The behaviour every MediaFiles must show, as one vitest suite run against each store (disk, SQLite, PostgreSQL).
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setImmediate as turn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BodyTooLargeError } from '../../node-shared/http-body';
import { uuidv7 } from '../../shared/uuidv7';
import type { MediaFiles } from '../media-files';

const MiB = 1024 * 1024;

export interface MediaFilesUnderTest {
  readonly files: MediaFiles;
  /** Every key the store holds, sorted: file names on disk, media ids (staging ones too) in a database. */
  stored(): Promise<string[]>;
  close(): Promise<void>;
}

/** Bytes that differ at every offset within a file and between files, so a part out of place or mixed up shows. */
export function patterned(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 12)) & 0xff;
  return bytes;
}

/** `bytes` cut into chunks of `chunk` bytes, yielding to the event loop between them like a socket does. */
export function trickle(bytes: Buffer, chunk: number): Readable {
  return Readable.from(
    (async function* () {
      for (let at = 0; at < bytes.length; at += chunk) {
        await turn();
        yield bytes.subarray(at, at + chunk);
      }
    })(),
    { objectMode: false },
  );
}

export async function drain(stream: Readable): Promise<{ bytes: Buffer; largestChunk: number }> {
  const chunks: Buffer[] = [];
  let largestChunk = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    largestChunk = Math.max(largestChunk, chunk.length);
  }
  return { bytes: Buffer.concat(chunks), largestChunk };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Registers the suite; `skip` (PostgreSQL absent) keeps it in the report, named, rather than silently gone. */
export function describeMediaFiles(name: string, open: () => Promise<MediaFilesUnderTest>, skip = false): void {
  describe.skipIf(skip)(`MediaFiles behaviour: ${name}`, () => {
    let t: MediaFilesUnderTest;
    let files: MediaFiles;
    beforeEach(async () => {
      t = await open();
      files = t.files;
    });
    afterEach(async () => {
      await t.close();
    });

    it('gives back exactly what was written, whole and as a stream of its size', async () => {
      const id = uuidv7();
      const bytes = patterned(2 * MiB + MiB / 2 + 3, 1);
      await files.write(id, bytes);
      expect((await files.read(id))?.equals(bytes)).toBe(true);
      const opened = await files.open(id);
      expect(opened?.size).toBe(bytes.length);
      expect((await drain(opened!.stream)).bytes.equals(bytes)).toBe(true);
      expect(await t.stored()).toEqual([id]);
    });

    it('reports the size and SHA-256 of an upload streamed in uneven chunks', async () => {
      const id = uuidv7();
      const bytes = patterned(MiB + 77_777, 2);
      const source = Readable.from([bytes.subarray(0, 3), bytes.subarray(3, MiB + 10), bytes.subarray(MiB + 10)], { objectMode: false });
      expect(await files.writeStream(id, source, 2 * MiB)).toEqual({ size: bytes.length, sha256: sha256(bytes) });
      expect((await files.read(id))?.equals(bytes)).toBe(true);
    });

    it('keeps an empty file as a file of size 0, not as a missing one', async () => {
      const id = uuidv7();
      expect(await files.writeStream(id, Readable.from([], { objectMode: false }), 10)).toEqual({ size: 0, sha256: sha256(Buffer.alloc(0)) });
      expect(await files.read(id)).toEqual(Buffer.alloc(0));
      const opened = await files.open(id);
      expect(opened?.size).toBe(0);
      expect((await drain(opened!.stream)).bytes.length).toBe(0);
    });

    it('answers null for a file that is not there, and removing one is not an error', async () => {
      const id = uuidv7();
      expect(await files.read(id)).toBeNull();
      expect(await files.open(id)).toBeNull();
      await files.remove(id);
    });

    it('refuses ids the relay did not mint, so no client string becomes a key or a path', async () => {
      await expect(files.writeStream('../../etc/passwd', Readable.from([Buffer.from('x')]), 10)).rejects.toThrow(RangeError);
      await expect(files.write('not-an-id', Buffer.from('x'))).rejects.toThrow(RangeError);
      await expect(files.remove('../relay.db')).rejects.toThrow(RangeError);
      expect(await files.read('../relay.db')).toBeNull();
      expect(await files.open('../relay.db')).toBeNull();
      expect(await t.stored()).toEqual([]);
    });

    it('refuses an upload past its limit with BodyTooLargeError and keeps nothing of it', async () => {
      const id = uuidv7();
      const refused = files.writeStream(id, trickle(patterned(3 * MiB, 3), 64 * 1024), 2 * MiB + 5);
      await expect(refused).rejects.toBeInstanceOf(BodyTooLargeError);
      await expect(refused).rejects.toMatchObject({ limitBytes: 2 * MiB + 5 });
      expect(await files.read(id)).toBeNull();
      expect(await files.open(id)).toBeNull();
      expect(await t.stored()).toEqual([]);
    });

    it('keeps nothing of an upload whose client breaks off, and keeps the earlier file when a rewrite fails', async () => {
      const id = uuidv7();
      const earlier = patterned(1000, 4);
      await files.write(id, earlier);
      const broken = Readable.from(
        (async function* () {
          yield patterned(MiB + MiB / 2, 5);
          throw new Error('client went away');
        })(),
        { objectMode: false },
      );
      await expect(files.writeStream(id, broken, 10 * MiB)).rejects.toThrow('client went away');
      expect((await files.read(id))?.equals(earlier)).toBe(true);
      expect(await t.stored()).toEqual([id]);
    });

    it('replaces a file whole when it is written again, leaving nothing of a longer earlier version', async () => {
      const id = uuidv7();
      await files.write(id, patterned(3 * MiB, 6));
      const later = patterned(10, 7);
      await files.write(id, later);
      expect((await files.read(id))?.equals(later)).toBe(true);
      expect((await files.open(id))?.size).toBe(10);
      expect(await t.stored()).toEqual([id]);
    });

    it('removes a file so that it is neither read nor opened again', async () => {
      const [kept, removed] = [uuidv7(), uuidv7()];
      await files.write(kept, patterned(10, 8));
      await files.write(removed, patterned(MiB + 1, 9));
      await files.remove(removed);
      expect(await files.read(removed)).toBeNull();
      expect(await files.open(removed)).toBeNull();
      expect(await t.stored()).toEqual([kept]);
    });

    it('keeps two uploads of different ids apart while both are being written', async () => {
      const [a, b] = [uuidv7(), uuidv7()];
      const [bytesA, bytesB] = [patterned(2 * MiB + 11, 10), patterned(2 * MiB + 222, 11)];
      const written = await Promise.all([
        files.writeStream(a, trickle(bytesA, 256 * 1024), 3 * MiB),
        files.writeStream(b, trickle(bytesB, 256 * 1024), 3 * MiB),
      ]);
      expect(written).toEqual([
        { size: bytesA.length, sha256: sha256(bytesA) },
        { size: bytesB.length, sha256: sha256(bytesB) },
      ]);
      expect((await files.read(a))?.equals(bytesA)).toBe(true);
      expect((await files.read(b))?.equals(bytesB)).toBe(true);
      expect(await t.stored()).toEqual([a, b].sort());
    });

    it('leaves one whole file when two writers store the same id at once (two instances fetching one inbound file)', async () => {
      const id = uuidv7();
      const [first, second] = [patterned(MiB + MiB / 2, 12), patterned(MiB + MiB / 2, 13)];
      await Promise.all([files.writeStream(id, trickle(first, 128 * 1024), 2 * MiB), files.writeStream(id, trickle(second, 128 * 1024), 2 * MiB)]);
      const kept = await files.read(id);
      expect(kept?.equals(first) === true || kept?.equals(second) === true).toBe(true);
      expect(await t.stored()).toEqual([id]);
    });

    it('streams a 20 MiB file in and out in pieces no larger than a part', async () => {
      const id = uuidv7();
      const size = 20 * MiB;
      // Made as it is pulled, and hashed as it goes: the test itself never holds the file whole either.
      const made = createHash('sha256');
      const source = Readable.from(
        (async function* () {
          for (let at = 0; at < size; at += 64 * 1024) {
            const chunk = patterned(64 * 1024, at / 1024);
            made.update(chunk);
            yield chunk;
          }
        })(),
        { objectMode: false },
      );
      const written = await files.writeStream(id, source, size);
      expect(written).toEqual({ size, sha256: made.digest('hex') });
      const opened = await files.open(id);
      expect(opened?.size).toBe(size);
      const read = createHash('sha256');
      let largest = 0;
      for await (const chunk of opened!.stream as AsyncIterable<Buffer>) {
        read.update(chunk);
        largest = Math.max(largest, chunk.length);
      }
      expect(read.digest('hex')).toBe(written.sha256);
      expect(largest).toBeLessThanOrEqual(MiB);
    });
  });
}
