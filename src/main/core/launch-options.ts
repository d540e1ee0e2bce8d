// What a start of the desktop app may be told from outside (environment, switches): in a packaged build, nothing.
import path from 'node:path';
import { machinePolicyPath } from './policy';

export interface LaunchInputs {
  /** Electron's app.isPackaged: an installed build, as opposed to `npm run dev` or the test runner. */
  isPackaged: boolean;
  env: NodeJS.ProcessEnv;
  /** process.argv as Electron gives it: the executable first, then its switches and arguments. */
  argv: readonly string[];
  platform: NodeJS.Platform;
  /** process.resourcesPath: where a packaged build ships its own SQLite binding. */
  resourcesPath: string;
}

export interface LaunchOptions {
  /** The machine policy to read: only the machine-wide path when packaged (docs/it-guide.md). */
  policyFile: string;
  /** A userData folder to use instead of the OS's, or null. */
  userDataDir: string | null;
  /** The Vite dev server to load the renderer from (security.ts's appLocation checks it is loopback). */
  devServerUrl: string | undefined;
  /** better-sqlite3's binding built for Electron; undefined under plain Node. */
  sqliteBinding: string | undefined;
  /** Whether windows may open DevTools (webPreferences.devTools; also disables its menu item and shortcuts). */
  devTools: boolean;
  /** Override variables set in the environment that this build ignored (names only, for one log line). */
  ignoredOverrides: string[];
  /** The debugging switch a packaged build refuses to start with (its name only, never its value), or null. */
  refusedSwitch: string | null;
}

/** Every variable the main process reads, each of which could redirect a managed desktop's data, policy or code. */
export const OVERRIDE_VARIABLES = ['BRANCHLINE_POLICY_FILE', 'BRANCHLINE_USER_DATA_DIR', 'ELECTRON_RENDERER_URL', 'BRANCHLINE_SQLITE_BINDING'] as const;

/**
 * Switches that open the app to a debugger or change how V8 runs it. Node's own (--inspect*) are already ignored by the
 * enableNodeCliInspectArguments fuse; Chromium's (--remote-debugging-*, --js-flags) have no fuse, so we refuse them all
 * and say so rather than run half-debuggable.
 */
const REFUSED_PREFIXES = ['remote-debugging-', 'inspect', 'js-flags'];

/**
 * The switch's name as Chromium reads it: `--x`, `-x`, and on Windows `/x` too, up to any `=value`; Windows switch
 * names are case-insensitive, and refusing `--Inspect` elsewhere costs nothing.
 */
function switchName(arg: string, platform: NodeJS.Platform): string | null {
  const prefix = /^--?/.exec(arg)?.[0] ?? (platform === 'win32' && arg.startsWith('/') ? '/' : null);
  if (prefix === null) return null;
  const name = arg.slice(prefix.length).split('=')[0]!.toLowerCase();
  return name === '' ? null : name;
}

/** The first debugging switch in argv (the executable itself skipped), or null. */
export function debuggingSwitch(argv: readonly string[], platform: NodeJS.Platform): string | null {
  for (const arg of argv.slice(1)) {
    const name = switchName(arg, platform);
    if (name !== null && REFUSED_PREFIXES.some((refused) => name.startsWith(refused))) return `--${name}`;
  }
  return null;
}

const setting = (env: NodeJS.ProcessEnv, name: (typeof OVERRIDE_VARIABLES)[number]): string | undefined => {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
};

export function launchOptions(inputs: LaunchInputs): LaunchOptions {
  const { isPackaged, env, platform } = inputs;
  if (isPackaged) {
    return {
      policyFile: machinePolicyPath(platform),
      userDataDir: null,
      devServerUrl: undefined,
      sqliteBinding: path.join(inputs.resourcesPath, 'native', 'better_sqlite3.node'),
      devTools: false,
      ignoredOverrides: OVERRIDE_VARIABLES.filter((name) => setting(env, name) !== undefined),
      refusedSwitch: debuggingSwitch(inputs.argv, platform),
    };
  }
  // Development and tests: each run may keep its data, policy and renderer apart (docs/development.md).
  return {
    policyFile: setting(env, 'BRANCHLINE_POLICY_FILE') ?? machinePolicyPath(platform),
    userDataDir: setting(env, 'BRANCHLINE_USER_DATA_DIR') ?? null,
    devServerUrl: setting(env, 'ELECTRON_RENDERER_URL'),
    sqliteBinding: setting(env, 'BRANCHLINE_SQLITE_BINDING'),
    devTools: true,
    ignoredOverrides: [],
    refusedSwitch: null,
  };
}
