// `npm run agent` as IT uses it: a path check that queues while the relay is down and exits once it was accepted.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const fresh = (name: string) => mkdtempSync(path.join(tmpdir(), `branchline-${name}-`));
const running: ChildProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Adds agent "it-check" to the relay's data folder as IT would, and returns the token it printed (its last line). */
function addAgent(relayData: string): string {
  const added = spawnSync('npm', ['run', '--silent', 'relay', '--', 'agents', 'add', 'it-check', '--name', 'IT path check', '--data', relayData], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return added.stdout.trim().split('\n').at(-1)!;
}

async function startRelay(data: string, port: number): Promise<string> {
  const relay = spawn(process.execPath, ['--import', 'tsx', 'src/relay/cli/relay-cli.ts', '--sandbox', '--port', String(port), '--data', data], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  running.push(relay);
  const first = (await createInterface({ input: relay.stdout! })[Symbol.asyncIterator]().next()).value as string;
  return first.replace('relay listening on ', '');
}

describe('npm run agent', () => {
  it('queues a message while the relay is down, on an empty data folder, and exits 0 once the relay accepted it', async () => {
    const relayData = fresh('agent-relay');
    const token = addAgent(relayData);
    const port = await freePort();
    // The customer wrote today (the 24-hour window is open); then the relay goes away.
    const first = await startRelay(relayData, port);
    expect((await fetch(`${first}/sandbox/inbound`, { method: 'POST', body: JSON.stringify({ from: '972541234567', name: 'Dana', text: 'hi' }) })).status).toBe(
      200,
    );
    running.pop()!.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));

    const agent = spawn(
      'npm',
      [
        'run',
        '--silent',
        'agent',
        '--',
        '--relay',
        `ws://127.0.0.1:${port}`,
        '--data',
        fresh('agent-data'),
        '--send',
        '972541234567',
        'Path check from branch 12',
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, BRANCHLINE_TOKEN: token },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    running.push(agent);
    const records: { type: string; status?: string }[] = [];
    createInterface({ input: agent.stdout! }).on('line', (line) => records.push(JSON.parse(line) as { type: string; status?: string }));
    const exit = new Promise<number | null>((resolve) => agent.once('exit', (code) => resolve(code)));

    const deadline = Date.now() + 30_000;
    while (!records.some((r) => r.type === 'connection' && r.status === 'reconnecting') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Without --show-content the line names the message, not the customer's number.
    expect(records.find((r) => r.type === 'queued')).toEqual({ type: 'queued', messageId: expect.any(String) });

    const url = await startRelay(relayData, port);
    expect(await exit).toBe(0);
    expect(records.some((r) => r.type === 'accepted')).toBe(true);
    const ledger = (await (await fetch(`${url}/sandbox/outbound?to=972541234567`)).json()) as { messages: { text: string }[] };
    expect(ledger.messages.map((m) => m.text)).toEqual(['Path check from branch 12']);
  });

  it('prints what a customer without a phone number sends, whatever its kind', async () => {
    const relayData = fresh('agent-2026');
    const token = addAgent(relayData);
    const url = await startRelay(relayData, await freePort());
    const customer = { bsuid: 'US.13491208655302741918', username: 'noa.katz', name: 'Noa Katz' };
    for (const body of [
      { ...customer, text: 'Hello from a username' },
      { ...customer, kind: 'contacts' },
    ]) {
      expect((await fetch(`${url}/sandbox/inbound`, { method: 'POST', body: JSON.stringify(body) })).status).toBe(200);
    }
    const agent = spawn('npm', ['run', '--silent', 'agent', '--', '--relay', url, '--data', fresh('agent-2026-data'), '--show-content'], {
      cwd: repoRoot,
      env: { ...process.env, BRANCHLINE_TOKEN: token },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    running.push(agent);
    const messages: Record<string, unknown>[] = [];
    createInterface({ input: agent.stdout! }).on('line', (line) => {
      const record = JSON.parse(line) as Record<string, unknown>;
      if (record['type'] === 'message') messages.push(record);
    });
    const deadline = Date.now() + 30_000;
    while (messages.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // A first sync brings history newest first: compare by kind.
    const byKind = new Map(messages.map((m) => [m['kind'], m]));
    expect([...byKind.keys()].sort()).toEqual(['contacts', 'text']);
    for (const m of messages) expect([m['from'], m['bsuid'], m['username']]).toEqual([null, customer.bsuid, customer.username]);
    expect(byKind.get('text')!['text']).toBe('Hello from a username');
    expect(String(byKind.get('contacts')!['preview'])).toMatch(/contact/i);
  });

  it('prints ids and kinds, not who wrote or what, unless asked with --show-content; the token read from standard input', async () => {
    const relayData = fresh('agent-quiet');
    const token = addAgent(relayData);
    const url = await startRelay(relayData, await freePort());
    const planted = { from: '972541239876', name: 'Dana Levi', text: 'my card PIN is 4812' };
    expect((await fetch(`${url}/sandbox/inbound`, { method: 'POST', body: JSON.stringify(planted) })).status).toBe(200);
    const agent = spawn('npm', ['run', '--silent', 'agent', '--', '--relay', url, '--data', fresh('agent-quiet-data'), '--token-stdin'], {
      cwd: repoRoot,
      env: { ...process.env, BRANCHLINE_TOKEN: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    running.push(agent);
    agent.stdin!.end(`${token}\n`);
    let printed = '';
    agent.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    agent.stderr!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    for (const deadline = Date.now() + 30_000; !printed.includes('"type":"message"') && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
    const message = printed
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((r) => r['type'] === 'message');
    expect(message).toEqual({ type: 'message', messageId: expect.any(String), conversationId: expect.any(String), group: null, kind: 'text' });
    for (const leaked of [planted.from, planted.name, planted.text, token]) expect(printed).not.toContain(leaked);
  });

  it('gives up on --send after --timeout when the relay cannot be reached, with exit code 5 and the message kept', async () => {
    const data = fresh('agent-timeout');
    const token = 'blt_0123456789abcdef';
    const result = spawnSync(
      'npm',
      [
        'run',
        '--silent',
        'agent',
        '--',
        '--relay',
        `ws://127.0.0.1:${await freePort()}`,
        '--data',
        data,
        '--token',
        token,
        '--send',
        '972541234567',
        'hello',
        '--timeout',
        '2',
      ],
      { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, BRANCHLINE_TOKEN: '' } },
    );
    expect(result.status).toBe(5);
    expect(result.stderr).toMatch(/could not be reached within 2 s; the message stays queued in/);
    // --token still works for old scripts, but says who else can read it.
    expect(result.stderr).toContain('--token shows the token to every user of this machine in the process list');
    expect(result.stderr + result.stdout).not.toContain(token);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    expect(lines.map((l) => l.type)).toContain('timeout');
  });

  it('refuses bad arguments with a message that says what is wrong', () => {
    const result = spawnSync('npm', ['run', '--silent', 'agent', '--', '--relay', 'ftp://x', '--data', fresh('bad'), '--send', '+972', ''], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, BRANCHLINE_TOKEN: 'blt_0123456789' },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--relay must be a ws://');
    expect(result.stderr).toContain('--send needs a WhatsApp id');
  });

  it('refuses a plain ws:// relay on another computer without sending the token, and says why', () => {
    const result = spawnSync('npm', ['run', '--silent', 'agent', '--', '--relay', 'ws://10.1.2.3:8787', '--data', fresh('plain')], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, BRANCHLINE_TOKEN: 'blt_0123456789abcdef' },
      timeout: 60_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('ws://10.1.2.3:8787 is not encrypted (ws:// or http://) and not on this computer, so the token was not sent');
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; detail?: unknown });
    expect(lines).toContainEqual(expect.objectContaining({ type: 'connection', detail: { code: 'insecure_relay', params: { host: '10.1.2.3:8787' } } }));
  });

  it('says a token that was cut short is too short, not missing', () => {
    const agent = (env: Record<string, string>, flags: string[] = [], input = '') =>
      spawnSync('npm', ['run', '--silent', 'agent', '--', '--relay', 'ws://127.0.0.1:9', '--data', fresh('short'), ...flags], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, BRANCHLINE_TOKEN: '', ...env },
        input,
      });
    const short = agent({ BRANCHLINE_TOKEN: 'blt_01' });
    expect(short.status).toBe(2);
    expect(short.stderr).toContain('the token is too short (6 characters)');
    expect(short.stderr).not.toContain('is required');
    const missing = agent({});
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('the token is required: set BRANCHLINE_TOKEN or pass --token-stdin');
    const shortOnStdin = agent({}, ['--token-stdin'], 'blt_01\r\nrest\n');
    expect([shortOnStdin.status, shortOnStdin.stderr.includes('the token is too short (6 characters)')]).toEqual([2, true]);
    const emptyStdin = agent({}, ['--token-stdin']);
    expect([emptyStdin.status, emptyStdin.stderr.includes('--token-stdin: no token on the first line of standard input')]).toEqual([2, true]);
  });

  it('two teams’ headless agents each print only their own team’s customers', async () => {
    const relay = spawn(process.execPath, ['--import', 'tsx', 'src/relay/cli/relay-cli.ts', '--sandbox', '--port', '0', '--data', fresh('teams-relay')], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    running.push(relay);
    // The sandbox prints where it listens, then its demo agents' tokens, then where its data is.
    const tokens: Record<string, string> = {};
    let url = '';
    for await (const line of createInterface({ input: relay.stdout! })) {
      url ||= /^relay listening on (\S+)$/.exec(line)?.[1] ?? '';
      const demo = /^sandbox: demo \S+ "([^"]+)" .*, token (\S+)$/.exec(line);
      if (demo !== null) tokens[demo[1]!] = demo[2]!;
      if (line.startsWith('sandbox: data in ')) break;
    }
    const headless = (token: string) => {
      const agent = spawn('npm', ['run', '--silent', 'agent', '--', '--relay', url, '--data', fresh('teams-agent'), '--show-content'], {
        cwd: repoRoot,
        env: { ...process.env, BRANCHLINE_TOKEN: token },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      running.push(agent);
      const texts: string[] = [];
      createInterface({ input: agent.stdout! }).on('line', (line) => {
        const record = JSON.parse(line) as { type: string; text?: string | null };
        if (record.type === 'message' && typeof record.text === 'string') texts.push(record.text);
      });
      return texts;
    };
    const until = async (what: string, done: () => boolean) => {
      for (const deadline = Date.now() + 30_000; !done(); await new Promise((r) => setTimeout(r, 50))) {
        if (Date.now() > deadline) throw new Error(`no ${what} within 30 s`);
      }
    };
    const main = headless(tokens['demo']!);
    const north = headless(tokens['demo-north']!);
    const writes = async (from: string, text: string, to?: string) =>
      expect(
        (await fetch(`${url}/sandbox/inbound`, { method: 'POST', body: JSON.stringify({ from, name: 'Customer', text, ...(to !== undefined && { to }) }) }))
          .status,
      ).toBe(200);
    await writes('972541110101', 'For the main branch, first');
    await writes('972541110102', 'For the north branch', '100000000000002');
    await writes('972541110101', 'For the main branch, second');
    // Each stream is in order: an agent that printed a later message was handed every earlier one it may see.
    await until('the north message on the north agent', () => north.includes('For the north branch'));
    await until('the second main message on the main agent', () => main.includes('For the main branch, second'));
    expect(north).not.toContain('For the main branch, first');
    expect(main).not.toContain('For the north branch');
    expect(main).toContain('For the main branch, first');
  }, 90_000);
});
