// ESLint rule `branchline/layers`: the import table of shared/design/architecture.md, enforced.
// Do not relax a row to make a change pass: move the code to the layer it belongs in instead.
import { builtinModules } from 'node:module';
import path from 'node:path';
import { importVisitors } from './import-visitors.mjs';

const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/**
 * One row per layer, most specific folder first. `layers`: which of our folders it may import.
 * `node`: whether Node's built-in modules are allowed. `packages`: the npm packages it may import
 * (by package name; subpaths such as `react-dom/client` count as their package).
 * `tests` widens the row for `*.test.ts(x)` files only.
 */
export const LAYERS = [
  {
    // Pure decisions of the console (status bar words, notification rules, outbox verdicts): no I/O, table-tested.
    name: 'src/main/core/domain',
    layers: ['src/shared', 'src/main/core/domain'],
    node: false,
    packages: ['zod'],
    why: 'a domain module decides and does no I/O: take what it needs as arguments',
    tests: { layers: [], packages: ['vitest', 'fast-check'] },
  },
  {
    name: 'src/main/core',
    layers: ['src/shared', 'src/node-shared', 'src/main/core', 'src/main/core/domain'],
    node: true,
    packages: ['ws', 'better-sqlite3', 'zod', 'yazl', 'rotating-file-stream'],
    why: 'core is plain Node: take Electron pieces as injected interfaces',
    tests: { layers: ['src/relay'], packages: ['vitest', 'fast-check', 'yauzl'] },
  },
  {
    name: 'src/main',
    layers: ['src/shared', 'src/node-shared', 'src/main/core', 'src/main/core/domain', 'src/main'],
    node: true,
    packages: ['electron', 'electron-updater', 'zod'],
    why: 'the Electron adapters forward to core; the UI lives in the renderer',
    tests: { layers: [], packages: ['vitest', 'fast-check'] },
  },
  {
    name: 'src/preload',
    layers: ['src/shared', 'src/preload'],
    node: false,
    packages: ['electron', 'zod'],
    why: 'the preload is sandboxed: it only bridges the contract',
    tests: { layers: [], packages: ['vitest'] },
  },
  {
    name: 'src/renderer',
    layers: ['src/shared', 'src/renderer'],
    node: false,
    packages: ['react', 'react-dom', 'zustand', 'zod', '@tanstack/react-virtual'],
    why: 'the renderer runs in Chromium and reaches the rest only through window.branchline',
    tests: { layers: [], packages: ['vitest', 'fast-check'] },
  },
  {
    // Pure rules of the relay (webhook parsing, Meta's error table, limits): no I/O, shared by every store.
    name: 'src/relay/domain',
    layers: ['src/shared', 'src/relay/domain'],
    node: false,
    packages: ['zod'],
    why: 'a domain module decides and does no I/O: take what it needs as arguments',
    tests: { layers: [], packages: ['vitest', 'fast-check'] },
  },
  {
    name: 'src/relay',
    layers: ['src/shared', 'src/node-shared', 'src/relay', 'src/relay/domain'],
    node: true,
    // openid-client + jose: the relay is the bank's OpenID client; oidc-provider: the sandbox's built-in provider;
    // pg: the PostgreSQL driver of the store several instances share; prom-client: /metrics (metrics.ts).
    packages: ['ws', 'better-sqlite3', 'zod', 'openid-client', 'jose', 'oidc-provider', 'pg', 'prom-client'],
    why: 'the relay is a separate Node program',
    tests: { layers: [], packages: ['vitest', 'fast-check'] },
  },
  {
    // Node-only code both Node programs share (the relay and the console core): bounded body reads, secret
    // comparison, parsing stored rows. Like VS Code's base/node beside base/common.
    name: 'src/node-shared',
    layers: ['src/shared', 'src/node-shared'],
    node: true,
    packages: ['better-sqlite3', 'zod'],
    why: 'shared Node code serves the relay and the console core alike, so it knows neither',
    tests: { layers: [], packages: ['vitest', 'fast-check'] },
  },
  {
    name: 'src/shared',
    layers: ['src/shared'],
    node: false,
    packages: ['zod'],
    why: 'shared code runs everywhere, so it may depend on nothing runtime-specific',
    tests: { layers: [], packages: ['vitest', 'fast-check'] },
  },
];

/** Tests, and the support code only tests use (fakes, harnesses, child processes they start). */
const TEST_FILE = /(\.test\.tsx?$)|(\/test-support\/)/;

/**
 * The layer a repository-relative path (forward slashes) belongs to, or undefined outside src layers.
 * @param {string} relativePath
 */
export function layerOf(relativePath) {
  return LAYERS.find((layer) => relativePath === layer.name || relativePath.startsWith(`${layer.name}/`));
}

/** @param {string} specifier */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * Why `specifier` may not be imported from the file at `fromRelative`, or null when it may.
 * Both paths are relative to the repository root, with forward slashes.
 * @param {string} fromRelative
 * @param {string} specifier
 * @returns {string | null}
 */
export function importViolation(fromRelative, specifier) {
  const layer = layerOf(fromRelative);
  if (layer === undefined) return null;
  const isTest = TEST_FILE.test(fromRelative);
  const allowedLayers = isTest ? [...layer.layers, ...layer.tests.layers] : layer.layers;
  const allowedPackages = isTest ? [...layer.packages, ...layer.tests.packages] : layer.packages;

  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(fromRelative), specifier));
    const targetLayer = layerOf(target);
    if (targetLayer === undefined) return `${layer.name} may only import from src layers, not '${specifier}' (${target})`;
    if (!allowedLayers.includes(targetLayer.name)) {
      return `${layer.name} may not import ${targetLayer.name} ('${specifier}'): ${layer.why}`;
    }
    return null;
  }

  const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  if (specifier.startsWith('node:') || NODE_BUILTINS.has(packageName(bare))) {
    return layer.node ? null : `${layer.name} may not import Node's '${specifier}': ${layer.why}`;
  }
  const name = packageName(specifier);
  if (!allowedPackages.includes(name)) {
    return `${layer.name} may not import '${name}': ${layer.why} (allowed: ${allowedPackages.join(', ')})`;
  }
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the layer import table of architecture.md' },
    schema: [],
    messages: { forbidden: '{{reason}}' },
  },
  create(context) {
    const relative = path.relative(context.cwd, context.filename).split(path.sep).join('/');
    if (layerOf(relative) === undefined) return {};

    return importVisitors((node, specifier) => {
      const reason = importViolation(relative, specifier);
      if (reason !== null) context.report({ node, messageId: 'forbidden', data: { reason } });
    });
  },
};
