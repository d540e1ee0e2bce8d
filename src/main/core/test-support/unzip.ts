// Reads a zip back in tests with yauzl, an independent reader: every entry, its size and its CRC-32.
import { crc32 } from 'node:zlib';
import { fromBuffer, type Entry } from 'yauzl';

/** Reads every entry back with yauzl (an independent reader), checking sizes and each entry's CRC-32. */
export function unzip(zip: Buffer): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    fromBuffer(zip, { lazyEntries: true, strictFileNames: true }, (openError, archive) => {
      if (openError) return reject(openError);
      const files: Record<string, string> = {};
      archive.on('error', reject);
      archive.on('end', () => resolve(files));
      archive.on('entry', (entry: Entry) => {
        archive.openReadStream(entry, (readError, stream) => {
          if (readError) return reject(readError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            const data = Buffer.concat(chunks);
            if (crc32(data) !== entry.crc32) return reject(new Error(`${entry.fileName}: CRC-32 mismatch`));
            files[entry.fileName] = data.toString('utf8');
            archive.readEntry();
          });
        });
      });
      archive.readEntry();
    });
  });
}
