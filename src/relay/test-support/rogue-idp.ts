// A misbehaving OpenID provider on 127.0.0.1 for tests: real discovery, JWKS and token endpoint, answering whatever
// ID token the test chooses (wrong aud or iss, expired, another nonce, signed by a key its JWKS does not hold).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

export interface RogueToken {
  /** Claims over the defaults (iss, aud, sub, iat, exp, nonce as a good provider would send). */
  readonly claims?: JWTPayload & Record<string, unknown>;
  /** Sign with a key the JWKS does not publish. */
  readonly foreignKey?: boolean;
}

export interface RogueIdp {
  readonly issuer: string;
  readonly clientId: string;
  /** What the next token request answers; `nonce` is the one the relay put in its authorization URL. */
  nextToken(nonce: string, token?: RogueToken): void;
  /** How many code exchanges reached the token endpoint. */
  tokenRequests(): number;
  close(): Promise<void>;
}

export async function startRogueIdp(clientId = 'branchline-console'): Promise<RogueIdp> {
  const good = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const publicJwk = { ...(await exportJWK(good.publicKey)), kid: 'good', alg: 'RS256', use: 'sig' };
  let planned: { nonce: string; token: RogueToken } | null = null;
  let requests = 0;
  let issuer = '';

  const sign = async (key: CryptoKey, claims: JWTPayload): Promise<string> => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'good' }).sign(key);

  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const path = new URL(req.url ?? '/', issuer).pathname;
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      send(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
      });
      return;
    }
    if (req.method === 'GET' && path === '/jwks') return send(200, { keys: [publicJwk] });
    if (req.method === 'POST' && path === '/token') {
      req.resume();
      req.on('end', () => {
        requests += 1;
        if (planned === null) return send(400, { error: 'invalid_grant', error_description: 'no token planned' });
        const { nonce, token } = planned;
        planned = null;
        const now = Math.floor(Date.now() / 1000);
        const claims = { iss: issuer, aud: clientId, sub: 'subject-amara', iat: now, exp: now + 300, nonce, preferred_username: 'amara', ...token.claims };
        sign(token.foreignKey === true ? foreign.privateKey : good.privateKey, claims).then(
          (idToken) => send(200, { access_token: 'rogue-access', token_type: 'Bearer', expires_in: 300, id_token: idToken }),
          () => send(500, { error: 'server_error' }),
        );
      });
      return;
    }
    send(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    clientId,
    nextToken: (nonce, token = {}) => {
      planned = { nonce, token };
    },
    tokenRequests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
