// For file-mode tests of console and relay: what a folder holds, with each entry's permission bits.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Every folder and file under `root` with its mode, as `relative path: octal`. */
export function modesUnder(root: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      found[path.relative(root, full)] = (statSync(full).mode & 0o777).toString(8);
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(root);
  return found;
}
