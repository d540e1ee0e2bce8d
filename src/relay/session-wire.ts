// How a session opens and writes its frames: where its stream starts and the hello of its version, event batches
// within the frame budget, refusals.
import { z } from 'zod';
import type { Clock } from '../shared/clock';
import { fail, type AppError, type Result } from '../shared/errors';
import type { HelloFrame, ProtocolVersion, WireError } from '../shared/protocol';
import type { HelloFrameV1 } from '../shared/protocol-v1';
import type { SessionDeps } from './agent-session';
import { startingPoint } from './domain/visible-stream';
import type { StoredEvent } from './store/relay-store';

/** Everything in a hello but its version, which the session's protocol decides. */
export type HelloFields = Omit<HelloFrame, 'type' | 'protocol'>;

/** A v1 console refuses a hello that does not say 1, and its hello is frozen: the agent without role and teams. */
export function helloFrame(protocol: ProtocolVersion, fields: HelloFields): HelloFrame | HelloFrameV1 {
  if (protocol === 2) return { type: 'hello', protocol: 2, ...fields };
  return { type: 'hello', protocol: 1, ...fields, agent: { id: fields.agent.id, name: fields.agent.name } };
}

/**
 * Where the device's stream starts (resume, or resync from head when its cursor is lost or its agent's access changed)
 * and the hello saying so; remembers the device's access when that is already settled, and audits the sign-in.
 */
export async function openStream(
  deps: Pick<SessionDeps, 'store' | 'settings' | 'since' | 'agent' | 'deviceId' | 'sessionId' | 'protocol' | 'source' | 'transportName' | 'clock' | 'log'>,
): Promise<{ hello: string; cursor: number; recordAccessAt: number | null }> {
  const { store, settings, since, agent, deviceId } = deps;
  const head = await store.head();
  const oldest = await store.oldest();
  const deviceAccessVersion = await store.deviceAccessVersion(agent.id, deviceId);
  const start = startingPoint({ since, head, oldest, accessVersion: agent.accessVersion, deviceAccessVersion });
  if (start.recordAccess === 'now') await store.recordDeviceAccess(agent.id, deviceId, agent.accessVersion, deps.clock.wallNow());
  const hello = helloFrame(deps.protocol, {
    sessionId: deps.sessionId,
    agent: { id: agent.id, name: agent.name, role: agent.role, teams: [...agent.teams] },
    deviceId,
    head,
    oldest,
    mode: start.mode,
    heartbeatMs: settings.heartbeatMs,
    deadAfterMs: settings.deadAfterMs,
    maxFrameBytes: settings.maxFrameBytes,
    eventWindow: settings.eventWindow,
  });
  const accessChanged = deviceAccessVersion !== null && deviceAccessVersion !== agent.accessVersion;
  deps.log.info('session.started', { protocol: hello.protocol, mode: hello.mode, since, head, accessChanged });
  await store.appendAudit({
    at: deps.clock.wallNow(),
    action: 'session.sign_in',
    actorId: agent.id,
    source: deps.source,
    detail: { deviceId, transport: deps.transportName, protocol: hello.protocol, mode: hello.mode, accessChanged },
  });
  return { hello: JSON.stringify(hello), cursor: start.cursor, recordAccessAt: start.recordAccess === 'on_catch_up' ? head : null };
}

/**
 * As many of these consecutive events as fit in one frame (always at least one). Stored JSON goes out as it is: no
 * parse and re-serialise per event.
 */
export function eventsFrame(events: readonly StoredEvent[], maxFrameBytes: number): { text: string; lastSeq: number; count: number } {
  let frame = '{"type":"events","events":[';
  let budget = maxFrameBytes - 64;
  let count = 0;
  for (const e of events) {
    const item = `{"seq":${e.seq},"event":${e.json}}`;
    if (count > 0 && item.length + 1 > budget) break;
    frame += (count > 0 ? ',' : '') + item;
    budget -= item.length + 1;
    count += 1;
  }
  return { text: `${frame}]}`, lastSeq: events[count - 1]!.seq, count };
}

/** Just enough of a request frame to answer it: the rest of it was what failed. */
const RequestId = z.looseObject({ type: z.literal('req'), id: z.string().min(1).max(64) });

/** The id of a malformed request frame, when it has a usable one. */
export function requestIdOf(text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = RequestId.safeParse(value);
  return parsed.success ? parsed.data.id : null;
}

/** The work's result, or `timeout` once the request's deadline passed (the work may still finish: it is not cancelled). */
export async function withDeadline(clock: Clock, deadlineMs: number | undefined, work: () => Promise<Result<unknown>>): Promise<Result<unknown>> {
  if (deadlineMs === undefined) return work();
  let cancel = () => {};
  const deadline = new Promise<Result<unknown>>((resolve) => {
    cancel = clock.setTimer(deadlineMs, () => resolve(fail('timeout', `no result within the request's ${deadlineMs} ms deadline`, true)));
  });
  try {
    return await Promise.race([work(), deadline]);
  } finally {
    cancel();
  }
}

export function toWire(error: AppError): WireError {
  return { code: error.code, message: error.message, retryable: error.retryable };
}
