// Scenario 6: the console in Chromium through the web preview, over a seeded cache of many conversations and one very long one.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type CDPSession, type Page } from '@playwright/test';
import { openLocalStore } from '../../src/main/core/local-store';
import type { BenchChild } from '../lib/child';
import { nowMs, sleep } from '../lib/clock';
import type { BenchConfig } from '../lib/config';
import { customerWaId } from '../lib/generate';
import { getProfileDir, profileArgs } from '../lib/profiling';
import { runToEnd, startLineProcess, type LineProcess } from '../lib/spawn';
import { startRelayHost, tempDir } from '../lib/stack';
import { BIG_CUSTOMER_INDEX, type UiSnapshot } from '../lib/ui-seed';
import { INIT_SCRIPT, LIST_PHASES, LOAD_OLDER, LONG_TASKS_SINCE, MESSAGES_CONTAIN, OPEN_CONVERSATION, SCROLL_TO_END } from '../lib/ui-page';
import { inboundBody, postWebhook } from '../lib/webhook';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const BIG_NAME = 'Hannah Archer';

/** One measurement, or why it could not be taken. */
export type Measured<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface ListPhases {
  domContentLoaded: number | null;
  bridgeCreated: number | null;
  bridgeOpen: number | null;
  listSent: number | null;
  listAnswered: number | null;
  firstRow: number | null;
}

export interface UiRun {
  firstListMs: Measured<number>;
  listPhases: ListPhases | null;
  openMs: Measured<number>;
  olderMs: Measured<number>;
  burst: Measured<{ count: number; maxMs: number; totalMs: number; seconds: number; arrived: boolean }>;
  heapMb: Measured<number>;
}

export type UiOutcome = { ok: true; runs: UiRun[]; seed: { conversations: number; messages: number } } | { ok: false; reason: string };

const missing = (reason: string): Measured<never> => ({ ok: false, reason });

async function evaluate<T>(page: Page, script: string, arg?: unknown): Promise<T> {
  return (await page.evaluate(`(${script})(${JSON.stringify(arg ?? null)})`)) as T;
}

/**
 * Polls an expression from outside until it is truthy: the console's CSP forbids eval, which rules out
 * page.waitForFunction with a string, while DevTools evaluation is allowed. Resolves null, or why it failed.
 */
async function waitInPage(page: Page, expression: string, timeoutMs: number): Promise<string | null> {
  const deadline = nowMs() + timeoutMs;
  for (;;) {
    try {
      if ((await page.evaluate(expression)) === true) return null;
    } catch (error) {
      return error instanceof Error ? error.message.split('\n')[0]! : String(error);
    }
    if (nowMs() > deadline) return `not within ${Math.round(timeoutMs / 1000)} s`;
    await sleep(100);
  }
}

/** Sends `count` single-message webhooks, `concurrency` at a time: every other one to the open conversation. */
async function burst(relayUrl: string, count: number, tag: string): Promise<string> {
  let next = 0;
  let lastOpen = '';
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const open = i % 2 === 0;
      const customer = open ? BIG_CUSTOMER_INDEX : 1 + (i % 25);
      const key = `burst-${tag}-${i}`;
      if (open) lastOpen = key;
      await postWebhook(
        relayUrl,
        inboundBody({
          wamid: `wamid.${key}`,
          from: customerWaId(customer),
          name: open ? BIG_NAME : `Customer ${String(customer).padStart(4, '0')}`,
          text: `${key} hello, one more question about my account`,
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  return lastOpen;
}

/** With --profile, the page's CPU profile of one phase of the first run (Chrome DevTools format). */
async function pageProfile(cdp: CDPSession | null, name: string, what: () => Promise<void>): Promise<void> {
  const dir = getProfileDir();
  if (cdp === null || dir === null) return what();
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  try {
    await what();
  } finally {
    const { profile } = await cdp.send('Profiler.stop');
    mkdirSync(path.join(dir, 'ui-page'), { recursive: true });
    writeFileSync(path.join(dir, 'ui-page', `${name}.cpuprofile`), JSON.stringify(profile));
  }
}

async function uiRun(browser: Browser, consoleUrl: string, relayUrl: string, cfg: BenchConfig, run: number): Promise<UiRun> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const profiler = run === 1 && getProfileDir() !== null ? await context.newCDPSession(page) : null;
    await page.addInitScript(INIT_SCRIPT);
    let listed: string | null = null;
    await pageProfile(profiler, 'load-to-first-list', async () => {
      await page.goto(consoleUrl);
      listed = await waitInPage(page, 'window.__bench.firstList !== null', 20_000);
    });
    if (listed !== null) {
      const reason = `no row appeared in a list named "Conversations" (${listed})`;
      return {
        firstListMs: missing(reason),
        listPhases: null,
        openMs: missing(reason),
        olderMs: missing(reason),
        burst: missing(reason),
        heapMb: missing(reason),
      };
    }
    const firstListMs: Measured<number> = { ok: true, value: await evaluate<number>(page, '() => window.__bench.firstList') };
    const listPhases = await evaluate<ListPhases>(page, LIST_PHASES);
    await sleep(500); // let the first render settle before clicking

    const opened = await evaluate<{ ms?: number; error?: string }>(page, OPEN_CONVERSATION, BIG_NAME);
    const openMs: Measured<number> = opened.ms !== undefined ? { ok: true, value: opened.ms } : missing(opened.error ?? 'unknown');
    let olderMs: Measured<number> = missing('the conversation did not open');
    if (openMs.ok) {
      await sleep(500);
      const older = await evaluate<{ ms?: number; error?: string }>(page, LOAD_OLDER);
      olderMs = older.ms !== undefined ? { ok: true, value: older.ms } : missing(older.error ?? 'unknown');
    }

    let burstResult: UiRun['burst'] = missing('the conversation did not open');
    if (openMs.ok) {
      await evaluate(page, SCROLL_TO_END);
      await sleep(1_000);
      const since = await evaluate<number>(page, '() => performance.now()');
      const started = nowMs();
      let arrived = false;
      let seconds = 0;
      await pageProfile(profiler, 'burst', async () => {
        const lastKey = await burst(relayUrl, cfg.uiBurst, `${run}`);
        arrived = (await waitInPage(page, `(${MESSAGES_CONTAIN})(${JSON.stringify(lastKey)})`, 30_000)) === null;
        seconds = (nowMs() - started) / 1000;
        await sleep(1_000); // trailing work of the last updates
      });
      const tasks = await evaluate<{ count: number; maxMs: number; totalMs: number }>(page, LONG_TASKS_SINCE, since);
      burstResult = { ok: true, value: { ...tasks, seconds, arrived } };
    }

    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value;
    const heapMb: Measured<number> = heap === undefined ? missing('Chromium reported no JSHeapUsedSize') : { ok: true, value: heap / 2 ** 20 };
    return { firstListMs, listPhases, openMs, olderMs, burst: burstResult, heapMb };
  } finally {
    await context.close();
  }
}

export async function uiScenario(cfg: BenchConfig): Promise<UiOutcome> {
  const build = await runToEnd('npx', ['electron-vite', 'build'], 300_000);
  if (build.code !== 0)
    return { ok: false, reason: `the renderer did not build (electron-vite exit ${build.code}): ${build.output.split('\n').slice(-3).join(' / ')}` };

  const dir = tempDir('ui');
  let relay: BenchChild | null = null;
  let preview: LineProcess | null = null;
  let browser: Browser | null = null;
  try {
    const started = await startRelayHost(path.join(dir, 'relay'), { label: 'ui' });
    relay = started.relay;
    const file = path.join(dir, 'snapshot.json');
    const seeded = await relay.call<{ conversations: number; messages: number; head: number }>(
      'seedUi',
      { conversations: cfg.uiConversations, bigMessages: cfg.uiBigMessages, bigName: BIG_NAME, file },
      600_000,
    );
    // The console's cache, seeded directly; its cursor is the relay's head, so it resumes instead of syncing again.
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as UiSnapshot;
    const store = openLocalStore(path.join(dir, 'preview', 'console'));
    try {
      store.applySnapshot(snapshot.conversations, snapshot.messages);
      store.session.setCursor(snapshot.head);
    } finally {
      store.close();
    }

    preview = await startLineProcess(
      'src/main/core/preview/preview-cli.ts',
      ['--relay', started.url, '--token', started.token, '--port', '0', '--data', path.join(dir, 'preview')],
      /^console at (\S+)$/,
      60_000,
      profileArgs('ui-preview'),
    );
    const consoleUrl = preview.match[1]!;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    const runs: UiRun[] = [];
    for (let run = 1; run <= cfg.uiRuns; run++) runs.push(await uiRun(browser, consoleUrl, started.url, cfg, run));
    return { ok: true, runs, seed: { conversations: seeded.conversations, messages: seeded.messages } };
  } finally {
    await browser?.close().catch(() => {});
    await preview?.stop();
    await relay?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
