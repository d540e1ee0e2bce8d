// A live conversation through the real stack: a customer's message arrives, the agent's reply goes
// Queued → Delivered → Read, and a draft survives a reload.
import { expect, test } from '@playwright/test';
import { conversationList, conversationOption, messageBox, messageItem, openConsole, openConversation, sendMessage } from './support/console-page';
import { samplePng } from './support/sample-files';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
test.beforeAll(async () => {
  stack = await startStack();
});
test.afterAll(async () => {
  await stack?.close();
});

test('a customer’s message reaches the open console without a reload', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await openConsole(page, stack.consoleUrl);
  await stack.customerWrites('972541234567', 'Dana Levi', 'Hi, I need a copy of my loan statement for March.');

  const dana = conversationOption(page, 'Dana Levi');
  await expect(dana).toHaveAccessibleName(/^Dana Levi, 1 unread, Unassigned, Window open, .*loan statement for March/);
  await openConversation(page, 'Dana Levi');
  await expect(messageItem(page, 'loan statement for March')).toBeVisible();

  // While the conversation is open, the next message appears in it; opening did not mark anything read.
  await stack.customerWrites('972541234567', 'Dana Levi', 'It is for the mortgage account.');
  await expect(messageItem(page, 'for the mortgage account')).toBeVisible();
  await expect(dana).toHaveAccessibleName(/^Dana Levi, 2 unread/);
  // Under the production CSP: no violation, no script error.
  expect(problems).toEqual([]);
});

test('a reply shows Queued, then Delivered, then Read', async ({ page }) => {
  await openConsole(page, stack.consoleUrl);
  await openConversation(page, 'Dana Levi');

  // Every accessible name the bubble takes is recorded in the page, so a short-lived state is not missed.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seenNames: string[] }).seenNames = seen;
    const record = () => {
      for (const item of document.querySelectorAll('[role="listitem"][aria-label*="I will send it today"]')) {
        const name = item.getAttribute('aria-label') ?? '';
        if (seen.at(-1) !== name) seen.push(name);
      }
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-label'] });
  });

  await sendMessage(page, 'Thank you, I will send it today.');
  const reply = messageItem(page, 'I will send it today');
  await expect(reply).toHaveAccessibleName(/^You, .*I will send it today\. — Read$/, { timeout: 20_000 });

  const states = await page.evaluate(() => (window as unknown as { seenNames: string[] }).seenNames.map((name) => name.slice(name.lastIndexOf(' — ') + 3)));
  expect(states[0]).toBe('Queued');
  const at = (state: string) => states.indexOf(state);
  expect(at('Delivered')).toBeGreaterThan(at('Queued'));
  expect(at('Read')).toBeGreaterThan(at('Delivered'));

  // The sandbox's WhatsApp received exactly that text.
  expect((await stack.outbound('972541234567')).map((m) => m.text)).toContain('Thank you, I will send it today.');
});

test('a draft is saved as it is typed and is back after a reload', async ({ page }) => {
  await stack.customerWrites('972527654321', 'Yossi Cohen', 'Is the Herzl St. branch open on Friday?');
  await openConsole(page, stack.consoleUrl);
  await openConversation(page, 'Yossi Cohen');
  await messageBox(page).fill('Yes, from 8:30 until 12:30.\nShould I book you a slot');
  await expect(page.getByText('Draft saved')).toBeVisible();

  await page.reload();
  await expect(conversationOption(page, 'Yossi Cohen')).toHaveAccessibleName(/Draft/);
  await openConversation(page, 'Yossi Cohen');
  await expect(messageBox(page)).toHaveValue('Yes, from 8:30 until 12:30.\nShould I book you a slot');
  // Shift+Enter adds a line instead of sending.
  await messageBox(page).press('End');
  await messageBox(page).press('Shift+Enter');
  await expect(messageBox(page)).toHaveValue('Yes, from 8:30 until 12:30.\nShould I book you a slot\n');
});

test('a photo is shown as a thumbnail at once and enlarges; a file WhatsApp refuses is stopped first', async ({ page }) => {
  await openConsole(page, stack.consoleUrl);
  await openConversation(page, 'Dana Levi');
  const fileInput = page.locator('input[type="file"]');

  await fileInput.setInputFiles({ name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
  await expect(page.getByRole('alert')).toHaveText(/WhatsApp accepts JPEG and PNG photos/);

  await fileInput.setInputFiles({ name: 'statement.png', mimeType: 'image/png', buffer: samplePng() });
  await expect(page.getByRole('button', { name: 'Remove attachment statement.png' })).toBeVisible();
  await sendMessage(page, 'Here is the statement');
  const photo = messageItem(page, 'Photo: Here is the statement');
  await expect(photo.getByRole('img', { name: 'Here is the statement' })).toBeVisible();

  await photo.getByRole('button', { name: 'Enlarge: Here is the statement' }).click();
  const viewer = page.getByRole('dialog', { name: 'Here is the statement' });
  await expect(viewer).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(viewer).toBeHidden();
});

test('a photo reaches WhatsApp', async ({ page }) => {
  await openConsole(page, stack.consoleUrl);
  await openConversation(page, 'Dana Levi');
  await page.locator('input[type="file"]').setInputFiles({ name: 'id-card.png', mimeType: 'image/png', buffer: samplePng() });
  await messageBox(page).press('Enter');
  await expect(messageItem(page, 'You, ')).not.toHaveCount(0);
  await expect(page.getByRole('listitem', { name: /^You, .*: Photo — (Delivered|Read)$/ })).toBeVisible({ timeout: 20_000 });
  expect((await stack.outbound('972541234567')).some((m) => m.type === 'image')).toBe(true);
});

test('the list works from the keyboard: arrows move, Enter opens', async ({ page }) => {
  await openConsole(page, stack.consoleUrl);
  const search = page.getByRole('searchbox', { name: 'Search customers and messages' });
  await search.focus();
  await page.keyboard.press('ArrowDown');
  await expect(conversationList(page)).toBeFocused();
  const options = conversationList(page).getByRole('option');
  await expect(options).toHaveCount(2);
  const names = await options.evaluateAll((items) => items.map((item) => item.getAttribute('aria-label') ?? ''));
  const second = names[1]!.split(',')[0]!;
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(conversationOption(page, second)).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('heading', { level: 2, name: second }).first()).toBeVisible();
  await page.keyboard.press('Home');
  await page.keyboard.press('Enter');
  await expect(conversationOption(page, names[0]!.split(',')[0]!)).toHaveAttribute('aria-selected', 'true');
});

test('the customer panel takes the conversation, links a case and marks messages read only when asked', async ({ page }) => {
  await openConsole(page, stack.consoleUrl);
  await openConversation(page, 'Yossi Cohen');
  const panel = page.getByRole('complementary', { name: 'Customer' });
  const yossi = conversationOption(page, 'Yossi Cohen');
  await expect(yossi).toHaveAccessibleName(/1 unread/);

  await panel.getByRole('button', { name: 'Take conversation' }).click();
  await expect(panel.getByText('Assigned to you')).toBeVisible();
  await expect(yossi).toHaveAccessibleName(/^Yossi Cohen, 1 unread, Mine,/);

  await panel.getByRole('button', { name: 'Link a case' }).click();
  await panel.getByLabel('Case number').fill('not a case!');
  await panel.getByRole('button', { name: 'Save case' }).click();
  await expect(panel.getByText(/A case number is 1 to 64/)).toBeVisible();
  await panel.getByLabel('Case number').fill('LOAN-2291');
  await panel.getByRole('button', { name: 'Save case' }).click();
  await expect(panel.getByText('LOAN-2291')).toBeVisible();

  await panel.getByRole('button', { name: 'Mark as read' }).click();
  await expect(yossi).not.toHaveAccessibleName(/unread/);
  await expect(panel.getByRole('button', { name: 'Mark as read' })).toBeDisabled();

  await panel.getByRole('button', { name: 'Release to the team' }).click();
  await expect(yossi).toHaveAccessibleName(/^Yossi Cohen, Unassigned,/);
});
