// GET /metrics: the relay's figures for a Prometheus scraper holding the metrics token; off (404) when none is set.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { secretsEqual } from '../node-shared/secret-compare';
import { bearerToken } from './agent-tokens';
import type { AuthGuard } from './auth/auth-guard';
import { sendRateLimited } from './auth/door-sign-in';
import { sendError } from './http-util';
import type { RelayMetrics } from './metrics';

export interface MetricsRouteDeps {
  readonly token: string | null;
  readonly metrics: RelayMetrics;
  readonly guard: AuthGuard;
  readonly sourceOf: (req: IncomingMessage) => string;
}

/**
 * The scraper is no agent; settling its accepted attempt needs a key, and this one no agent id can be (ids never hold
 * a NUL), so forgiving it forgets nothing about any agent.
 */
const SCRAPER = '\u0000metrics';

export async function handleMetrics(req: IncomingMessage, res: ServerResponse, deps: MetricsRouteDeps): Promise<void> {
  if (deps.token === null) {
    sendError(res, 404, 'not_found', '/metrics is off: set RELAY_METRICS_TOKEN (or metrics.token in the config file) to turn it on');
    return;
  }
  const source = deps.sourceOf(req);
  // The same gate as every other credential: a guesser is slowed, then locked out, and each refusal is audited.
  const admission = await deps.guard.admit(source, 'metrics');
  if (!admission.ok) {
    sendRateLimited(res, admission.retryAfterSeconds);
    return;
  }
  const given = bearerToken(req.headers.authorization);
  if (given === null || !secretsEqual(given, deps.token)) {
    await deps.guard.refused(source, 'metrics', given === null ? 'missing' : 'unknown_or_revoked');
    res.setHeader('www-authenticate', 'Bearer realm="relay metrics"');
    sendError(res, 401, 'unauthorized', 'send the metrics token as "Authorization: Bearer <token>"');
    return;
  }
  deps.guard.accepted(source, SCRAPER);
  const { contentType, body } = await deps.metrics.exposition();
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}
