// The desktop's log file in the OS's log folder: asynchronous appends, rotated by size so a branch PC never fills its disk.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import { makePrivateDir, tightenFile } from '../../node-shared/private-files';
import { appError, type AppError } from '../../shared/errors';

export interface RotatingLogOptions {
  /** Default branchline.log; rotated files are branchline.log.1 (newest) … branchline.log.N. */
  baseName?: string;
  /** Rotate once the current file reaches this size. Default 5 MiB. */
  maxBytes?: number;
  /** Rotated files kept. Default 5. */
  keep?: number;
  /** A longer line is cut to this, so one runaway line cannot break the bound on the folder. Default 64 KiB. */
  maxLineBytes?: number;
  /**
   * Told once when the file cannot be opened, written or rotated (file logging then stops for this run), and once for
   * the first non-fatal problem (an old file that could not be removed). Default: one JSON line on stderr.
   */
  onError?: (error: AppError) => void;
}

const MiB = 1024 * 1024;

/** The storage codes the UI already has words for; anything else is ours to look at. */
function logFileError(error: unknown, file: string, fatal: boolean): AppError {
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'unknown';
  const what = fatal ? 'the log file cannot be written, file logging is off until restart' : 'log rotation hit a problem';
  const message = `${what}: ${file} (${code})`;
  if (code === 'ENOSPC') return appError('storage_full', message, false);
  if (['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'EISDIR', 'EBUSY'].includes(code)) return appError('storage_readonly', message, false);
  return appError('internal', message, false);
}

function toStderr(error: AppError): void {
  process.stderr.write(
    `${JSON.stringify({ t: new Date().toISOString(), level: 'error', event: 'log.file_failed', code: error.code, message: error.message })}\n`,
  );
}

/**
 * The worst case on disk is (keep + 1) × (maxBytes + maxLineBytes): a file is rotated after the line that reaches
 * maxBytes, and a line is never split between two files.
 */
export class RotatingLogFile {
  readonly file: string;
  private readonly stream: RotatingFileStream;
  private readonly keep: number;
  private readonly maxLineBytes: number;
  private readonly onError: (error: AppError) => void;
  private failed = false;
  private warned = false;
  private closing: Promise<void> | null = null;

  constructor(dir: string, options: RotatingLogOptions = {}) {
    const baseName = options.baseName ?? 'branchline.log';
    this.file = path.join(dir, baseName);
    this.keep = options.keep ?? 5;
    this.maxLineBytes = options.maxLineBytes ?? 64 * 1024;
    this.onError = options.onError ?? toStderr;
    // Classic logrotate naming (.1 newest … .N oldest), as the files were named before: IT's habits and old files carry over.
    // 0700/0600 whatever the umask; rotated files are renames, so they keep 0600. A folder we cannot make is reported
    // by the library as an 'error' event (below), so a failure here is left for it to report.
    try {
      makePrivateDir(dir);
      for (const file of this.files()) tightenFile(file);
    } catch {
      // reported by the stream
    }
    this.stream = createStream(baseName, { path: dir, size: `${options.maxBytes ?? 5 * MiB}B`, rotate: this.keep, mode: 0o600 });
    this.stream.on('error', (error) => {
      // The stream is dead after an error: stop feeding it, and say so once.
      if (this.failed) return;
      this.failed = true;
      this.onError(logFileError(error, this.file, true));
    });
    this.stream.on('warning', (error) => {
      if (this.warned) return;
      this.warned = true;
      this.onError(logFileError(error, this.file, false));
    });
  }

  /** Queues one line (already redacted by the logger); never blocks on the disk and never throws. */
  write(line: string): void {
    if (this.failed || this.closing !== null) return;
    this.stream.write(this.fit(line));
  }

  /** Every log file on disk, oldest first (branchline.log.N … branchline.log.1, branchline.log), for the export. */
  files(): string[] {
    const rotated = Array.from({ length: this.keep }, (_, i) => `${this.file}.${this.keep - i}`);
    return [...rotated, this.file].filter((f) => existsSync(f));
  }

  /** Resolves once every line written before it is on disk (or the file has failed, which was reported). */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      if (this.failed || this.stream.destroyed) resolve();
      // An error while flushing reaches the 'error' handler above; closing itself always completes.
      else this.stream.end(() => resolve());
    });
    return this.closing;
  }

  private fit(line: string): string {
    if (Buffer.byteLength(line) <= this.maxLineBytes) return line;
    const head = Buffer.from(line)
      .subarray(0, this.maxLineBytes - 16)
      .toString('utf8');
    return `${head}…[cut]\n`;
  }
}
