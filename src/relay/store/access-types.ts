// The need-to-know shapes of the storage port: teams, numbers, roles, event audiences and the audit trail.
import type { Role, TeamRef } from '../../shared/domain';

export interface TeamRecord extends TeamRef {
  readonly createdAt: number;
}

/** One of our WhatsApp business numbers and the team that answers it. */
export interface NumberRecord {
  readonly phoneNumberId: string;
  readonly teamId: string;
  /** The number as people dial it (e.g. +15551234567), for the operator's lists only; never in logs or the audit. */
  readonly display: string | null;
  readonly createdAt: number;
}

/** What an agent may see and do now. `accessVersion` changes whenever that shrinks or changes (revoke, rotate, teams, role). */
export interface AgentAccess {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  /** Teams the agent belongs to, by name order. */
  readonly teams: readonly TeamRef[];
  readonly accessVersion: number;
  readonly revokedAt: number | null;
}

/**
 * Who asks for a store operation that checks rights and writes the audit trail. When an operation receives an actor,
 * the store applies the need-to-know rules inside its own transaction (a refusal is `forbidden` or `conflict`, with
 * words, and nothing is stored).
 */
export interface Actor {
  readonly agentId: string;
  /** Where the request came from (the socket's address, or the trusted proxy's X-Forwarded-For): for the audit only. */
  readonly source: string | null;
}

/** Who made an administrative change (teams, numbers, agents): the audit's actor and source. */
export interface ChangedBy {
  /** An agent (an admin acting from a console, later); null for an operator at the command line. */
  readonly actorId: string | null;
  /** "cli" for the command line, "sandbox" for the sandbox's demo set-up, else a source address. */
  readonly source: string | null;
  /** The operating-system user at the command line, kept in the entry's detail. */
  readonly operator?: string | null;
}

/** Who is told about an event: devices of agents in `teamId`, except those also in `unlessTeamId`. */
export interface Audience {
  readonly teamId: string;
  readonly unlessTeamId?: string | null;
}

/** The conversation's owner and number: what access checks need, without its content. */
export interface ConversationAccess {
  readonly id: string;
  readonly team: TeamRef;
  readonly assignedAgentId: string | null;
  readonly phoneNumberId: string;
}

/** Who may fetch a media file: its uploader, and agents of the teams whose conversations show it. */
export interface MediaAccess {
  readonly uploadedBy: string | null;
  readonly conversationIds: readonly string[];
  readonly teamIds: readonly string[];
}

/** The result of `directory.get` (protocol-methods.ts), as the store knows it. */
export interface Directory {
  readonly me: { readonly id: string; readonly name: string; readonly role: Role; readonly teams: TeamRef[] };
  /** Active colleagues in my teams (me included), each with those of their teams that are also mine. */
  readonly agents: { readonly id: string; readonly name: string; readonly role: Role; readonly teamIds: string[] }[];
  /** Every team, for transfers. */
  readonly teams: TeamRef[];
}

export const AUDIT_ACTIONS = [
  // Written by the session layer (through appendAudit).
  'session.sign_in',
  'session.token_refused',
  'session.signed_in',
  'session.signed_out',
  'session.refresh_reused',
  'conversations.list',
  'messages.history',
  'media.download',
  // Written by the store, where the action happens.
  'message.send',
  'conversation.assign',
  'conversation.take_over',
  'conversation.release',
  'conversation.transfer',
  'conversation.link_case',
  'conversation.mark_read',
  'agent.add',
  'agent.change',
  'agent.revoke',
  'agent.rotate',
  'agent.provisioned',
  'team.add',
  'number.add',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** A detail's values: ids, counts, flags. Never a message body, a token or a phone number in clear. */
export type AuditDetail = Readonly<Record<string, string | number | boolean | null>>;

export interface AuditEntry {
  readonly at: number;
  readonly action: AuditAction;
  /** The agent who acted; null for an operator at the command line, or a token nobody holds. */
  readonly actorId: string | null;
  /** Source address of the request; "cli" for the command line, "sandbox" for the sandbox's demo set-up. */
  readonly source: string | null;
  readonly conversationId?: string | null;
  /** The agent, team or number acted on (the audit's --agent matches actor or subject). */
  readonly subjectId?: string | null;
  readonly detail?: AuditDetail | null;
}

export interface AuditRecord extends Required<AuditEntry> {
  readonly seq: number;
}

export interface AuditQuery {
  /** Entries by or about this agent. */
  readonly agentId?: string;
  readonly conversationId?: string;
  /** From this time on (milliseconds since the epoch), inclusive. */
  readonly since?: number;
  /** Entries after this seq (for paging); oldest first. */
  readonly afterSeq?: number;
  readonly limit: number;
}
