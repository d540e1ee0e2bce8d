// A console device for link tests: a RelayConnection whose "local store" is an array of committed seqs.
import type { BackoffPolicy } from '../../../shared/backoff';
import type { SequencedEvent } from '../../../shared/protocol';
import { RelayConnection } from '../relay-connection';
import type { ConnectionSnapshot, RelayConnectionOptions } from '../relay-connection-types';

/** Fast retries so real-socket tests recover in milliseconds. */
export const FAST_BACKOFF: BackoffPolicy = { baseMs: 20, capMs: 200, resetAfterMs: 60_000 };

export interface TestDevice {
  conn: RelayConnection;
  /** Seqs in the order onEvents committed them (a repeat would show up twice). */
  committed: number[];
  /** Every onEvents call, including failed ones. */
  batches: number[][];
  cursor: number | null;
  /** Log events, in order, with their fields. */
  log: { event: string; fields: Record<string, unknown> }[];
  states: ConnectionSnapshot[];
  count(event: string): number;
}

export function testDevice(
  relayUrl: string,
  token: string,
  options: Partial<RelayConnectionOptions> & { startCursor?: number | null; beforeCommit?: (events: SequencedEvent[]) => void | Promise<void> } = {},
): TestDevice {
  const { startCursor = null, beforeCommit, ...rest } = options;
  const device: TestDevice = {
    conn: undefined as unknown as RelayConnection,
    committed: [],
    batches: [],
    cursor: startCursor,
    log: [],
    states: [],
    count: (event) => device.log.filter((l) => l.event === event).length,
  };
  device.conn = new RelayConnection({
    relayUrl,
    token,
    deviceId: 'dev-1',
    cursor: () => device.cursor,
    onEvents: async (events) => {
      device.batches.push(events.map((e) => e.seq));
      await beforeCommit?.(events);
      device.committed.push(...events.map((e) => e.seq));
      device.cursor = events.at(-1)!.seq;
      device.log.push({ event: 'test.committed', fields: { seq: device.cursor } });
    },
    onResync: async (hello) => {
      device.cursor = hello.head;
    },
    onStateChange: (snapshot) => device.states.push(snapshot),
    backoff: FAST_BACKOFF,
    log: (event, fields = {}) => device.log.push({ event, fields }),
    ...rest,
  });
  return device;
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

export async function customerWrites(relayUrl: string, text: string): Promise<void> {
  const res = await fetch(`${relayUrl}/sandbox/inbound`, { method: 'POST', body: JSON.stringify({ from: '972541234567', name: 'Dana', text }) });
  if (res.status !== 200) throw new Error(`sandbox inbound answered ${res.status}`);
  await res.arrayBuffer();
}
