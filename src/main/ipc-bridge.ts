// The console service over Electron IPC: one ipcMain.handle per contract method, events to our windows only.
// Nothing the renderer sends is trusted (invariant 3): the sender frame is checked here; the service parses the input.
import { CONSOLE_METHODS, type ConsoleEvent, type ConsoleMethod, type EventPayload, type WireResult } from '../shared/contract';
import type { ConsoleService } from './core/console-service';
import { originOf } from './security';

/** Channel names; the preload (src/preload/bridge-api.ts) spells them the same way. */
export { eventChannel, methodChannel } from '../shared/ipc-channels';
import { eventChannel, methodChannel } from '../shared/ipc-channels';

/** The parts of Electron's WebFrameMain the sender check reads. */
export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
}

/** The parts of Electron's IpcMainInvokeEvent the sender check reads. */
export interface InvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: FrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface BridgeWindow {
  isDestroyed(): boolean;
  readonly webContents: { readonly id: number; isDestroyed(): boolean; getURL(): string; send(channel: string, ...args: unknown[]): void };
}

export interface IpcBridgeOptions {
  ipcMain: IpcMainLike;
  service: Pick<ConsoleService, 'call' | 'on'>;
  /** Our windows: calls are accepted from them, events go to them. */
  windows: () => readonly BridgeWindow[];
  /** `app://branchline` in production, the dev server's origin in development. */
  appOrigin: string;
  log?: (event: string, fields?: Record<string, unknown>) => void;
}

export interface IpcBridge {
  /** Sends an event to our windows (the service's own events are forwarded already). */
  emit<E extends ConsoleEvent>(event: E, payload: EventPayload<E>): void;
  dispose(): void;
}

/** Why a call is refused, or null when it comes from the top frame of one of our windows showing our app. */
export function senderProblem(event: InvokeEventLike, windows: readonly BridgeWindow[], appOrigin: string): string | null {
  const frame = event.senderFrame;
  // A frame that navigated away or was destroyed while the call was in flight has no senderFrame.
  if (frame === null) return 'no sender frame';
  if (frame.parent !== null) return 'sub-frame';
  if (originOf(frame.url) !== appOrigin) return 'foreign origin';
  if (!windows.some((w) => !w.isDestroyed() && w.webContents.id === event.sender.id)) return 'not our window';
  return null;
}

export function registerIpcBridge(options: IpcBridgeOptions): IpcBridge {
  const { ipcMain, service, windows, appOrigin } = options;
  const log = options.log ?? (() => {});
  const methods = Object.keys(CONSOLE_METHODS) as ConsoleMethod[];

  for (const method of methods) {
    ipcMain.handle(methodChannel(method), async (event, input): Promise<WireResult<unknown>> => {
      const problem = senderProblem(event, windows(), appOrigin);
      if (problem !== null) {
        // The origin only: a URL's path or query could carry anything.
        log('ipc.refused', { method, reason: problem, origin: event.senderFrame === null ? null : originOf(event.senderFrame.url) });
        return { ok: false, error: { code: 'forbidden', message: 'this page may not use the console service' } };
      }
      try {
        return await service.call(method, input);
      } catch (error) {
        // The service answers errors as values; a throw is a bug, and its text may hold user input.
        log('ipc.failed', { method, error: error instanceof Error ? error.name : 'unknown' });
        return { ok: false, error: { code: 'internal', message: `${method} failed; the details are in the log` } };
      }
    });
  }

  const emit = <E extends ConsoleEvent>(event: E, payload: EventPayload<E>): void => {
    for (const window of windows()) {
      if (window.isDestroyed() || window.webContents.isDestroyed()) continue;
      // A window that shows anything but our app (it cannot navigate, but a crash page could) gets nothing.
      if (originOf(window.webContents.getURL()) !== appOrigin) continue;
      window.webContents.send(eventChannel(event), payload);
    }
  };
  const unsubscribe = service.on(emit);

  return {
    emit,
    dispose() {
      unsubscribe();
      for (const method of methods) ipcMain.removeHandler(methodChannel(method));
    },
  };
}
