// Installers for bank IT: Windows NSIS + MSI (per machine), macOS dmg + zip (hardened, notarised), Linux AppImage + deb.
// Signing is driven by the environment only; nothing secret is committed. See docs/it-guide.md and docs/release.md.
'use strict';

const env = process.env;

/** Which signing the environment provides (never the secrets themselves). */
function signingFrom(environment) {
  const azure = Boolean(environment.AZURE_TENANT_ID && environment.AZURE_CLIENT_ID && environment.AZURE_CODE_SIGNING_ACCOUNT);
  const certificateFile = Boolean(environment.WIN_CSC_LINK || environment.CSC_LINK);
  const mac = Boolean(environment.CSC_LINK || environment.CSC_NAME);
  const notarize = Boolean(environment.APPLE_TEAM_ID && (environment.APPLE_API_KEY || (environment.APPLE_ID && environment.APPLE_APP_SPECIFIC_PASSWORD)));
  return { azure, certificateFile, windows: azure || certificateFile, mac, notarize };
}

/** The fuses flipped in every packaged binary (pinned by scripts/builder-config.test.ts). */
const ELECTRON_FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
};

/** Fixed for the life of the product: Windows Installer treats a new MSI with this code as an upgrade. */
const MSI_UPGRADE_CODE = '6f2a1c3e-5b7d-4e19-9a84-2c0d7e31b5f6';

function builderConfig(environment = env) {
  const signing = signingFrom(environment);
  // Unsigned local builds are possible, and say so in their file name.
  const unsignedSuffix = signing.windows || signing.mac ? '' : '-unsigned';
  return {
    appId: 'com.branchline.console',
    productName: 'Branchline',
    copyright: 'Copyright © Branchline',
    directories: { output: 'release/${version}', buildResources: 'build' },
    files: ['out/**', 'package.json', '!**/*.map'],
    asar: true,
    // Native modules cannot load from inside the asar archive.
    asarUnpack: ['**/*.node'],
    // node_modules keeps its Node build of better-sqlite3 (tests); the Electron build ships as a resource
    // and is opened with nativeBinding (docs/development.md). So the packager must not rebuild in place.
    npmRebuild: false,
    extraResources: [{ from: 'build/native/better_sqlite3.node', to: 'native/better_sqlite3.node' }],
    electronFuses: ELECTRON_FUSES,
    protocols: [{ name: 'Branchline', schemes: ['branchline'] }],
    artifactName: `\${productName}-\${version}-\${os}-\${arch}${unsignedSuffix}.\${ext}`,
    publish: [{ provider: 'generic', url: environment.BRANCHLINE_UPDATE_URL || 'https://updates.invalid/branchline', channel: 'latest' }],

    win: {
      target: [
        { target: 'nsis', arch: ['x64', 'arm64'] },
        { target: 'msi', arch: ['x64'] },
      ],
      // Sign the .node files too: an unsigned DLL loaded by a signed app trips application control policies.
      signExts: ['.node'],
      ...(signing.azure && {
        azureSignOptions: {
          publisherName: environment.BRANCHLINE_PUBLISHER_NAME || 'Branchline',
          endpoint: environment.AZURE_CODE_SIGNING_ENDPOINT || 'https://weu.codesigning.azure.net',
          codeSigningAccountName: environment.AZURE_CODE_SIGNING_ACCOUNT,
          certificateProfileName: environment.AZURE_CERT_PROFILE,
        },
      }),
      ...(!signing.azure && signing.certificateFile && { signtoolOptions: { sign: './build/sign-windows.cjs', signingHashAlgorithms: ['sha256'] } }),
    },
    nsis: {
      oneClick: false,
      perMachine: true,
      allowElevation: true,
      allowToChangeInstallationDirectory: true,
      deleteAppDataOnUninstall: false,
      createDesktopShortcut: true,
      include: 'build/installer.nsh',
    },
    msi: { perMachine: true, upgradeCode: MSI_UPGRADE_CODE, oneClick: true, runAfterFinish: false },

    mac: {
      target: [
        { target: 'dmg', arch: ['universal'] },
        { target: 'zip', arch: ['universal'] },
      ],
      category: 'public.app-category.business',
      hardenedRuntime: true,
      gatekeeperAssess: false,
      entitlements: 'build/entitlements.mac.plist',
      entitlementsInherit: 'build/entitlements.mac.plist',
      notarize: signing.notarize,
    },
    linux: {
      target: [
        { target: 'AppImage', arch: ['x64'] },
        { target: 'deb', arch: ['x64'] },
      ],
      category: 'Office',
      maintainer: 'Branchline <it-support@branchline.invalid>',
      desktop: { entry: { MimeType: 'x-scheme-handler/branchline;' } },
    },
  };
}

module.exports = builderConfig();
module.exports.builderConfig = builderConfig;
module.exports.signingFrom = signingFrom;
module.exports.ELECTRON_FUSES = ELECTRON_FUSES;
module.exports.MSI_UPGRADE_CODE = MSI_UPGRADE_CODE;
