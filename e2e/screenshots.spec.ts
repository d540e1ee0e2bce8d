// Pictures of the main screens, light and dark, for the README (docs/screenshots/*.png), taken from the real stack.
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import {
  conversationOption,
  messageBox,
  messageItem,
  openConsole,
  openConversation,
  sendMessage,
  statusRegion,
  waitUntilLiveAgain,
} from './support/console-page';
import { samplePdf, samplePng } from './support/sample-files';
import { startStack, type Stack } from './support/stack';

// A test run leaves the tracked files alone: pictures go to test-results/ unless they are being refreshed on purpose
// (`UPDATE_SCREENSHOTS=1 npm run test:e2e`, then look at them before committing).
const OUT = path.resolve(process.env['UPDATE_SCREENSHOTS'] === '1' ? 'docs/screenshots' : 'test-results/screenshots');
const DANA = '972541234567';
const HOUR = 60 * 60 * 1000;

let stack: Stack;
test.beforeAll(async () => {
  stack = await startStack();
  const now = Date.now();
  await stack.deliverWebhook([
    { from: '972501234000', name: 'Ruth Mizrahi', text: 'Please call me about the mortgage offer.', at: now - 50 * HOUR },
    { from: '972525550199', name: 'Eli Ben-David', text: 'My card was swallowed by the ATM on Herzl St.', at: now - 30 * HOUR },
    { from: '972525550199', name: 'Eli Ben-David', text: 'Any news about the replacement card?', at: now - 26 * HOUR },
  ]);
  await stack.customerWrites('447700900123', 'Amira Haddad', 'مرحبا، أريد تحديث عنواني');
  await stack.customerWrites('972527654321', 'Yossi Cohen', 'Is the Herzl St. branch open on Friday?');
  await stack.customerWrites('972533334444', 'מיכל אברהם', 'שלום, אפשר לקבוע פגישה עם יועץ משכנתאות?');
  await stack.customerWrites(DANA, 'Dana Levi', 'Hi, I need a copy of my loan statement for March.');
});
test.afterAll(async () => {
  await stack?.close();
});

async function shoot(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(OUT, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test.use({ viewport: { width: 1280, height: 800 } });

test('main screens, light and dark', async ({ page }) => {
  test.setTimeout(150_000);
  await openConsole(page, stack.consoleUrl);

  // A conversation with a reply the customer read, a quoted answer, a reaction, a document and a photo.
  await openConversation(page, 'Dana Levi');
  await sendMessage(page, 'Of course. Do you want it by email or here in the chat?');
  await expect(messageItem(page, 'by email or here in the chat')).toHaveAccessibleName(/ — Read$/, { timeout: 20_000 });
  await expect(page.getByRole('listitem', { name: /^Dana Levi, .*: Thanks, I'll check and get back to you/ })).toBeVisible({ timeout: 20_000 });
  const [ours] = (await stack.outbound(DANA)).filter((m) => m.text?.includes('by email') === true);
  await stack.deliverWebhook([
    { from: DANA, name: 'Dana Levi', reactTo: ours!.wamid, emoji: '❤', at: Date.now() },
    { from: DANA, name: 'Dana Levi', text: 'Here in the chat is perfect, thank you!', at: Date.now() },
  ]);
  await expect(messageItem(page, 'Here in the chat is perfect')).toBeVisible();
  const fileInput = page.locator('input[type="file"]');
  await fileInput.setInputFiles({ name: 'Loan statement March.pdf', mimeType: 'application/pdf', buffer: samplePdf() });
  await sendMessage(page, '');
  await fileInput.setInputFiles({ name: 'branch-hours.png', mimeType: 'image/png', buffer: samplePng() });
  await messageBox(page).fill('Our opening hours, for next time');
  await messageBox(page).press('Enter');
  await expect(messageItem(page, 'Photo: Our opening hours').getByRole('img')).toBeVisible();
  await messageBox(page).fill('Is there anything else I can help with');
  await expect(page.getByText('Draft saved')).toBeVisible();
  await shoot(page, 'conversation');

  // Outside the 24-hour window: the template form, filled, with its preview.
  await openConversation(page, 'Ruth Mizrahi');
  const form = page.getByRole('region', { name: 'Send a template' });
  await form.getByLabel('Template').selectOption({ label: 'appointment reminder (en_US)' });
  await form.getByLabel('Value 1').fill('Ruth');
  await form.getByLabel('Value 2').fill('the Herzl St. branch');
  await form.getByLabel('Value 3').fill('Sunday at 10:00');
  await shoot(page, 'template');

  // Search: the hit opens the conversation where it matched.
  await page.getByRole('searchbox', { name: 'Search customers and messages' }).fill('card');
  const hit = page.getByRole('listbox', { name: 'Search results' }).getByRole('option', { name: /^Eli Ben-David.*swallowed/ });
  await hit.click();
  await expect(messageItem(page, 'swallowed by the ATM')).toBeVisible();
  await shoot(page, 'search');
  await page.getByRole('searchbox', { name: 'Search customers and messages' }).fill('');

  // Offline: what the agent sends waits, and the status bar says how many.
  await openConversation(page, 'Yossi Cohen');
  await stack.stopRelay();
  await expect(statusRegion(page)).toHaveText(/Reconnecting|Offline/, { timeout: 20_000 });
  await sendMessage(page, 'Yes, Friday from 8:30 until 12:30.');
  await sendMessage(page, 'Shall I book you a slot with an advisor');
  await expect(statusRegion(page)).toHaveText(/2 queued/);
  await expect(conversationOption(page, 'Yossi Cohen')).toHaveAccessibleName(/You: Shall I book/);
  await shoot(page, 'offline');
  await stack.startRelay();
  await waitUntilLiveAgain(page);

  // Sign-in, as after signing out: the address is kept; the bank's sign-on comes first, the token is the second way in.
  await page.getByRole('button', { name: 'Settings' }).click();
  await shoot(page, 'settings');
  await page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to Branchline' })).toBeVisible();
  await page.getByRole('button', { name: 'Use an agent token instead' }).click();
  await page.getByLabel('Agent token').fill('blt_mistyped');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await shoot(page, 'sign-in');
});
