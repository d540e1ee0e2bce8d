// A fake Graph API for cluster tests: counts every send it is asked for and, like Meta, posts a signed "sent" status
// webhook carrying the send's biz_opaque, so a send whose answer was lost with its relay is settled by reconciliation.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { OUR_IDENTITY } from '../webhook/delivery-kit';
import { statusWebhookBody } from '../sandbox/webhook-payloads';
import { signBody } from './relay-harness';

export interface GraphSend {
  readonly to: string;
  readonly text: string;
  readonly bizOpaque: string;
  readonly wamid: string;
}

export interface CountingGraph {
  /** WHATSAPP_GRAPH_URL for the relays. */
  readonly url: string;
  /** Every send, in the order it arrived. */
  readonly sends: readonly GraphSend[];
  close(): Promise<void>;
}

const SendBody = z.object({ to: z.string(), text: z.object({ body: z.string() }), biz_opaque_callback_data: z.string() });

/** `webhookUrl()` is where status webhooks go (the balancer); `appSecret` signs them as Meta would. */
export async function startCountingGraph(options: { webhookUrl: () => string; appSecret: string }): Promise<CountingGraph> {
  const sends: GraphSend[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const parsed = SendBody.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      if (!req.url?.endsWith('/messages') || !parsed.success) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}'); // read receipts and the rest
        return;
      }
      const wamid = `wamid.GRAPH${sends.length + 1}`;
      sends.push({ to: parsed.data.to, text: parsed.data.text.body, bizOpaque: parsed.data.biz_opaque_callback_data, wamid });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messaging_product: 'whatsapp', messages: [{ id: wamid }] }));
      const body = statusWebhookBody(OUR_IDENTITY, {
        wamid,
        status: 'sent',
        timestampMs: Date.now(),
        recipient: parsed.data.to,
        bizOpaque: parsed.data.biz_opaque_callback_data,
        conversation: { id: 'conv-graph', expiresAtMs: Date.now() + 86_400_000, origin: 'service' },
        billable: true,
        pricingCategory: 'service',
      });
      void postStatus(options.webhookUrl(), body, options.appSecret);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sends,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Retried a few times, as Meta retries: the instance it reached may have just been killed. */
async function postStatus(url: string, body: string, appSecret: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const ok = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, appSecret) },
      body,
    }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
