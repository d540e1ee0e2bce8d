// Media bytes on the relay's disk, one file per media id; ids are checked before they touch a path.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { limitBytes } from '../node-shared/http-body';
import { PRIVATE_FILE_MODE, makePrivateDirAsync } from '../node-shared/private-files';
import { isUuidV7 } from '../shared/uuidv7';

export class MediaFiles {
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
    const temp = `${target}.part`;
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
    await makePrivateDirAsync(this.dir);
    const target = this.pathOf(id);
    const temp = `${target}.part`;
    await pipeline(
      async function* () {
        yield bytes;
      },
      createWriteStream(temp, { mode: PRIVATE_FILE_MODE }),
    );
    await rename(temp, target);
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
