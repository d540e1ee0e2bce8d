// Child side of the bench IPC: answers the parent's commands and sends events; exits when told or orphaned.

export type Handler = (args: Record<string, unknown>) => unknown;

export function emit(event: { type: string; [key: string]: unknown }): void {
  process.send?.({ event });
}

/** Serves commands until SIGTERM (or the parent's IPC channel closes): then runs `shutdown` and exits. */
export function serve(handlers: Record<string, Handler>, shutdown: () => Promise<void>): void {
  if (process.send === undefined) throw new Error('a bench child must be started with an IPC channel');
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await shutdown();
    } finally {
      process.exit(0);
    }
  };
  process.on('message', (raw) => {
    const { id, cmd, args } = raw as { id: number; cmd: string; args: Record<string, unknown> };
    const handler = handlers[cmd];
    void (async () => {
      try {
        if (handler === undefined) throw new Error(`unknown command ${cmd}`);
        const value = await handler(args ?? {});
        process.send?.({ id, ok: true, value: value ?? null });
      } catch (error) {
        process.send?.({ id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    })();
  });
  process.once('SIGTERM', () => void stop());
  process.once('disconnect', () => void stop());
}

export function arg(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

export function requiredArg(name: string): string {
  const value = arg(name);
  if (value === undefined) throw new Error(`--${name} is required`);
  return value;
}
