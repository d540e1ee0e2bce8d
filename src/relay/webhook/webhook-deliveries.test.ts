// Whole deliveries through the real POST /webhook: every content kind stored, groups, other business numbers, Meta's
// delivery errors, unreadable items, account events, and the replies they lead to.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Template } from '../../shared/domain';
import { systemClock } from '../../shared/clock';
import { uuidv7 } from '../../shared/uuidv7';
import { createMethodHandler } from '../agent-methods';
import { silentLogger } from '../log';
import { scrapeMetrics } from '../test-support/metrics-scrape';
import { RecordingProvider, startTestRelay, TEST_METRICS_TOKEN, waitFor, type TestRelay } from '../test-support/relay-harness';
import { createTemplateCache } from '../whatsapp/template-cache';
import { deviceView, messageDelivery, messagesOf, OTHER_IDENTITY, OUR_NUMBER, person, relayEvents, text } from './delivery-kit';

/** A fixture of Meta's, sent now (its own timestamps are from when Meta wrote the page). */
const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/whatsapp/${name}`, import.meta.url), 'utf8').replace(
    /"timestamp": "\d+"/g,
    () => `"timestamp": "${Math.floor(Date.now() / 1000)}"`,
  );
const GROUP = 'Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD';

/** Counts template list requests, and can be told the account's templates changed. */
class TemplateProvider extends RecordingProvider {
  listed = 0;
  templates: Template[] = [{ name: 'login_code', language: 'en_US', category: 'AUTHENTICATION', body: '{{1}} is your code.', parameterCount: 1 }];
  override async listTemplates() {
    this.listed++;
    return { ok: true as const, value: this.templates };
  }
}

let t: TestRelay;
let provider: TemplateProvider;
beforeEach(async () => {
  provider = new TemplateProvider();
  t = await startTestRelay({ overrides: { provider } });
});
afterEach(() => t.stop());

async function post(body: string): Promise<void> {
  expect((await t.postWebhook(body)).status).toBe(200);
}
const logged = (event: string) => t.logLines.filter((line) => line.includes(`"event":"${event}"`));
/** The webhook's figures as /metrics shows them. */
const figures = async () => {
  const scrape = await scrapeMetrics(t.relay.url, TEST_METRICS_TOKEN);
  const items = (outcome: string) => scrape.value('relay_webhook_items_total', { outcome });
  return {
    otherNumberItems: items('other_number'),
    otherNumbers: scrape.value('relay_webhook_other_numbers'),
    skippedItems: items('skipped'),
    deliveryErrors: scrape.value('relay_webhook_delivery_errors_total'),
  };
};

describe('every content kind an agent acts on', () => {
  it.each([
    [
      'meta-contacts.json',
      { type: 'contacts', contacts: [expect.objectContaining({ name: 'Barbara J. Johnson', organization: 'Lucky Shrub, Legal, Lead Counsel' })] },
    ],
    [
      'meta-order.json',
      { type: 'order', catalogId: '194836987003835', text: 'Love these!', items: [{ productId: 'di9ozbzfi4', quantity: 2, unitPrice: 7.99, currency: 'USD' }] },
    ],
    ['meta-interactive-flow.json', expect.objectContaining({ type: 'interactive_reply', kind: 'flow' })],
    ['meta-bsuid-contact-request.json', expect.objectContaining({ type: 'contacts' })],
  ])('stores %s once, as the shared content devices show', async (name, content) => {
    await post(fixture(name));
    await post(fixture(name));
    const messages = [...deviceView(await relayEvents(t.relay.store)).messages.values()];
    expect(messages.map((m) => m.content)).toEqual([content]);
  });

  it('shows "the customer opened the chat" as a system line', async () => {
    await post(messageDelivery(person({ waId: '16505551234' }), { type: 'request_welcome' }).body);
    const [message] = deviceView(await relayEvents(t.relay.store)).messages.values();
    expect(message!.content).toEqual({ type: 'system', event: 'chat_opened' });
  });
});

describe('groups', () => {
  it('files a group message in the group’s conversation with its author, and a reply goes to the group, never privately', async () => {
    await post(fixture('meta-group-text.json'));
    await post(messageDelivery(person({ waId: '16505550000', name: 'Ben Cohen' }), text('Friday suits me too'), { groupId: GROUP }).body);
    const view = deviceView(await relayEvents(t.relay.store));
    expect(view.conversations.size).toBe(1);
    const [conversation] = view.conversations.values();
    expect(conversation).toMatchObject({ customer: { waId: null, name: null }, group: { id: GROUP, subject: null } });
    expect(messagesOf(view, conversation!.id).map((m) => m.author)).toEqual([
      { waId: '16505551234', bsuid: null, name: 'Sheena Nelson' },
      { waId: '16505550000', bsuid: null, name: 'Ben Cohen' },
    ]);

    const sent = await t.relay.store.acceptSend({
      agentId: 'ana',
      params: { clientMessageId: uuidv7(), conversationId: conversation!.id, content: { type: 'text', body: 'Yes, 8:00 on Friday.' } },
      requestHash: 'g',
      now: Date.now(),
      phoneNumberId: OUR_NUMBER,
      phoneNumberOnly: false,
    });
    expect(sent.ok).toBe(true);
    await waitFor('the send', () => provider.sends[0]);
    expect(provider.sends[0]!.to).toEqual({ kind: 'group', groupId: GROUP });
    // Meta's Groups API has no read receipts: marking read stays on our side.
    const [last] = messagesOf(view, conversation!.id).slice(-1);
    const read = await t.relay.store.markRead(conversation!.id, last!.id, Date.now());
    expect(read.ok && read.value.wamid).toBeNull();
  });
});

describe('authentication templates', () => {
  it('are refused, in words, for a customer known by BSUID only and for a group', async () => {
    await post(messageDelivery(person({ bsuid: 'US.13491208655302741918' }), text('I cannot log in')).body);
    await post(fixture('meta-group-text.json'));
    const handle = createMethodHandler({
      store: t.relay.store,
      provider,
      templates: createTemplateCache(provider, systemClock),
      phoneNumberId: OUR_NUMBER,
      clock: systemClock,
      log: silentLogger,
      onCommitted: () => {},
      onQueued: () => {},
    });
    const access = await t.relay.store.agentAccess('ana');
    expect(access).not.toBeNull();
    const agent = { agent: access!, deviceId: 'dev-ana', source: '127.0.0.1' };
    expect(await handle(agent, 'templates.list', {})).toMatchObject({ ok: true });
    for (const conversation of deviceView(await relayEvents(t.relay.store)).conversations.values()) {
      const content = { type: 'template', name: 'login_code', language: 'en_US', parameters: ['123456'] };
      const result = await handle(agent, 'messages.send', { clientMessageId: uuidv7(), conversationId: conversation.id, content });
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/phone number|groups/) } });
    }
  });
});

describe('deliveries that are not all ours, or not all readable', () => {
  it('acknowledges another business number’s items, stores none of them, and warns once per number', async () => {
    for (let i = 0; i < 3; i++) {
      await post(messageDelivery(person({ waId: '16505551234' }), text(`for the other number ${i}`), { identity: OTHER_IDENTITY }).body);
    }
    expect(await t.relay.store.head()).toBe(0);
    expect(logged('webhook.other_number')).toHaveLength(1);
    expect(await figures()).toMatchObject({ otherNumberItems: 3, otherNumbers: 1 });
  });

  it('commits everything else of a batch with an unreadable message, and logs where it was', async () => {
    const good = JSON.parse(messageDelivery(person({ waId: '16505551234' }), text('readable')).body) as {
      entry: { changes: { value: { messages: unknown[] } }[] }[];
    };
    good.entry[0]!.changes[0]!.value.messages.push({ id: 'wamid.BAD', timestamp: 'yesterday', type: 'text', text: { body: 'unreadable' } });
    await post(JSON.stringify(good));
    const messages = [...deviceView(await relayEvents(t.relay.store)).messages.values()];
    expect(messages.map((m) => m.content)).toEqual([{ type: 'text', body: 'readable' }]);
    expect(logged('webhook.item_skipped')[0]).toContain('entry[0].changes[0].value.messages[1]');
    expect(t.logLines.join('')).not.toContain('unreadable');
    expect((await figures()).skippedItems).toBe(1);
  });

  it("logs Meta's delivery errors with code and title, and counts them", async () => {
    await post(fixture('meta-errors-130429.json'));
    const [line] = logged('webhook.delivery_error');
    expect(line).toContain('"metaCode":130429');
    expect(line).toContain('Rate limit hit');
    expect((await figures()).deliveryErrors).toBe(1);
  });
});

describe('account events', () => {
  it('refreshes the template list when Meta reports a template status, and warns IT of a quality change', async () => {
    const before = provider.listed;
    await post(fixture('meta-template-status-update.json'));
    await waitFor('the template list to be fetched again', () => (provider.listed > before ? true : undefined));
    await post(fixture('meta-phone-number-quality-update.json'));
    expect(logged('whatsapp.quality_update')).toEqual([expect.stringContaining('"change":"UPGRADE"')]);
    expect(logged('whatsapp.template_status')).toHaveLength(1);
  });
});
