// The relay's administrative commands as an operator runs them, against real data folders and a running relay:
// teams, numbers, agents with teams and roles, rotation and revocation, the audit trail, and mistakes said plainly.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteRelayStore } from '../store/relay-db';
import { PROTOCOL_V2, connectWebSocket, uuidv7 } from '../test-support/docs-client';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const CLI = path.join(repoRoot, 'src/relay/cli/relay-cli.ts');
const TSX = pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;
const freshDir = () => mkdtempSync(path.join(tmpdir(), 'branchline-admin-'));
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WHATSAPP_') && !k.startsWith('RELAY_')));

function relay(args: string[], cwd = repoRoot) {
  const run = spawnSync(process.execPath, ['--import', TSX, CLI, ...args], { cwd, env: cleanEnv, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, out: run.stdout, err: run.stderr, lines: run.stdout.trim().split('\n') };
}
const tokenOf = (run: { lines: string[] }) => run.lines.at(-1)!;

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGTERM');
});

async function runningRelay(data: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', TSX, CLI, '--sandbox', '--port', '0', '--data', data], { cwd: repoRoot, env: cleanEnv });
  children.push(child);
  const first = (await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next()).value as string;
  return first.replace('relay listening on ', '');
}
const opens = async (url: string, token: string) =>
  (await fetch(`${url}/v1/poll?device=admin-test`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status;

describe('teams, numbers and agents', () => {
  it('adds a team, its number and agents with teams and roles, and lists them with the data folder used', () => {
    const data = freshDir();
    expect(relay(['teams', 'add', 'north', '--name', 'North branch', '--data', data]).status).toBe(0);
    expect(relay(['numbers', 'add', '100000000000002', '--team', 'north', '--display', '+15550783882', '--data', data]).status).toBe(0);
    const noa = relay(['agents', 'add', 'noa', '--name', 'Noa Katz', '--team', 'north', '--data', data]);
    expect(noa.lines[0]).toContain(`(teams north, role agent) in ${data}`);
    relay(['agents', 'add', 'sam', '--name', 'Sam Levi', '--team', 'main,north', '--role', 'supervisor', '--data', data]);
    expect(relay(['agents', 'set', 'noa', '--team', 'main', '--role', 'supervisor', '--data', data]).status).toBe(0);
    const agents = relay(['agents', 'list', '--data', data]);
    expect(agents.lines).toEqual([`relay data: ${data}`, 'noa\tNoa Katz\tactive\tsupervisor\tmain', 'sam\tSam Levi\tactive\tsupervisor\tmain,north']);
    expect(relay(['teams', 'list', '--data', data]).lines).toEqual([
      `relay data: ${data}`,
      'main\tMain\tno number',
      'north\tNorth branch\tnumbers 100000000000002',
    ]);
    expect(relay(['numbers', 'list', '--data', data]).lines).toEqual([`relay data: ${data}`, '100000000000002\tnorth\t+15550783882']);
  });

  it('links agents to the name they sign in with at the bank (--sso), shows it in the list, and refuses a name taken', () => {
    const data = freshDir();
    expect(relay(['agents', 'add', 'noa', '--name', 'Noa Katz', '--sso', 'Noa.Katz@bank.example', '--data', data]).status).toBe(0);
    relay(['agents', 'add', 'sam', '--name', 'Sam Levi', '--data', data]);
    expect(relay(['agents', 'set', 'sam', '--sso', 'sam.levi@bank.example', '--data', data]).status).toBe(0);
    expect(relay(['agents', 'list', '--data', data]).lines).toEqual([
      `relay data: ${data}`,
      'noa\tNoa Katz\tactive\tagent\tmain\tsso Noa.Katz@bank.example',
      'sam\tSam Levi\tactive\tagent\tmain\tsso sam.levi@bank.example',
    ]);
    const taken = relay(['agents', 'add', 'eli', '--name', 'Eli', '--sso', 'noa.katz@BANK.example', '--data', data]);
    expect([taken.status, taken.err.trim()]).toEqual([1, 'relay: agent noa already signs in as noa.katz@BANK.example; nothing was changed']);
    expect(relay(['agents', 'set', 'sam', '--sso', 'NOA.katz@bank.example', '--data', data]).err).toContain('agent noa already signs in as');
    expect(relay(['agents', 'list', '--data', data]).lines).toHaveLength(3);
  });

  it.each([
    ['an agent in a team that does not exist', ['agents', 'add', 'eli', '--name', 'Eli', '--team', 'main,nrth'], 'there is no team nrth'],
    ['a number for a team that does not exist', ['numbers', 'add', '100000000000003', '--team', 'south'], 'there is no team south'],
    ['changing an agent who does not exist', ['agents', 'set', 'nobody', '--role', 'admin'], 'there is no agent nobody'],
    ['revoking an agent who does not exist', ['agents', 'revoke', 'nobody'], 'there is no active agent nobody'],
    ['rotating an agent who does not exist', ['agents', 'rotate', 'nobody'], 'there is no agent nobody'],
    ['the audit of an agent who does not exist', ['audit', '--agent', 'nobody'], 'there is no agent nobody'],
  ])('refuses %s with exit 2, naming it, and writes nothing', async (_what, args, message) => {
    const data = freshDir();
    const written = async () => {
      const store = openSqliteRelayStore(data).store;
      try {
        return {
          agents: await store.listAgents(),
          teams: await store.listTeams(),
          numbers: await store.listNumbers(),
          audit: await store.readAudit({ limit: 100 }),
        };
      } finally {
        await store.close();
      }
    };
    const setUp = openSqliteRelayStore(data).store;
    await setUp.addAgent('ana', 'Ana', 'hash-of-ana', Date.now());
    await setUp.close();
    const before = await written();
    const refused = relay([...args, '--data', data]);
    expect(refused.status).toBe(2);
    expect(refused.err).toContain(message);
    expect(await written()).toEqual(before);
  });
});

describe('mistakes that used to mislead', () => {
  it('names a mistyped command instead of asking for WhatsApp settings', () => {
    const run = relay(['agent', 'list', '--data', freshDir()]);
    expect(run.status).toBe(2);
    expect(run.err).toContain("unknown command 'agent'; did you mean 'agents'?");
    expect(run.err).not.toContain('WHATSAPP');
    expect(relay(['agents', 'lsit']).err).toContain("did you mean 'agents list'?");
  });

  it('refuses to list a folder with no relay data rather than create an empty database there', () => {
    const typo = path.join(freshDir(), 'relya');
    const run = relay(['agents', 'list', '--data', typo]);
    expect(run.status).toBe(2);
    expect(run.err).toContain(`there is no relay data in ${typo}`);
    expect(existsSync(typo)).toBe(false);
  });

  it('says a --data that is a file is a file', () => {
    const file = path.join(freshDir(), 'relay.json');
    writeFileSync(file, '{}');
    const run = relay(['agents', 'add', 'ana', '--name', 'Ana', '--data', file]);
    expect(run.status).toBe(2);
    expect(run.err).toContain(`the data folder ${file} is a file, not a folder`);
    expect(run.err).not.toContain('EEXIST');
  });

  it('writes to the production relay’s folder without --data, and to the sandbox’s only with --sandbox', () => {
    const cwd = freshDir();
    const added = relay(['agents', 'add', 'ana', '--name', 'Ana'], cwd);
    expect(added.lines[0]).toContain(`in ${path.join(cwd, 'data', 'relay')}.`);
    expect(existsSync(path.join(cwd, 'data', 'relay', 'relay.db'))).toBe(true);
    expect(existsSync(path.join(cwd, 'data', 'relay-sandbox'))).toBe(false);
    expect(relay(['agents', 'list', '--sandbox'], cwd).err).toContain(`no relay data in ${path.join(cwd, 'data', 'relay-sandbox')}`);
  });
});

describe('while the relay runs on the same folder', () => {
  it('adds an agent whose token works at once; rotates it (old one refused) and revokes it (returning her conversation)', async () => {
    const data = freshDir();
    const url = await runningRelay(data);
    const first = tokenOf(relay(['agents', 'add', 'ana', '--name', 'Ana Cohen', '--data', data]));
    expect(await opens(url, first)).toBe(200);
    const second = tokenOf(relay(['agents', 'rotate', 'ana', '--data', data]));
    expect(await opens(url, first)).toBe(401);
    expect(await opens(url, second)).toBe(200);

    // A customer writes and the conversation is Ana's; revoking her returns it to the team's queue.
    await fetch(`${url}/sandbox/inbound`, { method: 'POST', body: JSON.stringify({ from: '972541234567', name: 'Dana', text: 'Hello' }) });
    const store = openSqliteRelayStore(data).store;
    try {
      const listed = await store.listConversations(undefined, 10, ['main']);
      const dana = listed.ok ? listed.value.items.find((c) => c.customer.waId === '972541234567')! : null;
      expect((await store.assign(dana!.id, 'ana', Date.now())).ok).toBe(true);
      const revoked = relay(['agents', 'revoke', 'ana', '--data', data]);
      expect(revoked.lines.at(-1)).toBe("1 conversation returned unassigned to their team's queue");
      expect(await opens(url, second)).toBe(401);
      expect((await store.conversationsById([dana!.id]))[0]!.assignedAgentId).toBeNull();
    } finally {
      await store.close();
    }

    const audit = relay(['audit', '--agent', 'ana', '--data', data]);
    expect(audit.status).toBe(0);
    expect(audit.err).toContain(`relay data: ${data}`);
    const entries = audit.lines.map((line) => JSON.parse(line) as { action: string; at: string; source: string | null });
    // What the commands and the store did (sign-ins are the session layer's entries).
    const done = entries.filter((e) => !e.action.startsWith('session.')).map((e) => [e.action, e.source]);
    expect(done).toEqual([
      ['agent.add', 'cli'],
      ['agent.rotate', 'cli'],
      ['conversation.assign', null],
      ['conversation.release', 'cli'],
      ['agent.revoke', 'cli'],
    ]);
    expect(entries.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
    expect(audit.out).not.toMatch(/972541234567|Hello|blt_/);
    expect(relay(['audit', '--since', '2999-01-01', '--data', data]).out).toBe('');
    expect(relay(['audit', '--since', 'yesterday', '--data', data]).status).toBe(2);
  });

  it('audit prints, newest last, what a scripted working hour did: sign-ins with addresses, reads, a download, sends, a take-over and a release, and no body, number or token', async () => {
    const data = freshDir();
    const url = await runningRelay(data);
    const ana = tokenOf(relay(['agents', 'add', 'ana', '--name', 'Ana Cohen', '--data', data]));
    const dan = tokenOf(relay(['agents', 'add', 'dan', '--name', 'Dan Levi', '--data', data]));
    expect(await opens(url, 'blt_not-a-token-anyone-was-given')).toBe(401);
    await fetch(`${url}/sandbox/inbound`, { method: 'POST', body: JSON.stringify({ from: '972541234567', name: 'Dana', text: 'My card PIN is 4321' }) });

    const anaWs = connectWebSocket({ baseUrl: url, token: ana, device: 'ana-desk', protocols: [PROTOCOL_V2] });
    const danWs = connectWebSocket({ baseUrl: url, token: dan, device: 'dan-desk', protocols: [PROTOCOL_V2] });
    try {
      await Promise.all([anaWs.hello(), danWs.hello()]);
      const listed = await anaWs.call<{ conversations: { id: string; customer: { waId: string | null } }[] }>('conversations.list', {});
      const conversationId = listed.conversations.find((c) => c.customer.waId === '972541234567')!.id;
      await anaWs.call('messages.history', { conversationId });
      const bytes = Buffer.from('%PDF-1.4 statement for March');
      const uploaded = await fetch(`${url}/v1/media`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ana}`, 'content-type': 'application/pdf', 'x-file-name': 'statement.pdf' },
        body: bytes,
      });
      const { mediaId } = (await uploaded.json()) as { mediaId: string };
      await anaWs.call('messages.send', { clientMessageId: uuidv7(), conversationId, content: { type: 'text', body: 'Please never share your PIN' } });
      await anaWs.call('messages.send', { clientMessageId: uuidv7(), conversationId, content: { type: 'document', mediaId, fileName: 'statement.pdf' } });
      expect((await fetch(`${url}/v1/media/${mediaId}`, { headers: { authorization: `Bearer ${ana}` } })).status).toBe(200);
      await danWs.call('conversations.assign', { conversationId, agentId: 'dan', takeOver: true });
      await danWs.call('conversations.assign', { conversationId, agentId: null });
    } finally {
      anaWs.dispose();
      danWs.dispose();
    }

    const audit = relay(['audit', '--data', data]);
    expect(audit.status).toBe(0);
    const entries = audit.lines.map((line) => JSON.parse(line) as { action: string; at: string; actor: string | null; source: string | null });
    const times = entries.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const of = (actor: string) => entries.filter((e) => e.actor === actor && !e.action.startsWith('agent.')).map((e) => e.action);
    expect(of('ana')).toEqual(['session.sign_in', 'conversations.list', 'messages.history', 'message.send', 'message.send', 'media.download']);
    expect(of('dan')).toEqual(['session.sign_in', 'conversation.take_over', 'conversation.release']);
    expect(entries.filter((e) => e.action === 'session.sign_in').map((e) => e.source)).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(entries.filter((e) => e.action === 'session.token_refused').map((e) => e.source)).toEqual(['127.0.0.1']);
    expect(audit.out).not.toMatch(/972541234567|PIN|4321|statement for March|blt_/);
  }, 60_000);
});
