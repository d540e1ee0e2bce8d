// The real Electron app where its binary is installed (skipped, with that reason, elsewhere), and the built
// preload bundle, which runs here in any case: it is the one piece whose build can break what its unit test proves.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { locateElectronBinary } from '../../scripts/electron-binary.mjs';
import { ensureElectronSqlite } from '../../scripts/native-sqlite.mjs';
import { CONSOLE_METHODS } from '../../src/shared/contract';

const METHODS = Object.keys(CONSOLE_METHODS).sort();

test.describe('the Electron app', () => {
  const electronDir = path.resolve('node_modules/electron');
  const binary = locateElectronBinary({ electronDir, env: process.env, platform: process.platform });
  test.skip(!binary.found, 'needs the Electron binary (not installed: see docs/development.md); the renderer is covered in Chromium instead');

  let app: ElectronApplication;
  let win: Page;
  let userData: string;

  test.beforeAll(async () => {
    const sqlite = ensureElectronSqlite({ root: path.resolve('.'), log: () => {} });
    if (!sqlite.ok) throw new Error(sqlite.message);
    userData = mkdtempSync(path.join(tmpdir(), 'branchline-e2e-'));
    app = await electron.launch({
      args: ['.'],
      executablePath: binary.found ? binary.path : undefined,
      env: { ...process.env, BRANCHLINE_SQLITE_BINDING: sqlite.path, BRANCHLINE_USER_DATA_DIR: userData },
    });
    win = await app.firstWindow();
  });

  test.afterAll(async () => {
    await app?.close();
    if (userData !== undefined) rmSync(userData, { recursive: true, force: true });
  });

  test('opens the Branchline window from app://, and its renderer has no Node', async () => {
    await expect(win).toHaveTitle('Branchline');
    expect(win.url()).toBe('app://branchline/index.html');
    // With nodeIntegration off and the sandbox on, the page sees neither require nor process.
    const globals = await win.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
    }));
    expect(globals).toEqual({ require: 'undefined', process: 'undefined' });
  });

  test('serves the app with the strict CSP header', async () => {
    const csp = await win.evaluate(() => fetch('app://branchline/index.html').then((r) => r.headers.get('content-security-policy')));
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  test('window.branchline has the contract’s methods and on, and no ipcRenderer', async () => {
    const shape = await win.evaluate(() => {
      const api = (globalThis as { branchline?: Record<string, unknown> }).branchline ?? {};
      return { keys: Object.keys(api).sort(), ipc: 'ipcRenderer' in api || 'ipcRenderer' in globalThis, electron: 'electron' in globalThis };
    });
    expect(shape).toEqual({ keys: [...METHODS, 'on'].sort(), ipc: false, electron: false });
  });

  test('a valid call is answered, and a bad one is refused with its code', async () => {
    const answers = await win.evaluate(async () => {
      const api = (globalThis as unknown as { branchline: Record<string, (input: unknown) => Promise<unknown>> }).branchline;
      const session = await api['session.get']!({});
      const refused = await api['drafts.get']!({ conversationId: '../../etc/passwd' }).catch((e: { name: string; code: string }) => ({
        name: e.name,
        code: e.code,
      }));
      return { session, refused };
    });
    expect(answers.session).toMatchObject({ signedIn: false });
    expect(answers.refused).toEqual({ name: 'ConsoleError', code: 'invalid_input' });
  });

  test('keeps its cache encrypted on disk: no SQLite text in console.db or its WAL', async () => {
    const db = path.join(userData, 'console.db');
    // The schema the migrations wrote is there, in the file or its WAL; in the clear it would hold "CREATE TABLE".
    const bytes = () => Buffer.concat([db, `${db}-wal`].map((f) => (existsSync(f) ? readFileSync(f) : Buffer.alloc(0))));
    await expect.poll(() => bytes().length).toBeGreaterThan(4096);
    expect(bytes().includes('CREATE TABLE')).toBe(false);
    expect(bytes().subarray(0, 15).toString('latin1')).not.toBe('SQLite format 3');
  });

  test('cannot navigate away or open windows', async () => {
    await win.evaluate(() => {
      window.open('http://example.com/'); // http: denied and not handed to the browser
      location.href = 'https://example.com/';
    });
    await win.waitForTimeout(500);
    expect(win.url()).toBe('app://branchline/index.html');
    expect(app.windows()).toHaveLength(1);
  });
});

test.describe('the built preload bundle (out/preload/index.cjs)', () => {
  /**
   * Runs the bundle as a sandboxed preload would: `require` gives only 'electron'. The fake
   * contextBridge.executeInMainWorld serializes the function, as Electron does, and runs it in another
   * realm (the page), so a function that reaches outside itself after bundling fails here.
   */
  function loadPreload(answer: (channel: string, input: unknown) => unknown) {
    const page = vm.createContext({});
    const listeners = new Map<string, (event: unknown, payload: unknown) => void>();
    const required: string[] = [];
    const electronFake = {
      contextBridge: {
        exposeInMainWorld: () => {
          throw new Error('expected executeInMainWorld');
        },
        executeInMainWorld: ({ func, args }: { func: (...a: unknown[]) => unknown; args: unknown[] }) =>
          (vm.runInContext(`(${func.toString()})`, page) as (...a: unknown[]) => unknown)(...args),
      },
      ipcRenderer: {
        invoke: async (channel: string, input: unknown) => answer(channel, input),
        on: (channel: string, listener: (event: unknown, payload: unknown) => void) => void listeners.set(channel, listener),
        removeListener: (channel: string) => void listeners.delete(channel),
      },
    };
    const preload = vm.createContext({
      require: (name: string) => {
        required.push(name);
        if (name !== 'electron') throw new Error(`a sandboxed preload cannot require '${name}'`);
        return electronFake;
      },
      module: { exports: {} },
      exports: {},
    });
    vm.runInContext(readFileSync('out/preload/index.cjs', 'utf8'), preload);
    const api = vm.runInContext('globalThis.branchline', page) as Record<string, (input?: unknown) => Promise<unknown>> & {
      on: (e: string, l: (...a: unknown[]) => void) => () => void;
    };
    return { api, listeners, required, pageError: vm.runInContext('Error', page) as ErrorConstructor };
  }

  test('requires nothing but electron, and builds window.branchline in the page world', async () => {
    const { api, required } = loadPreload(() => ({ ok: true, value: null }));
    expect(required).toEqual(['electron']);
    expect(Object.keys(api).sort()).toEqual([...METHODS, 'on'].sort());
  });

  test('resolves values and rejects refusals with their code, as page errors', async () => {
    const { api, pageError } = loadPreload((channel) =>
      channel === 'branchline:session.get'
        ? { ok: true, value: { signedIn: false } }
        : { ok: false, error: { code: 'template_required', message: 'only a template' } },
    );
    expect(await api['session.get']!({})).toEqual({ signedIn: false });
    const error = await api['messages.sendText']!({ conversationId: 'c1', body: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(pageError);
    expect(error).toMatchObject({ name: 'ConsoleError', code: 'template_required', message: 'only a template' });
  });

  test('gives event listeners the payload only', async () => {
    const { api, listeners } = loadPreload(() => ({ ok: true, value: null }));
    const seen: unknown[][] = [];
    const off = api.on('sync.progress', (...args) => seen.push(args));
    listeners.get('branchline:event:sync.progress')?.({ sender: 'IpcRendererEvent' }, { phase: 'idle', done: 0, total: 0 });
    off();
    expect(seen).toEqual([[{ phase: 'idle', done: 0, total: 0 }]]);
    expect(listeners.size).toBe(0);
  });
});
