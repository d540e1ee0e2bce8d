// Byte-wise mutations of a valid frame or delivery, as fast-check arbitraries: flips, inserts, deletes, cuts, repeats.
import fc from 'fast-check';

export type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'repeat'; at: number; length: number; times: number }
  | { kind: 'structural'; at: number; char: string };

const STRUCTURAL = ['{', '}', '[', ']', '"', ':', ',', '\\', '\u0000', ' ', '-', '0', 'e', 'n', '\u00ff', '\u{1F600}'];

export function mutationArb(options: { allowHuge: boolean }): fc.Arbitrary<Mutation> {
  const at = fc.nat({ max: 100_000 });
  // Mostly printable ASCII, so most mutants stay text and reach the JSON and schema checks; some raw bytes too.
  const byte = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) });
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('flip' as const), at, byte }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.array(byte, { minLength: 1, maxLength: 8 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 16 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('repeat' as const),
        at,
        length: fc.integer({ min: 1, max: 32 }),
        times: options.allowHuge
          ? fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 2, max: 50 }) }, { weight: 1, arbitrary: fc.constant(20_000) })
          : fc.integer({ min: 2, max: 50 }),
      }),
    },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('structural' as const), at, char: fc.constantFrom(...STRUCTURAL) }) },
  );
}

/** Applies mutations in order; positions wrap around the current length. */
export function mutate(input: Buffer, mutations: readonly Mutation[]): Buffer {
  let bytes = Buffer.from(input);
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % bytes.length;
    switch (m.kind) {
      case 'flip':
        if (bytes.length > 0) bytes[at] = m.byte;
        break;
      case 'insert':
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
        break;
      case 'delete':
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
        break;
      case 'truncate':
        bytes = bytes.subarray(0, at);
        break;
      case 'repeat': {
        const slice = bytes.subarray(at, at + m.length);
        bytes = Buffer.concat([bytes.subarray(0, at), ...Array.from({ length: m.times }, () => slice), bytes.subarray(at + m.length)]);
        break;
      }
      case 'structural':
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.char, 'utf8'), bytes.subarray(at + 1)]);
        break;
    }
  }
  return bytes;
}
