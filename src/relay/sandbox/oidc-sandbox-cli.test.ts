// `npm run oidc-sandbox` as a test or an operator runs it: the issuer on its last line, and bad flags named.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const cli = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/relay/sandbox/oidc-sandbox-cli.ts', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });

describe('npm run oidc-sandbox', () => {
  it('names what is wrong and exits 2: no data folder, a bad port, a bad TTL', () => {
    const data = mkdtempSync(path.join(tmpdir(), 'branchline-oidc-cli-'));
    const noData = cli(['--port', '0']);
    expect([noData.status, noData.stderr]).toEqual([2, expect.stringContaining('needs --data DIR (or OIDC_SANDBOX_DATA)')]);
    const badPort = cli(['--port', '70000', '--data', data]);
    expect([badPort.status, badPort.stderr]).toEqual([2, expect.stringContaining('--port (OIDC_SANDBOX_PORT) must be a whole number from 0 to 65535')]);
    const badTtl = cli(['--code-ttl', '0', '--data', data]);
    expect([badTtl.status, badTtl.stderr]).toEqual([2, expect.stringContaining('--code-ttl (OIDC_SANDBOX_CODE_TTL)')]);
  });
});
