// Lint: TypeScript rules, React hooks, and our own rules (eslint/plugin.mjs): the layer table from architecture.md,
// the renderer's feature boundaries, and no unchecked casts of parsed data.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import branchline from './eslint/plugin.mjs';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { branchline },
    rules: {
      'branchline/layers': 'error',
      'branchline/renderer-boundaries': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: globals.browser },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['src/main/**/*.ts', 'src/relay/**/*.ts', 'scripts/**/*', 'eslint/**/*', 'e2e/**/*', 'bench/**/*', 'test/**/*', '*.config.{js,ts}'],
    languageOptions: { globals: globals.node },
  },
  {
    // Parsed data goes through its schema. Tests may cast what their own fixtures and servers return.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['**/*.test.{ts,tsx}', '**/test-support/**'],
    rules: { 'branchline/no-unchecked-cast': 'error' },
  },
  {
    // electron-builder's config and hooks are CommonJS (loaded by electron-builder itself).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Secrets and message bodies must never reach a log (architecture.md, invariant 5):
    // long-running code logs through the redacting logger, not console.*.
    files: ['src/main/**/*.ts', 'src/relay/**/*.ts', 'src/shared/**/*.ts'],
    ignores: ['**/*.test.ts', 'src/**/cli/**', 'src/**/*-cli.ts'],
    rules: { 'no-console': 'error' },
  },
);
