// POST /sandbox/age: a conversation's customer last wrote `hours` ago, so its 24-hour window is closed and the template
// flow can be shown without hand-signing a backdated webhook. Writes to the relay's own data, beside the relay.
import { z } from 'zod';
import type { Conversation } from '../../shared/domain';
import { fail, ok, type Result } from '../../shared/errors';
import { openSqliteRelayStore } from '../store/relay-db';
import type { SqlRelayStore } from '../store/sql-relay-store';
import type { BusinessNumbers } from './business-numbers';

const AgeInput = z
  .object({
    conversationId: z.string().min(1).max(128).optional(),
    from: z.string().min(1).max(128, '"from" is the customer’s phone number or BSUID').optional(),
    to: z
      .string()
      .regex(/^\d{1,32}$/, '"to" must be the phone number id of one of our numbers')
      .optional(),
    hours: z
      .number('"hours" must be a number of hours, e.g. 25')
      .positive('"hours" must be more than 0')
      .max(24 * 365, '"hours" must be at most a year')
      .default(25),
  })
  .strict()
  .refine((i) => (i.conversationId === undefined) !== (i.from === undefined), 'give "conversationId", or "from" (the customer’s phone number or BSUID)');

export interface Ager {
  age(body: unknown, now: number): Promise<Result<Conversation>>;
  close(): Promise<void>;
}

/** Opens the relay's data in `dataDir` on first use (a second connection beside the relay's own: WAL, busy timeout). */
export function createAger(dataDir: string, numbers: BusinessNumbers, onChanged: () => void): Ager {
  let store: SqlRelayStore | null = null;
  return {
    async age(body, now) {
      const parsed = AgeInput.safeParse(body);
      if (!parsed.success) return fail('invalid_input', parsed.error.issues[0]?.message ?? 'invalid input');
      const input = parsed.data;
      const to = input.to ?? numbers.primary.phoneNumberId;
      if (numbers.get(to) === undefined) return fail('invalid_input', `"to" must be one of the sandbox's numbers: ${numbers.ids.join(', ')}`);
      store ??= openSqliteRelayStore(dataDir).store;
      const id = input.conversationId ?? (await store.conversationWith(to, input.from!));
      if (id === null) return fail('not_found', 'that customer has no conversation with this number yet: let them write first');
      const aged = await store.ageConversation(id, input.hours, now);
      if (aged.ok) onChanged();
      return aged.ok ? ok(aged.value) : aged;
    },
    async close() {
      await store?.close();
      store = null;
    },
  };
}
