// The only runtime globals src/shared may rely on: present in Node >= 20, Electron and every browser.
// Declared here (not through DOM or @types/node) so the shared typecheck refuses everything else.

declare const performance: { now(): number };
declare const crypto: { getRandomValues<T extends Uint8Array>(array: T): T };
declare function setTimeout(callback: () => void, ms: number): unknown;
declare function clearTimeout(handle: unknown): void;
declare class URL {
  constructor(url: string, base?: string);
  readonly protocol: string;
  readonly username: string;
  readonly password: string;
  readonly host: string;
  readonly pathname: string;
  readonly search: string;
  href: string;
}
