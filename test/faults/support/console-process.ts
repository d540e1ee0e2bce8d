// The parent's handle on a console-main.ts process: start it with a plan, follow its state lines, read its database.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { spawnTsx, type Child } from './child';
import { CONSOLE_MAIN, freshDir } from './paths';
import type { Rng } from './rng';
import type { ScenarioContext } from './scenario';

export interface ConsoleState {
  type: 'state';
  queued: number;
  status: string;
  cursor: number | null;
  queuedAll: boolean;
  outbound: number;
  inbound: number;
}

/** Connected and taking events, over the WebSocket ("live") or the long-polling fallback ("polling"). */
export const isLive = (state: ConsoleState): boolean => state.status === 'live' || state.status === 'polling';

export interface Plan {
  readonly file: string;
  readonly messages: readonly { to: string; body: string }[];
  /** Bodies in the order the agent sent them, per customer: what WhatsApp must receive, in this order. */
  readonly expected: ReadonlyMap<string, readonly string[]>;
}

/** N messages spread over the customers at random; bodies are unique and carry no digits runs a scrubber would hide. */
export function makePlan(tag: string, customers: readonly string[], count: number, rng: Rng, paceMs: number): Plan {
  const messages = Array.from({ length: count }, (_, i) => {
    const to = rng.pick(customers);
    return { to, body: `${tag} note ${String.fromCharCode(97 + customers.indexOf(to))} ${i.toString(36)}` };
  });
  const expected = new Map<string, string[]>(customers.map((c) => [c, []]));
  for (const m of messages) expected.get(m.to)!.push(m.body);
  const file = path.join(freshDir('plan'), 'plan.json');
  writeFileSync(file, JSON.stringify({ messages, paceMs }));
  return { file, messages, expected };
}

export interface ConsoleProcess {
  readonly dataDir: string;
  readonly child: Child;
  last(): ConsoleState | null;
  /** The first state line matching; with `fresh`, only among lines printed from now on. */
  waitState(match: (state: ConsoleState) => boolean, timeoutMs: number, what: string, fresh?: boolean): Promise<ConsoleState>;
  crashed(): boolean;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export function startConsoleProcess(
  ctx: ScenarioContext,
  options: { relayUrl: string; token: string; dataDir: string; plan: Plan; crash?: string; transport?: 'ws' | 'poll'; signIn?: boolean },
): ConsoleProcess {
  const args = ['--relay', options.relayUrl, '--token', options.token, '--data', options.dataDir, '--plan', options.plan.file];
  if (options.crash !== undefined) args.push('--crash', options.crash);
  if (options.transport !== undefined) args.push('--transport', options.transport);
  if (options.signIn === true) args.push('--sign-in');
  const child = spawnTsx(CONSOLE_MAIN, args);
  ctx.defer(() => child.kill());
  const parse = (line: string): ConsoleState | null => {
    try {
      const value = JSON.parse(line) as { type?: string };
      return value.type === 'state' ? (value as ConsoleState) : null;
    } catch {
      return null;
    }
  };
  return {
    dataDir: options.dataDir,
    child,
    last() {
      for (let i = child.out.length - 1; i >= 0; i--) {
        const state = parse(child.out[i]!);
        if (state !== null) return state;
      }
      return null;
    },
    async waitState(match, timeoutMs, what, fresh = false) {
      const line = await child.waitLine(
        (l) => {
          const state = parse(l);
          return state !== null && match(state);
        },
        timeoutMs,
        what,
        fresh,
      );
      return parse(line)!;
    },
    crashed: () => child.out.some((l) => l.startsWith('{"type":"crash"')),
    kill: () => child.kill('SIGKILL'),
    stop: () => child.kill('SIGTERM'),
  };
}

export interface ConsoleRecord {
  outbound: { body: string; status: string }[];
  inbound: { body: string | null; type: string; createdAt: number }[];
  queued: number;
}

/** A read-only look at a console's cache (while it runs, or after it died). */
export function readConsole(dataDir: string): ConsoleRecord {
  const db = new Database(path.join(dataDir, 'console.db'), { readonly: true, fileMustExist: true });
  try {
    return {
      outbound: db
        .prepare<[], { body: string; status: string }>(
          "SELECT json_extract(content, '$.body') AS body, status FROM messages WHERE direction = 'out' ORDER BY created_at, id",
        )
        .all(),
      inbound: db
        .prepare<[], { body: string | null; type: string; createdAt: number }>(
          "SELECT json_extract(content, '$.body') AS body, json_extract(content, '$.type') AS type, created_at AS createdAt FROM messages WHERE direction = 'in' ORDER BY created_at, id",
        )
        .all(),
      queued: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM outbox WHERE state = 'queued'").get()!.n,
    };
  } finally {
    db.close();
  }
}
