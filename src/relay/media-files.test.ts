import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DiskMediaFiles } from './media-files';
import { describeMediaFiles } from './test-support/media-files-suite';

describeMediaFiles('files on the relay’s disk', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bl-media-disk-'));
  const media = path.join(dir, 'media');
  return {
    files: new DiskMediaFiles(media),
    stored: async () => (await readdir(media).catch(() => [])).sort(),
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
