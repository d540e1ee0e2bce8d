// Bad configuration: the relay's --config file and the console's machine policy, corrupt, mistyped, with unknown keys.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadPolicy, SAFE_DEFAULTS } from '../../../src/main/core/policy';
import { runTsx } from '../support/child';
import { emptyFigures, type Figures } from '../support/figures';
import { RELAY_CLI, freshDir } from '../support/paths';
import type { Scenario } from '../support/scenario';
import { tried } from '../support/tally';

const SECRET = 'sUpEr-SeCrEt-value-9f8e7d';

/** Config files the relay must refuse at startup: the text, and what its error must name. */
const RELAY_CONFIGS: { what: string; text: string | null; names: string }[] = [
  { what: 'a missing config file', text: null, names: 'cannot read' },
  { what: 'an empty config file', text: '', names: 'not valid JSON' },
  { what: 'a truncated config file', text: '{"port": 8787, "whatsapp": {', names: 'not valid JSON' },
  { what: 'a config file that is a JSON array', text: '[]', names: '(root)' },
  { what: 'a config file that is null', text: 'null', names: '(root)' },
  { what: 'the port as a string', text: '{"port": "8787"}', names: 'port' },
  { what: 'a fractional port', text: '{"port": 87.5}', names: 'port' },
  { what: 'a port out of range', text: '{"port": 70000}', names: '--port' },
  { what: 'an unknown top-level key', text: '{"prot": 8787}', names: 'prot' },
  { what: 'a misspelt secret key', text: `{"whatsapp": {"appSecrets": "${SECRET}"}}`, names: 'appSecrets' },
  { what: 'the app secret as a number', text: '{"whatsapp": {"appSecret": 12345678}}', names: 'whatsapp.appSecret' },
  { what: 'a secret in the phone number id', text: `{"whatsapp": {"phoneNumberId": "${SECRET}"}}`, names: 'WHATSAPP_PHONE_NUMBER_ID' },
  { what: 'a secret in the Graph URL', text: `{"whatsapp": {"graphUrl": "not a url ${SECRET}"}}`, names: 'WHATSAPP_GRAPH_URL' },
  { what: 'an unknown log level', text: '{"logLevel": "verbose"}', names: 'logLevel' },
  { what: 'a negative heartbeat', text: '{"heartbeatMs": -1}', names: 'heartbeatMs' },
  { what: 'a dead-link timeout shorter than the heartbeat', text: '{"heartbeatMs": 5000, "deadAfterMs": 1000}', names: 'deadAfterMs' },
  { what: 'retainEvents as an object', text: '{"retainEvents": {"n": 5}}', names: 'retainEvents' },
  { what: 'a __proto__ key', text: '{"__proto__": {"port": 1}}', names: '__proto__' },
  { what: 'a 5 MB config file', text: `{"host": "${'h'.repeat(5_000_000)}", "nope": 1}`, names: 'nope' },
];

async function relayConfigs(figures: Figures, fast: boolean): Promise<void> {
  const dir = freshDir('config');
  const configs = fast ? RELAY_CONFIGS.filter((_, i) => i % 3 === 0) : RELAY_CONFIGS;
  // Two at a time: each is a tsx start-up (seconds of CPU), and seven at once on a busy 2-core runner outlived the bound.
  const checkOne = async ({ what, text, names }: (typeof RELAY_CONFIGS)[number], i: number) => {
    const file = path.join(dir, `relay-${i}.json`);
    if (text !== null) writeFileSync(file, text);
    const data = path.join(dir, `data-${i}`);
    // No --port: flags override the file, and the file's own port is one of the things checked.
    const run = await runTsx(RELAY_CLI, ['--sandbox', '--data', data, '--config', file], {}, 60_000);
    const err = run.err.join('\n');
    const refused = run.code === 2 && err.includes(names) && !run.out.some((l) => l.startsWith('relay listening'));
    const leaked = err.includes(SECRET) || err.includes('hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh');
    tried(figures, `relay --config with ${what}`, refused && !leaked && !existsSync(data), {
      code: run.code,
      stderr: err.slice(0, 160),
      leaked,
      dataCreated: existsSync(data),
    });
  };
  const queue = configs.map((config, i) => () => checkOne(config, i));
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await next();
  };
  await Promise.all([worker(), worker()]);
}

/** Policy files IT might deploy by mistake: each must load (never throw) with safe defaults and a problem naming the key. */
const POLICIES: { what: string; text: string; key: string; section?: keyof typeof SAFE_DEFAULTS }[] = [
  { what: 'a corrupt file', text: '{"relay": {"url": ', key: '(file)' },
  { what: 'a JSON array', text: '[1,2]', key: '(file)' },
  { what: 'a string', text: '"https://relay.bank"', key: '(file)' },
  { what: 'an unknown section', text: '{"relya": {"url": "https://relay.bank"}}', key: 'relya' },
  { what: 'an unknown key in a section', text: '{"relay": {"ur1": "https://relay.bank"}}', key: 'relay', section: 'relay' },
  { what: 'the relay URL as a number', text: '{"relay": {"url": 443}}', key: 'relay.url', section: 'relay' },
  { what: 'a relay URL with credentials', text: `{"relay": {"url": "https://it:${SECRET}@relay.bank"}}`, key: 'relay.url', section: 'relay' },
  { what: 'a javascript: relay URL', text: '{"relay": {"url": "javascript:alert(1)"}}', key: 'relay.url', section: 'relay' },
  { what: 'an http update feed', text: '{"updates": {"enabled": true, "feedUrl": "http://updates.bank/"}}', key: 'updates.feedUrl', section: 'updates' },
  { what: 'retention of zero days', text: '{"retention": {"days": 0}}', key: 'retention.days', section: 'retention' },
  { what: 'retention as a string', text: '{"retention": {"days": "30"}}', key: 'retention.days', section: 'retention' },
  { what: 'a proxy with credentials', text: `{"network": {"proxy": "http://user:${SECRET}@proxy:3128"}}`, key: 'network.proxy', section: 'network' },
  { what: 'notification privacy "maybe"', text: '{"notifications": {"privacy": "maybe"}}', key: 'notifications.privacy', section: 'notifications' },
  { what: 'a __proto__ section', text: '{"__proto__": {"relay": {"url": "https://evil.example"}}}', key: '__proto__' },
  { what: 'a 100 000-character unknown key', text: `{"${'k'.repeat(100_000)}": 1}`, key: 'k'.repeat(100_000) },
];

function policies(figures: Figures): void {
  const dir = freshDir('policy');
  mkdirSync(path.join(dir, 'a-directory.json'));
  const read = (file: string): string | null => (existsSync(file) ? readFileSync(file, 'utf8') : null);
  const unreadable = loadPolicy(path.join(dir, 'a-directory.json'), read);
  tried(
    figures,
    'a policy path that is a directory',
    unreadable.problems.some((p) => p.key === '(file)') && JSON.stringify(unreadable.policy) === JSON.stringify(SAFE_DEFAULTS),
  );
  for (const [i, { what, text, key, section }] of POLICIES.entries()) {
    const file = path.join(dir, `policy-${i}.json`);
    writeFileSync(file, text);
    let loaded: ReturnType<typeof loadPolicy> | null = null;
    try {
      loaded = loadPolicy(file, read);
    } catch {
      // counted below: loading must never throw
    }
    const named =
      loaded !== null && loaded.problems.some((p) => p.key === key || p.key.startsWith(`${key}.`) || (key.length > 64 && p.key.startsWith(key.slice(0, 64))));
    const safe =
      loaded !== null &&
      (section === undefined
        ? JSON.stringify(loaded.policy) === JSON.stringify(SAFE_DEFAULTS)
        : JSON.stringify(loaded.policy[section]) === JSON.stringify(SAFE_DEFAULTS[section]));
    const messages = loaded?.problems.map((p) => p.message).join(' ') ?? '';
    const leaked = messages.includes(SECRET) || messages.length > 2_000;
    tried(
      figures,
      `policy with ${what}`,
      named && safe && !leaked && !Object.hasOwn(Object.prototype, 'relay'),
      loaded === null ? 'threw' : { problems: loaded.problems.map((p) => `${p.key.slice(0, 40)}: ${p.message.slice(0, 80)}`), leaked },
    );
  }
}

export const badConfig: Scenario = {
  name: 'bad-config',
  title: "the relay's --config file and the console's machine policy: corrupt, mistyped, unknown keys, secrets in wrong places",
  async run(ctx) {
    const figures = emptyFigures();
    await relayConfigs(figures, ctx.scale === 'fast');
    policies(figures);
    return figures;
  },
};
