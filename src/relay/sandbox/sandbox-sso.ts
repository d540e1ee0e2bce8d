// The sandbox relay's single sign-on with no external account: unless an issuer is configured, it starts its own
// OpenID provider beside it and points auth.oidc at it (through the same settings an operator would set).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AUTH_ENV } from '../auth/auth-config';
import type { OidcSandbox } from './oidc-sandbox';

export interface SandboxSso {
  /** The environment the relay's settings are read from: auth.oidc names the provider when one was started. */
  readonly env: NodeJS.ProcessEnv;
  /** The provider started here; null when auth.oidc.issuer was configured (that one is used instead). */
  readonly provider: OidcSandbox | null;
}

/** `configuredIssuer`: auth.oidc.issuer from the config file, when there is one (the environment is checked here). */
export async function startSandboxSso(env: NodeJS.ProcessEnv, dataDir: string, configuredIssuer: string | null = null): Promise<SandboxSso> {
  if (configuredIssuer !== null || (env[AUTH_ENV.issuer] ?? '').trim() !== '') return { env, provider: null };
  // Loaded only here: oidc-provider warns about Node 20 when imported, which no production relay or admin command needs.
  const { startOidcSandbox } = await import('./oidc-sandbox');
  const providerDir = path.join(dataDir, 'oidc-sandbox');
  // The issuer (its port) is part of every agent's sign-in identity: a restart keeps it, or agents bound to the old
  // one would be refused. A port taken meanwhile gets a new one (and those agents are refused until IT unbinds them).
  const portFile = path.join(providerDir, SANDBOX_ISSUER_PORT_FILE);
  const remembered = rememberedPort(portFile);
  const provider = await startOidcSandbox({ dataDir: providerDir, port: remembered }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || remembered === 0) throw error;
    return startOidcSandbox({ dataDir: providerDir });
  });
  writeFileSync(portFile, `${new URL(provider.issuer).port}\n`, { mode: 0o600 });
  return { env: { ...env, [AUTH_ENV.issuer]: provider.issuer, [AUTH_ENV.clientId]: provider.clientId }, provider };
}

/** Where the provider's port is kept in its data folder, for the next start. */
export const SANDBOX_ISSUER_PORT_FILE = 'issuer-port';

function rememberedPort(file: string): number {
  try {
    const port = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(port) && port > 0 && port <= 65_535 ? port : 0;
  } catch {
    return 0; // first start: any free port
  }
}

/** What the sandbox banner says about it: where it is, who may sign in, with which password. */
export function sandboxSsoBanner(provider: OidcSandbox): string[] {
  return [
    `sandbox: single sign-on through the built-in OpenID provider at ${provider.issuer} (client ${provider.clientId})`,
    `sandbox: sign in there as demo, demo-north or demo-lead with the password ${provider.password}`,
  ];
}
