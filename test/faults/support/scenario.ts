// The shape every scenario has, and the context it runs in: scale, seed, cleanup that runs even on failure.
import { rmSync } from 'node:fs';
import { emptyFigures, problems, type Figures } from './figures';
import { madeDirs } from './paths';
import { createRng, type Rng } from './rng';

/** 'fast': the subset `npm test` runs (seconds); 'full': `npm run test:faults`. */
export type Scale = 'fast' | 'full';

export interface ScenarioContext {
  readonly scale: Scale;
  readonly seed: number;
  readonly rng: Rng;
  /** Progress for people; scenarios never assert on it. */
  log(line: string): void;
  /** Registers a cleanup (kill a process, close a server); run newest first when the scenario ends, however it ends. */
  defer(cleanup: () => Promise<void> | void): void;
}

export interface Scenario {
  readonly name: string;
  /** One line: what is broken and what must still hold. */
  readonly title: string;
  run(ctx: ScenarioContext): Promise<Figures>;
}

/** Runs a scenario with its own cleanups; a thrown error becomes a violation, not a crash of the runner. */
export async function runScenario(
  scenario: Scenario,
  options: { scale: Scale; seed: number; log?: (line: string) => void },
): Promise<{ figures: Figures; ms: number }> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const ctx: ScenarioContext = {
    scale: options.scale,
    seed: options.seed,
    rng: createRng(options.seed),
    log: options.log ?? (() => {}),
    defer: (cleanup) => void cleanups.push(cleanup),
  };
  const started = Date.now();
  const firstDir = madeDirs.length;
  let figures: Figures;
  try {
    figures = await scenario.run(ctx);
  } catch (error) {
    figures = emptyFigures();
    figures.violations.push(`scenario failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch {
      // a cleanup that fails must not hide the others
    }
  }
  // Data and logs stay for a post-mortem when something broke; a clean run leaves nothing behind.
  if (problems(figures).length === 0) for (const dir of madeDirs.splice(firstDir)) rmSync(dir, { recursive: true, force: true });
  else figures.notes.push(`data kept for a post-mortem (relay logs in relay-process.log): ${madeDirs.slice(firstDir).join(', ')}`);
  return { figures, ms: Date.now() - started };
}
