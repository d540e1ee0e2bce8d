// Log lines to a file in the OS's log folder, rotated by size so a branch PC never fills its disk.
import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

export class RotatingLogFile {
  private size: number;
  readonly file: string;

  constructor(
    dir: string,
    private readonly options: { baseName?: string; maxBytes?: number; keep?: number } = {},
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, options.baseName ?? 'branchline.log');
    this.size = existsSync(this.file) ? statSync(this.file).size : 0;
  }

  /** Appends one line (already redacted by the logger); rotates first if it would pass the size limit. */
  write(line: string): void {
    const maxBytes = this.options.maxBytes ?? 5 * 1024 * 1024;
    const bytes = Buffer.byteLength(line);
    if (this.size > 0 && this.size + bytes > maxBytes) this.rotate();
    try {
      appendFileSync(this.file, line);
      this.size += bytes;
    } catch {
      // A log that cannot be written must never take the console down with it.
    }
  }

  /** branchline.log.N … branchline.log.1, branchline.log: oldest first. */
  files(): string[] {
    const keep = this.options.keep ?? 5;
    const rotated = Array.from({ length: keep }, (_, i) => `${this.file}.${keep - i}`).filter((f) => existsSync(f));
    return existsSync(this.file) ? [...rotated, this.file] : rotated;
  }

  private rotate(): void {
    const keep = this.options.keep ?? 5;
    try {
      rmSync(`${this.file}.${keep}`, { force: true });
      for (let i = keep - 1; i >= 1; i--) if (existsSync(`${this.file}.${i}`)) renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      renameSync(this.file, `${this.file}.1`);
      this.size = 0;
    } catch {
      // rotation failed (file locked by a viewer on Windows): keep appending rather than lose lines
    }
  }
}
