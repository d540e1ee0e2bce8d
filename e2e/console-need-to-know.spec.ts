// Need-to-know on screen, through the real stack: a sandbox relay with two teams and consoles signed in as different
// agents. A colleague's messages carry their name; a conversation they hold is read-only, with Take over after a
// confirmation, and they are told; Release; a supervisor transfers a conversation to another team, which drops it from
// the old team's console (with a notice) and brings it, with its history, to the new team's.
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { conversationList, conversationOption, messageBox, messageItem, openConsole, openConversation, sendMessage } from './support/console-page';
import { startStack, type Stack } from './support/stack';

// Pictures go to test-results/ unless they are being refreshed on purpose (`UPDATE_SCREENSHOTS=1 npm run test:e2e`).
const OUT = path.resolve(process.env['UPDATE_SCREENSHOTS'] === '1' ? 'docs/screenshots' : 'test-results/screenshots');
/** The north team's number in the sandbox (src/relay/sandbox/business-numbers.ts). */
const NORTH_NUMBER = '100000000000002';

let stack: Stack;
test.beforeAll(async () => {
  stack = await startStack();
});
test.afterAll(async () => {
  await stack?.close();
});
test.use({ viewport: { width: 1280, height: 800 } });

/** A second browser window on another console: its own context, so nothing is shared with the first. */
async function anotherConsole(browser: Browser, token: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await openConsole(page, await stack.openConsole(token));
  return page;
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(OUT, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const customerPanel = (page: Page) => page.getByRole('complementary', { name: 'Customer' });

test('a colleague’s conversation: their name on their messages, read-only, take over after confirming, they are told; release', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await openConsole(page, stack.consoleUrl);
  const demo = await anotherConsole(browser, stack.demoTokens['demo']!);
  await stack.customerWrites('972541110001', 'Rivka Adler', 'Can I change the address on my account?');

  // Demo Agent answers first: the conversation becomes theirs.
  await openConversation(demo, 'Rivka Adler');
  await sendMessage(demo, 'Hello Rivka, I can help with that.');
  await expect(messageItem(demo, 'I can help with that')).toHaveAccessibleName(/^You, /);

  // On the E2E agent's console: Demo Agent's name, on the list, on the message and on the panel; no composer.
  await expect(conversationOption(page, 'Rivka Adler')).toHaveAccessibleName(/^Rivka Adler, .*Demo Agent, .*Demo Agent: Hello Rivka/, { timeout: 20_000 });
  await openConversation(page, 'Rivka Adler');
  await expect(messageItem(page, 'I can help with that')).toHaveAccessibleName(/^Demo Agent, /);
  await expect(customerPanel(page).getByText('Assigned to Demo Agent')).toBeVisible();
  const readOnly = page.getByRole('region', { name: 'Assigned to Demo Agent' });
  await expect(readOnly).toContainText('Only they or a supervisor can reply');
  await expect(messageBox(page)).toHaveCount(0);

  // Take over asks first; cancelling changes nothing.
  await readOnly.getByRole('button', { name: 'Take over…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Take over this conversation?' });
  await expect(confirm).toContainText('Demo Agent is handling the conversation with Rivka Adler');
  await shoot(page, 'read-only-take-over');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(customerPanel(page).getByText('Assigned to Demo Agent')).toBeVisible();

  await customerPanel(page).getByRole('button', { name: 'Take over…' }).click();
  await page.getByRole('dialog', { name: 'Take over this conversation?' }).getByRole('button', { name: 'Take over' }).click();
  await expect(customerPanel(page).getByText('Assigned to you')).toBeVisible({ timeout: 20_000 });
  await sendMessage(page, 'This is E2E, I will finish this for you.');

  // Demo Agent is told, by name, and their view of it is read-only now, with E2E Agent's message named.
  await expect(demo.getByRole('region', { name: 'Notices about your conversations' })).toContainText('E2E Agent took over this conversation.', {
    timeout: 20_000,
  });
  await expect(demo.getByRole('region', { name: 'Assigned to E2E Agent' })).toBeVisible();
  await expect(messageItem(demo, 'I will finish this for you')).toHaveAccessibleName(/^E2E Agent, /, { timeout: 20_000 });
  await expect(messageBox(demo)).toHaveCount(0);

  // Released to the team: unassigned for both, and Demo Agent may write again.
  await customerPanel(page).getByRole('button', { name: 'Release to the team' }).click();
  await expect(customerPanel(page).getByText('Unassigned')).toBeVisible({ timeout: 20_000 });
  await expect(messageBox(demo)).toBeVisible({ timeout: 20_000 });
  await expect(customerPanel(demo).getByText('Unassigned')).toBeVisible();
  await demo.context().close();
});

test('a supervisor transfers a conversation to another team: the old team’s console drops it, the new team’s gets its history', async ({ page, browser }) => {
  test.setTimeout(150_000);
  await openConsole(page, stack.consoleUrl);
  const lead = await anotherConsole(browser, stack.demoTokens['demo-lead']!);
  const north = await anotherConsole(browser, stack.demoTokens['demo-north']!);
  await stack.customerWrites('972541110002', 'Avraham Stern', 'I moved to Haifa, can the north branch handle my account?');
  await stack.customerWrites('972541110003', 'Shira Katz', 'A question for the north branch.', NORTH_NUMBER);

  // Each team sees its own customers only.
  await expect(conversationOption(page, 'Avraham Stern')).toBeVisible({ timeout: 20_000 });
  await expect(conversationOption(north, 'Shira Katz')).toBeVisible({ timeout: 20_000 });
  await expect(conversationOption(north, 'Avraham Stern')).toHaveCount(0);
  await expect(conversationOption(page, 'Shira Katz')).toHaveCount(0);
  await openConversation(page, 'Avraham Stern');

  // The supervisor of both teams picks the new team.
  await expect(lead.getByText(/Signed in as Sam Supervisor · Main, North branch · Supervisor/)).toBeVisible();
  // A supervisor of two teams sees whose customer each row is.
  await expect(conversationOption(lead, 'Avraham Stern')).toHaveAccessibleName(/^Avraham Stern, .*Unassigned, Main, /);
  await expect(conversationOption(lead, 'Shira Katz')).toHaveAccessibleName(/^Shira Katz, .*Unassigned, North branch, /);
  await openConversation(lead, 'Avraham Stern');
  await customerPanel(lead).getByRole('button', { name: 'Transfer to another team…' }).click();
  const picker = lead.getByRole('dialog', { name: 'Transfer to another team' });
  await expect(picker.getByRole('radio')).toHaveCount(1);
  await picker.getByRole('radio', { name: 'North branch' }).check();
  await shoot(lead, 'transfer-picker');
  await picker.getByRole('button', { name: 'Transfer' }).click();
  await expect(customerPanel(lead).getByText('North branch')).toBeVisible({ timeout: 20_000 });
  await expect(conversationOption(lead, 'Avraham Stern')).toHaveAccessibleName(/^Avraham Stern, .*Unassigned, North branch, /);

  // The main team's console: gone from the list and the open view, with a calm notice; search does not find it.
  await expect(conversationOption(page, 'Avraham Stern')).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByRole('region', { name: 'Notices about your conversations' })).toContainText(
    'The conversation with Avraham Stern is no longer yours to see',
  );
  await expect(page.getByRole('heading', { level: 2, name: 'Avraham Stern' })).toHaveCount(0);
  await page.getByRole('searchbox', { name: 'Search customers and messages' }).fill('Haifa');
  await expect(page.getByText('No matches.')).toBeVisible();

  // The north team's console: there, with the message written before the transfer.
  await expect(conversationOption(north, 'Avraham Stern')).toBeVisible({ timeout: 20_000 });
  await openConversation(north, 'Avraham Stern');
  await expect(messageItem(north, 'I moved to Haifa')).toBeVisible({ timeout: 20_000 });
  await expect(conversationList(north)).toBeVisible();
  await lead.context().close();
  await north.context().close();
});
