// Which relay instance a long-poll request belongs to, read from the session id alone: no lookup per request.

/** An instance id: 20 lowercase hex digits (80 random bits), so a session id stays within what consoles accept. */
const INSTANCE_ID = /^[0-9a-f]{20}$/;
const HOMED = /^([0-9a-f]{20})-[A-Za-z0-9-]+$/;

export function isInstanceId(value: string): boolean {
  return INSTANCE_ID.test(value);
}

/**
 * A session id naming its home: `<instanceId>-<sessionId>`. The separator is a dash because consoles already in the
 * field accept only `[A-Za-z0-9-]{1,64}` as a poll session id; 20 + 1 + 36 (a UUIDv7) is 57.
 */
export function homedSessionId(instanceId: string, sessionId: string): string {
  return `${instanceId}-${sessionId}`;
}

/** The instance a session id names as its home, or null for an id from a relay before homes (a plain UUID). */
export function homeOf(sessionId: string): string | null {
  return HOMED.exec(sessionId)?.[1] ?? null;
}

export type PollRoute =
  /** This instance holds the session (or never did): the long-poll routes answer as on a single relay. */
  | { readonly kind: 'here' }
  /** Another instance holds it: pass the request on to that instance. */
  | { readonly kind: 'forward'; readonly home: string }
  /** Its home is another instance, but this request was already passed on once: that home is gone. */
  | { readonly kind: 'gone'; readonly home: string };

/**
 * Where a poll request for `sessionId` is answered. A request that another instance already forwarded is never
 * forwarded again, so two instances that disagree about a home (one restarted on the other's address) cannot loop.
 */
export function routePoll(sessionId: string, selfId: string, alreadyForwarded: boolean): PollRoute {
  const home = homeOf(sessionId);
  if (home === null || home === selfId) return { kind: 'here' };
  return alreadyForwarded ? { kind: 'gone', home } : { kind: 'forward', home };
}
