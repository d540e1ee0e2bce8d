// Several consumers of one relay: a device that stops acking is held at its window without slowing the others,
// and each device of an agent resumes from its own cursor.
import { afterEach, describe, expect, it } from 'vitest';
import { connectWebSocket, type Connection, type WsConnection } from './test-support/docs-client';
import { startTestRelay, waitFor, type TestRelay } from './test-support/relay-harness';

let relay: TestRelay;
const open: WsConnection[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) c.dispose();
  await relay.stop();
});

async function customerWrites(n: number, prefix: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${relay.relay.url}/sandbox/inbound`, {
      method: 'POST',
      body: JSON.stringify({ from: '972541234567', name: 'Dana', text: `${prefix}${i}` }),
    });
    expect(res.status).toBe(200);
  }
}

function device(id: string, since?: number): WsConnection {
  const c = connectWebSocket({ baseUrl: relay.relay.url, token: relay.token, device: id, ...(since !== undefined && { since }) });
  open.push(c);
  return c;
}

const seqs = (c: Connection) => c.envelopes.map((e) => e.seq);

describe('relay consumers', () => {
  it('holds a device that stops acking at its event window while another device gets everything', async () => {
    relay = await startTestRelay({ sandbox: true, env: { RELAY_EVENT_WINDOW: '10' } });
    const slow = device('slow-desk');
    const fast = device('fast-desk');
    await slow.hello();
    await fast.hello();
    // The fast device acks whatever it receives.
    const acking = setInterval(() => {
      const last = fast.envelopes.at(-1);
      if (last !== undefined) void fast.ack(last.seq);
    }, 10);
    try {
      await customerWrites(15, 'm'); // two events each: the message and its conversation
      const head = await relay.relay.store.head();
      await waitFor('the fast device to have every event', () => (fast.envelopes.at(-1)?.seq === head ? true : undefined));
      await slow.call('templates.list', {}); // a round trip: anything already due to the slow device has arrived
      expect(slow.envelopes).toHaveLength(10);
      expect(fast.violations).toEqual([]);

      await slow.ack(slow.envelopes.at(-1)!.seq);
      await waitFor('the next window after the ack', () => (slow.envelopes.length === 20 ? true : undefined));
      expect(slow.violations).toEqual([]);
    } finally {
      clearInterval(acking);
    }
  });

  it('resumes each device of one agent from its own cursor', async () => {
    relay = await startTestRelay({ sandbox: true });
    const desk = device('front-desk');
    const laptop = device('back-office');
    const head0 = (await desk.hello()).head;
    await laptop.hello();
    await customerWrites(3, 'a');
    const head1 = await relay.relay.store.head();
    await waitFor('both devices to have the first messages', () =>
      desk.envelopes.at(-1)?.seq === head1 && laptop.envelopes.at(-1)?.seq === head1 ? true : undefined,
    );
    // The desk commits everything; the laptop commits only up to the first event before both go away.
    const deskCursor = head1;
    const laptopCursor = head0 + 1;
    desk.dispose();
    laptop.dispose();
    await customerWrites(2, 'b');
    const head2 = await relay.relay.store.head();

    const deskAgain = device('front-desk', deskCursor);
    const laptopAgain = device('back-office', laptopCursor);
    expect((await deskAgain.hello()).mode).toBe('resume');
    expect((await laptopAgain.hello()).mode).toBe('resume');
    await waitFor('both to catch up', () => (deskAgain.envelopes.at(-1)?.seq === head2 && laptopAgain.envelopes.at(-1)?.seq === head2 ? true : undefined));
    expect(seqs(deskAgain)).toEqual(Array.from({ length: head2 - deskCursor }, (_, i) => deskCursor + 1 + i));
    expect(seqs(laptopAgain)).toEqual(Array.from({ length: head2 - laptopCursor }, (_, i) => laptopCursor + 1 + i));
  });
});
