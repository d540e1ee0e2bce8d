// Which active agent a verified identity is, applied to the store: binds the subject at the first SSO sign-in, moves
// teams and role to what the bank's groups grant (audited), provisions when allowed, and refuses everyone else.
import { fail, ok } from '../../shared/errors';
import { decideSsoAgent, grantsOf } from '../domain/oidc-mapping';
import type { RelayStore } from '../store/relay-store';
import type { OidcSettings } from './auth-config';
import type { OidcAgents } from './oidc-port';

export type OidcAgentStore = Pick<RelayStore, 'findSsoAgent' | 'bindSsoSubject' | 'setAgentAccess' | 'provisionSsoAgent'>;

export function createOidcAgents(settings: OidcSettings, store: OidcAgentStore): OidcAgents {
  return {
    async resolve(identity, source, now) {
      const found = await store.findSsoAgent(identity.agentName);
      const grants = settings.teamClaim === null ? null : grantsOf(identity.groups, settings.teamMap);
      const decision = decideSsoAgent(
        identity,
        found === null
          ? null
          : {
              id: found.access.id,
              revoked: found.access.revokedAt !== null,
              role: found.access.role,
              teamIds: found.access.teams.map((t) => t.id),
              bound: found.bound,
            },
        grants,
        settings.provision,
      );
      if (decision.kind === 'refuse') return fail('forbidden', decision.message);
      if (decision.kind === 'provision') {
        const created = await store.provisionSsoAgent(
          {
            id: decision.id,
            name: identity.displayName ?? identity.agentName.slice(0, 128),
            ssoLogin: identity.agentName,
            issuer: identity.issuer,
            subject: identity.subject,
            teams: decision.grants.teams,
            role: decision.grants.role,
          },
          now,
          source,
        );
        // Another agent already holds the id this name would get: IT decides who it is (agents set … --sso).
        if (!created.ok && created.error.code === 'conflict')
          return fail('forbidden', `${identity.agentName.slice(0, 128)} would be agent ${decision.id}, which already exists; ask IT to link them`);
        return created;
      }
      // A concurrent first sign-in of another subject may have bound the agent since it was read: the store decides.
      if (decision.bind && !(await store.bindSsoSubject(decision.agentId, identity.issuer, identity.subject))) {
        return fail('forbidden', `agent ${decision.agentId} is bound to another sign-in identity; ask IT`);
      }
      if (decision.change !== null) {
        const changed = await store.setAgentAccess(decision.agentId, { teams: decision.change.teams, role: decision.change.role }, now, {
          actorId: null,
          source,
        });
        // The mapping names a team this relay does not have: IT's configuration to fix, not the agent's sign-in.
        return changed.ok ? changed : fail('forbidden', `${changed.error.message} (from the sign-in mapping); ask IT`);
      }
      return found === null ? fail('internal', 'an existing agent was decided without a record') : ok(found.access);
    },
  };
}
