// `npm run relay -- teams|numbers|agents …`: who serves which number, who is in which team with which role, tokens.
import { EntityId, Role } from '../../shared/domain';
import { generateAgentToken, hashAgentToken } from '../agent-tokens';
import { EXIT, refusal, type AdminContext } from './admin-context';

export interface AdminFlags {
  readonly name?: string | undefined;
  readonly team?: string | undefined;
  readonly role?: string | undefined;
  readonly display?: string | undefined;
  /** The name the agent signs in with at the bank's provider (the auth.oidc.agentClaim value). */
  readonly sso?: string | undefined;
}

type Handler = (ctx: AdminContext, id: string | undefined, flags: AdminFlags) => Promise<number>;

/** Which subcommands exist, and which of them only read (they refuse a folder with no relay data). */
export const ADMIN_COMMANDS: Record<'teams' | 'numbers' | 'agents', Record<string, { readOnly: boolean; needsId: string | null }>> = {
  teams: { add: { readOnly: false, needsId: 'a team id' }, list: { readOnly: true, needsId: null } },
  numbers: { add: { readOnly: false, needsId: 'the phone number id (from Meta’s app dashboard)' }, list: { readOnly: true, needsId: null } },
  agents: {
    add: { readOnly: false, needsId: 'an agent id' },
    set: { readOnly: false, needsId: 'an agent id' },
    list: { readOnly: true, needsId: null },
    revoke: { readOnly: false, needsId: 'an agent id' },
    rotate: { readOnly: false, needsId: 'an agent id' },
  },
};

const PHONE_NUMBER_ID = /^\d{1,32}$/;
const DISPLAY_NUMBER = /^\+\d{6,15}$/;

/** A problem with what the operator typed: exit 2 with these words. */
class UsageError extends Error {}

function name(flags: AdminFlags, max: number): string {
  const value = flags.name?.trim() ?? '';
  if (value === '' || value.length > max) throw new UsageError(`needs --name NAME (1 to ${max} characters)`);
  return value;
}

function teamList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const ids = text.split(',').map((t) => t.trim());
  const bad = ids.find((id) => !EntityId.safeParse(id).success);
  if (bad !== undefined) throw new UsageError(`--team takes team ids separated by commas (got "${bad.slice(0, 40)}")`);
  return ids;
}

function role(text: string | undefined): Role | undefined {
  if (text === undefined) return undefined;
  const parsed = Role.safeParse(text);
  if (!parsed.success) throw new UsageError(`--role must be agent, supervisor or admin (got "${text.slice(0, 40)}")`);
  return parsed.data;
}

function ssoLogin(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const value = text.trim();
  if (value === '' || value.length > 256 || [...value].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127))
    throw new UsageError('--sso takes the sign-in name at the bank (1 to 256 characters)');
  return value;
}

/** Prints a new token once, as the last line (scripts read it there). */
function printToken(ctx: AdminContext, headline: string, token: string): void {
  ctx.out(`${headline} in ${ctx.dataDir}. Token (shown once, give it to the agent; it cannot be shown again):`);
  ctx.out(token);
}

const HANDLERS: Record<string, Record<string, Handler>> = {
  teams: {
    add: async (ctx, id, flags) => {
      const added = await ctx.store.addTeam(id!, name(flags, 200), ctx.now(), ctx.by);
      if (!added.ok) return refusal(added, ctx.errOut);
      ctx.out(`team ${added.value.id} ("${added.value.name}") added in ${ctx.dataDir}`);
      return EXIT.ok;
    },
    list: async (ctx) => {
      ctx.out(`relay data: ${ctx.dataDir}`);
      const numbers = await ctx.store.listNumbers();
      for (const t of await ctx.store.listTeams()) {
        const served = numbers.filter((n) => n.teamId === t.id).map((n) => n.phoneNumberId);
        ctx.out(`${t.id}\t${t.name}\t${served.length === 0 ? 'no number' : `numbers ${served.join(',')}`}`);
      }
      return EXIT.ok;
    },
  },
  numbers: {
    add: async (ctx, id, flags) => {
      if (!PHONE_NUMBER_ID.test(id!)) throw new UsageError('a phone number id is the numeric id from Meta’s app dashboard, not the phone number');
      if (flags.team === undefined || !EntityId.safeParse(flags.team).success) throw new UsageError('numbers add needs --team TEAM (one team id)');
      if (flags.display !== undefined && !DISPLAY_NUMBER.test(flags.display)) throw new UsageError('--display is the number as dialled, e.g. +15551234567');
      const added = await ctx.store.addNumber({ phoneNumberId: id!, teamId: flags.team, display: flags.display ?? null }, ctx.now(), ctx.by);
      if (!added.ok) return refusal(added, ctx.errOut);
      ctx.out(`number ${id} added to team ${flags.team} in ${ctx.dataDir}; a running relay serves it from its next delivery`);
      return EXIT.ok;
    },
    list: async (ctx) => {
      ctx.out(`relay data: ${ctx.dataDir}`);
      const numbers = await ctx.store.listNumbers();
      if (numbers.length === 0) ctx.out('no numbers yet (the configured WHATSAPP_PHONE_NUMBER_ID joins team main when the relay starts)');
      for (const n of numbers) ctx.out(`${n.phoneNumberId}\t${n.teamId}\t${n.display ?? ''}`.trimEnd());
      return EXIT.ok;
    },
  },
  agents: {
    add: async (ctx, id, flags) => {
      const token = generateAgentToken();
      const teams = teamList(flags.team);
      const options = { ...(teams !== undefined && { teams }), ...(flags.role !== undefined && { role: role(flags.role)! }), by: ctx.by };
      const sso = ssoLogin(flags.sso);
      // Checked before the agent exists: a name another agent signs in with would leave a half-made agent behind.
      const holder = sso === undefined ? null : await ctx.store.findSsoAgent(sso);
      if (sso !== undefined && holder?.ssoLogin?.toLowerCase() === sso.toLowerCase()) {
        ctx.errOut(`relay: agent ${holder.access.id} already signs in as ${sso}; nothing was changed`);
        return EXIT.failed;
      }
      const added = await ctx.store.addAgent(id!, name(flags, 128), hashAgentToken(token), ctx.now(), options);
      if (!added.ok) return refusal(added, ctx.errOut);
      if (sso !== undefined) {
        const linked = await ctx.store.setAgentSsoLogin(id!, sso, ctx.now(), ctx.by);
        if (!linked.ok) return refusal(linked, ctx.errOut);
      }
      printToken(ctx, `agent ${id} added (teams ${added.value.teamIds.join(',') || 'none'}, role ${added.value.role})`, token);
      return EXIT.ok;
    },
    set: async (ctx, id, flags) => {
      const teams = teamList(flags.team);
      const newRole = role(flags.role);
      const sso = ssoLogin(flags.sso);
      if (teams === undefined && newRole === undefined && sso === undefined) {
        throw new UsageError('agents set needs --team T1,T2, --role agent|supervisor|admin and/or --sso LOGIN');
      }
      if (sso !== undefined) {
        const linked = await ctx.store.setAgentSsoLogin(id!, sso, ctx.now(), ctx.by);
        if (!linked.ok) return refusal(linked, ctx.errOut);
      }
      const changed = await ctx.store.setAgentAccess(
        id!,
        { ...(teams !== undefined && { teams }), ...(newRole !== undefined && { role: newRole }) },
        ctx.now(),
        ctx.by,
      );
      if (!changed.ok) return refusal(changed, ctx.errOut);
      const a = changed.value;
      ctx.out(`agent ${a.id} in ${ctx.dataDir}: teams ${a.teams.map((t) => t.id).join(',') || 'none'}, role ${a.role}; their consoles reconnect with it`);
      return EXIT.ok;
    },
    list: async (ctx) => {
      ctx.out(`relay data: ${ctx.dataDir}`);
      const all = await ctx.store.listAgents();
      const sso = await ctx.store.ssoLogins();
      if (all.length === 0) ctx.out('no agents');
      for (const a of all) {
        const status = a.revokedAt === null ? 'active' : `revoked ${new Date(a.revokedAt).toISOString()}`;
        const login = sso.get(a.id);
        ctx.out(`${a.id}\t${a.name}\t${status}\t${a.role}\t${a.teamIds.join(',') || 'no team'}${login === undefined ? '' : `\tsso ${login}`}`);
      }
      return EXIT.ok;
    },
    revoke: async (ctx, id) => {
      const revoked = await ctx.store.revokeAgent(id!, ctx.now(), ctx.by);
      if (!revoked.ok) return refusal(revoked, ctx.errOut);
      const n = revoked.value.released.length;
      ctx.out(`agent ${id} revoked in ${ctx.dataDir}; their consoles are disconnected within seconds`);
      ctx.out(`${n} conversation${n === 1 ? '' : 's'} returned unassigned to their team's queue`);
      return EXIT.ok;
    },
    rotate: async (ctx, id) => {
      const token = generateAgentToken();
      const rotated = await ctx.store.rotateAgentToken(id!, hashAgentToken(token), ctx.now(), ctx.by);
      if (!rotated.ok) return refusal(rotated, ctx.errOut);
      printToken(ctx, `agent ${id} has a new token (the old one no longer works; their conversations stay theirs)`, token);
      return EXIT.ok;
    },
  },
};

/** Runs one administrative command; the context's store is open on the data folder. */
export async function runAdmin(
  ctx: AdminContext,
  group: keyof typeof ADMIN_COMMANDS,
  command: string,
  id: string | undefined,
  flags: AdminFlags,
): Promise<number> {
  const spec = ADMIN_COMMANDS[group][command];
  try {
    if (spec !== undefined && spec.needsId !== null && id === undefined) throw new UsageError(`${group} ${command} needs ${spec.needsId}`);
    if (id !== undefined && group !== 'numbers' && !EntityId.safeParse(id).success) {
      throw new UsageError(`${group === 'teams' ? 'a team' : 'an agent'} id is 1 to 128 letters, digits or . _ : -`);
    }
    return await HANDLERS[group]![command]!(ctx, id, flags);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    ctx.errOut(`relay: ${group} ${command}: ${error.message}`);
    return EXIT.usage;
  }
}
