import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { importViolation } from './layers.mjs';

const repoRoot = new URL('..', import.meta.url).pathname;

describe('layer table (architecture.md)', () => {
  it.each([
    // from, import, allowed?
    ['src/shared/errors.ts', 'zod', true],
    ['src/shared/errors.ts', './backoff', true],
    ['src/shared/errors.ts', 'node:crypto', false],
    ['src/shared/errors.ts', 'fs', false],
    ['src/shared/errors.ts', 'electron', false],
    ['src/shared/errors.ts', 'react', false],
    ['src/shared/errors.ts', '../main/core/store', false],
    ['src/main/core/store.ts', 'better-sqlite3', true],
    ['src/main/core/store.ts', 'ws', true],
    ['src/main/core/store.ts', 'node:fs', true],
    ['src/main/core/store.ts', '../../shared/errors', true],
    ['src/main/core/store.ts', 'electron', false],
    ['src/main/core/store.ts', '../index', false],
    ['src/main/core/store.ts', '../../renderer/app/App', false],
    ['src/main/core/store.ts', '../../relay/server', false],
    ['src/main/core/sync.test.ts', '../../relay/server', true],
    ['src/main/core/sync.test.ts', 'vitest', true],
    ['src/main/index.ts', 'electron', true],
    ['src/main/index.ts', './core/store', true],
    ['src/main/index.ts', '../renderer/app/App', false],
    ['src/main/index.ts', 'react', false],
    ['src/preload/index.ts', 'electron', true],
    ['src/preload/index.ts', '../shared/errors', true],
    ['src/preload/index.ts', 'node:fs', false],
    ['src/preload/index.ts', 'path', false],
    ['src/preload/index.ts', '../main/core/store', false],
    ['src/renderer/app/App.tsx', 'react', true],
    ['src/renderer/app/App.tsx', 'react-dom/client', true],
    ['src/renderer/app/App.tsx', 'zustand', true],
    ['src/renderer/app/App.tsx', '../../shared/errors', true],
    ['src/renderer/app/App.tsx', 'electron', false],
    ['src/renderer/app/App.tsx', 'node:path', false],
    ['src/renderer/app/App.tsx', 'better-sqlite3', false],
    ['src/renderer/app/App.tsx', 'ws', false],
    ['src/renderer/app/App.tsx', '../../main/core/store', false],
    ['src/renderer/app/App.tsx', '../../preload/index', false],
    ['src/relay/server.ts', 'ws', true],
    ['src/relay/server.ts', 'node:http', true],
    ['src/relay/server.ts', '../shared/errors', true],
    ['src/relay/server.ts', 'electron', false],
    ['src/relay/server.ts', '../main/core/store', false],
    ['src/relay/server.ts', '../renderer/app/App', false],
    ['src/relay/server.ts', '../../scripts/launch-electron.mjs', false],
    ['src/main/core/domain/outbox-verdict.ts', 'zod', true],
    ['src/main/core/domain/outbox-verdict.ts', '../../../shared/errors', true],
    ['src/main/core/domain/outbox-verdict.ts', './status-words', true],
    ['src/main/core/domain/outbox-verdict.ts', 'node:fs', false],
    ['src/main/core/domain/outbox-verdict.ts', 'fs', false],
    ['src/main/core/domain/outbox-verdict.ts', 'better-sqlite3', false],
    ['src/main/core/domain/outbox-verdict.ts', '../local-store', false],
    ['src/main/core/domain/outbox-verdict.test.ts', 'fast-check', true],
    ['src/main/core/outbox-drainer.ts', './domain/outbox-verdict', true],
    ['src/relay/domain/send-rate-limit.ts', '../../shared/errors', true],
    ['src/relay/domain/send-rate-limit.ts', 'node:fs', false],
    ['src/relay/domain/send-rate-limit.ts', 'node:crypto', false],
    ['src/relay/domain/send-rate-limit.ts', 'ws', false],
    ['src/relay/domain/send-rate-limit.ts', '../store/sqlite-relay-store', false],
    ['src/relay/server.ts', './domain/send-rate-limit', true],
    ['scripts/launch-electron.mjs', 'electron', true], // tooling is outside the layers
  ] as const)('%s importing %s: allowed=%s', (from, specifier, allowed) => {
    expect(importViolation(from, specifier) === null).toBe(allowed);
  });
});

describe('the lint configuration', () => {
  const eslint = new ESLint({ cwd: repoRoot });

  it.each([
    ['src/main/core/planted.ts', "import { app } from 'electron';\nexport const name = app.name;\n"],
    ['src/main/core/planted.ts', "export const load = () => import('electron');\n"],
    ['src/main/core/planted.ts', "export { app } from 'electron';\n"],
    ['src/main/core/planted.ts', "import type { App } from 'electron';\nexport type A = App;\n"],
    ['src/shared/planted.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
    ['src/main/core/domain/planted.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
    ['src/relay/domain/planted.ts', "import type { Stats } from 'node:fs';\nexport type S = Stats;\n"],
    ['src/main/core/planted.ts', "export type App = import('electron').App;\n"],
    ['src/renderer/planted.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n"],
    ['src/relay/planted.ts', "import { x } from '../main/core/planted';\nexport const y = x;\n"],
  ])('reports a forbidden import in %s', async (filePath, code) => {
    const [result] = await eslint.lintText(code, { filePath: `${repoRoot}${filePath}` });
    const layerErrors = result!.messages.filter((m) => m.ruleId === 'branchline/layers');
    expect(layerErrors).toHaveLength(1);
    expect(layerErrors[0]!.severity).toBe(2);
  });

  it.each([
    ['src/main/core/domain/planted.ts', "import { z } from 'zod';\nimport { ok } from '../../../shared/errors';\nexport const r = [z, ok];\n"],
    ['src/relay/domain/planted.ts', "import { z } from 'zod';\nexport const r = z;\n"],
    ['src/main/core/planted.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
  ])('accepts an allowed import in %s', async (filePath, code) => {
    const [result] = await eslint.lintText(code, { filePath: `${repoRoot}${filePath}` });
    expect(result!.messages.filter((m) => m.ruleId === 'branchline/layers')).toEqual([]);
  });
});
