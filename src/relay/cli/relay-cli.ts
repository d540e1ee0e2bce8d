// `npm run relay -- …`: start the relay, or manage teams, numbers and agents and read the audit trail. Prints for
// people; logs go to stderr as JSON.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readableByOthers } from '../../node-shared/private-files';
import { DatabaseTooNewError } from '../../shared/migrations';
import { DatabaseUrl } from '../database-config';
import { DatabaseUnavailableError } from '../store/postgres/pg-database';
import { ConfigError, loadAdminSettings, loadRelayConfig, type RelayConfig } from '../relay-config';
import { startRelay } from '../relay-server';
import { DEMO_CUSTOMERS, prepareDemo } from '../sandbox/demo';
import type { OidcSandbox } from '../sandbox/oidc-sandbox';
import { sandboxSsoBanner, startSandboxSso } from '../sandbox/sandbox-sso';
import { relayDatabaseFile, RelayDataError } from '../store/relay-db';
import type { SqlRelayStore } from '../store/sql-relay-store';
import { ADMIN_COMMANDS, runAdmin } from './admin-commands';
import { EXIT, openAdminStore, operator, type Print } from './admin-context';
import { runAudit } from './audit-command';
import { runBackup } from './backup-command';
import { unknownCommand } from './command-names';

const USAGE = `Usage:
  npm run relay -- [--sandbox] [--port N] [--host H] [--data DIR] [--config FILE] [--database postgres://…]
  npm run relay -- teams add ID --name NAME            teams list
  npm run relay -- numbers add PHONE_NUMBER_ID --team TEAM [--display +15551234567]
  npm run relay -- numbers list
  npm run relay -- agents add ID --name NAME [--team T1,T2] [--role agent|supervisor|admin] [--sso LOGIN]
  npm run relay -- agents set ID [--team T1,T2] [--role agent|supervisor|admin] [--sso LOGIN]
  npm run relay -- agents list | agents revoke ID | agents rotate ID
  npm run relay -- audit [--agent ID] [--conversation ID] [--since ISO-8601]
  npm run relay -- backup --out FILE                   a consistent copy of relay.db while the relay runs

Every command takes --data DIR (default: the production relay's data/relay; with --sandbox, data/relay-sandbox) and is
safe while the relay runs on that folder. Settings come from the environment (WHATSAPP_APP_SECRET,
WHATSAPP_VERIFY_TOKEN, WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID, …) or a JSON config file; see docs/relay.md.`;

export async function main(argv: string[], out: Print, errOut: Print): Promise<number> {
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
        database: { type: 'string' },
        name: { type: 'string' },
        team: { type: 'string' },
        role: { type: 'string' },
        display: { type: 'string' },
        sso: { type: 'string' },
        agent: { type: 'string' },
        conversation: { type: 'string' },
        since: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    errOut(`${(error as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    out(USAGE);
    return EXIT.ok;
  }
  // A mistyped command is named before any setting is asked for (`agent list` is not a missing WHATSAPP_APP_SECRET).
  const mistake = unknownCommand(positionals);
  if (mistake !== null) {
    errOut(`relay: ${mistake} (npm run relay -- --help lists every command)`);
    return EXIT.usage;
  }
  const flags = {
    ...(values.port !== undefined && { port: values.port }),
    ...(values.host !== undefined && { host: values.host }),
    ...(values.data !== undefined && { data: values.data }),
    ...(values.config !== undefined && { config: values.config }),
    ...(values.database !== undefined && { database: values.database }),
    sandbox: values.sandbox === true,
  };
  // The file may hold WhatsApp's secrets: named (never its content) when other accounts on the machine may read it.
  if (flags.config !== undefined && readableByOthers(flags.config)) {
    errOut(`relay: warning: the config file ${flags.config} can be read by other users of this machine; restrict it (chmod 600)`);
  }
  // Named, never shown: a password on the command line is in every user's process list.
  if (values.database !== undefined && new DatabaseUrl(values.database).hasPassword) {
    errOut(
      'relay: warning: --database carries a password that other users of this machine can see in the process list; use RELAY_DATABASE_URL, PGPASSWORD or ~/.pgpass',
    );
  }
  const [group, command, id, ...extra] = positionals;
  let config: RelayConfig | undefined;
  try {
    if (group === undefined) {
      config = loadRelayConfig({ flags, env: process.env });
      // The sandbox's own OpenID provider first: the relay's auth.oidc settings must name it when they are read.
      const sso = flags.sandbox ? await startSandboxSso(process.env, config.dataDir) : null;
      if (sso !== null && sso.provider !== null) config = loadRelayConfig({ flags, env: sso.env });
      return await serve(config, out, errOut, sso?.provider ?? null);
    }
    const single = group === 'audit' || group === 'backup';
    if (extra.length > 0 || (single && command !== undefined)) {
      errOut(`relay: unexpected "${(single ? command : extra[0])!.slice(0, 40)}"\n\n${USAGE}`);
      return EXIT.usage;
    }
    // Administration needs only the data folder, never WhatsApp's secrets.
    const admin = loadAdminSettings({ flags, env: process.env });
    const { dataDir } = admin;
    if (group === 'backup' && admin.database.kind === 'postgres') {
      errOut(`relay: the relays keep their data in PostgreSQL (${String(admin.database.url)}): back it up with pg_dump or base backups (docs/operations.md)`);
      return EXIT.usage;
    }
    if (group === 'backup') return await runBackup({ dataDir, out: values.out }, out, errOut);
    const readOnly = group === 'audit' || ADMIN_COMMANDS[group as keyof typeof ADMIN_COMMANDS][command!]!.readOnly;
    const store = await openAdminStore(admin, readOnly);
    // Where the data is, as the operator reads it: the folder, or the shared database without its password.
    const where = admin.database.kind === 'postgres' ? String(admin.database.url) : dataDir;
    const ctx = { store, dataDir: where, out, errOut, by: operator(), now: () => Date.now() };
    try {
      if (group === 'audit') return await runAudit(ctx, values);
      return await runAdmin(ctx, group as keyof typeof ADMIN_COMMANDS, command!, id, values);
    } finally {
      await store.close();
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof RelayDataError) {
      errOut(`relay: ${error.message}`);
      return EXIT.usage;
    }
    if (error instanceof DatabaseTooNewError || error instanceof DatabaseUnavailableError) {
      errOut(`relay: ${error.message}`);
      return EXIT.failed;
    }
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && config !== undefined) {
      errOut(`relay: port ${config.port} on ${config.host} is already in use (use --port 0 for a free one)`);
      return EXIT.failed;
    }
    throw error;
  }
}

async function serve(config: RelayConfig, out: Print, errOut: Print, sso: OidcSandbox | null): Promise<number> {
  // Listen for the stop signal before anything else, so a stop during startup is never a hard kill.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const fresh = !existsSync(relayDatabaseFile(config.dataDir));
  const relay = await startRelay(config);
  out(`relay listening on ${relay.url}`);
  if (relay.sandbox !== null) {
    const agents = await prepareDemo(relay.store as SqlRelayStore, config.dataDir, Date.now());
    for (const a of agents) out(`sandbox: demo ${a.role} "${a.id}" (${a.name}, teams ${a.teams.join(', ')}), token ${a.token}`);
    out(`sandbox: data in ${config.dataDir}; the demo tokens stay the same when it restarts there`);
    out(`sandbox: customers write in with POST ${relay.url}/sandbox/inbound {"from":"<wa_id>","name":"…","text":"…"} ("to": another of our numbers)`);
    out(`sandbox: close a customer's 24-hour window with POST ${relay.url}/sandbox/age {"from":"<wa_id>","hours":25}`);
    if (sso !== null) for (const line of sandboxSsoBanner(sso)) out(line);
    // An empty sandbox gets its demo customers once; a data folder already in use is left as it is.
    if (fresh) {
      for (const customer of DEMO_CUSTOMERS) {
        await relay.sandbox.injectInbound(customer).catch((error: unknown) => errOut(`sandbox: a demo customer could not write in: ${String(error)}`));
      }
    }
  } else {
    out(`relay data: ${config.dataDir}`);
  }
  await stopRequested;
  await relay.close();
  await sso?.close();
  return EXIT.ok;
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
