// The renderer's feature boundaries: features never import each other or the shell; only the shell composes them.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { rendererViolation } from './renderer-boundaries.mjs';

const repoRoot = new URL('..', import.meta.url).pathname;

describe('what each renderer folder may import', () => {
  it.each([
    // from, import, type-only?, allowed?
    ['src/renderer/composer/Composer.tsx', './TemplateComposer', false, true],
    ['src/renderer/composer/Composer.tsx', '../ui/strings', false, true],
    ['src/renderer/composer/Composer.tsx', '../store/use-app-store', false, true],
    ['src/renderer/composer/Composer.tsx', '../../shared/domain', false, true], // the layer rule's business
    ['src/renderer/composer/Composer.tsx', 'react', false, true],
    ['src/renderer/composer/Composer.tsx', '../conversation/timeline', false, false],
    ['src/renderer/composer/Composer.tsx', '../conversation/timeline', true, false],
    ['src/renderer/composer/composer-slice.ts', '../customer/customer-slice', true, false],
    ['src/renderer/composer/Composer.tsx', '../app/App', false, false],
    ['src/renderer/composer/Composer.tsx', '../app/shell-slice', true, false],
    ['src/renderer/composer/Composer.tsx', '../bridge/web-bridge', false, false],
    ['src/renderer/composer/Composer.tsx', '../test-support/fake-api', false, false],
    ['src/renderer/composer/Composer.tsx', '../main', false, false],
    ['src/renderer/composer/deep/Part.tsx', '../../conversation/timeline', false, false],
    ['src/renderer/newfeature/View.tsx', '../conversation/timeline', false, false], // a new folder is a feature by default
    ['src/renderer/composer/composer-slice.test.ts', '../test-support/store-harness', false, true],
    ['src/renderer/composer/composer-slice.test.ts', '../conversation/timeline', false, false],
    ['src/renderer/app/Workspace.tsx', '../composer/Composer', false, true],
    ['src/renderer/app/compose-store.ts', '../conversation/conversation-slice', false, true],
    ['src/renderer/app/App.tsx', '../test-support/fake-api', false, false],
    ['src/renderer/app/shell-slice.test.ts', '../test-support/store-harness', false, true],
    ['src/renderer/main.tsx', './app/App', false, true],
    ['src/renderer/main.tsx', './bridge/web-bridge', false, true],
    ['src/renderer/store/app-state.ts', '../composer/composer-slice', true, true],
    ['src/renderer/store/app-state.ts', '../composer/composer-slice', false, false],
    ['src/renderer/store/app-state.ts', '../composer/Composer', true, false],
    ['src/renderer/store/app-state.ts', '../app/shell-slice', true, false],
    ['src/renderer/store/use-app-store.ts', './app-state', true, true],
    ['src/renderer/ui/format.ts', './strings', false, true],
    ['src/renderer/ui/format.ts', '../store/use-app-store', false, false],
    ['src/renderer/ui/format.ts', '../composer/file-check', false, false],
    ['src/renderer/ui/format.test.ts', '../test-support/fake-api', false, true],
    ['src/renderer/bridge/web-bridge.ts', '../ui/strings', false, false],
    ['src/renderer/test-support/store-harness.ts', '../app/compose-store', false, true],
    ['src/renderer/test-support/store-harness.ts', '../composer/composer-slice', false, true],
    ['src/main/index.ts', '../renderer/composer/Composer', false, true], // outside the renderer: the layer rule's business
  ] as const)('%s importing %s (type-only: %s): allowed=%s', (from, specifier, typeOnly, allowed) => {
    expect(rendererViolation(from, specifier, { typeOnly }) === null).toBe(allowed);
  });

  it('says what to do instead when a feature imports another', () => {
    expect(rendererViolation('src/renderer/composer/Composer.tsx', '../conversation/timeline')).toMatch(
      /feature 'composer' may not import feature 'conversation'.*src\/renderer\/ui/,
    );
  });
});

describe('the lint configuration', () => {
  const eslint = new ESLint({ cwd: repoRoot });
  const boundaryErrors = async (filePath: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: `${repoRoot}${filePath}` });
    return result!.messages.filter((m) => m.ruleId === 'branchline/renderer-boundaries');
  };

  it.each([
    ['src/renderer/composer/planted.ts', "import { buildTimeline } from '../conversation/timeline';\nexport const b = buildTimeline;\n"],
    ['src/renderer/composer/planted.ts', "import type { TimelineRow } from '../conversation/timeline';\nexport type R = TimelineRow;\n"],
    ['src/renderer/composer/planted.ts', "export { buildTimeline } from '../conversation/timeline';\n"],
    ['src/renderer/composer/planted.ts', "export const load = () => import('../conversation/timeline');\n"],
    ['src/renderer/composer/planted.tsx', "import { App } from '../app/App';\nexport const A = App;\n"],
    ['src/renderer/store/planted.ts', "import { createComposerSlice } from '../composer/composer-slice';\nexport const c = createComposerSlice;\n"],
    ['src/renderer/ui/planted.ts', "import { useAppStore } from '../store/use-app-store';\nexport const u = useAppStore;\n"],
  ])('reports a boundary crossing in %s', async (filePath, code) => {
    const errors = await boundaryErrors(filePath, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.severity).toBe(2);
  });

  it.each([
    [
      'src/renderer/composer/planted.ts',
      "import { strings } from '../ui/strings';\nimport { useAppStore } from '../store/use-app-store';\nexport const u = [strings, useAppStore];\n",
    ],
    ['src/renderer/store/planted.ts', "import type { ComposerSlice } from '../composer/composer-slice';\nexport type C = ComposerSlice;\n"],
    ['src/renderer/app/planted.ts', "import { Composer } from '../composer/Composer';\nexport const C = Composer;\n"],
  ])('accepts what the boundaries allow in %s', async (filePath, code) => {
    expect(await boundaryErrors(filePath, code)).toEqual([]);
  });
});
