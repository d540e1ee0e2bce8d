// The job scheduler on a fake clock and in-memory storage: caps, keys, coalesced wakes, due times, backoff, bad payloads, stop.
import { describe, expect, it } from 'vitest';
import type { BackoffPolicy } from './backoff';
import { createFakeClock, type FakeClock } from './clock';
import { JobScheduler, payloadAsStored, type Job, type JobOutcome, type JobSchedulerOptions, type JobStorage, type StoredJob } from './job-scheduler';

const POLICY: BackoffPolicy = { baseMs: 100, capMs: 10_000, resetAfterMs: 60_000 };

/** Lets every promise the scheduler chained run (a macrotask runs only after all pending microtasks). */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

interface Row {
  readonly id: string;
  readonly key: string;
  attempts: number;
  dueAt: number;
  readonly data: string;
  readonly order: number;
}

/** A queue as the SQL stores keep it: only the oldest job of each key is ever due. */
class MemoryQueue {
  readonly rows: Row[] = [];
  dueCalls = 0;
  private order = 0;

  constructor(
    private readonly clock: FakeClock,
    private readonly mode: 'sync' | 'async',
  ) {}

  add(id: string, key: string, options: { dueIn?: number; data?: string; attempts?: number } = {}): void {
    this.rows.push({
      id,
      key,
      attempts: options.attempts ?? 0,
      dueAt: this.clock.wallNow() + (options.dueIn ?? 0),
      data: options.data ?? 'ok',
      order: this.order++,
    });
  }

  remove(id: string): void {
    const at = this.rows.findIndex((r) => r.id === id);
    if (at >= 0) this.rows.splice(at, 1);
  }

  row(id: string): Row | undefined {
    return this.rows.find((r) => r.id === id);
  }

  private heads(): Row[] {
    const seen = new Set<string>();
    return this.rows.filter((r) => (seen.has(r.key) ? false : (seen.add(r.key), true)));
  }

  private answer<T>(value: T): T | Promise<T> {
    return this.mode === 'sync' ? value : Promise.resolve(value);
  }

  storage(withNextDue = true): JobStorage<string> {
    return {
      due: (now, limit) => {
        this.dueCalls++;
        const rows = this.heads().filter((r) => r.dueAt <= now);
        return this.answer(rows.slice(0, limit).map((r): StoredJob<string> => ({ id: r.id, key: r.key, attempts: r.attempts, data: r.data })));
      },
      ...(withNextDue && {
        nextDue: (excluding: readonly string[]) => {
          const times = this.heads()
            .filter((r) => !excluding.includes(r.id))
            .map((r) => r.dueAt);
          return this.answer(times.length === 0 ? null : Math.min(...times));
        },
      }),
      retryLater: (job, attempts, at) => {
        const row = this.row(job.id)!;
        row.attempts = attempts;
        row.dueAt = at;
        return this.answer(undefined);
      },
    };
  }
}

/** A run the test answers by hand: each started job waits until the test settles it. */
class ManualRuns {
  readonly started: string[] = [];
  private readonly answers = new Map<string, (outcome: JobOutcome) => void>();

  run = (job: Job<string>): Promise<JobOutcome> => {
    this.started.push(job.id);
    return new Promise((resolve) => this.answers.set(job.id, resolve));
  };

  finish(id: string, outcome: JobOutcome = { kind: 'done' }): void {
    const answer = this.answers.get(id);
    if (answer === undefined) throw new Error(`${id} is not running`);
    this.answers.delete(id);
    answer(outcome);
  }

  get running(): string[] {
    return [...this.answers.keys()];
  }
}

function setup(mode: 'sync' | 'async', overrides: Partial<JobSchedulerOptions<string, string>> = {}, withNextDue = true) {
  const clock = createFakeClock(1_000_000, 0);
  const queue = new MemoryQueue(clock, mode);
  const runs = new ManualRuns();
  const errors: { error: unknown; jobId: string | null }[] = [];
  const scheduler = new JobScheduler<string, string>({
    clock,
    random: () => 0.5,
    backoff: POLICY,
    concurrency: 2,
    storage: queue.storage(withNextDue),
    ...payloadAsStored<string>(),
    run: async (job) => {
      const outcome = await runs.run(job);
      if (outcome.kind === 'done') queue.remove(job.id);
      return outcome;
    },
    onError: (error, jobId) => errors.push({ error, jobId }),
    ...overrides,
  });
  return { clock, queue, runs, errors, scheduler };
}

describe.each(['sync', 'async'] as const)('job scheduler with %s storage', (mode) => {
  it('runs no more jobs at once than the cap, and starts the next as one finishes', async () => {
    const { queue, runs, scheduler } = setup(mode);
    for (const key of ['a', 'b', 'c']) queue.add(`${key}1`, key);
    scheduler.wake();
    await settle();
    expect(runs.started).toEqual(['a1', 'b1']);
    expect(scheduler.pending).toBe(2);
    runs.finish('a1');
    await settle();
    expect(runs.started).toEqual(['a1', 'b1', 'c1']);
  });

  it('never runs two jobs of the same key at once, even when storage offers both', async () => {
    const { queue, runs, scheduler } = setup(mode);
    queue.add('a1', 'a');
    scheduler.wake();
    await settle();
    // A store that lost its head-of-queue rule: offers a second job of the key in flight.
    queue.add('a2', 'a');
    queue.remove('a1');
    scheduler.wake();
    await settle();
    expect(runs.running).toEqual(['a1']);
    runs.finish('a1');
    await settle();
    expect(runs.started).toEqual(['a1', 'a2']);
  });

  it('folds any number of wakes during a look into exactly one more look', async () => {
    const { queue, scheduler } = setup(mode);
    scheduler.wake();
    for (let i = 0; i < 5; i++) scheduler.wake();
    await settle();
    expect(queue.dueCalls).toBe(2);
    scheduler.wake();
    await settle();
    expect(queue.dueCalls).toBe(3);
  });

  it('looks again when storage says the next job falls due, and sets no timer when nothing waits', async () => {
    const { clock, queue, runs, scheduler } = setup(mode);
    scheduler.wake();
    await settle();
    expect(clock.pendingTimers()).toBe(0);
    queue.add('a1', 'a', { dueIn: 5_000 });
    scheduler.wake();
    await settle();
    expect(runs.started).toEqual([]);
    clock.advance(4_999);
    await settle();
    expect(runs.started).toEqual([]);
    clock.advance(1);
    await settle();
    expect(runs.started).toEqual(['a1']);
  });

  it('does not loop on a timer while the only due job is the one running', async () => {
    const { clock, queue, runs, scheduler } = setup(mode);
    queue.add('a1', 'a');
    scheduler.wake();
    await settle();
    expect(runs.running).toEqual(['a1']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('runs a job that falls due between its look at due jobs and its look at the next due time', async () => {
    const { clock, queue, runs } = setup(mode);
    queue.add('a1', 'a', { dueIn: 1 });
    const storage = queue.storage();
    const scheduler = new JobScheduler<string, string>({
      clock,
      random: () => 0.5,
      backoff: POLICY,
      concurrency: 2,
      // Wall time moves on between the two reads, as it does on a busy machine.
      storage: { ...storage, nextDue: (excluding) => (clock.jumpWall(1), storage.nextDue!(excluding)) },
      ...payloadAsStored<string>(),
      run: runs.run,
      onError: () => {},
    });
    scheduler.wake();
    await settle();
    expect(runs.started).toEqual([]);
    clock.advance(1);
    await settle();
    expect(runs.started).toEqual(['a1']);
  });

  it.each([
    // attempts so far, jitter sample, the job's own floor → wait before the next try
    { attempts: 0, random: 0.5, atLeastMs: undefined, wait: 50 },
    { attempts: 3, random: 0.5, atLeastMs: undefined, wait: 400 },
    { attempts: 40, random: 0.5, atLeastMs: undefined, wait: 5_000 },
    { attempts: 0, random: 0.5, atLeastMs: 3_000, wait: 3_000 },
    { attempts: 3, random: 0.99, atLeastMs: 10, wait: 792 },
  ])('retries after $attempts tries with random $random and floor $atLeastMs: due again in $wait ms', async ({ attempts, random, atLeastMs, wait }) => {
    const heard: number[] = [];
    const { clock, queue, runs, scheduler } = setup(mode, { random: () => random });
    queue.add('a1', 'a', { attempts });
    scheduler.wake();
    await settle();
    const start = clock.wallNow();
    runs.finish('a1', { kind: 'retry', ...(atLeastMs !== undefined && { atLeastMs }), onScheduled: (ms) => heard.push(ms) });
    await settle();
    expect(queue.row('a1')).toMatchObject({ attempts: attempts + 1, dueAt: start + wait });
    expect(heard).toEqual([wait]);
    clock.advance(wait - 1);
    await settle();
    expect(runs.started).toEqual(['a1']);
    clock.advance(1);
    await settle();
    expect(runs.started).toEqual(['a1', 'a1']);
  });

  it('hands a payload that fails validation to its owner as a failure with the reason, never to run, and goes on with the rest', async () => {
    const rejected: { id: string; reason: string }[] = [];
    const { queue, runs, scheduler } = setup(mode, {
      parse: (data) => (data === 'ok' ? { ok: true, value: data } : { ok: false, reason: `cannot read "${data}"` }),
      rejected: (job, reason) => {
        rejected.push({ id: job.id, reason });
        queue.remove(job.id);
      },
    });
    queue.add('a1', 'a', { data: 'garbled' });
    queue.add('b1', 'b');
    scheduler.wake();
    await settle();
    expect(rejected).toEqual([{ id: 'a1', reason: 'cannot read "garbled"' }]);
    expect(runs.started).toEqual(['b1']);
    scheduler.wake();
    await settle();
    expect(rejected).toHaveLength(1);
  });

  it('leaves a job refused admission queued, runs the others, and comes back when admission may succeed', async () => {
    const limitedUntil = 1_000_000 + 700;
    const { clock, queue, runs, scheduler } = setup(mode, {
      admit: (job) => (job.key === 'a' && clock.wallNow() < limitedUntil ? { ok: false, waitMs: limitedUntil - clock.wallNow() } : { ok: true }),
    });
    queue.add('a1', 'a');
    queue.add('b1', 'b');
    scheduler.wake();
    await settle();
    expect(runs.started).toEqual(['b1']);
    clock.advance(699);
    await settle();
    expect(runs.started).toEqual(['b1']);
    clock.advance(1);
    await settle();
    expect(runs.started).toEqual(['b1', 'a1']);
  });

  it('without a next-due answer from storage, looks again every idle poll and when a retry falls due', async () => {
    const { clock, queue, runs, scheduler } = setup(mode, { idlePollMs: 1_000 }, false);
    scheduler.wake();
    await settle();
    queue.add('a1', 'a', { dueIn: 1_500 });
    clock.advance(1_000);
    await settle();
    expect(runs.started).toEqual([]);
    clock.advance(1_000);
    await settle();
    expect(runs.started).toEqual(['a1']);
    runs.finish('a1', { kind: 'retry' }); // attempts 0, random 0.5: 50 ms
    await settle();
    clock.advance(50);
    await settle();
    expect(runs.started).toEqual(['a1', 'a1']);
  });

  it('reports a job that throws, tries it again only after the backoff cap, and keeps the queue going', async () => {
    const { clock, queue, errors, runs, scheduler } = setup(mode, {
      run: async (job) => {
        if (job.id === 'a1') throw new Error('boom');
        return runs.run(job);
      },
    });
    queue.add('a1', 'a');
    queue.add('b1', 'b');
    scheduler.wake();
    await settle();
    expect(errors.map((e) => e.jobId)).toEqual(['a1']);
    expect(queue.row('a1')).toMatchObject({ attempts: 1, dueAt: clock.wallNow() + POLICY.capMs });
    expect(runs.started).toEqual(['b1']);
    clock.advance(POLICY.capMs);
    await settle();
    expect(errors.map((e) => e.jobId)).toEqual(['a1', 'a1']);
  });

  it('reports failing storage and tries again later instead of spinning on the error', async () => {
    const { clock, queue, errors, scheduler } = setup(mode, {
      storage: {
        ...new MemoryQueue(createFakeClock(), mode).storage(),
        due: () => {
          queue.dueCalls++;
          throw new Error('disk I/O error');
        },
      },
    });
    scheduler.wake();
    await settle();
    expect(errors).toHaveLength(1);
    clock.advance(POLICY.capMs - 1);
    await settle();
    expect(queue.dueCalls).toBe(1);
    clock.advance(1);
    await settle();
    expect(queue.dueCalls).toBe(2);
  });

  it('stops taking work, waits for jobs in flight within the grace, and records nothing they answer afterwards', async () => {
    const { clock, queue, runs, scheduler } = setup(mode);
    queue.add('a1', 'a');
    queue.add('b1', 'b');
    scheduler.wake();
    await settle();
    let stopped = false;
    void scheduler.stop(2_000).then(() => (stopped = true));
    queue.add('c1', 'c');
    scheduler.wake();
    runs.finish('a1', { kind: 'retry' });
    await settle();
    expect(stopped).toBe(false);
    expect(queue.row('a1')).toMatchObject({ attempts: 0 }); // no retry written after stop
    clock.advance(2_000); // b1 never answers: stop gives up waiting
    await settle();
    expect(stopped).toBe(true);
    expect(runs.started).toEqual(['a1', 'b1']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('returns from stop as soon as the jobs in flight finish', async () => {
    const { queue, runs, scheduler } = setup(mode);
    queue.add('a1', 'a');
    scheduler.wake();
    await settle();
    let stopped = false;
    void scheduler.stop(60_000).then(() => (stopped = true));
    runs.finish('a1');
    await settle();
    expect(stopped).toBe(true);
  });
});

describe('job scheduler settings', () => {
  it.each([0, -1, 1.5, Number.NaN])('refuses a concurrency of %s', (concurrency) => {
    expect(() => setup('sync', { concurrency })).toThrow(RangeError);
  });
});
