// Scenario 5: the same ingest and catch-up through Socket.IO v4 (state recovery on, acks on), committed by the same LocalStore.
import path from 'node:path';
import { startChild, stopAll, type BenchChild } from '../lib/child';
import { planForEvents } from '../lib/generate';
import { profileArgs } from '../lib/profiling';
import { tempDir } from '../lib/stack';
import { rmSync } from 'node:fs';

async function peerPair(label: string): Promise<{ server: BenchChild; client: BenchChild; close: () => Promise<void> }> {
  const dir = tempDir(label);
  let server: BenchChild | null = null;
  let client: BenchChild | null = null;
  const close = async () => {
    await stopAll(client, server);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    server = startChild('sio-server', 'bench/procs/sio-server.ts', ['--data', path.join(dir, 'server')], { nodeArgs: profileArgs(`${label}-server`) });
    const ready = await server.next('ready', 30_000);
    client = startChild('sio-client', 'bench/procs/sio-client.ts', ['--data', path.join(dir, 'client'), '--url', `http://127.0.0.1:${String(ready['port'])}`], {
      nodeArgs: profileArgs(`${label}-client`),
    });
    await client.next('ready', 30_000);
    return { server, client, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Messages per second from the first emit to the ack of the last packet. */
export async function peerIngestRun(messages: number, run: number): Promise<number> {
  const { server, client, close } = await peerPair('peer-ingest');
  try {
    await server.call('generate', { messages, tag: `p${run}` }, 600_000);
    await client.call('connect', {}, 30_000);
    const result = await server.call<{ ms: number }>('stream', { window: 2000 }, 900_000);
    return messages / (result.ms / 1000);
  } finally {
    await close();
  }
}

/** Milliseconds from the client's reconnect to its commit of the last event the server emitted while it was away. */
export async function peerCatchupRun(events: number, run: number): Promise<{ ms: number; recovered: boolean }> {
  const { server, client, close } = await peerPair('peer-catchup');
  try {
    const plan = planForEvents(events, 50);
    await server.call('generate', { messages: plan.messages, perBatch: plan.perBatch, tag: `pc${run}` }, 600_000);
    await client.call('connect', {}, 30_000);
    const primed = client.next('primed', 10_000);
    await server.call('prime');
    await primed;
    // The server must have seen the drop (and kept the session) before it emits to the absent client.
    const gone = server.next('disconnected', 10_000);
    await client.call('drop', {}, 30_000);
    await gone;
    const emitted = await server.call<{ head: number }>('emitToAbsent', {}, 300_000);
    const back = await client.call<{ at: number; recovered: boolean }>('reconnect', {}, 30_000);
    if (!back.recovered) throw new Error('Socket.IO did not recover the session, so the events emitted meanwhile are lost');
    const done = await client.call<{ at: number }>('waitSeq', { seq: emitted.head, timeoutMs: 120_000 }, 130_000);
    return { ms: done.at - back.at, recovered: back.recovered };
  } finally {
    await close();
  }
}
