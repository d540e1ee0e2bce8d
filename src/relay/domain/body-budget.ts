// How long a request's body may take to arrive, by route: short where bodies are small (webhooks, sign-in, poll posts),
// longer for a media upload in proportion to its size, and no bound for the long-poll GET, which waits by design.

export interface BodyBudgetSettings {
  readonly bodyTimeoutMs: number;
  /** The slowest upload rate still waited for. */
  readonly uploadMinBytesPerSecond: number;
  /** The largest upload accepted: an upload that declares no length (or more) is given this size's time. */
  readonly maxUploadBytes: number;
}

/** Milliseconds the body may take from the moment its headers are read; null where no bound applies. */
export function bodyBudgetMs(method: string, pathname: string, declaredBytes: number | undefined, settings: BodyBudgetSettings): number | null {
  if (method === 'GET' && /^\/v1\/poll\/[^/]+$/.test(pathname)) return null;
  if (method === 'POST' && pathname === '/v1/media') {
    const bytes = Math.min(declaredBytes ?? settings.maxUploadBytes, settings.maxUploadBytes);
    return settings.bodyTimeoutMs + Math.ceil((Math.max(0, bytes) * 1000) / settings.uploadMinBytesPerSecond);
  }
  return settings.bodyTimeoutMs;
}
