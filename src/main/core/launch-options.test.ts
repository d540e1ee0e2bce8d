import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debuggingSwitch, launchOptions, type LaunchInputs } from './launch-options';

/** What a user who wants out of the managed policy can set before starting the app. */
const HOSTILE_ENV = {
  BRANCHLINE_POLICY_FILE: '/home/agent/no-limits.json',
  BRANCHLINE_USER_DATA_DIR: '/home/agent/elsewhere',
  ELECTRON_RENDERER_URL: 'http://localhost:5173/',
  BRANCHLINE_SQLITE_BINDING: '/home/agent/evil.node',
  ProgramData: 'C:\\Users\\agent\\fake',
};
const EXE = '/opt/Branchline/branchline';
const inputs = (over: Partial<LaunchInputs>): LaunchInputs => ({
  isPackaged: true,
  env: HOSTILE_ENV,
  argv: [EXE],
  platform: 'linux',
  resourcesPath: '/opt/Branchline/resources',
  ...over,
});

describe('launch options of a packaged build', () => {
  it.each([
    ['linux', '/etc/branchline/policy.json'],
    ['darwin', '/Library/Application Support/Branchline/policy.json'],
    ['win32', 'C:\\ProgramData\\Branchline\\policy.json'],
  ] as const)('on %s ignores every override variable, %ProgramData% included, and names them for the log', (platform, policyFile) => {
    expect(launchOptions(inputs({ platform }))).toEqual({
      policyFile,
      userDataDir: null,
      devServerUrl: undefined,
      sqliteBinding: path.join('/opt/Branchline/resources', 'native', 'better_sqlite3.node'),
      devTools: false,
      ignoredOverrides: ['BRANCHLINE_POLICY_FILE', 'BRANCHLINE_USER_DATA_DIR', 'ELECTRON_RENDERER_URL', 'BRANCHLINE_SQLITE_BINDING'],
      refusedSwitch: null,
    });
  });

  it('has nothing to report when no override is set', () => {
    expect(launchOptions(inputs({ env: {} })).ignoredOverrides).toEqual([]);
  });

  it.each([
    [['--remote-debugging-port=9222'], '--remote-debugging-port'],
    [['--remote-debugging-port', '9222'], '--remote-debugging-port'],
    [['-remote-debugging-port=9222'], '--remote-debugging-port'],
    [['--remote-debugging-pipe'], '--remote-debugging-pipe'],
    [['--inspect'], '--inspect'],
    [['--inspect=127.0.0.1:9229'], '--inspect'],
    [['--inspect-brk=9229'], '--inspect-brk'],
    [['--inspect-port', '9229'], '--inspect-port'],
    [['--js-flags=--allow-natives-syntax'], '--js-flags'],
    [['--js-flags', '--expose-gc'], '--js-flags'],
    [['branchline://conversation/c1', '--INSPECT'], '--inspect'],
  ])('refuses to start with %j', (args, refused) => {
    expect(launchOptions(inputs({ argv: [EXE, ...args] })).refusedSwitch).toBe(refused);
  });

  it("reads Windows' /switch form there only", () => {
    expect(debuggingSwitch(['Branchline.exe', '/remote-debugging-port=9222'], 'win32')).toBe('--remote-debugging-port');
    expect(debuggingSwitch([EXE, '/remote-debugging-port=9222'], 'linux')).toBeNull();
  });

  it('starts with ordinary arguments: a deep link, a hidden start, no arguments', () => {
    for (const argv of [[EXE], [EXE, 'branchline://conversation/c1'], [EXE, '--hidden'], ['/inspect/branchline']]) {
      expect(launchOptions(inputs({ argv })).refusedSwitch).toBeNull();
    }
  });
});

describe('launch options of a development build', () => {
  it('honours the override variables, so each run and test keeps its data, policy and renderer apart', () => {
    expect(launchOptions(inputs({ isPackaged: false }))).toEqual({
      policyFile: '/home/agent/no-limits.json',
      userDataDir: '/home/agent/elsewhere',
      devServerUrl: 'http://localhost:5173/',
      sqliteBinding: '/home/agent/evil.node',
      devTools: true,
      ignoredOverrides: [],
      refusedSwitch: null,
    });
  });

  it('falls back to the machine policy and the OS folders when nothing is set (an empty variable counts as unset)', () => {
    const options = launchOptions(inputs({ isPackaged: false, env: { BRANCHLINE_USER_DATA_DIR: '' }, platform: 'win32' }));
    expect(options).toMatchObject({ policyFile: 'C:\\ProgramData\\Branchline\\policy.json', userDataDir: null, sqliteBinding: undefined });
  });

  it('lets a developer attach a debugger', () => {
    expect(launchOptions(inputs({ isPackaged: false, argv: [EXE, '--inspect=9229', '--remote-debugging-port=9222'] })).refusedSwitch).toBeNull();
  });
});
