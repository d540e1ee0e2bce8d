// The relay link as the status bar shows it, and the first-sync progress.
import type { ConnectionState, SyncProgress } from '../../shared/contract';
import type { SliceCreator } from '../store/app-state';

export interface ConnectionSlice {
  connection: ConnectionState | null;
  sync: SyncProgress | null;
  applyConnection(state: ConnectionState): void;
  applySync(progress: SyncProgress): void;
  retryNow(): Promise<void>;
}

export const createConnectionSlice: SliceCreator<ConnectionSlice> = (set, _get, { api }) => ({
  connection: null,
  sync: null,

  applyConnection(connection) {
    set({ connection });
  },

  applySync(sync) {
    set({ sync });
  },

  async retryNow() {
    try {
      await api['connection.retryNow']({});
    } catch {
      // The status bar keeps saying what the link is doing; a failed nudge changes nothing.
    }
  },
});
