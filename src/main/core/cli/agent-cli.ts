// `npm run agent -- --relay URL --data DIR [--send WA_ID TEXT]`: the console core with no UI.
// IT uses it to check a branch machine's path to the relay; tests use it as a real console process.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import { RelayUrl } from '../../../shared/contract';
import { WaId, MAX_TEXT_LENGTH } from '../../../shared/domain';
import { DatabaseTooNewError } from '../../../shared/migrations';
import type { EventPayload } from '../../../shared/contract';
import { defaultKeyDir, headlessCacheKey } from '../cache-key';
import { createConsole, type Console } from '../create-console';
import { previewOf } from '../domain/message-text';
import { fixedNetwork } from '../relay-network';
import { memoryTokenStore } from '../session-service';

const DEFAULT_TIMEOUT_S = 60;
const EXIT_TIMEOUT = 5;

const USAGE = `Usage: BRANCHLINE_TOKEN=TOKEN npm run agent -- --relay URL --data DIR [--send WA_ID TEXT [--timeout SECONDS]] [--ca FILE] [--proxy URL] [--show-content]

  --relay URL     the relay: wss:// or https:// (ws:// and http:// only on this computer: 127.0.0.1, ::1, localhost)
  BRANCHLINE_TOKEN
                  the agent's token, from the environment
  --token-stdin   or read the token from the first line of standard input (printf '%s\\n' "$T" | npm run agent -- --token-stdin …)
  --token TOKEN   still accepted for old scripts, with a warning: every user of the machine sees it in the process list
  --data DIR      where the local cache lives (created if missing)
  --send WA_ID TEXT
                  queue TEXT to that customer and exit once the relay has accepted it
                  (waits while the relay is down; works on an empty DIR)
  --timeout SECONDS
                  with --send: how long to wait for the relay to accept it (default ${DEFAULT_TIMEOUT_S});
                  then exit 5, the message still queued in DIR for the next run
  --ca FILE       an extra PEM CA bundle (TLS inspection on corporate networks)
  --proxy URL     an HTTP proxy (http://host:port)
  --show-content  print customers' names, numbers and message text too (off: ids and kinds only, for logs kept by IT)

Prints one JSON object per line: connection changes, sync progress, inbound messages (messageId, conversationId, kind).
Exit codes:
  0  done (with --send: the relay accepted the message)
  1  the send failed: the relay or WhatsApp refused it (the line "failed" says why)
  2  usage: a missing or malformed argument
  3  the relay refused the token
  4  local database problem (the data folder cannot be opened, or is from a newer version)
  5  --send: the relay was not reached, or did not accept the message, within --timeout`;

type Out = (record: Record<string, unknown>) => void;

const TOKEN_IN_ARGV_WARNING =
  'agent: warning: --token shows the token to every user of this machine in the process list (ps, Task Manager); use BRANCHLINE_TOKEN or --token-stdin';

/** The first line of standard input, without its line break; null when the input ends before any. */
async function firstLineOf(input: NodeJS.ReadableStream): Promise<string | null> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) return line;
    return null;
  } finally {
    lines.close();
  }
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, out: Out, err: (line: string) => void): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        relay: { type: 'string' },
        token: { type: 'string' },
        'token-stdin': { type: 'boolean' },
        'show-content': { type: 'boolean' },
        data: { type: 'string' },
        send: { type: 'string' },
        ca: { type: 'string' },
        proxy: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    err(`agent: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    err(USAGE);
    return 0;
  }
  const problems: string[] = [];
  const fromStdin = values['token-stdin'] === true;
  const twoWays = fromStdin && values.token !== undefined;
  if (values.token !== undefined && !twoWays) err(TOKEN_IN_ARGV_WARNING);
  const token = twoWays ? undefined : fromStdin ? (await firstLineOf(process.stdin))?.trim() : (values.token ?? env['BRANCHLINE_TOKEN']);
  const showContent = values['show-content'] === true;
  if (values.relay === undefined || !RelayUrl.safeParse(values.relay).success) problems.push('--relay must be a ws://, wss://, http:// or https:// URL');
  if (twoWays) problems.push('--token and --token-stdin: give the token one way');
  else if (token === undefined || token === '')
    problems.push(
      fromStdin ? '--token-stdin: no token on the first line of standard input' : 'the token is required: set BRANCHLINE_TOKEN or pass --token-stdin',
    );
  else if (token.length < 8) problems.push(`the token is too short (${token.length} characters): copy the whole line relay agents add printed`);
  if (values.data === undefined) problems.push('--data DIR is required');
  let send: { waId: string; text: string } | null = null;
  if (values.send !== undefined) {
    const text = positionals.join(' ');
    if (!WaId.safeParse(values.send).success) problems.push('--send needs a WhatsApp id: 6 to 20 digits, no +');
    if (text.trim() === '' || text.length > MAX_TEXT_LENGTH)
      problems.push(`--send needs the text to send (1 to ${MAX_TEXT_LENGTH} characters) after the WhatsApp id`);
    send = { waId: values.send, text };
  } else if (positionals.length > 0) problems.push(`unexpected argument "${positionals[0]}"`);
  const timeoutS = values.timeout === undefined ? DEFAULT_TIMEOUT_S : Number(values.timeout);
  if (values.timeout !== undefined && send === null) problems.push('--timeout goes with --send');
  else if (!Number.isFinite(timeoutS) || timeoutS <= 0 || timeoutS > 86_400)
    problems.push('--timeout must be a number of seconds, more than 0 and at most 86400');
  let ca: Buffer | undefined;
  if (values.ca !== undefined) {
    try {
      ca = readFileSync(values.ca);
    } catch (error) {
      problems.push(`cannot read --ca ${values.ca}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) {
    err(`agent: ${problems.join('; ')}\n\n${USAGE}`);
    return 2;
  }

  let core: Console;
  try {
    core = createConsole({
      dataDir: values.data!,
      // Encrypted with BRANCHLINE_CACHE_KEY, else a 0600 key file outside the data folder (docs/it-guide.md).
      cacheKey: headlessCacheKey({ env, dataDir: values.data!, keyDir: defaultKeyDir(env, process.platform, homedir()) }),
      tokens: memoryTokenStore(token!),
      network: fixedNetwork({ ...(ca !== undefined && { ca }), proxy: values.proxy ?? null }),
    });
  } catch (error) {
    err(`agent: ${error instanceof DatabaseTooNewError ? error.message : `cannot open the local database in ${values.data}: ${(error as Error).message}`}`);
    return 4;
  }
  const { store } = core;
  store.session.setRelayUrl(values.relay!);

  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let sentId: string | null = null;
  const seen = new Set<string>();
  let lastStatus = '';
  let lastSync = '';
  core.on((event, payload) => {
    if (event === 'connection.changed') {
      const state = payload as EventPayload<'connection.changed'>;
      if (state.status !== lastStatus) {
        lastStatus = state.status;
        out({ type: 'connection', status: state.status, queued: state.queued, detail: state.detail, tlsProblem: state.tlsProblem });
      }
      if (state.status === 'credentials_needed') finish(3);
      if (state.detail?.code === 'insecure_relay') {
        err(`agent: ${values.relay} is not encrypted (ws:// or http://) and not on this computer, so the token was not sent; use wss:// or https://`);
        finish(2);
      }
    } else if (event === 'sync.progress') {
      const line = JSON.stringify(payload);
      if (line !== lastSync) out({ type: 'sync', ...(payload as object) });
      lastSync = line;
    } else if (event === 'messages.changed') {
      for (const m of (payload as EventPayload<'messages.changed'>).messages) {
        if (m.direction === 'in' && !seen.has(m.id)) {
          seen.add(m.id);
          const conversation = store.conversation(m.conversationId);
          const customer = conversation?.customer;
          // IT keeps these lines in logs and tickets: who wrote and what only when asked for.
          out({
            type: 'message',
            messageId: m.id,
            conversationId: m.conversationId,
            group: conversation?.group?.id ?? null,
            kind: m.content.type,
            ...(showContent && {
              from: customer?.waId ?? null,
              bsuid: customer?.bsuid ?? null,
              username: customer?.username ?? null,
              name: customer?.name ?? null,
              text: m.content.type === 'text' ? m.content.body : null,
              // Every other kind in one line, as the conversation list previews it (a contact card, an order, a Flow answer…).
              preview: previewOf(m.content),
            }),
          });
        }
        if (m.id === sentId && m.status !== 'queued') {
          out({ type: m.status === 'failed' ? 'failed' : 'accepted', messageId: m.id, status: m.status, failure: m.failure });
          finish(m.status === 'failed' ? 1 : 0);
        }
      }
    }
  });

  const stop = () => finish(0);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await core.start();
  let cancelTimeout = () => {};
  if (send !== null) {
    const message = core.sendToWaId(send.waId, send.text);
    sentId = message.id;
    out({ type: 'queued', messageId: message.id, ...(showContent && { to: send.waId }) });
    const timer = setTimeout(() => {
      const state = core.connectionState();
      out({ type: 'timeout', messageId: message.id, seconds: timeoutS, connection: state.status, detail: state.detail });
      err(
        `agent: the relay ${state.status === 'live' || state.status === 'polling' ? 'did not accept the message' : 'could not be reached'} within ${timeoutS} s; ` +
          `the message stays queued in ${values.data} and goes with the next run on that folder`,
      );
      finish(EXIT_TIMEOUT);
    }, timeoutS * 1_000);
    cancelTimeout = () => clearTimeout(timer);
  }
  const code = await finished;
  cancelTimeout();
  await core.stop();
  return code;
}

main(
  process.argv.slice(2),
  process.env,
  (record) => process.stdout.write(`${JSON.stringify(record)}\n`),
  (line) => process.stderr.write(`${line}\n`),
).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`agent: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
