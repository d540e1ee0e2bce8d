// ESLint rule `branchline/renderer-boundaries`: inside src/renderer, features do not import each other (bulletproof-react).
// The layer rule decides what the renderer may import from outside; this one decides what its folders may import from each other.
import path from 'node:path';
import { importVisitors } from './import-visitors.mjs';

export const RENDERER = 'src/renderer';

/**
 * The renderer's folders that are not features, and which renderer folders each may import ('*': any of them).
 * Every other folder directly under src/renderer is a feature: it may import `ui`, `store` and itself, nothing else
 * of the renderer. Files directly in src/renderer (main.tsx) are the entry point and may import anything.
 * `typesFromFeatures`: may import a feature's `*-slice` module, types only (the store's shape is the sum of the slices).
 */
export const RENDERER_FOLDERS = {
  app: { may: ['*'], why: 'the shell composes the features' },
  store: {
    may: ['store', 'ui'],
    typesFromFeatures: true,
    why: 'the store holds the slices’ types and the hook; the shell composes the slices at runtime',
  },
  ui: { may: ['ui'], why: 'every feature uses the shared renderer pieces, so they know no feature, store or shell' },
  bridge: { may: ['bridge'], why: 'the web bridge only provides window.branchline' },
  'test-support': { may: ['*'], why: 'test support wires the whole renderer for tests' },
};

const FEATURE_WHY =
  'features do not import each other or the shell: what several features share belongs in src/renderer/ui, ' +
  'the store hook and types in src/renderer/store, and steps that span features in the shell (src/renderer/app)';

const TEST_FILE = /\.test\.tsx?$/;
const SLICE_MODULE = /-slice(\.tsx?)?$/;

/**
 * The part of the renderer a repository-relative path belongs to: a folder name, '' for the entry point, or
 * undefined outside src/renderer.
 * @param {string} relativePath
 */
export function rendererPart(relativePath) {
  if (!relativePath.startsWith(`${RENDERER}/`)) return undefined;
  const rest = relativePath.slice(RENDERER.length + 1).split('/');
  return rest.length === 1 ? '' : rest[0];
}

/** @param {string} part */
export const isFeature = (part) => part !== '' && !Object.hasOwn(RENDERER_FOLDERS, part);

/** @param {string} part */
const describe = (part) => (part === '' ? 'the entry point' : isFeature(part) ? `feature '${part}'` : `${RENDERER}/${part}`);

/**
 * Why `specifier` may not be imported from the file at `fromRelative`, or null when it may. Only imports from one
 * renderer file into another are judged here. Paths are relative to the repository root, with forward slashes.
 * @param {string} fromRelative
 * @param {string} specifier
 * @param {{ typeOnly?: boolean }} [info]
 * @returns {string | null}
 */
export function rendererViolation(fromRelative, specifier, { typeOnly = false } = {}) {
  const from = rendererPart(fromRelative);
  if (from === undefined || !(specifier.startsWith('.') || specifier.startsWith('/'))) return null;
  const targetPath = path.posix.normalize(path.posix.join(path.posix.dirname(fromRelative), specifier));
  const to = rendererPart(targetPath);
  if (to === undefined || to === from) return null;

  const isTest = TEST_FILE.test(fromRelative);
  if (to === 'test-support') {
    return isTest || from === 'test-support' ? null : `only tests import ${RENDERER}/test-support ('${specifier}')`;
  }
  if (to === '') return `nothing imports the entry point ('${specifier}'): it wires the renderer together`;
  if (from === '') return null;

  const rules = Object.hasOwn(RENDERER_FOLDERS, from) ? RENDERER_FOLDERS[/** @type {keyof typeof RENDERER_FOLDERS} */ (from)] : undefined;
  if (rules === undefined) {
    // A feature: the shared folders and itself.
    if (to === 'ui' || to === 'store') return null;
    return `${describe(from)} may not import ${describe(to)} ('${specifier}'): ${FEATURE_WHY}`;
  }
  if (rules.may.includes('*') || rules.may.includes(to)) return null;
  if ('typesFromFeatures' in rules && rules.typesFromFeatures && isFeature(to)) {
    if (typeOnly && SLICE_MODULE.test(targetPath)) return null;
    return `${describe(from)} may import only the types of a feature's slice (\`import type … from '../${to}/…-slice'\`), not '${specifier}': ${rules.why}`;
  }
  return `${describe(from)} may not import ${describe(to)} ('${specifier}'): ${rules.why}`;
}

/** @type {import('eslint').Rule.RuleModule} */
export const rendererBoundariesRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Features of the renderer do not import each other; only the shell composes them' },
    schema: [],
    messages: { forbidden: '{{reason}}' },
  },
  create(context) {
    const relative = path.relative(context.cwd, context.filename).split(path.sep).join('/');
    if (rendererPart(relative) === undefined) return {};
    return importVisitors((node, specifier, info) => {
      const reason = rendererViolation(relative, specifier, info);
      if (reason !== null) context.report({ node, messageId: 'forbidden', data: { reason } });
    });
  },
};
