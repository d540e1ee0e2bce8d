// What the console fetches from the relay and keeps for later: media bytes (files opened) and the template list.
import type { Clock } from '../../shared/clock';
import type { HandlersOf } from './console-service';
import type { LocalStore } from './local-store';
import type { MediaClient } from './relay-media-client';
import type { RelayLink } from './relay-link';
import { ServiceError } from './service-types';

export interface RelayCacheServiceDeps {
  store: LocalStore;
  link: RelayLink;
  media: MediaClient;
  clock: Clock;
  relay: () => { url: string; token: string } | null;
}

export class RelayCacheService {
  constructor(private readonly deps: RelayCacheServiceDeps) {}

  readonly handlers: HandlersOf<'templates.list' | 'media.get'> = {
    'templates.list': async () => {
      const result = await this.deps.link.request('templates.list', {}, { deadlineMs: 15_000 });
      if (result.ok) {
        this.deps.store.session.setTemplates(result.value.templates, this.deps.clock.wallNow());
        return result.value;
      }
      // Offline: the list as last fetched, so a template can still be queued.
      const cached = this.deps.store.session.templates();
      if (cached !== null) return { templates: cached };
      throw new ServiceError(result.error.code, result.error.message);
    },
    'media.get': async ({ mediaId }) => {
      const cached = this.deps.store.media.get(mediaId);
      if (cached !== null) return { mimeType: cached.mimeType, fileName: cached.fileName, dataBase64: cached.bytes.toString('base64') };
      const relay = this.deps.relay();
      if (relay === null) throw new ServiceError('offline', 'not signed in');
      const fetched = await this.deps.media.download(relay.url, relay.token, mediaId);
      if (!fetched.ok) throw new ServiceError(fetched.error.code, fetched.error.message);
      const { bytes, mimeType, fileName } = fetched.value;
      this.deps.store.media.put(mediaId, { mimeType, fileName, bytes }, this.deps.clock.wallNow());
      return { mimeType, fileName, dataBase64: bytes.toString('base64') };
    },
  };
}
