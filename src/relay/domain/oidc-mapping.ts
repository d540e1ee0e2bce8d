// Which agent a verified single sign-on identity is, decided without I/O: the agent found for its name, the teams and
// role the bank's groups grant, whether it may be provisioned, and whether its subject is the one first seen.
import { EntityId, type Role } from '../../shared/domain';

export interface Grants {
  /** Sorted, each once. */
  readonly teams: readonly string[];
  /** The highest role any matched claim value grants. */
  readonly role: Role;
}

/** The agent record single sign-on found, as far as the decision needs it. */
export interface FoundAgent {
  readonly id: string;
  readonly revoked: boolean;
  readonly role: Role;
  readonly teamIds: readonly string[];
  readonly bound: { readonly issuer: string; readonly subject: string } | null;
}

export interface SsoIdentity {
  readonly issuer: string;
  readonly subject: string;
  readonly agentName: string;
}

export type SsoDecision =
  | { readonly kind: 'refuse'; readonly message: string }
  | {
      readonly kind: 'existing';
      readonly agentId: string;
      /** First SSO sign-in of this agent: record the identity's issuer + subject. */
      readonly bind: boolean;
      /** The teams and role the claim grants, when they differ from the record's. */
      readonly change: Grants | null;
    }
  | { readonly kind: 'provision'; readonly id: string; readonly grants: Grants };

const RANK: Record<Role, number> = { agent: 0, supervisor: 1, admin: 2 };

/** What the claim's values grant: every mapped team, the highest mapped role; null when no value is mapped. */
export function grantsOf(values: readonly string[], teamMap: ReadonlyMap<string, readonly { team: string; role: Role }[]>): Grants | null {
  const teams = new Set<string>();
  let role: Role | null = null;
  for (const value of new Set(values)) {
    for (const grant of teamMap.get(value) ?? []) {
      teams.add(grant.team);
      if (role === null || RANK[grant.role] > RANK[role]) role = grant.role;
    }
  }
  return role === null ? null : { teams: [...teams].sort(), role };
}

export function notAnAgentMessage(name: string): string {
  return `${name.slice(0, 128)} is not a Branchline agent here; ask IT to add them`;
}

/**
 * `grants` is null when the identity's claim values map to nothing (or no team claim is configured). An agent without
 * grants keeps the teams IT gave it in Branchline; with grants, its teams and role follow the claim at every sign-in.
 */
export function decideSsoAgent(identity: SsoIdentity, found: FoundAgent | null, grants: Grants | null, provision: boolean): SsoDecision {
  if (found === null) {
    if (grants === null || !provision) return { kind: 'refuse', message: notAnAgentMessage(identity.agentName) };
    const id = provisionedId(identity.agentName);
    if (id === null) return { kind: 'refuse', message: `${identity.agentName.slice(0, 128)} cannot be an agent id; ask IT to add them` };
    return { kind: 'provision', id, grants };
  }
  if (found.revoked) return { kind: 'refuse', message: `agent ${found.id} is revoked on this relay; ask IT` };
  // A username the bank gave to someone new is not the same person: the subject is the provider's stable id for one.
  if (found.bound !== null && (found.bound.issuer !== identity.issuer || found.bound.subject !== identity.subject)) {
    return { kind: 'refuse', message: `agent ${found.id} is bound to another sign-in identity than this ${identity.agentName.slice(0, 128)}; ask IT` };
  }
  const same = grants === null || (grants.role === found.role && sameSet(grants.teams, found.teamIds));
  return { kind: 'existing', agentId: found.id, bind: found.bound === null, change: same ? null : grants };
}

/** A new agent's id: the name's part before any `@`, lower-cased, with characters ids cannot hold as `-`. */
export function provisionedId(name: string): string | null {
  const local = (name.includes('@') ? name.slice(0, name.indexOf('@')) : name).toLowerCase().replace(/[^a-z0-9._:-]/g, '-');
  return EntityId.safeParse(local).success ? local : null;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  return left.size === new Set(b).size && b.every((x) => left.has(x));
}
