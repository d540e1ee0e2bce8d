// Which agent a verified identity is: found by name, refused (no record, revoked, another subject), provisioned only
// when allowed and granted, and an existing agent's teams and role following the bank's groups.
import { describe, expect, it } from 'vitest';
import type { Role } from '../../shared/domain';
import { decideSsoAgent, grantsOf, provisionedId, type FoundAgent } from './oidc-mapping';

const MAP = new Map<string, { team: string; role: Role }[]>([
  ['g-north', [{ team: 'north', role: 'agent' }]],
  ['g-ops', [{ team: 'ops', role: 'supervisor' }]],
  ['g-admins', [{ team: 'main', role: 'admin' }]],
]);
const ID = { issuer: 'https://login.bank.example', subject: 'sub-amara', agentName: 'Amara@bank.example' };
const AMARA: FoundAgent = { id: 'amara', revoked: false, role: 'agent', teamIds: ['north'], bound: null };

describe('grantsOf', () => {
  it('grants every mapped team and the highest mapped role, ignoring unmapped values', () => {
    expect(grantsOf(['g-north', 'g-ops', 'g-unrelated', 'g-north'], MAP)).toEqual({ teams: ['north', 'ops'], role: 'supervisor' });
    expect(grantsOf(['g-admins', 'g-north'], MAP)).toEqual({ teams: ['main', 'north'], role: 'admin' });
  });
  it('grants nothing when no value is mapped', () => {
    expect(grantsOf(['g-unrelated'], MAP)).toBeNull();
    expect(grantsOf([], MAP)).toBeNull();
  });
});

describe('decideSsoAgent', () => {
  it('refuses an identity with no record, whatever its groups, while provisioning is off', () => {
    const refusal = { kind: 'refuse', message: 'Amara@bank.example is not a Branchline agent here; ask IT to add them' };
    expect(decideSsoAgent(ID, null, null, false)).toEqual(refusal);
    expect(decideSsoAgent(ID, null, grantsOf(['g-north'], MAP), false)).toEqual(refusal);
  });
  it('refuses an identity with no record and no grants even with provisioning on', () => {
    expect(decideSsoAgent(ID, null, null, true).kind).toBe('refuse');
  });
  it('provisions a granted identity when provisioning is on, with an id from its name', () => {
    expect(decideSsoAgent(ID, null, grantsOf(['g-ops'], MAP), true)).toEqual({
      kind: 'provision',
      id: 'amara',
      grants: { teams: ['ops'], role: 'supervisor' },
    });
  });
  it('refuses a revoked agent', () => {
    expect(decideSsoAgent(ID, { ...AMARA, revoked: true }, null, false)).toEqual({ kind: 'refuse', message: 'agent amara is revoked on this relay; ask IT' });
  });
  it('binds the subject at the first sign-in and accepts the same subject later', () => {
    expect(decideSsoAgent(ID, AMARA, null, false)).toEqual({ kind: 'existing', agentId: 'amara', bind: true, change: null });
    const bound = { ...AMARA, bound: { issuer: ID.issuer, subject: ID.subject } };
    expect(decideSsoAgent(ID, bound, null, false)).toEqual({ kind: 'existing', agentId: 'amara', bind: false, change: null });
  });
  it('refuses the same name with another subject or from another issuer: a reused username is not the same person', () => {
    const bound = { ...AMARA, bound: { issuer: ID.issuer, subject: 'sub-previous-amara' } };
    expect(decideSsoAgent(ID, bound, null, false).kind).toBe('refuse');
    const elsewhere = { ...AMARA, bound: { issuer: 'https://other.example', subject: ID.subject } };
    expect(decideSsoAgent(ID, elsewhere, null, false).kind).toBe('refuse');
  });
  it("moves an existing agent's teams and role to what the claim grants, and changes nothing when they agree", () => {
    expect(decideSsoAgent(ID, AMARA, grantsOf(['g-ops', 'g-north'], MAP), false)).toEqual({
      kind: 'existing',
      agentId: 'amara',
      bind: true,
      change: { teams: ['north', 'ops'], role: 'supervisor' },
    });
    expect(decideSsoAgent(ID, AMARA, grantsOf(['g-north'], MAP), false)).toMatchObject({ change: null });
  });
  it('keeps the teams IT gave an existing agent whose groups map to nothing', () => {
    expect(decideSsoAgent(ID, AMARA, grantsOf(['g-unrelated'], MAP), false)).toMatchObject({ kind: 'existing', change: null });
  });
});

describe('provisionedId', () => {
  it('takes the part before @, lower-cased, with characters ids cannot hold as -', () => {
    expect(provisionedId('Amara.Okafor@bank.example')).toBe('amara.okafor');
    expect(provisionedId('BANK\\amara')).toBe('bank-amara');
    expect(provisionedId('@bank.example')).toBeNull();
  });
});
