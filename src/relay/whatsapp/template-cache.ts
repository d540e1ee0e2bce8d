// The business account's approved templates, fetched from WhatsApp at most every few minutes and refreshed at once
// when Meta reports a template's status changed.
import type { Clock } from '../../shared/clock';
import type { Template } from '../../shared/domain';
import type { ProviderResult, WhatsAppProvider } from './provider';

export const TEMPLATE_CACHE_MS = 5 * 60_000;

export interface TemplateCache {
  /** The list, from WhatsApp when the cached one is older than TEMPLATE_CACHE_MS (or was invalidated). */
  list(): Promise<ProviderResult<Template[]>>;
  /** The cached list without asking WhatsApp, or null when there is none: for checks that must not wait on the network. */
  peek(): readonly Template[] | null;
  /** A template was approved, rejected or paused: the next `list` asks WhatsApp. */
  invalidate(): void;
}

export function createTemplateCache(provider: Pick<WhatsAppProvider, 'listTemplates'>, clock: Pick<Clock, 'monotonicNow'>): TemplateCache {
  let cached: { at: number; list: Template[] } | null = null;
  let generation = 0;
  return {
    async list() {
      const now = clock.monotonicNow();
      if (cached !== null && now - cached.at <= TEMPLATE_CACHE_MS) return { ok: true, value: cached.list };
      const asked = generation;
      const fetched = await provider.listTemplates();
      // A status change reported while this fetch was under way may not be in its answer: leave it uncached.
      if (fetched.ok && asked === generation) cached = { at: now, list: fetched.value };
      return fetched;
    },
    peek: () => cached?.list ?? null,
    invalidate() {
      generation++;
      cached = null;
    },
  };
}

/** Meta's rule: authentication templates (one-tap, zero-tap, copy-code) go to a phone number only, never to a BSUID or a group. */
export function needsPhoneNumber(templates: readonly Template[] | null, name: string, language: string): boolean {
  const template = templates?.find((t) => t.name === name && t.language === language);
  return template !== undefined && template.category.toUpperCase() === 'AUTHENTICATION';
}
