import { spawnSync } from 'node:child_process';
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
    ['src/renderer/planted.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n"],
    ['src/relay/planted.ts', "import { x } from '../main/core/planted';\nexport const y = x;\n"],
  ])('reports a forbidden import in %s', async (filePath, code) => {
    const [result] = await eslint.lintText(code, { filePath: `${repoRoot}${filePath}` });
    const layerErrors = result!.messages.filter((m) => m.ruleId === 'branchline/layers');
    expect(layerErrors).toHaveLength(1);
    expect(layerErrors[0]!.severity).toBe(2);
  });

  it('makes `npm run lint` fail on a planted forbidden import, and pass without it', () => {
    const lint = (code: string) =>
      spawnSync('npm', ['run', '--silent', 'lint', '--', '--stdin', '--stdin-filename', 'src/main/core/planted.ts'], {
        cwd: repoRoot,
        input: code,
        encoding: 'utf8',
      });
    const planted = lint("import { app } from 'electron';\nexport const name = app.name;\n");
    expect(planted.status).not.toBe(0);
    expect(planted.stdout).toContain("src/main/core may not import 'electron'");

    const clean = lint("import { ok } from '../../shared/errors';\nexport const r = ok(1);\n");
    expect(clean.stdout).toBe('');
    expect(clean.status).toBe(0);
  });
});
