// Search finds a message far back in a long conversation and opens the conversation at it; scrolling up
// through history loads older pages while keeping the agent's place.
import { expect, test } from '@playwright/test';
import { messageItem, openConsole, openConversation } from './support/console-page';
import { startStack, type Stack, type InboundMessage } from './support/stack';

const ELI = '972548887766';
const DAY = 24 * 60 * 60 * 1000;

let stack: Stack;
test.beforeAll(async () => {
  stack = await startStack();
  const now = Date.now();
  // One old message with a rare word, then 80 newer ones: the first page (50) cannot contain it.
  const messages: InboundMessage[] = [{ from: ELI, name: 'Eli Ben-David', text: 'My old card ended in Zanzibar-4821, I lost it abroad.', at: now - 3 * DAY }];
  for (let i = 1; i <= 80; i++)
    messages.push({ from: ELI, name: 'Eli Ben-David', text: `Update number ${i} about the new card.`, at: now - 2 * DAY + i * 60_000 });
  await stack.deliverWebhook(messages);
});
test.afterAll(async () => {
  await stack?.close();
});

test('a search hit opens the conversation at the old message', async ({ page }) => {
  await openConsole(page, stack.consoleUrl);
  await page.getByRole('searchbox', { name: 'Search customers and messages' }).fill('zanzibar');
  const hit = page.getByRole('listbox', { name: 'Search results' }).getByRole('option', { name: /^Eli Ben-David.*Zanzibar-4821/ });
  await expect(hit).toBeVisible();
  await expect(hit.locator('mark')).toHaveText(/Zanzibar/i);
  await hit.click();

  const old = messageItem(page, 'Zanzibar-4821');
  await expect(old).toBeInViewport();
  await expect(messageItem(page, 'Update number 80')).toHaveCount(0);
  await page.getByRole('button', { name: 'Jump to latest' }).click();
  await expect(messageItem(page, 'Update number 80')).toBeInViewport();
});

test('scrolling up loads older history without losing the place', async ({ page }) => {
  await openConsole(page, stack.consoleUrl);
  await openConversation(page, 'Eli Ben-David');
  await expect(messageItem(page, 'Update number 80')).toBeInViewport();
  await expect(messageItem(page, 'Zanzibar-4821')).toHaveCount(0);

  const scroller = page.locator('.message-scroller');
  // Scroll to the top of what is loaded: the next page arrives above, and the view stays on the same message.
  await scroller.evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(messageItem(page, 'Update number 31')).toHaveCount(1);
  const keptInView = messageItem(page, 'Update number 31');
  await expect(keptInView).toBeInViewport();
  expect(await scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);

  await scroller.evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(messageItem(page, 'Zanzibar-4821')).toHaveCount(1);
});
