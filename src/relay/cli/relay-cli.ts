// `npm run relay -- …`: start the relay, or manage agents. Prints for people; logs go to stderr as JSON.
import { parseArgs } from 'node:util';
import { generateAgentToken, hashAgentToken } from '../agent-tokens';
import { ConfigError, loadRelayConfig, type RelayConfig } from '../relay-config';
import { startRelay } from '../relay-server';
import { openRelayDatabase } from '../store/relay-db';
import { SqliteRelayStore } from '../store/sqlite-relay-store';
import { EntityId } from '../../shared/domain';
import { DatabaseTooNewError } from '../../shared/migrations';

const USAGE = `Usage:
  npm run relay -- [--sandbox] [--port N] [--host H] [--data DIR] [--config FILE]
  npm run relay -- agents add ID --name NAME [--data DIR]
  npm run relay -- agents list [--data DIR]
  npm run relay -- agents revoke ID [--data DIR]

Settings come from the environment (WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN, WHATSAPP_ACCESS_TOKEN,
WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_GRAPH_URL, …) or a JSON config file; see docs/relay.md.`;

export async function main(argv: string[], out: (line: string) => void, errOut: (line: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        sandbox: { type: 'boolean' },
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        config: { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    errOut(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    out(USAGE);
    return 0;
  }
  const flags = {
    ...(values.port !== undefined && { port: values.port }),
    ...(values.host !== undefined && { host: values.host }),
    ...(values.data !== undefined && { data: values.data }),
    ...(values.config !== undefined && { config: values.config }),
    sandbox: values.sandbox === true,
  };

  let config: RelayConfig;
  try {
    // Agent management needs only the data folder, not WhatsApp's secrets.
    config = loadRelayConfig({ flags: positionals[0] === 'agents' ? { ...flags, sandbox: true } : flags, env: process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      errOut(`relay: ${error.message}`);
      return 2;
    }
    throw error;
  }

  try {
    if (positionals[0] === 'agents') return await agents(positionals.slice(1), values.name, config, out, errOut);
    if (positionals.length > 0) {
      errOut(`relay: unknown command "${positionals[0]}"\n\n${USAGE}`);
      return 2;
    }
    return await serve(config, out);
  } catch (error) {
    if (error instanceof DatabaseTooNewError) {
      errOut(`relay: ${error.message}`);
      return 1;
    }
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      errOut(`relay: port ${config.port} on ${config.host} is already in use (use --port 0 for a free one)`);
      return 1;
    }
    throw error;
  }
}

async function serve(config: RelayConfig, out: (line: string) => void): Promise<number> {
  // Listen for the stop signal before anything else, so a stop during startup is never a hard kill.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const relay = await startRelay(config);
  out(`relay listening on ${relay.url}`);
  if (relay.sandbox !== null) {
    // The sandbox's demo agent gets a fresh token each start: tokens are stored hashed and cannot be shown again.
    const token = generateAgentToken();
    const store = relay.store as SqliteRelayStore;
    await store.setAgentToken('demo', 'Demo Agent', hashAgentToken(token), Date.now());
    out(`sandbox: demo agent "demo", token ${token}`);
    out(`sandbox: customers write in with POST ${relay.url}/sandbox/inbound {"from":"<wa_id>","name":"…","text":"…"} (or "bsuid", "kind": see docs/relay.md)`);
  }
  await stopRequested;
  await relay.close();
  return 0;
}

async function agents(
  args: string[],
  name: string | undefined,
  config: RelayConfig,
  out: (line: string) => void,
  errOut: (line: string) => void,
): Promise<number> {
  const store = new SqliteRelayStore(openRelayDatabase(config.dataDir));
  try {
    const [command, id] = args;
    if (command === 'list') {
      const all = await store.listAgents();
      if (all.length === 0) out('no agents');
      for (const a of all) out(`${a.id}\t${a.name}\t${a.revokedAt === null ? 'active' : `revoked ${new Date(a.revokedAt).toISOString()}`}`);
      return 0;
    }
    if ((command === 'add' || command === 'revoke') && id === undefined) {
      errOut(`relay: agents ${command} needs an agent id\n\n${USAGE}`);
      return 2;
    }
    if (id !== undefined && !EntityId.safeParse(id).success) {
      errOut('relay: an agent id is 1 to 128 letters, digits or . _ : -');
      return 2;
    }
    if (command === 'add') {
      if (name === undefined || name.trim() === '' || name.length > 128) {
        errOut('relay: agents add needs --name NAME (1 to 128 characters)');
        return 2;
      }
      const token = generateAgentToken();
      const added = await store.addAgent(id!, name.trim(), hashAgentToken(token), Date.now());
      if (!added.ok) {
        errOut(`relay: ${added.error.message}`);
        return 1;
      }
      out(`agent ${id} added. Token (shown once, give it to the agent; it cannot be shown again):`);
      out(token);
      return 0;
    }
    if (command === 'revoke') {
      if (!(await store.revokeAgent(id!, Date.now()))) {
        errOut(`relay: no active agent ${id}`);
        return 1;
      }
      out(`agent ${id} revoked; its consoles are disconnected at their next request`);
      return 0;
    }
    errOut(`relay: unknown agents command "${command ?? ''}"\n\n${USAGE}`);
    return 2;
  } finally {
    await store.close();
  }
}

main(
  process.argv.slice(2),
  (line) => process.stdout.write(`${line}\n`),
  (line) => process.stderr.write(`${line}\n`),
).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`relay: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
