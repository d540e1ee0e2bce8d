// Bad input on /webhook: forged, oversized and malformed deliveries refused; unknown fields and types kept, not dropped.
import { createHmac } from 'node:crypto';
import { signBody } from '../../../src/relay/test-support/relay-harness';
import { scanLogs } from '../support/checks';
import { CUSTOMERS, customersSayHello } from '../support/customers';
import { emptyFigures } from '../support/figures';
import { APP_SECRET, healthy, startRelayProcess } from '../support/relay-process';
import type { Scenario } from '../support/scenario';
import { relayData, tried } from '../support/tally';
import { inboundText, newWamid, postWebhook, unknownTypeDelivery } from '../support/webhooks';

const MARK = 'bw-secret-body-marker';

/** A valid delivery with one field replaced (dotted path into entry[0].changes[0].value.messages[0]). */
function withMessage(patch: Record<string, unknown>): string {
  const delivery = JSON.parse(inboundText(CUSTOMERS[0], `${MARK} patched`).body) as {
    entry: { changes: { value: { messages: Record<string, unknown>[] } }[] }[];
  };
  Object.assign(delivery.entry[0]!.changes[0]!.value.messages[0]!, patch);
  return JSON.stringify(delivery);
}

/** A valid delivery whose message names no sender at all: no `from`, no user id, and no `contacts` to name one. */
function withoutSender(patch: Record<string, unknown> = {}): string {
  const delivery = JSON.parse(withMessage({ from: undefined, ...patch })) as { entry: { changes: { value: Record<string, unknown> }[] }[] };
  delete delivery.entry[0]!.changes[0]!.value['contacts'];
  return JSON.stringify(delivery);
}

export const badWebhooks: Scenario = {
  name: 'bad-webhooks',
  title: 'webhooks unsigned, mis-signed, re-signed, oversized, malformed; unknown fields and types kept as unsupported',
  async run(ctx) {
    const figures = emptyFigures();
    const relay = await startRelayProcess(ctx);
    await customersSayHello(() => relay.url, CUSTOMERS, 'bw');
    const valid = inboundText(CUSTOMERS[1], `${MARK} valid`).body;
    const before = relayData(relay);

    // Refused (non-200) or skipped (200): either way nothing is stored.
    const refused: { what: string; body: string | Buffer; signature: string | null; status: number }[] = [
      { what: 'no signature', body: valid, signature: null, status: 401 },
      { what: 'a signature of random hex', body: valid, signature: `sha256=${'ab'.repeat(32)}`, status: 401 },
      { what: 'a signature over a different body', body: valid, signature: signBody(inboundText(CUSTOMERS[1], 'other').body, APP_SECRET), status: 401 },
      { what: 'a signature with another secret', body: valid, signature: signBody(valid, 'not-the-app-secret'), status: 401 },
      { what: 'an SHA-1 signature', body: valid, signature: `sha1=${createHmac('sha1', APP_SECRET).update(valid).digest('hex')}`, status: 401 },
      { what: 'a signature without its prefix', body: valid, signature: createHmac('sha256', APP_SECRET).update(valid).digest('hex'), status: 401 },
      { what: 'a signed body with one byte changed after signing', body: valid.replace('valid', 'valiD'), signature: signBody(valid, APP_SECRET), status: 401 },
      {
        what: 'a body over 3 MiB (Meta documents deliveries up to 3 MB)',
        body: JSON.stringify({ object: 'whatsapp_business_account', entry: [], pad: 'x'.repeat(3_200_000) }),
        signature: '',
        status: 413,
      },
      { what: 'invalid JSON', body: '{"object":"whatsapp_business_account","entry":[', signature: '', status: 400 },
      { what: 'JSON of another product', body: JSON.stringify({ object: 'page', entry: [] }), signature: '', status: 400 },
      { what: 'entries as an object', body: JSON.stringify({ object: 'whatsapp_business_account', entry: { changes: [] } }), signature: '', status: 400 },
      // One item the relay cannot read costs that item only: the delivery is answered 200 (Meta would otherwise retry
      // and then drop the whole batch) and the item is logged and stored nowhere.
      { what: 'a message naming no sender (no "from", user id or contacts)', body: withoutSender(), signature: '', status: 200 },
      { what: 'a malformed BSUID as the only sender', body: withoutSender({ from_user_id: 'US.<script>' }), signature: '', status: 200 },
      { what: 'a path as the sender', body: withMessage({ from: '../../etc/passwd' }), signature: '', status: 200 },
      { what: 'a timestamp in words', body: withMessage({ timestamp: 'yesterday' }), signature: '', status: 200 },
      { what: 'a 600-character wamid', body: withMessage({ id: `wamid.${'z'.repeat(600)}` }), signature: '', status: 200 },
    ];
    for (const r of refused) {
      const status = await postWebhook(relay.url, r.body, r.signature === '' ? signBody(r.body, APP_SECRET) : r.signature).catch(() => -1);
      tried(figures, r.what, status === r.status, status);
    }
    const afterRefused = relayData(relay);
    if (afterRefused !== before) figures.violations.push(`a refused delivery changed what the relay stores: ${before} → ${afterRefused}`);
    if (!(await healthy(relay.url))) figures.violations.push('the relay stopped serving after bad webhooks');

    // Unknown things Meta may add: accepted and kept, never dropped.
    const kept: { what: string; wamid: string; body: string; type: string }[] = [];
    const extra = inboundText(CUSTOMERS[2], 'bw with extra fields');
    const withExtras = JSON.parse(extra.body) as Record<string, unknown> & { entry: { changes: { value: Record<string, unknown> }[] }[] };
    withExtras['future_top_level'] = { nested: [1, 2, 3] };
    withExtras.entry[0]!.changes[0]!.value['future_field'] = 'x';
    kept.push({ what: 'a delivery with unknown fields', wamid: extra.wamid, body: JSON.stringify(withExtras), type: 'text' });
    const long = withMessage({ id: newWamid(), text: { body: 'y'.repeat(70_000) } });
    kept.push({
      what: 'a 70 000-character text (kept, cut with a visible mark)',
      wamid: (JSON.parse(long) as { entry: { changes: { value: { messages: { id: string }[] } }[] }[] }).entry[0]!.changes[0]!.value.messages[0]!.id,
      body: long,
      type: 'text',
    });
    for (const waType of ['ephemeral', 'future_kind', 'a'.repeat(100)]) {
      const d = unknownTypeDelivery(CUSTOMERS[3], waType);
      kept.push({ what: `an unknown message type (${waType.slice(0, 12)})`, wamid: d.wamid, body: d.body, type: 'unsupported' });
    }
    const imageWithout = withMessage({ id: newWamid(), type: 'image', text: undefined });
    kept.push({
      what: 'an image without its image object',
      wamid: (JSON.parse(imageWithout) as { entry: { changes: { value: { messages: { id: string }[] } }[] }[] }).entry[0]!.changes[0]!.value.messages[0]!.id,
      body: imageWithout,
      type: 'unsupported',
    });
    for (const k of kept) {
      const status = await postWebhook(relay.url, k.body);
      const row = relay.query<{ content: string }>('SELECT content FROM messages WHERE wamid = ?', k.wamid)[0];
      const type = row === undefined ? null : (JSON.parse(row.content) as { type: string }).type;
      figures.inbound += 1;
      if (status !== 200 || type !== k.type) {
        figures.inboundMissing += 1;
        figures.violations.push(
          `inbound missing: ${k.what} was ${status === 200 ? `stored as ${type ?? 'nothing'}` : `refused (${status})`}, expected ${k.type}`,
        );
      }
    }
    await relay.stop();
    scanLogs(relay.logLines, [relay.token, APP_SECRET, MARK, 'y'.repeat(40), ...CUSTOMERS], figures, 'the relay');
    return figures;
  },
};
