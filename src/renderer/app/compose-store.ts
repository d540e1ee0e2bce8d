// Builds the one vanilla store from the feature slices and the shell's steps; React reads it through store/use-app-store.ts.
import { createStore } from 'zustand/vanilla';
import { createComposerSlice } from '../composer/composer-slice';
import { createConnectionSlice } from '../connection/connection-slice';
import { createContactSlice } from '../conversation/contact-slice';
import { createConversationSlice } from '../conversation/conversation-slice';
import { createMediaSlice } from '../conversation/media-slice';
import { createConversationsSlice } from '../conversations/conversations-slice';
import { createSearchSlice } from '../conversations/search-slice';
import { createCustomerSlice } from '../customer/customer-slice';
import { createDesktopSlice } from '../desktop/desktop-slice';
import { createSessionSlice } from '../login/session-slice';
import { createSettingsSlice } from '../settings/settings-slice';
import { createTeamSlice } from '../team/team-slice';
import { createShellSlice } from './shell-slice';
import type { AppState, AppStore, StoreDeps } from '../store/app-state';

export function createAppStore(deps: StoreDeps): AppStore {
  return createStore<AppState>()((set, get) => ({
    ...createShellSlice(set, get, deps),
    ...createSessionSlice(set, get, deps),
    ...createConnectionSlice(set, get, deps),
    ...createConversationsSlice(set, get, deps),
    ...createSearchSlice(set, get, deps),
    ...createConversationSlice(set, get, deps),
    ...createContactSlice(set, get, deps),
    ...createMediaSlice(set, get, deps),
    ...createComposerSlice(set, get, deps),
    ...createCustomerSlice(set, get, deps),
    ...createSettingsSlice(set, get, deps),
    ...createDesktopSlice(set, get, deps),
    ...createTeamSlice(set, get, deps),
  }));
}

/** The browser's implementations of the store's outside needs. */
export function browserDeps(api: StoreDeps['api']): StoreDeps {
  return {
    api,
    clock: {
      wallNow: () => Date.now(),
      setTimer: (ms, callback) => {
        const handle = window.setTimeout(callback, Math.max(0, ms));
        return () => window.clearTimeout(handle);
      },
    },
    toObjectUrl: (dataBase64, mimeType) => URL.createObjectURL(new Blob([base64ToBytes(dataBase64)], { type: mimeType })),
    revokeObjectUrl: (url) => URL.revokeObjectURL(url),
  };
}

function base64ToBytes(dataBase64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(dataBase64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
