// Thousands of conversations: the list stays virtualised (a few dozen rows in the page), scrolls to the end
// page by page, and a new message still moves its conversation to the top.
import { expect, test } from '@playwright/test';
import { conversationList, conversationOption, openConsole } from './support/console-page';
import { startStack, type InboundMessage, type Stack } from './support/stack';

const COUNT = 1500;
const waId = (i: number) => `97250${String(i).padStart(7, '0')}`;

let stack: Stack;
test.beforeAll(async () => {
  stack = await startStack();
  const now = Date.now();
  const messages: InboundMessage[] = [];
  for (let i = 0; i < COUNT; i++)
    messages.push({ from: waId(i), name: `Customer ${String(i).padStart(4, '0')}`, text: `Question ${i}`, at: now - (COUNT - i) * 1_000 });
  for (let i = 0; i < COUNT; i += 500) await stack.deliverWebhook(messages.slice(i, i + 500));
});
test.afterAll(async () => {
  await stack?.close();
});

test('a list of 1,500 conversations renders only what is visible and scrolls to the end', async ({ page }) => {
  await openConsole(page, stack.consoleUrl);
  const list = conversationList(page);
  await expect(conversationOption(page, 'Customer 1499')).toBeVisible({ timeout: 20_000 });
  await expect(list.getByRole('option').first()).toHaveAttribute('aria-setsize', String(COUNT));
  expect(await list.getByRole('option').count()).toBeLessThan(60);

  // End moves the keyboard cursor to the last loaded row; repeated, it reaches the very last conversation.
  await list.focus();
  await expect(async () => {
    await page.keyboard.press('End');
    await expect(conversationOption(page, 'Customer 0000')).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  expect(await list.getByRole('option').count()).toBeLessThan(60);

  await stack.customerWrites(waId(0), 'Customer 0000', 'I am back at the top');
  await list.evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(list.getByRole('option').first()).toHaveAccessibleName(/^Customer 0000, .*I am back at the top/);
});
