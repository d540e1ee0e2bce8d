// Outside WhatsApp's 24-hour window free text is off and a template is the way to write: picked, filled,
// previewed and sent through the real stack. The closed window is a customer whose last message is two days old,
// delivered as a webhook signed with the relay's app secret (exactly as Meta would send it).
import { expect, test } from '@playwright/test';
import { conversationOption, messageBox, messageItem, openConsole, openConversation } from './support/console-page';
import { startStack, type Stack } from './support/stack';

const RUTH = '972541112233';
const TWO_DAYS = 2 * 24 * 60 * 60 * 1000;

let stack: Stack;
test.beforeAll(async () => {
  stack = await startStack();
});
test.afterAll(async () => {
  await stack?.close();
});

test('a closed window disables free text and sends a filled, previewed template', async ({ page }) => {
  await stack.deliverWebhook([{ from: RUTH, name: 'Ruth Mizrahi', text: 'Please call me about the mortgage offer.', at: Date.now() - TWO_DAYS }]);
  await openConsole(page, stack.consoleUrl);
  await expect(conversationOption(page, 'Ruth Mizrahi')).toHaveAccessibleName(/Window closed/);
  await openConversation(page, 'Ruth Mizrahi');

  await expect(messageBox(page)).toBeDisabled();
  await expect(page.getByText('The customer last wrote more than 24 hours ago')).toBeVisible();
  await expect(page.getByText('Closed: only templates can be sent')).toBeVisible();

  const form = page.getByRole('region', { name: 'Send a template' });
  const send = form.getByRole('button', { name: 'Send template' });
  await form.getByLabel('Template').selectOption({ label: 'branch follow up (en_US)' });
  await expect(send).toBeDisabled();
  await form.getByLabel('Value 1').fill('Ruth');
  await form.getByLabel('Value 2').fill('Herzl St. branch');
  await expect(form.getByRole('figure', { name: 'Preview' })).toContainText('Hello Ruth, thank you for visiting our Herzl St. branch. Reply to this message');
  await send.click();

  await expect(messageItem(page, 'Template branch_follow_up: Ruth, Herzl St. branch')).toHaveAccessibleName(/ — (Delivered|Read)$/, { timeout: 20_000 });
  const sent = await stack.outbound(RUTH);
  expect(sent.map((m) => m.template)).toEqual([{ name: 'branch_follow_up', language: 'en_US', parameters: ['Ruth', 'Herzl St. branch'] }]);
});
