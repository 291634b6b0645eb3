'use strict';
/** examples/node/call_api.js as a user runs it: exit codes, body, stable error names. */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { REPO, startFixture } = require('../testing/helpers');

const EXAMPLE = path.join(REPO, 'examples', 'node', 'call_api.js');
let f;
let work;
before(async () => {
  f = await startFixture();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mxtls-node-ex-'));
});
after(async () => {
  fs.rmSync(work, { recursive: true, force: true });
  await f.stop();
});

function run(url, env) {
  return new Promise((resolve) => {
    // Only what the platform would set: no inherited MXTLS_* or certificate variables.
    const base = { PATH: process.env.PATH, MXTLS_LIBRARY: process.env.MXTLS_LIBRARY || '' };
    execFile(process.execPath, [EXAMPLE, url], { env: { ...base, ...env }, cwd: REPO }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

test('call_api.js: 2xx prints the body and exits 0', async () => {
  const { fx } = f;
  const pw = path.join(work, 'pw');
  fs.writeFileSync(pw, fx.password);
  const env = {
    MXTLS_CLIENT_CERTIFICATE_FILE: fx.identities.bob.p12,
    MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE: pw,
    MXTLS_CERTIFICATE_AUTHORITIES_FILE: fx.server_ca,
  };
  const r = await run(f.url('verified', 'localhost'), env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).subject, 'CN=bob.fixture.test');
});

test('call_api.js: a wrong password exits non-zero with "mxtls: wrong_password: ..."', async () => {
  const { fx } = f;
  const env = {
    CLIENT_CERTIFICATES: JSON.stringify([{ pfx: fs.readFileSync(fx.identities.alice.p12).toString('base64'), password: 'definitely wrong 99' }]),
    CERTIFICATE_AUTHORITIES: fs.readFileSync(fx.server_ca, 'utf8'),
  };
  const r = await run(f.url('verified', 'localhost'), env);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /^mxtls: wrong_password: CLIENT_CERTIFICATES\[0\]/m);
  assert.ok(!r.stderr.includes('definitely wrong 99'));
  assert.equal(r.stdout, '');
});

test('call_api.js: an untrusted server exits non-zero with the verification error', async () => {
  const r = await run(f.url('untrusted', 'localhost'), { MXTLS_CERTIFICATE_AUTHORITIES_FILE: f.fx.server_ca });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
});
