// The renderer's whole state: the sum of the features' slices and the shell's steps. Features read it through
// use-app-store.ts; the shell builds it (app/compose-store.ts). Only slice types are imported here, never their code.
import type { StoreApi } from 'zustand';
import type { Clock } from '../../shared/clock';
import type { BranchlineApi } from '../../shared/contract';
import type { ComposerSlice } from '../composer/composer-slice';
import type { ConnectionSlice } from '../connection/connection-slice';
import type { ContactSlice } from '../conversation/contact-slice';
import type { ConversationSlice } from '../conversation/conversation-slice';
import type { MediaSlice } from '../conversation/media-slice';
import type { ConversationsSlice } from '../conversations/conversations-slice';
import type { SearchSlice } from '../conversations/search-slice';
import type { CustomerSlice } from '../customer/customer-slice';
import type { DesktopSlice } from '../desktop/desktop-slice';
import type { SessionSlice } from '../login/session-slice';
import type { SettingsSlice } from '../settings/settings-slice';
import type { TeamSlice } from '../team/team-slice';
import type { ShellSlice } from './shell-slice';

export type AppState = ShellSlice &
  SessionSlice &
  ConnectionSlice &
  ConversationsSlice &
  SearchSlice &
  ConversationSlice &
  ContactSlice &
  MediaSlice &
  ComposerSlice &
  CustomerSlice &
  SettingsSlice &
  DesktopSlice &
  TeamSlice;

/** What the store needs from the outside world: injected so slices are tested under Node with fakes. */
export interface StoreDeps {
  readonly api: BranchlineApi;
  readonly clock: Pick<Clock, 'wallNow' | 'setTimer'>;
  /** Turns media bytes into a URL an <img>/<audio> may use (a blob: URL in the browser). */
  toObjectUrl(dataBase64: string, mimeType: string): string;
  revokeObjectUrl(url: string): void;
}

export type SetState = StoreApi<AppState>['setState'];
export type GetState = StoreApi<AppState>['getState'];
export type SliceCreator<T> = (set: SetState, get: GetState, deps: StoreDeps) => T;
export type AppStore = StoreApi<AppState>;
