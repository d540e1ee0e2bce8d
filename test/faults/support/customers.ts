// Simulated customers: they write through the signed webhook path and, like Meta, repeat a delivery until it is taken.
import type { Rng } from './rng';
import type { ScenarioContext } from './scenario';
import { deliverUntilAccepted, inboundText } from './webhooks';

export const CUSTOMERS = ['972500000101', '972500000102', '972500000103', '972500000104'] as const;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const letter = (customers: readonly string[], to: string) => String.fromCharCode(97 + customers.indexOf(to));

/** Each customer writes once, opening the 24-hour window; returns the bodies the relay took. */
export async function customersSayHello(relayUrl: () => string, customers: readonly string[], tag: string): Promise<string[]> {
  const bodies: string[] = [];
  for (const to of customers) {
    const body = `${tag} hello from ${letter(customers, to)}`;
    await deliverUntilAccepted(relayUrl, inboundText(to, body).body);
    bodies.push(body);
  }
  return bodies;
}

export interface Writers {
  /** Stops writing, waits until the last delivery was taken, and returns every body the relay took. */
  stop(): Promise<string[]>;
}

/** Customers keep writing every `everyMs` (whatever happens to the relay) until stopped; the scenario's end stops them too. */
export function customersKeepWriting(
  ctx: ScenarioContext,
  relayUrl: () => string,
  customers: readonly string[],
  rng: Rng,
  tag: string,
  everyMs: number,
): Writers {
  let stopped = false;
  let abandoned = false;
  const bodies: string[] = [];
  let failure: unknown = null;
  const loop = (async () => {
    try {
      for (let i = 0; !stopped; i++) {
        const to = rng.pick(customers);
        const body = `${tag} asks ${letter(customers, to)} ${i.toString(36)}`;
        await deliverUntilAccepted(relayUrl, inboundText(to, body).body, 90_000, () => abandoned);
        bodies.push(body);
        await sleep(everyMs);
      }
    } catch (error) {
      failure = error;
    }
  })();
  const writers: Writers = {
    async stop() {
      stopped = true;
      await loop;
      if (failure !== null) throw failure;
      return bodies;
    },
  };
  ctx.defer(async () => {
    stopped = true;
    abandoned = true;
    await loop;
  });
  return writers;
}
