// Every kind a customer can send in 2026, through the real relay's webhook into the console: a contact card (with Open
// and Start conversation), an order, a Flow answer, an edited and a deleted message, and a customer whose number
// WhatsApp withholds. Pictures go to test-results/screenshots, or docs/screenshots with UPDATE_SCREENSHOTS=1.
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { conversationOption, messageBox, messageItem, openConsole, openConversation, sendMessage } from './support/console-page';
import { contactCard, edit, flowAnswer, fromSender, order, revoke, text, wamid, type Sender } from './support/meta-messages';
import { startStack, type Stack } from './support/stack';

const OUT = path.resolve(process.env['UPDATE_SCREENSHOTS'] === '1' ? 'docs/screenshots' : 'test-results/screenshots');
const DANA: Sender = { waId: '972541234567', name: 'Dana Levi' };
const ELI: Sender = { waId: '972525550199', name: 'Eli Ben-David' };
const YOSSI: Sender = { waId: '972527654321', name: 'Yossi Cohen' };
/** Writes by username; WhatsApp gives the bank her business-scoped user id, not her number. */
const NOA: Sender = { waId: null, bsuid: 'US.13491208655302741918', username: 'noa.katz', name: 'Noa Katz' };

let stack: Stack;
test.beforeAll(async () => {
  stack = await startStack();
  await stack.customerWrites(DANA.waId!, DANA.name, 'Hi, is my new card ready?');
});
test.afterAll(async () => {
  await stack?.close();
});
test.use({ viewport: { width: 1280, height: 800 } });

async function shoot(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(OUT, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('a contact card, an order and a Flow answer, in words; a shared number opens or starts its conversation', async ({ page }) => {
  test.setTimeout(90_000);
  await stack.deliverMeta(fromSender(ELI, text('Hello, three things for you.')));
  await stack.deliverMeta(
    fromSender(ELI, contactCard({ name: 'Dana Levi', company: 'Levi Consulting', phone: '+972 54-123-4567', waId: DANA.waId!, email: 'dana@levi.example' })),
  );
  await stack.deliverMeta(fromSender(ELI, contactCard({ name: 'Ruth Mizrahi', phone: '+972 50-123-4000', waId: '972501234000' })));
  await stack.deliverMeta(
    fromSender(
      ELI,
      order('For the branch opening, please', [
        { id: 'cheque-book-50', quantity: 2, price: 12.5, currency: 'EUR' },
        { id: 'safe-deposit-s', quantity: 1, price: 180, currency: 'EUR' },
      ]),
    ),
  );
  await stack.deliverMeta(fromSender(ELI, flowAnswer({ branch: 'Herzl St.', appointment_date: '2026-06-04', topic: 'Mortgage renewal' })));

  await openConsole(page, stack.consoleUrl);
  await openConversation(page, ELI.name);
  const card = messageItem(page, 'Contact: Dana Levi');
  await expect(card).toBeVisible({ timeout: 20_000 });
  await expect(card.getByText('Levi Consulting')).toBeVisible();
  await expect(card.getByText('dana@levi.example')).toBeVisible();
  await expect(card.getByRole('button', { name: 'Copy dana@levi.example' })).toBeVisible();
  await expect(card.getByRole('button', { name: 'Open the conversation with +972541234567' })).toBeVisible();
  const other = messageItem(page, 'Contact: Ruth Mizrahi');
  await expect(other.getByRole('button', { name: 'Start a conversation with +972501234000' })).toBeVisible();

  const orderBubble = messageItem(page, 'Order: 3 items, €205.00');
  await expect(orderBubble).toBeVisible();
  await expect(orderBubble.getByRole('cell', { name: 'cheque-book-50' })).toBeVisible();
  await expect(orderBubble.getByText('For the branch opening, please')).toBeVisible();
  const flow = messageItem(page, 'Form answer');
  await expect(flow.getByText('Mortgage renewal')).toBeVisible();
  await expect(flow.getByText('flow_token')).toHaveCount(0);
  // Tall enough for the whole exchange in one picture.
  await page.setViewportSize({ width: 1280, height: 1100 });
  await messageItem(page, 'Hello, three things for you').scrollIntoViewIfNeeded();
  await shoot(page, 'kinds-card-order-form');
  await page.setViewportSize({ width: 1280, height: 800 });

  // The card's number has a conversation: it opens. Another's has none: a new one starts, with the template composer.
  await card.getByRole('button', { name: 'Open the conversation with +972541234567' }).click();
  await expect(page.getByRole('heading', { level: 2, name: DANA.name }).first()).toBeVisible();
  await openConversation(page, ELI.name);
  await messageItem(page, 'Contact: Ruth Mizrahi')
    .getByRole('button', { name: /^Start a conversation/ })
    .click();
  await expect(page.getByRole('heading', { level: 2, name: '+972501234000' }).first()).toBeVisible();
  await expect(page.getByRole('region', { name: 'Send a template' })).toContainText('has not written yet');
  await expect(conversationOption(page, '+972501234000')).toBeVisible();
});

test('an edited message shows "edited" with the earlier version; a deleted one shows only that it was deleted', async ({ page }) => {
  const original = wamid();
  const mistake = wamid();
  await stack.deliverMeta(fromSender(YOSSI, text('My account number is 12-345-678', original)));
  await stack.deliverMeta(fromSender(YOSSI, text('and my card is 4580 1234 5678 9012', mistake)));
  await stack.deliverMeta(fromSender(YOSSI, edit(original, 'My account number is 12-345-679')));
  await stack.deliverMeta(fromSender(YOSSI, revoke(mistake)));

  await openConsole(page, stack.consoleUrl);
  await openConversation(page, YOSSI.name);
  const edited = messageItem(page, 'My account number is 12-345-679 (edited)');
  await expect(edited).toBeVisible({ timeout: 20_000 });
  await edited.getByRole('button', { name: 'Edited by the customer: 1 earlier version' }).click();
  await expect(edited.getByText('My account number is 12-345-678')).toBeVisible();
  await expect(messageItem(page, 'Deleted by the customer')).toBeVisible();
  await expect(page.getByText('4580 1234')).toHaveCount(0);
  await expect(conversationOption(page, YOSSI.name)).toHaveAccessibleName(/Deleted by the customer/);
  await shoot(page, 'kinds-edited-deleted');
});

test('a customer whose number WhatsApp withholds: named by profile and username, "number hidden by WhatsApp", and answered; a system line', async ({
  page,
}) => {
  // request_welcome: she opened the chat before writing (a system line, not a bubble).
  await stack.deliverMeta(fromSender(NOA, { type: 'request_welcome' }, Date.now() - 60_000));
  await stack.deliverMeta(fromSender(NOA, text('Hi, I would like to open a savings account.')));
  await openConsole(page, stack.consoleUrl);
  await openConversation(page, NOA.name);
  await expect(page.locator('.system-line')).toContainText('Customer opened the chat');
  await expect(page.locator('.thread-header')).toContainText('@noa.katz · number hidden by WhatsApp');
  await expect(page.getByRole('complementary', { name: 'Customer' })).toContainText('number hidden by WhatsApp');
  await sendMessage(page, 'Happy to help, Noa. Which branch suits you?');
  await expect(messageItem(page, 'Which branch suits you')).toHaveAccessibleName(/ — (Sent|Delivered|Read)$/, { timeout: 20_000 });
  await expect(messageBox(page)).toBeVisible();
  // Found by username too, the way an agent looks a customer up.
  await page.getByRole('searchbox', { name: 'Search customers and messages' }).fill('noa.katz');
  await expect(page.getByRole('listbox', { name: 'Search results' }).getByRole('option', { name: /^Noa Katz/ })).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search customers and messages' }).fill('');
  await page.getByRole('searchbox', { name: 'Search customers and messages' }).blur();
  await shoot(page, 'kinds-number-hidden');
});
