// Single sign-on as the agent goes through it (a scripted link, a real cache, the real /v1/auth client against the
// fake relay and its one-click provider on 127.0.0.1; a fetch plays the browser): the loopback redirect, the web
// preview's own callback, cancelling, a foreign state, an identity that is no agent, and a browser that never returns.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionAgent } from '../../shared/contract';
import type { Console, ConsoleOptions } from './create-console';
import { startPreviewServer, type PreviewServer } from './preview/preview-server';
import { createRelayAuthClient } from './relay-auth-client';
import { memoryTokenStore } from './session-service';
import { SSO_WAIT_MS } from './sso-sign-in';
import { FakeAuthRelay, type FakeAgent } from './test-support/fake-auth-relay';
import { scriptedConsole } from './test-support/scripted-relay';

const ANA: FakeAgent = { id: 'ana', name: 'Ana Cohen', role: 'agent', teams: ['main'] };
const consoles: Console[] = [];
const servers: PreviewServer[] = [];
let fake: FakeAuthRelay;

beforeEach(async () => {
  fake = await new FakeAuthRelay().start();
  fake.identities.set('ana', ANA);
  fake.identities.set('visitor', null);
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const c of consoles.splice(0)) await c.stop();
  await fake.close();
});

const asSessionAgent = (agent: FakeAgent | null): SessionAgent | null =>
  agent === null ? null : { id: agent.id, name: agent.name, role: 'agent', teams: agent.teams.map((id) => ({ id, name: id })) };

function ssoConsole(sso: ConsoleOptions['sso']) {
  const tokens = memoryTokenStore();
  const ctx = scriptedConsole((c) => consoles.push(c), undefined, { auth: createRelayAuthClient(), tokens, ...(sso !== undefined && { sso }) });
  ctx.relay.agentOf = (token) => asSessionAgent(fake.agentOfAccess(token));
  ctx.relay.onAttempt = () => ctx.relay.hello();
  return { ...ctx, tokens };
}

/** The system browser: opened at the provider, it follows the redirects back to the console and shows the last page. */
async function browse(url: string): Promise<{ status: number; page: string; url: string }> {
  const answer = await fetch(url, { redirect: 'follow' });
  return { status: answer.status, page: await answer.text(), url: answer.url };
}

describe('single sign-on through the system browser (loopback redirect)', () => {
  it('signs the agent in, with a page that says so and holds no secret', async () => {
    const opened: string[] = [];
    const ctx = ssoConsole({ openExternal: async (url) => void opened.push(url) });
    expect(await ctx.value('session.authMethods', { relayUrl: fake.url })).toEqual({ sso: true, token: true, ssoIssuer: `${fake.url}/idp` });
    const started = await ctx.value<{ authorizationUrl: string; opened: boolean }>('session.ssoStart', { relayUrl: fake.url });
    expect(started.opened).toBe(true);
    expect(opened).toEqual([started.authorizationUrl]);
    expect(fake.lastRedirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);

    const shown = await browse(started.authorizationUrl);
    expect(shown.status).toBe(200);
    expect(shown.page).toContain('Signed in to Branchline — you can close this tab');
    const back = new URL(shown.url);
    for (const secret of [back.searchParams.get('code')!, back.searchParams.get('state')!, ctx.relay.token!, (await ctx.tokens.load())!]) {
      expect(shown.page).not.toContain(secret);
    }
    expect(ctx.of('session.sso')).toEqual([{ ok: true, code: null, message: null }]);
    expect(await ctx.value('session.get', {})).toMatchObject({ signedIn: true, agent: { id: 'ana' } });
    expect(ctx.of('session.changed').at(-1)).toMatchObject({ signedIn: true });
    expect(await ctx.tokens.load()).toMatch(/^blr_/);
  });

  it('after a cancel, the browser coming back signs nobody in', async () => {
    const ctx = ssoConsole({ openExternal: async () => {} });
    const started = await ctx.value<{ authorizationUrl: string }>('session.ssoStart', { relayUrl: fake.url });
    await ctx.value('session.ssoCancel', {});
    await expect(browse(started.authorizationUrl)).rejects.toThrow(); // the loopback port is closed
    expect(fake.requests).not.toContain('POST /v1/auth/oidc/finish');
    expect(await ctx.value('session.get', {})).toMatchObject({ signedIn: false });
  });

  it('refuses an answer whose state is not the one it started', async () => {
    const ctx = ssoConsole({ openExternal: async () => {} });
    await ctx.value('session.ssoStart', { relayUrl: fake.url });
    const shown = await browse(`${fake.lastRedirectUri}?code=forged_code&state=forged_state`);
    expect(shown.status).toBe(400);
    expect(shown.page).toContain('does not belong to the sign-in started here');
    expect(ctx.of('session.sso')).toEqual([expect.objectContaining({ ok: false, code: 'forbidden' })]);
    expect(fake.requests).not.toContain('POST /v1/auth/oidc/finish');
    expect(await ctx.value('session.get', {})).toMatchObject({ signedIn: false });
  });

  it('says so when the identity is not a Branchline agent', async () => {
    fake.identity = 'visitor';
    const ctx = ssoConsole({ openExternal: async () => {} });
    const started = await ctx.value<{ authorizationUrl: string }>('session.ssoStart', { relayUrl: fake.url });
    const shown = await browse(started.authorizationUrl);
    expect(shown.status).toBe(400);
    expect(shown.page).toContain('not as a Branchline agent');
    expect(ctx.of('session.sso')).toEqual([expect.objectContaining({ ok: false, code: 'forbidden' })]);
    expect(await ctx.value('session.get', {})).toMatchObject({ signedIn: false });
  });

  it('gives up after five minutes without the browser', async () => {
    const ctx = ssoConsole({ openExternal: async () => {} });
    const started = await ctx.value<{ authorizationUrl: string }>('session.ssoStart', { relayUrl: fake.url });
    ctx.clock.advance(SSO_WAIT_MS);
    expect(ctx.of('session.sso')).toEqual([expect.objectContaining({ ok: false, code: 'timeout' })]);
    await expect(browse(started.authorizationUrl)).rejects.toThrow();
  });

  it('is refused plainly where the relay has no single sign-on', async () => {
    fake.sso = false;
    const ctx = ssoConsole({ openExternal: async () => {} });
    expect(await ctx.value('session.authMethods', { relayUrl: fake.url })).toEqual({ sso: false, token: true, ssoIssuer: null });
    const result = await ctx.call('session.ssoStart', { relayUrl: fake.url });
    expect(result).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('never hands the system browser anything but an http(s) address', async () => {
    const opened: string[] = [];
    const auth = createRelayAuthClient();
    const ctx = scriptedConsole((c) => consoles.push(c), undefined, {
      auth: { ...auth, ssoStart: async () => ({ ok: true, value: { authorizationUrl: 'file:///etc/passwd', state: 's' } }) },
      sso: { openExternal: async (url) => void opened.push(url) },
    });
    expect(await ctx.value('session.ssoStart', { relayUrl: fake.url })).toMatchObject({ opened: false });
    expect(opened).toEqual([]);
  });
});

describe('single sign-on in the web preview (its own /sso/callback)', () => {
  it('comes back to the preview, which finishes the sign-in and sends the page to the console', async () => {
    let redirectUri = '';
    const ctx = ssoConsole({ redirectUri: () => redirectUri });
    const staticDir = mkdtempSync(path.join(tmpdir(), 'branchline-preview-static-'));
    const server = await startPreviewServer({
      service: ctx.core.service,
      staticDir,
      token: 'preview-token-0001',
      port: 0,
      log: () => {},
      ssoCallback: ctx.core.ssoCallback,
    });
    servers.push(server);
    redirectUri = `http://127.0.0.1:${server.port}/sso/callback`;

    const started = await ctx.value<{ authorizationUrl: string; opened: boolean }>('session.ssoStart', { relayUrl: fake.url });
    expect(started.opened).toBe(false); // the UI navigates the same page
    expect(fake.lastRedirectUri).toBe(redirectUri);
    const shown = await browse(started.authorizationUrl);
    expect(shown.url.startsWith(redirectUri)).toBe(true);
    expect(shown.page).toContain('http-equiv="refresh" content="0;url=/"');
    expect(await ctx.value('session.get', {})).toMatchObject({ signedIn: true, agent: { id: 'ana' } });

    // Once used, the same answer signs nobody in again.
    const again = await browse(shown.url);
    expect(again.status).toBe(400);
  });
});
