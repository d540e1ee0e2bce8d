// Sending while the relay is down: messages wait as Queued, the status bar says so, and they leave in order
// once the relay is back on the same port.
import { expect, test } from '@playwright/test';
import { messageItem, openConsole, openConversation, sendMessage, signInWithToken, statusRegion, waitUntilLiveAgain } from './support/console-page';
import { startStack, type Stack } from './support/stack';

const NOA = '972509998877';
const TEXTS = ['First, while offline.', 'Second, still offline.', 'Third and last.'];

let stack: Stack;
test.beforeAll(async () => {
  stack = await startStack();
});
test.afterAll(async () => {
  await stack?.close();
});

test('three messages sent offline show Queued, then deliver in order when the relay is back', async ({ page }) => {
  // Two process restarts and a reconnect: more room than the default on a busy machine, still bounded.
  test.setTimeout(150_000);
  await stack.customerWrites(NOA, 'Noa Peretz', 'Did my transfer go through');
  await openConsole(page, stack.consoleUrl);
  await openConversation(page, 'Noa Peretz');

  await stack.stopRelay();
  await expect(statusRegion(page)).toHaveText(/Reconnecting|Offline/, { timeout: 20_000 });

  for (const text of TEXTS) await sendMessage(page, text);
  for (const text of TEXTS) await expect(messageItem(page, text)).toHaveAccessibleName(/ — Queued$/);
  await expect(statusRegion(page)).toHaveText(/(Reconnecting|Offline).* · 3 queued/);

  await stack.startRelay();
  await waitUntilLiveAgain(page);
  for (const text of TEXTS) await expect(messageItem(page, text)).toHaveAccessibleName(/ — (Delivered|Read)$/, { timeout: 20_000 });

  const sent = (await stack.outbound(NOA)).filter((m) => m.type === 'text').map((m) => m.text);
  expect(sent).toEqual(TEXTS);
});

test('signing out with a message queued asks first; kept, it goes under the agent when they sign in again', async ({ page }) => {
  test.setTimeout(150_000);
  const OREN = '972509998866';
  await stack.customerWrites(OREN, 'Oren Malka', 'Is my card ready');
  await openConsole(page, stack.consoleUrl);
  await openConversation(page, 'Oren Malka');
  await stack.stopRelay();
  await expect(statusRegion(page)).toHaveText(/Reconnecting|Offline/, { timeout: 20_000 });
  await sendMessage(page, 'Yes, at the branch from Monday.');
  await expect(statusRegion(page)).toHaveText(/ · 1 queued/);

  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByRole('button', { name: 'Sign out' }).click();
  await expect(dialog.getByRole('group', { name: '1 message has not been sent yet' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Send them when back online (as you)' }).click();
  const form = page.getByRole('main', { name: 'Sign in' });
  await expect(form.getByRole('heading', { name: 'Sign in to Branchline' })).toBeVisible();

  await stack.startRelay();
  await signInWithToken(page, stack.relayUrl, stack.token);
  await expect(statusRegion(page)).toHaveText(/Live/, { timeout: 20_000 });
  await expect
    .poll(async () => (await stack.outbound(OREN)).filter((m) => m.type === 'text').map((m) => m.text), { timeout: 20_000 })
    .toEqual(['Yes, at the branch from Monday.']);
});
