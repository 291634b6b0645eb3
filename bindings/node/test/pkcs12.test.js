'use strict';
/** Loading and inspection, errors, the legacy vector, library lookup. */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const tls = require('node:tls');
const { execFileSync, spawnSync } = require('node:child_process');
const mxtls = require('..');
const { startFixture, get } = require('../testing/helpers');

let f;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

test('library: loaded from MXTLS_LIBRARY, ABI 0, constants by name', () => {
  const info = mxtls.load();
  assert.equal(info.abi, 0);
  assert.match(info.version, /^\d+\.\d+\.\d+$/);
  assert.match(info.mbedtls, /^3\.6\./);
  if (process.env.MXTLS_LIBRARY) assert.equal(info.path, process.env.MXTLS_LIBRARY);
  assert.equal(mxtls.constant('MXTLS_TLS_1_2'), 0x0303);
  assert.equal(mxtls.constant('MXTLS_ERR_WRONG_PASSWORD'), 5);
  assert.throws(() => mxtls.constant('MXTLS_NOPE'), (e) => e.code === 'library');
});

function runNode(code, env) {
  return spawnSync(process.execPath, ['-e', code], { env: { ...process.env, ...env }, encoding: 'utf8', cwd: path.join(__dirname, '..') });
}

test('library: a missing library or an unknown ABI is refused with a clear message', (t) => {
  const probe = `try { require('.').load(); console.log('loaded') } catch (e) { console.log(JSON.stringify({code: e.code, message: e.message})) }`;
  let r = runNode(probe, { MXTLS_LIBRARY: '/nonexistent/libmxtls.so.0' });
  let out = JSON.parse(r.stdout);
  assert.equal(out.code, 'library');
  assert.match(out.message, /\/nonexistent\/libmxtls\.so\.0/);
  const cc = spawnSync('cc', ['--version']);
  if (cc.status !== 0) { t.skip('no C compiler for the fake library'); return; }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mxtls-node-abi-'));
  try {
    fs.writeFileSync(path.join(dir, 'fake.c'), 'int mxtls_abi_version(void) { return 7; }\n');
    execFileSync('cc', ['-shared', '-fPIC', '-o', path.join(dir, 'libfake.so'), path.join(dir, 'fake.c')]);
    r = runNode(probe, { MXTLS_LIBRARY: path.join(dir, 'libfake.so') });
    out = JSON.parse(r.stdout);
    assert.equal(out.code, 'library');
    assert.match(out.message, /libfake\.so/);
    assert.match(out.message, /ABI version 7/);
    assert.match(out.message, /knows ABI 0/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('loadPkcs12 from a path and from a Buffer: identities and protection', () => {
  const { fx } = f;
  const alice = mxtls.loadPkcs12(fx.identities.alice.p12, fx.password);
  const bob = mxtls.loadPkcs12(fs.readFileSync(fx.identities.bob.p12), Buffer.from(fx.password), { requireMac: true });
  const a = alice.identities[0];
  const b = bob.identities[0];
  assert.equal(alice.identities.length, 1);
  assert.equal(a.subject, 'CN=alice.fixture.test');
  assert.equal(a.issuer, 'CN=Fixture Client CA');
  assert.deepEqual([a.keyType, a.keyBits, a.curve], ['rsa', 2048, null]);
  assert.deepEqual([b.keyType, b.keyBits, b.curve], ['ec', 256, 'P-256']);
  assert.ok(a.notBefore instanceof Date && a.notAfter > new Date());
  assert.equal(a.chain.length, 1);
  assert.equal(a.chain[0].subject, 'CN=Fixture Client CA');
  assert.equal(a.chain[0].isCA, true);
  assert.equal(a.certificate.isCA, false);
  // the same bytes and fingerprint as OpenSSL sees
  const pem = fs.readFileSync(fx.identities.alice.cert_pem, 'utf8');
  const x = new (require('node:crypto').X509Certificate)(pem);
  assert.deepEqual(a.certificate.der, x.raw);
  assert.equal(a.sha256, x.fingerprint256.replace(/:/g, '').toLowerCase());
  assert.equal(a.certificate.toPEM().trim(), pem.trim());
  assert.match(alice.macAlgorithm, /^HMAC-SHA256/);
  assert.ok(alice.encryptions.every((e) => /AES-256-CBC/.test(e)), alice.encryptions.join());
  assert.deepEqual(alice.warnings, []);
  alice.close();
  alice.close(); // idempotent
  assert.throws(() => new mxtls.Config().addIdentity(alice), (e) => e.code === 'usage' && /closed/.test(e.message));
  bob.close();
});

test('wrong password: MxtlsError wrong_password, the password nowhere in it', () => {
  const secret = 'not the fixture password 7421';
  for (const source of [f.fx.identities.alice.p12, fs.readFileSync(f.fx.identities.alice.p12)]) {
    assert.throws(() => mxtls.loadPkcs12(source, secret), (e) => {
      assert.ok(e instanceof mxtls.MxtlsError);
      assert.equal(e.code, 'wrong_password');
      assert.equal(e.errno, mxtls.constant('MXTLS_ERR_WRONG_PASSWORD'));
      assert.ok(!e.message.includes(secret) && !e.stack.includes(secret) && !JSON.stringify(e).includes(secret));
      assert.ok(e.message.length > 0);
      return true;
    });
  }
  // a caller's password Buffer is left as given (the binding wipes only its own copy)
  const pw = Buffer.from(f.fx.password);
  mxtls.loadPkcs12(f.fx.identities.bob.p12, pw).close();
  assert.equal(pw.toString(), f.fx.password);
  // a NUL inside the password is refused instead of cutting it short
  assert.throws(() => mxtls.loadPkcs12(f.fx.identities.bob.p12, `${f.fx.password}\0x`), (e) => e.code === 'usage');
  assert.throws(() => mxtls.loadPkcs12(Buffer.from('not a p12'), 'x'), (e) => e.code === 'corrupt');
  assert.throws(() => mxtls.loadPkcs12('/nonexistent.p12', 'x'), (e) => e.code === 'io' && /nonexistent\.p12/.test(e.message));
});

test('readPasswordFile follows the runtime rule', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mxtls-node-pw-'));
  try {
    fs.writeFileSync(path.join(dir, 'pw'), 'fixture pw\r\n');
    const pw = mxtls.readPasswordFile(path.join(dir, 'pw'));
    assert.equal(pw.toString(), 'fixture pw');
    mxtls.loadPkcs12(f.fx.identities.alice.p12, pw).close();
    pw.fill(0);
    assert.throws(() => mxtls.readPasswordFile(dir), (e) => e instanceof mxtls.MxtlsError);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('legacy RC2-40 vector: Node cannot load it, the binding presents it', async () => {
  const { legacy } = f.fx;
  assert.throws(() => tls.createSecureContext({ pfx: fs.readFileSync(legacy.p12), passphrase: legacy.password }),
    (e) => e.code === 'ERR_CRYPTO_UNSUPPORTED_OPERATION' && /Unsupported PKCS12 PFX data/.test(e.message));
  const p12 = mxtls.loadPkcs12(legacy.p12, legacy.password);
  assert.ok(p12.warnings.some((w) => w.kind === 'legacy_algorithm' && /RC2/.test(w.message)), JSON.stringify(p12.warnings));
  const subject = p12.identities[0].subject;
  const ctx = new mxtls.Config().addIdentity(p12).addTrust(mxtls.loadTrust(f.fx.server_ca)).systemRoots(false).build();
  p12.close();
  const agent = new mxtls.Agent({ source: ctx });
  try {
    const r = await get(f.url('any', 'localhost'), { agent });
    assert.equal(r.status, 200);
    // nginx prints the DN in RFC 2253 order (most specific first): compare as sets of RDNs
    const rdns = (dn) => dn.split(/,\s*/).sort();
    assert.deepEqual(rdns(r.body.subject), rdns(subject));
  } finally {
    agent.destroy();
  }
});

test('trust: loadTrust from a Buffer and a path, systemTrust', () => {
  const pem = fs.readFileSync(f.fx.server_ca);
  const a = mxtls.loadTrust(pem);
  const b = mxtls.loadTrust(f.fx.server_ca);
  assert.equal(a.count, 1);
  assert.equal(a.source, 'memory');
  assert.equal(b.source, f.fx.server_ca);
  assert.equal(a.certificates[0].subject, 'CN=Fixture Server CA');
  assert.throws(() => mxtls.loadTrust(Buffer.from('nothing here')), (e) => e instanceof mxtls.MxtlsError);
  let sys;
  try { sys = mxtls.systemTrust(); } catch (e) { assert.equal(e.code, 'io'); return; }
  assert.ok(sys.count > 10);
});

test('requireMac: a container without a MAC is refused with no_mac, else loaded with a warning', (t) => {
  const { fx } = f;
  const out = path.join(f.dir, 'nomac.p12');
  const r = spawnSync('openssl', ['pkcs12', '-export', '-nomac', '-inkey', fx.identities.bob.key_pem, '-in', fx.identities.bob.cert_pem,
    '-passout', 'pass:nomac pw', '-out', out]);
  if (r.status !== 0) { t.skip(`openssl cannot make a container without a MAC: ${r.stderr}`); return; }
  assert.throws(() => mxtls.loadPkcs12(out, 'nomac pw', { requireMac: true }), (e) => e.code === 'no_mac' && e.errno === mxtls.constant('MXTLS_ERR_NO_MAC'));
  const p12 = mxtls.loadPkcs12(out, 'nomac pw');
  assert.equal(p12.macAlgorithm, 'none');
  assert.ok(p12.warnings.some((w) => w.kind === 'no_mac'), JSON.stringify(p12.warnings));
  p12.close();
});
