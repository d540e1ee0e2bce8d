// Signing in with the bank's account and signing in again after a session ended, in Chromium against the built
// renderer over a scripted service (the relay's side of single sign-on is tested where it is built).
import { expect, test, type Page } from '@playwright/test';
import { installFakeBridge, type FakeBridgeSetup } from './support/fake-bridge';
import { serveFolder, type StaticServer } from './support/static-server';

const RELAY = 'wss://relay.bank.example';
const AGENT = { id: 'me', name: 'Amara Okafor', role: 'agent', teams: [] };
const SIGNED_IN = { signedIn: true, relayUrl: RELAY, agent: AGENT, relayUrlLocked: false, signInAgain: false };
const SIGNED_OUT = { ...SIGNED_IN, signedIn: false, agent: null };
const LIVE = { status: 'live', nextAttemptAt: null, queued: 0, detail: null, tlsProblem: false };
const BOTH = { sso: true, token: true, ssoIssuer: 'https://login.bank.example' };
const at = Date.UTC(2026, 10, 30, 9);
const DANA = {
  conversation: {
    id: 'c1',
    customer: { waId: '972541234567', name: 'Dana Levi' },
    assignedAgentId: 'me',
    lastInboundAt: Date.now() - 60_000,
    caseId: null,
    readUpTo: null,
    lastMessageAt: at,
    createdAt: at,
    updatedAt: at,
  },
  preview: 'Hi, I need a copy of my loan statement',
  previewDirection: 'in',
  unread: 0,
  hasDraft: false,
};

let server: StaticServer;
test.beforeAll(async () => {
  server = await serveFolder('out/renderer');
});
test.afterAll(async () => {
  await server.close();
});

async function open(page: Page, setup: Partial<FakeBridgeSetup>) {
  await page.addInitScript(installFakeBridge, { session: SIGNED_OUT, connection: LIVE, methods: BOTH, conversations: [DANA], ...setup });
  await page.goto(server.url);
}
const calls = (page: Page, method: string) =>
  page.evaluate((m) => (window as unknown as { fakeBridge: { calls(m: string): unknown[] } }).fakeBridge.calls(m), method);
const emit = (page: Page, event: string, payload: unknown) =>
  page.evaluate(([e, p]) => (window as unknown as { fakeBridge: { emit(e: unknown, p: unknown): void } }).fakeBridge.emit(e, p), [event, payload] as const);

test('the bank sign-in comes first, waits for the browser with Cancel, and says why it failed', async ({ page }) => {
  await open(page, {});
  const main = page.getByRole('main', { name: 'Sign in' });
  const sso = main.getByRole('button', { name: 'Sign in with your bank account' });
  await expect(sso).toBeFocused();
  await expect(main.getByText('relay.bank.example')).toBeVisible();
  await expect(main.getByLabel('Agent token')).toHaveCount(0);

  await sso.click();
  await expect(main.getByText('Continue in your browser…')).toBeVisible();
  expect(await calls(page, 'session.ssoStart')).toEqual([{ relayUrl: RELAY }]);
  await expect(main.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await main.getByRole('button', { name: 'Cancel' }).click();
  expect(await calls(page, 'session.ssoCancel')).toEqual([{}]);
  await expect(sso).toBeVisible();

  await sso.click();
  await emit(page, 'session.sso', { ok: false, code: 'forbidden', message: 'Your bank account is not a Branchline agent: ask your supervisor' });
  await expect(main.getByRole('alert')).toHaveText(/did not work: Your bank account is not a Branchline agent/);
  await expect(sso).toBeVisible();

  await main.getByRole('button', { name: 'Use an agent token instead' }).click();
  await expect(main.getByLabel('Agent token')).toBeFocused();

  await sso.click();
  await emit(page, 'session.sso', { ok: true, code: null, message: null });
  await emit(page, 'session.changed', SIGNED_IN);
  await expect(page.getByRole('listbox', { name: 'Conversations' }).getByRole('option', { name: /^Dana Levi/ })).toBeVisible();
});

test('a relay that takes only agent tokens shows the token form as before, without a bank button', async ({ page }) => {
  await open(page, { methods: { sso: false, token: true, ssoIssuer: null } });
  const main = page.getByRole('main', { name: 'Sign in' });
  await expect(main.getByLabel('Agent token')).toBeVisible();
  expect(await calls(page, 'session.authMethods')).toEqual([{ relayUrl: RELAY }]);
  await expect(main.getByRole('button', { name: 'Sign in with your bank account' })).toHaveCount(0);
});

test('a session that ended asks to sign in again over the workspace, and what was being typed is still there after', async ({ page }) => {
  await open(page, { session: SIGNED_IN });
  await page
    .getByRole('listbox', { name: 'Conversations' })
    .getByRole('option', { name: /^Dana Levi/ })
    .click();
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill('Your statement is on its way, and');

  await emit(page, 'connection.changed', { ...LIVE, status: 'credentials_needed', queued: 2 });
  await emit(page, 'session.changed', { ...SIGNED_IN, signedIn: false, signInAgain: true });
  const prompt = page.getByRole('dialog', { name: 'Your session has ended' });
  await expect(prompt).toContainText('Sign in again to continue as Amara Okafor.');
  await expect(prompt).toContainText('2 messages are waiting. They will be sent after you sign in.');
  await expect(prompt.getByRole('button', { name: 'Sign in with your bank account' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(prompt).toBeVisible();
  await expect(page.getByRole('listbox', { name: 'Conversations' }).getByRole('option', { name: /^Dana Levi/ })).toBeVisible();

  await emit(page, 'session.changed', SIGNED_IN);
  await emit(page, 'connection.changed', { ...LIVE, status: 'connecting', queued: 2 });
  await expect(prompt).toHaveCount(0);
  await expect(box).toHaveValue('Your statement is on its way, and');
});
