// The agent's preferences (settings.get/set): shown at once, confirmed by the service's answer or event.
import type { Settings } from '../../shared/contract';
import type { SliceCreator } from '../store/app-state';
import { errorText } from '../ui/error-text';

export interface SettingsSlice {
  settings: Settings | null;
  settingsError: string | null;
  loadSettings(): Promise<void>;
  updateSettings(patch: Partial<Settings>): Promise<void>;
  applySettings(settings: Settings): void;
}

export const createSettingsSlice: SliceCreator<SettingsSlice> = (set, _get, { api }) => {
  // The service's last word, and the changes still on their way: an answer to an earlier change must not
  // flip a later choice back, even for a moment.
  let confirmed: Settings | null = null;
  let pending: { id: number; patch: Partial<Settings> }[] = [];
  let nextId = 0;
  const shown = (): Settings | null => (confirmed === null ? null : pending.reduce<Settings>((acc, p) => ({ ...acc, ...p.patch }), confirmed));

  return {
    settings: null,
    settingsError: null,

    async loadSettings() {
      try {
        confirmed = await api['settings.get']({});
        set({ settings: shown(), settingsError: null });
      } catch (error) {
        set({ settingsError: errorText(error) });
      }
    },

    async updateSettings(patch) {
      const id = nextId++;
      pending.push({ id, patch });
      set({ settings: shown() });
      try {
        confirmed = await api['settings.set'](patch);
        pending = pending.filter((p) => p.id !== id);
        set({ settings: shown(), settingsError: null });
      } catch (error) {
        pending = pending.filter((p) => p.id !== id);
        set({ settings: shown(), settingsError: errorText(error) });
      }
    },

    applySettings(settings) {
      confirmed = settings;
      set({ settings: shown() });
    },
  };
};
