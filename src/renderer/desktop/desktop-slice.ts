// What IT and the agent must know about this desktop (policy problems, token storage, a pending update), and diagnostics export.
import type { AppStatus } from '../../shared/contract';
import type { SliceCreator } from '../store/app-state';
import { errorText } from '../ui/error-text';

export interface DesktopSlice {
  appStatus: AppStatus | null;
  diagnostics: { state: 'idle' | 'exporting' | 'done' | 'failed'; message: string | null; url: string | null; fileName: string | null };
  loadAppStatus(): Promise<void>;
  applyAppStatus(status: AppStatus): void;
  exportDiagnostics(): Promise<void>;
}

export const createDesktopSlice: SliceCreator<DesktopSlice> = (set, get, { api, toObjectUrl, revokeObjectUrl }) => ({
  appStatus: null,
  diagnostics: { state: 'idle', message: null, url: null, fileName: null },

  async loadAppStatus() {
    try {
      set({ appStatus: await api['app.status']({}) });
    } catch {
      // An older console without app.status: nothing to show.
    }
  },

  applyAppStatus(status) {
    set({ appStatus: status });
  },

  async exportDiagnostics() {
    const previous = get().diagnostics.url;
    if (previous !== null) revokeObjectUrl(previous);
    set({ diagnostics: { state: 'exporting', message: null, url: null, fileName: null } });
    try {
      const { fileName, dataBase64 } = await api['diagnostics.export']({});
      set({ diagnostics: { state: 'done', message: null, url: toObjectUrl(dataBase64, 'application/zip'), fileName } });
    } catch (error) {
      set({ diagnostics: { state: 'failed', message: errorText(error), url: null, fileName: null } });
    }
  },
});
