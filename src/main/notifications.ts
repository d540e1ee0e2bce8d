// Shows the core's notification.show events as native notifications: one per conversation, click opens it.
// Whether to notify at all (focus, privacy, the open conversation) is decided in core/notification-policy.ts.
import type { ConsoleEvent, EventPayload } from '../shared/contract';
import type { Console } from './core/create-console';
import { showAndFocus, type FocusableWindow } from './lifecycle';

export const APP_USER_MODEL_ID = 'com.branchline.console';

type Log = (event: string, fields?: Record<string, unknown>) => void;

export interface NotificationLike {
  show(): void;
  close(): void;
  on(event: 'click', listener: () => void): unknown;
  on(event: 'close', listener: () => void): unknown;
}

export type NotificationFactory = (options: { title: string; body: string; silent: boolean }) => NotificationLike;

export interface NotifierWindow extends FocusableWindow {
  isFocused(): boolean;
  flashFrame(flag: boolean): void;
  once(event: 'focus', listener: () => void): unknown;
}

export interface NotificationsOptions {
  service: Pick<Console, 'on' | 'settings'>;
  app: { setAppUserModelId(id: string): void };
  platform: NodeJS.Platform;
  /** `(options) => new Notification(options)`; null where the OS has no notifications (Notification.isSupported()). */
  createNotification: NotificationFactory | null;
  window: () => NotifierWindow | null;
  /** The tray's "Pause notifications". */
  paused: () => boolean;
  /** Sends a contract event to the renderer (the IPC bridge's emit). */
  emit: <E extends ConsoleEvent>(event: E, payload: EventPayload<E>) => void;
  log?: Log;
}

export interface Notifications {
  /** Closes what is on screen (sign-out, quit). */
  closeAll(): void;
  dispose(): void;
}

export function attachNotifications(options: NotificationsOptions): Notifications {
  const log = options.log ?? (() => {});
  // Without an AppUserModelID, Windows shows no toasts for an unpackaged app and groups them wrongly otherwise.
  if (options.platform === 'win32') options.app.setAppUserModelId(APP_USER_MODEL_ID);

  // Kept here, not only by the OS: a notification object that is garbage-collected loses its click handler.
  const shown = new Map<string, NotificationLike>();

  const open = (conversationId: string) => {
    showAndFocus(options.window());
    options.emit('navigation.openConversation', { conversationId });
  };

  const show = (payload: EventPayload<'notification.show'>) => {
    if (options.paused() || options.createNotification === null) return;
    const { conversationId } = payload;
    // One per conversation: the newest message replaces the previous notification instead of stacking.
    const previous = shown.get(conversationId);
    if (previous !== undefined) {
      shown.delete(conversationId);
      previous.close();
    }
    const notification = options.createNotification({ title: payload.title, body: payload.body ?? '', silent: !options.service.settings().sounds });
    shown.set(conversationId, notification);
    const forget = () => {
      if (shown.get(conversationId) === notification) shown.delete(conversationId);
    };
    notification.on('click', () => {
      forget();
      open(conversationId);
    });
    notification.on('close', forget);
    notification.show();
    log('notification.shown'); // never the title or body: a customer's name and words

    const window = options.window();
    if (window !== null && !window.isDestroyed() && !window.isFocused()) {
      window.flashFrame(true);
      window.once('focus', () => {
        if (!window.isDestroyed()) window.flashFrame(false);
      });
    }
  };

  const closeAll = () => {
    const all = [...shown.values()];
    shown.clear();
    for (const notification of all) notification.close();
  };

  const unsubscribe = options.service.on((event, payload) => {
    if (event === 'notification.show') show(payload as EventPayload<'notification.show'>);
    // Signed out: what is on screen belongs to a session that is gone.
    else if (event === 'session.changed' && !(payload as EventPayload<'session.changed'>).signedIn) closeAll();
  });

  return {
    closeAll,
    dispose() {
      unsubscribe();
      closeAll();
    },
  };
}
