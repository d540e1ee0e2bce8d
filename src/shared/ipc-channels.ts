// Electron IPC channel names, spelled once for the main process and the preload.
import type { ConsoleEvent, ConsoleMethod } from './contract';

export const methodChannel = (method: ConsoleMethod): string => `branchline:${method}`;
export const eventChannel = (event: ConsoleEvent): string => `branchline:event:${event}`;
