// A console core inside the test process, for faults that need a hand on its database (disk) or its clock.
import type { Clock } from '../../../src/shared/clock';
import type { ConnectionState, ConsoleEvent, EventPayload } from '../../../src/shared/contract';
import type { ConsoleService } from '../../../src/main/core/console-service';
import { createConsole, type Console } from '../../../src/main/core/create-console';
import type { LocalStore } from '../../../src/main/core/local-store';
import { memoryTokenStore } from '../../../src/main/core/session-service';
import { freshDir } from './paths';
import type { ScenarioContext } from './scenario';

export interface InProcessConsole {
  readonly dataDir: string;
  readonly store: LocalStore;
  readonly service: ConsoleService;
  readonly core: Console;
  /** Every event the UI was sent, in order. */
  readonly events: { event: ConsoleEvent; payload: unknown }[];
  /** Every log line the core wrote, unredacted (the suite scans them). */
  readonly logLines: string[];
  connectionStates(): ConnectionState[];
  conversationOf(waId: string): string | null;
}

export async function startInProcessConsole(ctx: ScenarioContext, options: { relayUrl: string; token: string; clock?: Clock }): Promise<InProcessConsole> {
  const dataDir = freshDir('console');
  const logLines: string[] = [];
  const log = (event: string, fields: Record<string, unknown> = {}) => void logLines.push(JSON.stringify({ event, ...fields }));
  const core = createConsole({
    dataDir,
    tokens: memoryTokenStore(options.token),
    log,
    ...(options.clock !== undefined && { clock: options.clock }),
    connection: { backoff: { baseMs: 100, capMs: 1_000, resetAfterMs: 5_000 } },
  });
  const { store, service } = core;
  store.session.setRelayUrl(options.relayUrl);
  const events: { event: ConsoleEvent; payload: unknown }[] = [];
  service.on(<E extends ConsoleEvent>(event: E, payload: EventPayload<E>) => void events.push({ event, payload }));
  ctx.defer(async () => {
    await core.stop();
  });
  await core.start();
  return {
    dataDir,
    store,
    service,
    core,
    events,
    logLines,
    connectionStates: () => events.filter((e) => e.event === 'connection.changed').map((e) => e.payload as ConnectionState),
    conversationOf: (waId) =>
      store.db.prepare<[string], { id: string }>('SELECT id FROM conversations WHERE wa_id = ? AND local_only = 0').get(waId)?.id ?? null,
  };
}
