// The agent's preferences over machine policy, what the desktop reports about itself, and the diagnostics export.
import type { AppStatus, Settings } from '../../shared/contract';
import type { HandlersOf } from './console-service';
import type { Emit } from './event-bus';
import type { LocalStore } from './local-store';
import { DEFAULT_NOTIFICATION_PRIVACY, effectiveNotificationPrivacy, type EffectivePolicy } from './policy';
import { ServiceError } from './service-types';

const DEFAULT_SETTINGS: Settings = { notificationPrivacy: DEFAULT_NOTIFICATION_PRIVACY, sounds: true, closeToTray: false, theme: 'system' };

/** What the host knows about this desktop (policy problems, token storage, updates); the policy lock is added here. */
export type HostStatus = Omit<AppStatus, 'notificationPrivacyLocked'>;

export interface SettingsServiceDeps {
  store: LocalStore;
  policy: EffectivePolicy;
  emit: Emit;
  hostStatus: () => HostStatus;
  /** Builds the diagnostics zip; absent where the host has none to offer. */
  exportDiagnostics?: () => Promise<{ fileName: string; data: Buffer }>;
}

export class SettingsService {
  constructor(private readonly deps: SettingsServiceDeps) {}

  readonly handlers: HandlersOf<'settings.get' | 'settings.set' | 'app.status' | 'diagnostics.export'> = {
    'settings.get': async () => this.settings(),
    'settings.set': async (patch) => {
      this.deps.store.session.setUserSettings(patch);
      const settings = this.settings();
      this.deps.emit('settings.changed', settings);
      return settings;
    },
    'app.status': async () => this.appStatus(),
    'diagnostics.export': async () => {
      if (this.deps.exportDiagnostics === undefined) throw new ServiceError('unavailable', 'diagnostics are not available in this window');
      const { fileName, data } = await this.deps.exportDiagnostics();
      return { fileName, dataBase64: data.toString('base64') };
    },
  };

  /** Defaults < the agent's choice < machine policy. */
  settings(): Settings {
    const chosen = this.deps.store.session.userSettings();
    return {
      ...DEFAULT_SETTINGS,
      ...chosen,
      notificationPrivacy: effectiveNotificationPrivacy(this.deps.policy, chosen.notificationPrivacy).value,
    };
  }

  appStatus(): AppStatus {
    return { ...this.deps.hostStatus(), notificationPrivacyLocked: effectiveNotificationPrivacy(this.deps.policy, undefined).locked };
  }

  /** Tells the UI that what the host reports has changed (an update was downloaded, …). */
  appStatusChanged(): void {
    this.deps.emit('app.status', this.appStatus());
  }
}
