// This relay's place among the instances sharing one database: its id (the prefix of every session id it makes), its
// row in the registry, and the long-poll forwarding built on them. On a single relay all of it is idle.
import type { IncomingMessage } from 'node:http';
import type { Clock } from '../../shared/clock';
import { uuidv7 } from '../../shared/uuidv7';
import type { SignInAuth } from '../agent-handshake';
import type { AuthGuard } from '../auth/auth-guard';
import { homedSessionId } from '../domain/poll-home';
import type { Logger } from '../log';
import type { SqlDatabase } from '../store/sql/sql-database';
import { trustingForwards } from './forwarded-source';
import { createInstanceRegistry, type InstanceRegistry } from './instance-registry';
import { instanceUrl, type InstanceSettings } from './instance-settings';
import { createPollForwarder, type PollForwarder } from './poll-forward';

export interface RelayCluster {
  readonly registry: InstanceRegistry;
  /** A session id naming this instance as its home. */
  newSessionId(): string;
  /** `sourceOf`, also believing the console's address another instance vouches for when it passes a poll on. */
  trustingForwards(sourceOf: (req: IncomingMessage) => string): (req: IncomingMessage) => string;
  pollForwarder(doors: { auth: SignInAuth; guard: AuthGuard; sourceOf: (req: IncomingMessage) => string }): PollForwarder;
  /** Registers once the relay listens (its default URL is its loopback address and port). */
  start(host: string, port: number): Promise<void>;
  stop(): Promise<void>;
}

export function createRelayCluster(deps: { db: SqlDatabase; clock: Clock; log: Logger; settings: InstanceSettings }): RelayCluster {
  const { clock, log } = deps;
  const registry = createInstanceRegistry({ db: deps.db, clock, log });
  return {
    registry,
    newSessionId: () => homedSessionId(registry.id, uuidv7()),
    trustingForwards: (sourceOf) => trustingForwards(sourceOf, registry.forwardKey, () => clock.wallNow()),
    pollForwarder: (doors) => createPollForwarder({ registry, clock, log, ...doors }),
    start: (host, port) => registry.start(instanceUrl(deps.settings, host, port)),
    stop: () => registry.stop(),
  };
}
