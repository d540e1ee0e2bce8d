// `npm run oidc-sandbox -- --port N --data DIR [--code-ttl S] [--token-ttl S]`: the sandbox's OpenID provider as its
// own process, so tests (and a demo of a separate IdP) can sign in through a real provider on 127.0.0.1.
import { parseArgs } from 'node:util';
import { startOidcSandbox } from './oidc-sandbox';

const ENV = { port: 'OIDC_SANDBOX_PORT', data: 'OIDC_SANDBOX_DATA', codeTtl: 'OIDC_SANDBOX_CODE_TTL', tokenTtl: 'OIDC_SANDBOX_TOKEN_TTL' } as const;

function whole(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    process.stderr.write(`oidc-sandbox: ${name} must be a whole number from ${min} to ${max} (got "${text.slice(0, 40)}")\n`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, data: { type: 'string' }, 'code-ttl': { type: 'string' }, 'token-ttl': { type: 'string' } },
    strict: true,
  });
  const dataDir = values.data ?? process.env[ENV.data];
  if (dataDir === undefined || dataDir === '') {
    process.stderr.write(`oidc-sandbox: needs --data DIR (or ${ENV.data}): the folder that keeps its signing key\n`);
    process.exit(2);
  }
  const port = whole(`--port (${ENV.port})`, values.port ?? process.env[ENV.port], 0, 65535);
  const codeTtl = whole(`--code-ttl (${ENV.codeTtl})`, values['code-ttl'] ?? process.env[ENV.codeTtl], 1, 600);
  const tokenTtl = whole(`--token-ttl (${ENV.tokenTtl})`, values['token-ttl'] ?? process.env[ENV.tokenTtl], 5, 86_400);
  const sandbox = await startOidcSandbox({
    dataDir,
    ...(port !== undefined && { port }),
    ...(codeTtl !== undefined && { codeTtlSeconds: codeTtl }),
    ...(tokenTtl !== undefined && { tokenTtlSeconds: tokenTtl }),
  });
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`client id ${sandbox.clientId}; demo users demo, demo-north, demo-lead; password ${sandbox.password}\n`);
  // Last, and alone on its line: scripts and tests wait for it.
  process.stdout.write(`oidc-sandbox listening on ${sandbox.issuer}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`oidc-sandbox: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
