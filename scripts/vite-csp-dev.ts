// The dev server injects CSS as <style> elements, which the production CSP forbids.
// Relax style-src for `electron-vite dev` only; builds keep the strict policy from index.html.
import type { Plugin } from 'vite';

export function devStyleCspRelaxation(): Plugin {
  return {
    name: 'branchline:dev-style-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
    },
  };
}
