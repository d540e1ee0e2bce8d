// The packaging configuration, pinned: fuses, installers, unpacked native modules, signing from the environment only.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const repoRoot = path.resolve(import.meta.dirname, '..');
const builder = require('../electron-builder.config.cjs') as {
  builderConfig: (env: Record<string, string>) => Record<string, unknown> & {
    electronFuses: Record<string, boolean>;
    win: Record<string, unknown>;
    mac: Record<string, unknown>;
    nsis: Record<string, unknown>;
    msi: Record<string, unknown>;
    artifactName: string;
    asarUnpack: string[];
    npmRebuild: boolean;
    extraResources: { from: string; to: string }[];
  };
};

describe('electron-builder configuration', () => {
  const config = builder.builderConfig({});

  it.each([
    ['runAsNode', false],
    ['enableNodeOptionsEnvironmentVariable', false],
    ['enableNodeCliInspectArguments', false],
    ['enableEmbeddedAsarIntegrityValidation', true],
    ['onlyLoadAppFromAsar', true],
    ['enableCookieEncryption', true],
    ['grantFileProtocolExtraPrivileges', false],
  ])('flips the %s fuse to %s after packing', (fuse, value) => {
    expect(config.electronFuses[fuse]).toBe(value);
  });

  it('builds per-machine Windows installers with a fixed MSI upgrade code, hardened macOS builds, and Linux packages', () => {
    expect(config.win['target']).toEqual([
      { target: 'nsis', arch: ['x64', 'arm64'] },
      { target: 'msi', arch: ['x64'] },
    ]);
    expect(config.nsis).toMatchObject({ perMachine: true, oneClick: false });
    expect(config.msi).toMatchObject({ perMachine: true, upgradeCode: '6f2a1c3e-5b7d-4e19-9a84-2c0d7e31b5f6' });
    expect(config.mac).toMatchObject({ hardenedRuntime: true, entitlements: 'build/entitlements.mac.plist' });
    expect(existsSync(path.join(repoRoot, 'build', 'entitlements.mac.plist'))).toBe(true);
    expect(JSON.stringify(config['linux'])).toContain('AppImage');
    expect(JSON.stringify(config['linux'])).toContain('deb');
  });

  it('keeps native modules out of the asar and ships the Electron build of SQLite as a resource, without rebuilding node_modules', () => {
    expect(config.asarUnpack).toContain('**/*.node');
    expect(config.npmRebuild).toBe(false);
    expect(config.extraResources).toContainEqual({ from: 'build/native/better_sqlite3.node', to: 'native/better_sqlite3.node' });
  });

  it('names artifacts with version and arch, and labels unsigned builds', () => {
    expect(config.artifactName).toBe('${productName}-${version}-${os}-${arch}-unsigned.${ext}');
    expect(builder.builderConfig({ WIN_CSC_LINK: '/secure/cert.pfx' }).artifactName).toBe('${productName}-${version}-${os}-${arch}.${ext}');
  });

  it('signs from the environment only: a certificate file, or Azure Trusted Signing, and the .node files too', () => {
    const secrets = { WIN_CSC_LINK: '/secure/cert.pfx', WIN_CSC_KEY_PASSWORD: 'pfx-password-123', APPLE_APP_SPECIFIC_PASSWORD: 'apple-pw-456' };
    const withCertificate = builder.builderConfig(secrets);
    expect(withCertificate.win['signtoolOptions']).toMatchObject({ sign: './build/sign-windows.cjs' });
    expect(withCertificate.win['signExts']).toEqual(['.node']);
    const text = JSON.stringify(withCertificate);
    expect(text).not.toContain('pfx-password-123');
    expect(text).not.toContain('apple-pw-456');
    const withAzure = builder.builderConfig({ AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CODE_SIGNING_ACCOUNT: 'acct', AZURE_CERT_PROFILE: 'prof' });
    expect(withAzure.win['azureSignOptions']).toMatchObject({ codeSigningAccountName: 'acct', certificateProfileName: 'prof' });
    expect(withAzure.win['signtoolOptions']).toBeUndefined();
  });

  it('notarises only when Apple credentials are present', () => {
    expect(config.mac['notarize']).toBe(false);
    expect(builder.builderConfig({ APPLE_TEAM_ID: 'T', APPLE_ID: 'a@b', APPLE_APP_SPECIFIC_PASSWORD: 'x' }).mac['notarize']).toBe(true);
  });

  it('commits no certificate or key files', () => {
    const tracked = spawnSync('git', ['ls-files'], { cwd: repoRoot, encoding: 'utf8' }).stdout.split('\n');
    expect(tracked.filter((f) => /\.(pfx|p12|pem|key|cer|p8)$/i.test(f))).toEqual([]);
    expect(readFileSync(path.join(repoRoot, 'build', 'sign-windows.cjs'), 'utf8')).toContain('process.env.WIN_CSC_LINK');
  });
});

describe('npm run dist:<platform> without the Electron release', () => {
  it('explains what is missing and how to provide it, and exits non-zero without a stack trace', () => {
    const target = process.platform === 'win32' ? 'win' : process.platform === 'darwin' ? 'mac' : 'linux';
    const env: NodeJS.ProcessEnv = { ...process.env, electron_config_cache: mkdtempSync(path.join(tmpdir(), 'branchline-no-electron-cache-')) };
    delete env['ELECTRON_MIRROR'];
    const result = spawnSync('npm', ['run', '--silent', `dist:${target}`], { cwd: repoRoot, env, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Cannot package: electron-builder needs the Electron');
    expect(result.stderr).toContain('ELECTRON_MIRROR');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
