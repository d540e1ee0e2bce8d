// `branchline/no-unchecked-cast`: each parsed-data cast the rule promises to see is reported, honest code is not.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repoRoot = new URL('..', import.meta.url).pathname;
const eslint = new ESLint({ cwd: repoRoot });

async function castErrors(code: string, filePath = 'src/main/core/planted.ts') {
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}${filePath}` });
  const fatal = result!.messages.filter((m) => m.fatal);
  expect(fatal).toEqual([]);
  return result!.messages.filter((m) => m.ruleId === 'branchline/no-unchecked-cast');
}

describe('no-unchecked-cast', () => {
  it.each([
    ['JSON.parse as T', 'export const f = (s: string) => JSON.parse(s) as { id: string };'],
    ['JSON.parse as T[]', 'export const f = (rows: { data: string }[]) => rows.map((r) => JSON.parse(r.data) as { id: string });'],
    ['<T>JSON.parse', 'export const f = (s: string) => <{ id: string }>JSON.parse(s);'],
    ['JSON.parse laundered through unknown', 'export const f = (s: string) => JSON.parse(s) as unknown as { id: string };'],
    ['JSON.parse through a const', 'export function f(s: string) {\n  const raw = JSON.parse(s);\n  return raw as { id: string };\n}'],
    ['await res.json() as T', 'export const f = async (res: Response) => (await res.json()) as { id: string };'],
    ['res.json() as Promise<T>', 'export const f = (res: Response) => res.json() as Promise<{ id: string }>;'],
    ['a const body from .json()', 'export async function f(res: Response) {\n  const body = await res.json();\n  return (body as { id: string }).id;\n}'],
    ['safeParse(…).data as T', "import { z } from 'zod';\nexport const f = (x: unknown) => z.string().safeParse(x).data as 'a';"],
    [
      'the data of a held safeParse',
      "import { z } from 'zod';\nexport function f(x: unknown) {\n  const r = z.string().safeParse(x);\n  return r.data as 'a';\n}",
    ],
    [
      'the data of a result tested with .success',
      'declare function check(x: unknown): { success: boolean; data?: unknown };\nexport function f(x: unknown) {\n  const r = check(x);\n  if (!r.success) return null;\n  return r.data as string;\n}',
    ],
    [
      'the value of a Result',
      "import type { Result } from '../../shared/errors';\ndeclare function ask(): Promise<Result<unknown>>;\nexport async function f() {\n  const answer = await ask();\n  if (!answer.ok) return null;\n  return answer.value as { id: string };\n}",
    ],
    [
      'the value of a Result built by a conditional',
      "import type { Result } from '../../shared/errors';\nexport function f(prepared: boolean, ask: () => Result<unknown>, none: Result<unknown>) {\n  const result = prepared ? ask() : none;\n  return result.ok ? (result.value as { id: string }).id : null;\n}",
    ],
    [
      'the value of a Result parameter',
      "import type { Result } from '../../shared/errors';\nexport const f = (r: Result<unknown>) => (r.ok ? (r.value as string) : '');",
    ],
    ['an annotation on JSON.parse', 'export function f(s: string) {\n  const v: { id: string } = JSON.parse(s);\n  return v;\n}'],
    ['an annotation on await .json()', 'export async function f(res: Response) {\n  const v: { id: string } = await res.json();\n  return v;\n}'],
  ])('reports %s', async (_what, code) => {
    const errors = await castErrors(`${code}\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.severity).toBe(2);
  });

  it.each([
    ['as const', "export const modes = ['a', 'b'] as const;"],
    ['JSON.parse as unknown', 'export const f = (s: string) => JSON.parse(s) as unknown;'],
    ['JSON.parse declared unknown', 'export function f(s: string) {\n  const v: unknown = JSON.parse(s);\n  return v;\n}'],
    ['JSON.parse checked by a schema', "import { z } from 'zod';\nexport const f = (s: string) => z.object({ id: z.string() }).parse(JSON.parse(s));"],
    [
      'safeParse data used as parsed',
      "import { z } from 'zod';\nexport function f(x: unknown) {\n  const r = z.string().safeParse(x);\n  return r.success ? r.data : null;\n}",
    ],
    ['a cast of something not parsed', 'export const f = (x: { kind: string }) => x.kind as "a" | "b";'],
    ['a DOM value', 'export const f = (input: { value: string }) => input.value as "light" | "dark";'],
    [
      'the value of something that is not a Result',
      'export async function f(lines: AsyncIterator<string>) {\n  const next = await lines.next();\n  return next.value as string | undefined;\n}',
    ],
    [
      'a variable assigned twice (left to review: the rule cannot follow it)',
      'export function f(s: string, t: unknown) {\n  let raw = JSON.parse(s);\n  raw = t;\n  return raw as { id: string };\n}',
    ],
  ])('accepts %s', async (_what, code) => {
    expect(await castErrors(`${code}\n`)).toEqual([]);
  });

  it('is on for every src file that is not a test, and off in tests and test support', async () => {
    const code = 'export const f = (s: string) => JSON.parse(s) as { id: string };\n';
    for (const file of [
      'src/relay/planted.ts',
      'src/shared/planted.ts',
      'src/renderer/ui/planted.ts',
      'src/renderer/app/planted.tsx',
      'src/preload/planted.ts',
    ]) {
      expect(await castErrors(code, file), file).toHaveLength(1);
    }
    for (const file of ['src/relay/planted.test.ts', 'src/renderer/test-support/planted.ts', 'scripts/planted.ts']) {
      expect(await castErrors(code, file), file).toEqual([]);
    }
  });
});
