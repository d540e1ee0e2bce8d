// Build of the three Electron bundles: main (Node), preload (sandboxed, CommonJS), renderer (React).
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Rollup } from 'vite';
import { devStyleCspRelaxation } from './scripts/vite-csp-dev';

/** A library's comment Rollup cannot place (zod's `@__PURE__` notes) is not ours to fix: keep the build output to what is. */
function onwarn(warning: Rollup.RollupLog, warn: (warning: Rollup.RollupLog) => void): void {
  if (warning.code === 'INVALID_ANNOTATION' && (warning.id ?? '').includes('node_modules')) return;
  warn(warning);
}

export default defineConfig({
  main: {
    build: {
      rollupOptions: { input: { index: resolve('src/main/index.ts') }, onwarn },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require anything but a few Electron modules:
      // bundle everything it uses into one CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
        onwarn,
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve('src/renderer/index.html') }, onwarn },
    },
    plugins: [react(), devStyleCspRelaxation()],
  },
});
