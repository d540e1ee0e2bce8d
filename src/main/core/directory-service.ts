// Who is who for the signed-in agent (directory.get): their role and teams, colleagues by name, every team for a
// transfer. Kept per agent, so names and the team picker still work offline.
import type { Clock } from '../../shared/clock';
import type { Directory } from '../../shared/contract';
import type { HandlersOf } from './console-service';
import type { LocalStore } from './local-store';
import type { RelayLink } from './relay-link';
import { ServiceError } from './service-types';

export interface DirectoryServiceDeps {
  store: LocalStore;
  link: RelayLink;
  clock: Clock;
}

export class DirectoryService {
  constructor(private readonly deps: DirectoryServiceDeps) {}

  readonly handlers: HandlersOf<'directory.get'> = {
    'directory.get': async () => {
      const agent = this.deps.store.session.get().agent;
      if (agent === null) throw new ServiceError('unauthorized', 'Nobody is signed in on this computer.');
      if (this.deps.link.isLive()) {
        const result = await this.deps.link.request('directory.get', {}, { deadlineMs: 15_000 });
        if (result.ok) {
          const directory: Directory = { ...result.value, fetchedAt: this.deps.clock.wallNow() };
          this.deps.store.session.setDirectory(agent.id, directory);
          return directory;
        }
        // Refused (not only unreachable): the relay's words, not an old copy that may no longer be true.
        if (!result.error.retryable) throw new ServiceError(result.error.code, result.error.message);
      }
      const cached = this.deps.store.session.directory(agent.id);
      if (cached !== null) return cached;
      throw new ServiceError('offline', 'The list of colleagues and teams needs a connection to the relay once; try again when the status bar says Live.');
    },
  };

  /** A colleague's name from the directory kept for the agent on record, or null. */
  nameOf(agentId: string): string | null {
    const me = this.deps.store.session.get().agent;
    if (me === null) return null;
    if (me.id === agentId) return me.name;
    return this.deps.store.session.directory(me.id)?.agents.find((a) => a.id === agentId)?.name ?? null;
  }
}
