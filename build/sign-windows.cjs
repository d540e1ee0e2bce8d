// electron-builder's custom Windows sign hook: signs with a certificate file from the environment
// (WIN_CSC_LINK + WIN_CSC_KEY_PASSWORD), through signtool on Windows or osslsigncode elsewhere.
// Azure Trusted Signing needs no hook: electron-builder.config.cjs switches to azureSignOptions.
'use strict';
const { execFileSync } = require('node:child_process');

/** @param {{ path: string, hash: string, isNest: boolean }} configuration */
exports.default = async function sign(configuration) {
  const certificate = process.env.WIN_CSC_LINK || process.env.CSC_LINK;
  const password = process.env.WIN_CSC_KEY_PASSWORD || process.env.CSC_KEY_PASSWORD || '';
  if (!certificate) throw new Error('WIN_CSC_LINK is not set: refusing to produce a build that claims to be signed');
  const timestamp = process.env.WIN_TIMESTAMP_URL || 'http://timestamp.digicert.com';
  const file = configuration.path;
  // CI secrets usually hold the .pfx as base64; signtool wants a file.
  const fs = require('node:fs');
  let certificateFile = certificate;
  if (!fs.existsSync(certificate)) {
    const os = require('node:os');
    const path = require('node:path');
    certificateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sign-')), 'certificate.pfx');
    fs.writeFileSync(certificateFile, Buffer.from(certificate, 'base64'), { mode: 0o600 });
  }
  if (process.platform === 'win32') {
    execFileSync('signtool', ['sign', '/f', certificateFile, '/p', password, '/fd', 'sha256', '/tr', timestamp, '/td', 'sha256', ...(configuration.isNest ? ['/as'] : []), file], {
      stdio: 'inherit',
    });
  } else {
    execFileSync('osslsigncode', ['sign', '-pkcs12', certificateFile, '-pass', password, '-h', 'sha256', '-ts', timestamp, '-in', file, '-out', `${file}.signed`], { stdio: 'inherit' });
    require('node:fs').renameSync(`${file}.signed`, file);
  }
};
