import { describe, expect, it } from 'vitest';
import { homedSessionId, homeOf, routePoll } from './poll-home';

const SELF = 'aaaaaaaaaaaaaaaaaaaa';
const OTHER = '0123456789abcdef0123';
const UUID = '019a6b2c-1d2e-7f00-8a1b-2c3d4e5f6a7b';

describe('routePoll: where a long-poll request for a session is answered', () => {
  it.each([
    ['a session homed here', homedSessionId(SELF, UUID), false, { kind: 'here' }],
    ['a session homed here, passed on by another instance', homedSessionId(SELF, UUID), true, { kind: 'here' }],
    ['a session homed elsewhere', homedSessionId(OTHER, UUID), false, { kind: 'forward', home: OTHER }],
    ['a session homed elsewhere, already passed on once', homedSessionId(OTHER, UUID), true, { kind: 'gone', home: OTHER }],
    ['an id from a relay before homes', UUID, false, { kind: 'here' }],
    ['an id whose prefix is not an instance id', `ABCDEF0123456789ABCD-${UUID}`, false, { kind: 'here' }],
  ])('%s', (_what, sessionId, forwarded, route) => {
    expect(routePoll(sessionId, SELF, forwarded)).toEqual(route);
  });

  it('keeps a homed id within what consoles in the field accept as a session id', () => {
    const id = homedSessionId(OTHER, UUID);
    expect(id).toMatch(/^[A-Za-z0-9-]{1,64}$/);
    expect(homeOf(id)).toBe(OTHER);
  });
});
