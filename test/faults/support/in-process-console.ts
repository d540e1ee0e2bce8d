// A console core inside the test process, for faults that need a hand on its database (disk) or its clock.
import type { Clock } from '../../../src/shared/clock';
import type { ConnectionState, ConsoleEvent, EventPayload } from '../../../src/shared/contract';
import { ConsoleService, type TokenStore } from '../../../src/main/core/console-service';
import { openLocalDatabase } from '../../../src/main/core/local-db';
import { LocalStore } from '../../../src/main/core/local-store';
import { RelayConnection } from '../../../src/main/core/relay-connection';
import { createRelayMediaClient } from '../../../src/main/core/relay-media-client';
import { freshDir } from './paths';
import type { ScenarioContext } from './scenario';

export interface InProcessConsole {
  readonly dataDir: string;
  readonly store: LocalStore;
  readonly service: ConsoleService;
  /** Every event the UI was sent, in order. */
  readonly events: { event: ConsoleEvent; payload: unknown }[];
  /** Every log line the core wrote, unredacted (the suite scans them). */
  readonly logLines: string[];
  connectionStates(): ConnectionState[];
  conversationOf(waId: string): string | null;
}

export async function startInProcessConsole(ctx: ScenarioContext, options: { relayUrl: string; token: string; clock?: Clock }): Promise<InProcessConsole> {
  const dataDir = freshDir('console');
  const store = new LocalStore(openLocalDatabase(dataDir));
  store.setMeta('relay_url', options.relayUrl);
  let saved: string | null = options.token;
  const tokens: TokenStore = { load: async () => saved, save: async (t) => void (saved = t), clear: async () => void (saved = null) };
  const logLines: string[] = [];
  const log = (event: string, fields: Record<string, unknown> = {}) => void logLines.push(JSON.stringify({ event, ...fields }));
  const service = new ConsoleService({
    store,
    tokens,
    log,
    media: createRelayMediaClient(),
    ...(options.clock !== undefined && { clock: options.clock }),
    connect: (o) => new RelayConnection({ ...o, log, backoff: { baseMs: 100, capMs: 1_000, resetAfterMs: 5_000 } }),
  });
  const events: { event: ConsoleEvent; payload: unknown }[] = [];
  service.on(<E extends ConsoleEvent>(event: E, payload: EventPayload<E>) => void events.push({ event, payload }));
  ctx.defer(async () => {
    await service.stop();
    store.close();
  });
  await service.start();
  return {
    dataDir,
    store,
    service,
    events,
    logLines,
    connectionStates: () => events.filter((e) => e.event === 'connection.changed').map((e) => e.payload as ConnectionState),
    conversationOf: (waId) =>
      store.db.prepare<[string], { id: string }>("SELECT id FROM conversations WHERE wa_id = ? AND id NOT LIKE 'pending:%'").get(waId)?.id ?? null,
  };
}
