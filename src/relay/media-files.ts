// Where media bytes live (the MediaFiles port), and its one-machine form: files on the relay's disk, one per media id.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { limitBytes } from '../node-shared/http-body';
import { PRIVATE_FILE_MODE, makePrivateDirAsync } from '../node-shared/private-files';
import { isUuidV7 } from '../shared/uuidv7';

/**
 * Media bytes by media id, for uploads, inbound media fetched from WhatsApp and sends. Writes and `remove` refuse an id
 * the relay did not mint (a UUIDv7) with RangeError; `read` and `open` answer null for it. A write is all or nothing:
 * the file appears whole, and a failed write leaves nothing behind (an earlier file of that id stays).
 */
export interface MediaFiles {
  /** Streams `source` in, counting and hashing; refuses past `maxBytes` with BodyTooLargeError. */
  writeStream(id: string, source: Readable, maxBytes: number): Promise<{ size: number; sha256: string }>;
  write(id: string, bytes: Buffer): Promise<void>;
  /** The whole file, or null when there is none: for sends, whose size the media rules already bound. */
  read(id: string): Promise<Buffer | null>;
  /** The file's size and a stream of its bytes that never holds the whole file, or null when there is none. */
  open(id: string): Promise<{ size: number; stream: Readable } | null>;
  /** Deletes the file; removing one that is not there is not an error. */
  remove(id: string): Promise<void>;
}

/** One file per media id in a private folder: the store for a relay on one machine (SQLite). */
export class DiskMediaFiles implements MediaFiles {
  constructor(private readonly dir: string) {}

  private pathOf(id: string): string {
    // Only ids the relay minted: never a client string that could walk out of the folder.
    if (!isUuidV7(id)) throw new RangeError('not a media id');
    return path.join(this.dir, id);
  }

  /** Streams into place through a temporary file, counting and hashing; refuses past `maxBytes` with BodyTooLargeError. */
  async writeStream(id: string, source: Readable, maxBytes: number): Promise<{ size: number; sha256: string }> {
    await makePrivateDirAsync(this.dir);
    const target = this.pathOf(id);
    // A temporary name of its own per write: two writers of one id (two processes fetching the same inbound file)
    // must not write into the same temporary file, and the last rename leaves one whole file.
    const temp = `${target}.${randomBytes(6).toString('hex')}.part`;
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        source,
        limitBytes(maxBytes),
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            size += chunk.length;
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(temp, { mode: PRIVATE_FILE_MODE }),
      );
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return { size, sha256: hash.digest('hex') };
  }

  async write(id: string, bytes: Buffer): Promise<void> {
    await this.writeStream(id, Readable.from([bytes]), Number.POSITIVE_INFINITY);
  }

  async read(id: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(id));
    } catch {
      return null;
    }
  }

  /** Deletes a file (an expired upload); one already gone is no error. */
  async remove(id: string): Promise<void> {
    await rm(this.pathOf(id), { force: true });
  }

  async open(id: string): Promise<{ size: number; stream: Readable } | null> {
    try {
      const file = this.pathOf(id);
      const info = await stat(file);
      return { size: info.size, stream: createReadStream(file) };
    } catch {
      return null;
    }
  }
}
