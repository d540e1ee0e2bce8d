import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger, phonePseudonymizer } from './log';

function capture(level: 'debug' | 'info' = 'debug') {
  const lines: string[] = [];
  const log = createLogger({ level, write: (l) => lines.push(l), pseudonym: phonePseudonymizer('salt'), now: () => 0 });
  return { log, lines, all: () => lines.join('') };
}

describe('relay log', () => {
  it('writes one JSON object per line with level and event', () => {
    const { log, lines } = capture();
    log.info('webhook.accepted', { messages: 3 });
    expect(JSON.parse(lines[0]!)).toEqual({ t: '1970-01-01T00:00:00.000Z', level: 'info', event: 'webhook.accepted', messages: 3 });
  });

  it('never writes tokens, bodies or phone numbers, however they are passed', () => {
    const { log, all } = capture();
    const token = 'blt_s3cr3tT0k3nValue';
    log.info('send', { token, body: 'my account number is 12345678', waId: '972541234567', text: 'hello' });
    log.warn('graph.error', { error: new Error(`401 for Bearer ${token} to 972541234567`) });
    log.error('weird', { nested: { authorization: `Bearer ${token}`, caption: 'secret caption', to: '15551234567' } });
    log.info('free-form', { detail: `customer +972 54 123 4567 said hi; token ${token}` });
    const out = all();
    for (const leaked of [token, 's3cr3t', 'account number', '972541234567', '15551234567', '123 4567', 'hello', 'secret caption']) {
      expect(out).not.toContain(leaked);
    }
  });

  it('writes the same pseudonym for the same customer, so IT can follow one conversation', () => {
    const { log, lines } = capture();
    log.info('a', { waId: '972541234567' });
    log.info('b', { from: '972541234567' });
    log.info('c', { from: '972549999999' });
    const ids = lines.map((l) => z.looseObject({ waId: z.string().optional(), from: z.string().optional() }).parse(JSON.parse(l))).map((r) => r.waId ?? r.from);
    expect(ids[0]).toMatch(/^wa_[0-9a-f]{12}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('drops records below the level', () => {
    const { log, lines } = capture('info');
    log.debug('noise');
    log.info('kept');
    expect(lines).toHaveLength(1);
  });

  it('carries bound fields into child loggers', () => {
    const { log, lines } = capture();
    log.child({ agentId: 'ana' }).info('connected', { deviceId: 'd1' });
    expect(JSON.parse(lines[0]!)).toMatchObject({ agentId: 'ana', deviceId: 'd1' });
  });
});

describe('relay log ids', () => {
  it('keeps our UUID ids intact but still scrubs a phone number passed under an id-like key', () => {
    const { log, lines } = capture();
    log.info('session', { sessionId: '01a20b4d-7620-753f-b91b-3e05d91d86c3', conversationId: '+972 54 123 4567' });
    const record = z.record(z.string(), z.unknown()).parse(JSON.parse(lines[0]!));
    expect(record['sessionId']).toBe('01a20b4d-7620-753f-b91b-3e05d91d86c3');
    expect(record['conversationId']).not.toContain('123 4567');
  });

  it('keeps the client address of a refusal readable, and lets no credential of any kind through beside it', () => {
    const { log, lines } = capture();
    const secrets = ['blt_AgentT0kenValue', 'bla_Acce55TokenValue', 'blr_Refre5hTokenValue', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln'];
    for (const source of ['203.0.113.45', '2001:db8:85a3::8a2e:370:7334', '::1']) {
      log.warn('agent.auth_refused', { source, door: 'ws', reason: 'unknown_or_revoked', agentId: 'ana' });
    }
    log.warn('agent.auth_refused', {
      source: '198.51.100.7',
      token: secrets[0],
      accessToken: secrets[1],
      refreshToken: secrets[2],
      idToken: secrets[3],
      detail: `presented ${secrets[0]} then ${secrets[1]} and ${secrets[2]}`,
      error: new Error(`refused Bearer ${secrets[0]}; ID token ${secrets[3]} failed`),
    });
    const records = lines.map((line) => z.looseObject({ source: z.string() }).parse(JSON.parse(line)));
    expect(records.map((r) => r.source)).toEqual(['203.0.113.45', '2001:db8:85a3::8a2e:370:7334', '::1', '198.51.100.7']);
    for (const secret of secrets) expect(lines.join('')).not.toContain(secret.slice(4));
  });
});
