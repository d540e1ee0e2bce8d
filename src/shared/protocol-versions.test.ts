// Which version a connection speaks: the newest both sides know, v1 for a long poll that names none.
import { describe, expect, it } from 'vitest';
import { negotiateSubprotocol, pollProtocolVersion, subprotocolOf } from './protocol';

describe('choosing the protocol version', () => {
  it.each<[string[], number | null]>([
    [['branchline.v2'], 2],
    [['branchline.v1'], 1],
    [['branchline.v1', 'branchline.v2'], 2],
    [['branchline.v3', 'branchline.v1'], 1],
    [['branchline.v3'], null],
    [[], null],
    [['branchline.V2', 'v2'], null],
  ])('a socket offering %j speaks %s', (offered, version) => {
    expect(negotiateSubprotocol(new Set(offered))).toBe(version);
  });

  it.each<[string | null, number | null]>([
    [null, 1],
    ['', 1],
    ['1', 1],
    ['2', 2],
    ['3', null],
    ['02', null],
    ['v2', null],
  ])('a long poll with v=%j speaks %s', (v, version) => {
    expect(pollProtocolVersion(v)).toBe(version);
  });

  it('names each version as its subprotocol', () => {
    expect([subprotocolOf(2), subprotocolOf(1)]).toEqual(['branchline.v2', 'branchline.v1']);
  });
});
