// `npm run relay -- audit [--agent ID] [--conversation ID] [--since ISO-8601]`: the audit trail as JSON lines, newest last.
import { EntityId } from '../../shared/domain';
import type { AuditRecord } from '../store/relay-store';
import { EXIT, type AdminContext } from './admin-context';

export interface AuditFlags {
  readonly agent?: string | undefined;
  readonly conversation?: string | undefined;
  readonly since?: string | undefined;
}

const PAGE = 1_000;
/** A date, or a date and time with an optional offset (without one, the time is this machine's local time). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** One entry as printed: its time in ISO 8601 and every field named, none left out (null when empty). */
export function auditLine(r: AuditRecord): string {
  return JSON.stringify({
    seq: r.seq,
    at: new Date(r.at).toISOString(),
    action: r.action,
    actor: r.actorId,
    source: r.source,
    conversation: r.conversationId,
    subject: r.subjectId,
    detail: r.detail,
  });
}

export async function runAudit(ctx: AdminContext, flags: AuditFlags): Promise<number> {
  const usage = (message: string) => {
    ctx.errOut(`relay: audit: ${message}`);
    return EXIT.usage;
  };
  let since: number | undefined;
  if (flags.since !== undefined) {
    since = ISO_8601.test(flags.since) ? Date.parse(flags.since) : Number.NaN;
    if (Number.isNaN(since))
      return usage(`--since must be an ISO-8601 date or time, e.g. 2026-04-01 or 2026-04-01T09:00:00Z (got "${flags.since.slice(0, 40)}")`);
  }
  for (const [flag, value] of [
    ['--agent', flags.agent],
    ['--conversation', flags.conversation],
  ] as const) {
    if (value !== undefined && !EntityId.safeParse(value).success) return usage(`${flag} takes an id (1 to 128 letters, digits or . _ : -)`);
  }
  if (flags.agent !== undefined && (await ctx.store.agentAccess(flags.agent)) === null) {
    return usage(`there is no agent ${flags.agent} in ${ctx.dataDir}`);
  }
  // Only the entries go to stdout (a file of JSON lines); where they came from goes to stderr.
  ctx.errOut(`relay data: ${ctx.dataDir}`);
  for (let afterSeq = 0; ;) {
    const page = await ctx.store.readAudit({
      afterSeq,
      limit: PAGE,
      ...(flags.agent !== undefined && { agentId: flags.agent }),
      ...(flags.conversation !== undefined && { conversationId: flags.conversation }),
      ...(since !== undefined && { since }),
    });
    for (const entry of page) ctx.out(auditLine(entry));
    if (page.length < PAGE) return EXIT.ok;
    afterSeq = page.at(-1)!.seq;
  }
}
