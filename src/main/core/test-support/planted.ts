// Planted customer data searched for as a security officer would: in the raw bytes of every file under a folder.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The keys of the planted strings of which any word appears, in any case, in any file under `dir`. */
export function plantedIn(dir: string, planted: Record<string, string>): string[] {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d)) {
      const p = path.join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(dir);
  // Any case: the search index keeps its words lowercased.
  const bytes = files.map((f) => readFileSync(f).toString('latin1').toLowerCase());
  return Object.entries(planted)
    .filter(([, text]) => text.split(' ').some((word) => bytes.some((b) => b.includes(word.toLowerCase()))))
    .map(([key]) => key);
}
