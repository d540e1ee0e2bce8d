// The console as a test sees it: found by role and accessible name, the way an agent's screen reader would.
import { expect, type Locator, type Page } from '@playwright/test';

export function statusRegion(page: Page): Locator {
  return page.getByRole('status');
}

export function conversationList(page: Page): Locator {
  return page.getByRole('listbox', { name: 'Conversations' });
}

export function conversationOption(page: Page, customerName: string): Locator {
  return conversationList(page).getByRole('option', { name: new RegExp(`^${escapeRegExp(customerName)}`) });
}

/** A bubble in the open conversation whose accessible name contains `text`. */
export function messageItem(page: Page, text: string): Locator {
  return page.getByRole('list', { name: 'Messages' }).getByRole('listitem', { name: new RegExp(escapeRegExp(text)) });
}

export function messageBox(page: Page): Locator {
  return page.getByRole('textbox', { name: 'Message' });
}

export async function openConsole(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(statusRegion(page)).toHaveText(/Live/, { timeout: 30_000 });
}

/**
 * After the relay is back: waits (bounded) for Live, pressing "Retry now" whenever the status bar offers it,
 * as an agent would, so the test does not sit out a long backoff.
 */
export async function waitUntilLiveAgain(page: Page, timeoutMs = 60_000): Promise<void> {
  const retry = page.getByRole('button', { name: 'Retry now' });
  await expect(async () => {
    if (await retry.isVisible()) await retry.click({ timeout: 1_000 }).catch(() => undefined);
    await expect(statusRegion(page)).toHaveText(/^\W*Live$/, { timeout: 2_000 });
  }).toPass({ timeout: timeoutMs });
}

/**
 * On the sign-in screen of a relay that offers single sign-on and tokens (the sandbox): asks the relay (Enter in the
 * address), then takes the second way in, "Use an agent token instead".
 */
export async function signInWithToken(page: Page, relayUrl: string, token: string): Promise<void> {
  const form = page.getByRole('main', { name: 'Sign in' });
  await form.getByLabel('Relay address').fill(relayUrl);
  await form.getByLabel('Relay address').press('Enter');
  await form.getByRole('button', { name: 'Use an agent token instead' }).click();
  await form.getByLabel('Agent token').fill(token);
  await form.getByRole('button', { name: 'Sign in', exact: true }).click();
}

export async function openConversation(page: Page, customerName: string): Promise<void> {
  const option = conversationOption(page, customerName);
  await option.click();
  await expect(option).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('heading', { level: 2, name: customerName }).first()).toBeVisible();
}

/** Types a message and presses Enter, the way an agent sends. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = messageBox(page);
  await box.fill(text);
  await box.press('Enter');
  await expect(box).toHaveValue('');
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
