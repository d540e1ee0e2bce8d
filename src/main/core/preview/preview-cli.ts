// `npm run preview:web`: the console in a browser. Without --relay it starts a sandbox relay and signs in as its demo agent.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultKeyDir, headlessCacheKey, memoryCacheKey } from '../cache-key';
import { createConsole } from '../create-console';
import { loadPolicyFile } from '../policy';
import { startPreviewServer } from './preview-server';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const USAGE = `Usage: npm run preview:web -- [--relay URL [--token TOKEN]] [--port N] [--data DIR] [--policy FILE]

Serves the console to a browser on 127.0.0.1. Without --relay, starts a sandbox relay
(fake WhatsApp with a few demo customers) and signs in as its demo agent. --relay without
--token starts signed out, at the sign-in screen (single sign-on or a token typed there).
--policy FILE applies a machine policy file as a desktop would (docs/it-guide.md).`;

const DEMO_CUSTOMERS = [
  { from: '972541234567', name: 'Dana Levi', text: 'Hi, I need a copy of my loan statement for March.' },
  { from: '972527654321', name: 'Yossi Cohen', text: 'Is the Herzl St. branch open on Friday?' },
  { from: '447700900123', name: 'Amira Haddad', text: 'مرحبا، أريد تحديث عنواني' },
];

/** Starts `npm run relay -- --sandbox` as a child process and reads its address and demo token. */
async function startSandboxRelay(dataDir: string, logFile: string): Promise<{ child: ChildProcess; url: string; token: string }> {
  // The relay's own log goes to a file: the terminal shows where the console is, not a scroll of JSON lines.
  const logFd = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/relay/cli/relay-cli.ts'), '--sandbox', '--port', '0', '--data', dataDir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', logFd],
  });
  closeSync(logFd);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = (await lines.next()).value as string | undefined;
  const second = (await lines.next()).value as string | undefined;
  const url = first?.replace('relay listening on ', '');
  const token = /token (\S+)$/.exec(second ?? '')?.[1];
  if (url === undefined || token === undefined) throw new Error('the sandbox relay did not start');
  return { child, url, token };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      relay: { type: 'string' },
      token: { type: 'string' },
      port: { type: 'string' },
      data: { type: 'string' },
      policy: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const port = Number(values.port ?? '8790');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`preview: --port must be 0 to 65535\n\n${USAGE}\n`);
    return 2;
  }
  if (values.relay === undefined && values.token !== undefined) {
    process.stderr.write(`preview: --token needs --relay (without either, the preview starts its own sandbox)\n\n${USAGE}\n`);
    return 2;
  }
  const staticDir = path.join(repoRoot, 'out', 'renderer');
  if (!existsSync(path.join(staticDir, 'index.html'))) {
    process.stderr.write('preview: the renderer is not built; run `npm run build` (npm run preview:web does it for you)\n');
    return 1;
  }
  const dataDir = path.resolve(values.data ?? mkdtempSync(path.join(tmpdir(), 'branchline-preview-')));
  mkdirSync(dataDir, { recursive: true });
  const logFile = path.join(dataDir, 'preview.log');
  const relayLogFile = path.join(dataDir, 'relay.log');
  let relay: { child: ChildProcess | null; url: string; token: string | null };
  if (values.relay !== undefined) {
    relay = { child: null, url: values.relay, token: values.token ?? null };
  } else {
    const freshSandbox = !existsSync(path.join(dataDir, 'relay', 'relay.db'));
    relay = await startSandboxRelay(path.join(dataDir, 'relay'), relayLogFile);
    if (freshSandbox) {
      for (const customer of DEMO_CUSTOMERS) await fetch(`${relay.url}/sandbox/inbound`, { method: 'POST', body: JSON.stringify(customer) });
    }
  }

  const log = (event: string, fields?: Record<string, unknown>) =>
    appendFileSync(logFile, `${JSON.stringify({ t: new Date().toISOString(), event, ...fields })}\n`);
  const policy = loadPolicyFile(values.policy ?? null);
  const consoleDir = path.join(dataDir, 'console');
  // Single sign-on comes back to this server's /sso/callback; its port is known once it listens.
  let ssoRedirectUri = '';
  const core = createConsole({
    dataDir: consoleDir,
    // A throwaway folder gets a throwaway key; a --data folder keeps its key file for the next run (docs/it-guide.md).
    cacheKey:
      values.data === undefined
        ? memoryCacheKey()
        : headlessCacheKey({ env: process.env, dataDir: consoleDir, keyDir: defaultKeyDir(process.env, process.platform, homedir()) }),
    policy,
    log,
    sso: { redirectUri: () => ssoRedirectUri },
    hostStatus: () => ({ version: 'preview', policyProblems: policy.problems, tokenStorage: 'secure', updateReady: false }),
    // The preview logs to its own file; the diagnostics bundle carries it like a desktop's logs.
    diagnostics: { logFiles: () => [logFile], versions: { app: 'preview', node: process.versions.node, os: `${process.platform} ${process.arch}` } },
  });
  await core.start();
  const signIn = relay.token === null ? null : await core.service.call('session.signIn', { relayUrl: relay.url, token: relay.token });
  if (signIn !== null && !signIn.ok) {
    log('preview.sign_in_failed', { code: signIn.error.code });
    process.stderr.write(`preview: the relay at ${relay.url} refused to sign in (${signIn.error.code}): ${signIn.error.message}\n`);
  }

  const server = await startPreviewServer({
    service: core.service,
    staticDir,
    token: randomBytes(18).toString('base64url'),
    port,
    log,
    ssoCallback: (params) => core.ssoCallback(params),
  });
  ssoRedirectUri = `http://127.0.0.1:${server.port}/sso/callback`;
  // Last, and plainly: where to point the browser. (The line "console at URL" is what scripts and tests read.)
  const summary = [
    '',
    'Branchline web preview is running.',
    relay.child !== null ? `  relay:   ${relay.url} (sandbox: POST /sandbox/inbound to make a customer write; log ${relayLogFile})` : `  relay:   ${relay.url}`,
    `  data:    ${dataDir} (console log ${logFile})`,
    '  stop:    Ctrl+C',
    '',
    'Open the console in a browser:',
    `console at ${server.url}`,
  ];
  process.stdout.write(`${summary.join('\n')}\n`);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.close();
  await core.stop();
  relay.child?.kill('SIGTERM');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`preview: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
