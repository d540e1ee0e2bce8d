// Signing in: the relay's host is named plainly; a plain ws:// address elsewhere and a wrong token are refused in
// words and the relay address stays; the right one opens the console.
import { expect, test } from '@playwright/test';
import { conversationList, statusRegion } from './support/console-page';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
test.beforeAll(async () => {
  // The console starts with a token the relay never issued: it cannot sign in by itself.
  stack = await startStack({ previewToken: 'blt_not_a_token_the_relay_knows' });
});
test.afterAll(async () => {
  await stack?.close();
});

test('a wrong token shows a clear error and keeps the relay address', async ({ page }) => {
  await page.goto(stack.consoleUrl);
  const form = page.getByRole('main', { name: 'Sign in' });
  await expect(form.getByRole('heading', { name: 'Sign in to Branchline' })).toBeVisible();
  await expect(statusRegion(page)).toHaveText(/Signed out/);

  const address = form.getByLabel('Relay address');
  const token = form.getByLabel('Agent token');
  // A "new relay address" from a phishing e-mail: its host is on screen, and the token is not sent to it.
  await address.fill('ws://relay.bank-example.net');
  await expect(form.getByText('Relay: relay.bank-example.net (not encrypted')).toBeVisible();
  await token.fill(stack.token);
  await form.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(form.getByRole('alert')).toHaveText(/relay\.bank-example\.net is not an encrypted address .*your token was not sent/);

  await address.fill(stack.relayUrl);
  await expect(form.getByText(`Relay: ${new URL(stack.relayUrl).host}`)).toBeVisible();
  // This relay offers the bank's sign-on first; the token already typed keeps its field open.
  await address.press('Enter');
  await expect(form.getByRole('button', { name: 'Sign in with your bank account', exact: true })).toBeVisible();
  await token.fill('blt_wrong_token_typed_by_hand');
  await form.getByRole('button', { name: 'Sign in', exact: true }).click();

  await expect(form.getByRole('alert')).toHaveText(/The relay did not accept this token/);
  await expect(address).toHaveValue(stack.relayUrl);

  await token.fill(stack.token);
  await form.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(conversationList(page)).toBeVisible();
  await expect(statusRegion(page)).toHaveText(/Live/);
});

test('settings apply at once and are kept: theme and notification privacy', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(stack.consoleUrl);
  await expect(statusRegion(page)).toHaveText(/Live/);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();

  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByRole('radio', { name: 'Dark' }).check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await background()).not.toBe(light);
  // Hidden by default (notifications show on a locked screen); the agent may choose to show the text.
  await expect(dialog.getByRole('radio', { name: 'Hide the message text (name only)' })).toBeChecked();
  await dialog.getByRole('radio', { name: 'Show the message text' }).check();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(dialog.getByRole('radio', { name: 'Show the message text' })).toBeChecked();
  await dialog.getByRole('radio', { name: 'Same as the system' }).check();
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});
