// What the sign-in screen offers: the bank's sign-on first when the relay takes it, the agent token where IT allows it.
import { describe, expect, it } from 'vitest';
import { signInView } from './sign-in-view';

const SSO_ONLY = { sso: true, token: false, ssoIssuer: 'https://login.bank.example' };
const TOKEN_ONLY = { sso: false, token: true, ssoIssuer: null };
const BOTH = { sso: true, token: true, ssoIssuer: 'https://login.bank.example' };
const fresh = { opened: false, typed: false };

describe('the ways in the sign-in screen shows', () => {
  it('a relay that takes only the agent token: no bank sign-in button, the token field as today', () => {
    expect(signInView(TOKEN_ONLY, 'idle', fresh)).toEqual({ sso: false, token: 'shown', waiting: false });
  });

  it('a relay that takes only single sign-on: the bank button and no token field at all', () => {
    expect(signInView(SSO_ONLY, 'idle', fresh)).toEqual({ sso: true, token: 'hidden', waiting: false });
    expect(signInView(SSO_ONLY, 'idle', { opened: true, typed: true }).token).toBe('hidden');
  });

  it('both: the bank button first, the token behind "Use an agent token instead" until asked for (or already typed in)', () => {
    expect(signInView(BOTH, 'idle', fresh)).toEqual({ sso: true, token: 'collapsed', waiting: false });
    expect(signInView(BOTH, 'idle', { opened: true, typed: false }).token).toBe('shown');
    expect(signInView(BOTH, 'idle', { opened: false, typed: true }).token).toBe('shown');
  });

  it('before the relay has answered (or when asking failed): the token field, so older relays still work', () => {
    expect(signInView(null, 'idle', fresh)).toEqual({ sso: false, token: 'shown', waiting: false });
  });

  it('while the browser is out: only the waiting note (with Cancel); a failed or cancelled attempt offers both again', () => {
    for (const phase of ['starting', 'waiting'] as const) expect(signInView(BOTH, phase, fresh)).toEqual({ sso: false, token: 'hidden', waiting: true });
    for (const phase of ['failed', 'cancelled'] as const) expect(signInView(BOTH, phase, fresh)).toEqual({ sso: true, token: 'collapsed', waiting: false });
  });
});
