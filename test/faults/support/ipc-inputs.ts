// Inputs the renderer should never send: per contract method, one field broken at a time, wrong shapes, unknown names.
import { CONSOLE_METHODS, type ConsoleMethod } from '../../../src/shared/contract';

/** A valid input per method; fields are broken one at a time from here. Methods added later still get the generic probes. */
export const VALID_INPUTS: Partial<Record<ConsoleMethod, Record<string, unknown>>> = {
  'session.signIn': { relayUrl: 'http://127.0.0.1:9', token: 'token-0123456789' },
  'conversations.list': { filter: 'all', limit: 10, offset: 0 },
  'conversations.get': { conversationId: 'c1' },
  'conversations.search': { query: 'hello', limit: 10 },
  'conversations.linkCase': { conversationId: 'c1', caseId: 'CASE-2026-1' },
  'conversations.assignToMe': { conversationId: 'c1', mine: true },
  'conversations.setOpen': { conversationId: 'c1', windowFocused: true },
  'messages.page': { conversationId: 'c1', limit: 50 },
  'messages.sendText': { conversationId: 'c1', body: 'hello' },
  'messages.sendTemplate': { conversationId: 'c1', name: 'branch_follow_up', language: 'en_US', parameters: ['Dana'] },
  'messages.sendFile': { conversationId: 'c1', fileName: 'statement.pdf', mimeType: 'application/pdf', dataBase64: 'JVBERi0xLjQK' },
  'messages.retry': { messageId: 'm1' },
  'messages.discard': { messageId: 'm1' },
  'messages.markRead': { conversationId: 'c1', upToMessageId: 'm1' },
  'drafts.get': { conversationId: 'c1' },
  'drafts.save': { conversationId: 'c1', text: 'half a thought' },
  'media.get': { mediaId: 'md1' },
  'settings.set': { theme: 'dark' },
};

/** Strings that look like paths, URLs or tricks where an id is expected. */
export const PATH_LIKE = [
  '../../etc/passwd',
  '..\\..\\Windows\\win.ini',
  '/etc/passwd',
  'C:\\Windows\\System32',
  'file:///etc/passwd',
  '%2e%2e%2fetc%2fpasswd',
  'c1/../../x',
  'c1\u0000',
  ' c1',
  'c1\n',
  '..',
  '.',
  '~',
  '\\\\server\\share',
];

/** Values of every type IPC's structured clone can carry (and JSON cannot). */
const WRONG_TYPES: { label: string; value: unknown }[] = [
  { label: 'a number', value: 42 },
  { label: 'NaN', value: Number.NaN },
  { label: 'Infinity', value: Number.POSITIVE_INFINITY },
  { label: 'a fraction', value: 1.5 },
  { label: 'a negative number', value: -1 },
  { label: 'a huge number', value: 1e12 },
  { label: 'a string', value: 'ten' },
  { label: 'a boolean', value: true },
  { label: 'null', value: null },
  { label: 'an object', value: { toString: 'x' } },
  { label: 'an array', value: ['c1'] },
  { label: 'a Date', value: new Date(0) },
  { label: 'a Map', value: new Map([['a', 1]]) },
  { label: 'a BigInt', value: 10n },
];

export interface BadCall {
  method: unknown;
  input: unknown;
  what: string;
  /** Id fields given "." or "..": the contract lets dots through, so these must be refused further in (not found). */
  dotted?: boolean;
}

const HUGE = 'x'.repeat(1_000_001);

export function badCalls(options: { hugeBase64: boolean }): BadCall[] {
  const calls: BadCall[] = [];
  for (const method of Object.keys(CONSOLE_METHODS) as ConsoleMethod[]) {
    // (A Map or a Date would pass for an empty object: zod reads any non-array object so. Methods without input take it.)
    for (const input of [42, 'session', [], true, 10n])
      calls.push({ method, input, what: `${method} with ${typeof input === 'bigint' ? 'a BigInt' : JSON.stringify(input)} as its input` });
    const base = VALID_INPUTS[method];
    if (base === undefined) {
      calls.push({ method, input: { unexpected: true }, what: `${method} with an unexpected field` });
      continue;
    }
    for (const [field, good] of Object.entries(base)) {
      const shape = (CONSOLE_METHODS[method].input as unknown as { shape: Record<string, { safeParse(v: unknown): { success: boolean } }> }).shape;
      for (const { label, value } of WRONG_TYPES) {
        // Skip the few that are simply another valid value (a limit of 42, a body "ten", null where null is allowed).
        const sameKind = (typeof value === typeof good && (value === 42 || value === 'ten' || value === true)) || (Array.isArray(value) && Array.isArray(good));
        if (sameKind || (value === null && shape[field]?.safeParse(null).success === true)) continue;
        calls.push({ method, input: { ...base, [field]: value }, what: `${method} with ${label} as ${field}` });
      }
      if (typeof good === 'string') {
        if (field === 'dataBase64') {
          if (options.hugeBase64) calls.push({ method, input: { ...base, [field]: 'A'.repeat(141 * 1024 * 1024) }, what: `${method} with 141 MB of base64` });
        } else calls.push({ method, input: { ...base, [field]: HUGE }, what: `${method} with a 1 MB ${field}` });
        // Case ids are bank references that may hold "/" and "." by design: not an id that names a path here.
        if (/Id$/.test(field) && field !== 'caseId')
          for (const p of PATH_LIKE)
            calls.push({ method, input: { ...base, [field]: p }, what: `${method} with ${JSON.stringify(p)} as ${field}`, dotted: /^\.{1,2}$/.test(p) });
      }
      if (Array.isArray(good)) {
        calls.push({ method, input: { ...base, [field]: [42] }, what: `${method} with a number in ${field}` });
        calls.push({ method, input: { ...base, [field]: Array.from({ length: 21 }, () => 'p') }, what: `${method} with 21 items in ${field}` });
      }
    }
    const shape = (CONSOLE_METHODS[method].input as unknown as { shape: Record<string, { safeParse(v: unknown): { success: boolean } }> }).shape;
    for (const field of Object.keys(base)) {
      if (shape[field]?.safeParse(undefined).success === true) continue; // optional: leaving it out is fine
      const { [field]: _dropped, ...missing } = base;
      calls.push({ method, input: missing, what: `${method} without ${field}` });
    }
  }
  for (const method of [
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'valueOf',
    'messages.sendText ',
    'MESSAGES.SENDTEXT',
    '',
    'session.get\u0000',
    'x'.repeat(100_000),
    null,
    42,
    {},
    ['session.get'],
  ]) {
    calls.push({ method, input: {}, what: `an unknown method ${JSON.stringify(method).slice(0, 30)}` });
  }
  return calls;
}
