'use strict';
/** Writing PKCS#12: Bundle, Key, Pkcs12Writer, pack(); read back by libmxtls, by Node, by nginx. */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const tls = require('node:tls');
const { spawnSync } = require('node:child_process');
const mxtls = require('..');
const { startFixture, get } = require('../testing/helpers');
const { liveHandles } = require('../lib/handle');

const OUT_PW = 'pack output pw 5183';
let f;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

/** SHA-256 (lower-case hex) of the first certificate of a PEM file, as OpenSSL sees it. */
function pemSha256(file) {
  return new crypto.X509Certificate(fs.readFileSync(file)).fingerprint256.replace(/:/g, '').toLowerCase();
}

/** The error holds no trace of any of the secrets (message, stack, JSON). */
function assertNoSecret(e, ...secrets) {
  for (const s of secrets) {
    assert.ok(!e.message.includes(s) && !e.stack.includes(s) && !JSON.stringify(e).includes(s), `secret in ${e.message}`);
  }
}

/** assert.throws for an MxtlsError of `code`, with no secret in it; returns the error. */
function throwsCode(fn, code, ...secrets) {
  let caught;
  assert.throws(fn, (e) => {
    assert.ok(e instanceof mxtls.MxtlsError, `not an MxtlsError: ${e}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.errno, mxtls.constant(`MXTLS_ERR_${code.toUpperCase()}`));
    assert.ok(e.message.length > 0);
    assertNoSecret(e, ...secrets);
    caught = e;
    return true;
  });
  return caught;
}

/** A request with Node's own TLS options (pfx, passphrase, ca): status, echoed body, our leaf's SHA-256. */
function nodeGet(url, options) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { agent: false, ...options }, (res) => {
      const local = res.socket.getCertificate();
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(body), leaf: local && local.fingerprint256.replace(/:/g, '').toLowerCase() }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A request through mxtls.Agent with a context built from a container. */
async function mxtlsGet(der, password, server = 'verified') {
  const p12 = mxtls.loadPkcs12(der, password);
  const ctx = new mxtls.Config().addIdentity(p12).addTrust(mxtls.loadTrust(f.fx.server_ca)).systemRoots(false).build();
  p12.close();
  const agent = new mxtls.Agent({ source: ctx });
  try {
    return await get(f.url(server, 'localhost'), { agent });
  } finally {
    agent.destroy();
    ctx.close();
  }
}

const MAC = { modern: /^HMAC-SHA256 /, compat: /^HMAC-SHA1 /, pbmac1: /^PBMAC1 / };

test('pack: chain PEM + key PEM in each profile; same leaf and chain; nginx sees the identity', async () => {
  const cases = [['alice', 'modern'], ['alice', 'compat'], ['alice', 'pbmac1'], ['bob', 'modern']];
  for (const [who, profile] of cases) {
    const id = f.fx.identities[who];
    const der = mxtls.pack({ cert: id.chain_pem, key: id.key_pem, password: OUT_PW, profile });
    assert.ok(Buffer.isBuffer(der) && der[0] === 0x30, `${who}/${profile}: DER`);
    const p12 = mxtls.loadPkcs12(der, OUT_PW, { requireMac: true });
    assert.equal(p12.identities.length, 1);
    const got = p12.identities[0];
    assert.equal(got.sha256, pemSha256(id.cert_pem), `${who}/${profile}: leaf`);
    assert.deepEqual(got.chain.map((c) => c.sha256), [pemSha256(f.fx.client_ca)]);
    assert.equal(got.subject, id.subject);
    assert.match(p12.macAlgorithm, MAC[profile]);
    // compat is what old readers need, and the loader says so
    if (profile === 'compat') assert.ok(p12.warnings.length > 0 && p12.warnings.every((w) => w.kind === 'legacy_algorithm'), JSON.stringify(p12.warnings));
    else assert.deepEqual(p12.warnings, []);
    p12.close();
    const r = await mxtlsGet(der, OUT_PW);
    assert.equal(r.status, 200);
    assert.equal(r.body.verify, 'SUCCESS', `${who}/${profile}`);
    assert.equal(r.body.subject, id.subject);
  }
});

test("Node's own TLS reads the modern and compat output (pfx): same leaf, nginx verifies it", async () => {
  const id = f.fx.identities.alice;
  const leaf = pemSha256(id.cert_pem);
  const ca = fs.readFileSync(f.fx.server_ca);
  for (const profile of ['modern', 'compat']) {
    const pfx = mxtls.pack({ cert: fs.readFileSync(id.cert_pem), chain: f.fx.client_ca, key: fs.readFileSync(id.key_pem), password: OUT_PW, profile });
    tls.createSecureContext({ pfx, passphrase: OUT_PW }); // parses, or throws
    const r = await nodeGet(f.url('verified', 'localhost'), { pfx, passphrase: OUT_PW, ca });
    assert.equal(r.status, 200);
    assert.equal(r.leaf, leaf, profile);
    assert.equal(r.body.verify, 'SUCCESS', profile);
    assert.equal(r.body.subject, id.subject);
  }
  // PBMAC1 (RFC 9579) needs OpenSSL 3.4+: Node 20's OpenSSL 3.0 refuses it, as the README says.
  const [maj, min] = process.versions.openssl.split('.').map(Number);
  if (maj === 3 && min < 4) {
    const pfx = mxtls.pack({ cert: id.chain_pem, key: id.key_pem, password: OUT_PW, profile: 'pbmac1' });
    assert.throws(() => tls.createSecureContext({ pfx, passphrase: OUT_PW }));
  }
});

test('legacy RC2-40 .pfx re-encrypted in the modern profile: Node reads the result, same leaf', async () => {
  const { legacy } = f.fx;
  assert.throws(() => tls.createSecureContext({ pfx: fs.readFileSync(legacy.p12), passphrase: legacy.password }),
    (e) => /Unsupported PKCS12 PFX data/.test(e.message));
  const src = mxtls.loadPkcs12(legacy.p12, legacy.password);
  const leaf = src.identities[0].sha256;
  const subject = src.identities[0].subject;
  assert.ok(src.warnings.some((w) => w.kind === 'legacy_algorithm'));
  // by hand: Pkcs12Writer.addIdentity
  const w = new mxtls.Pkcs12Writer({ profile: 'modern' });
  assert.equal(w.profile, 'modern');
  const byHand = w.addIdentity(src, 0).finish(OUT_PW);
  w.close();
  src.close();
  // in one call: pack({from})
  const packed = mxtls.pack({ from: fs.readFileSync(legacy.p12), fromPassword: legacy.password, password: OUT_PW });
  assert.notDeepEqual(byHand, packed); // fresh salts
  for (const pfx of [byHand, packed]) {
    const back = mxtls.loadPkcs12(pfx, OUT_PW);
    assert.equal(back.identities[0].sha256, leaf);
    assert.deepEqual(back.warnings, [], 'no legacy algorithm left');
    assert.ok(back.encryptions.every((e) => /AES-256-CBC/.test(e)), back.encryptions.join());
    back.close();
    tls.createSecureContext({ pfx, passphrase: OUT_PW });
    const r = await nodeGet(f.url('any', 'localhost'), { pfx, passphrase: OUT_PW, ca: fs.readFileSync(f.fx.server_ca) });
    assert.equal(r.status, 200);
    assert.equal(r.leaf, leaf);
    const rdns = (dn) => dn.split(/,\s*/).sort();
    assert.deepEqual(rdns(r.body.subject), rdns(subject));
  }
});

test('Bundle: certificates, keys in several forms, chain, matches, warnings', () => {
  const alice = f.fx.identities.alice;
  const bob = f.fx.identities.bob;
  const keyPw = 'key pw 9921';
  const rsa = crypto.createPrivateKey(fs.readFileSync(alice.key_pem));
  const ec = crypto.createPrivateKey(fs.readFileSync(bob.key_pem));
  const b = new mxtls.Bundle();
  b.add(alice.chain_pem);
  b.add(Buffer.from(rsa.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: keyPw })), keyPw, { name: 'alice.key' });
  b.add(Buffer.from(ec.export({ type: 'sec1', format: 'pem', cipher: 'aes-128-cbc', passphrase: keyPw })), Buffer.from(keyPw), { name: 'bob-sec1.pem' });
  b.add(ec.export({ type: 'pkcs8', format: 'der' }), null, { name: 'bob.der' });
  // a public key block is skipped with a warning
  b.add(Buffer.from(rsa.export({ type: 'pkcs1', format: 'pem' }) + crypto.createPublicKey(rsa).export({ type: 'spki', format: 'pem' })), null, { name: 'mixed.pem' });
  assert.deepEqual(b.certificates.map((c) => c.subject), ['CN=alice.fixture.test', 'CN=Fixture Client CA']);
  const keys = b.keys;
  assert.deepEqual(keys.map((k) => [k.index, k.kind, k.bits, k.curve, k.alias]),
    [[0, 'rsa', 2048, null, null], [1, 'ec', 256, 'P-256', null], [2, 'ec', 256, 'P-256', null], [3, 'rsa', 2048, null, null]]);
  assert.match(keys[0].form, /encrypted PKCS#8/);
  assert.match(keys[0].source, /^alice\.key, line 1/);
  assert.match(keys[1].form, /legacy PEM encryption AES-128-CBC/);
  assert.match(keys[1].source, /^bob-sec1\.pem/);
  assert.match(keys[3].form, /PKCS#1/);
  assert.ok(b.warnings.some((w) => w.kind === 'skipped_entry' && /mixed\.pem/.test(w.message)), JSON.stringify(b.warnings));
  // chain: found by the key, leaf to root, complete (self-signed root)
  const c = b.chain(0);
  assert.equal(c.complete, true);
  assert.deepEqual(c.certificates.map((x) => x.sha256), [pemSha256(alice.cert_pem), pemSha256(f.fx.client_ca)]);
  assert.deepEqual(b.chain(3).certificates.map((x) => x.sha256), c.certificates.map((x) => x.sha256));
  // bob's key has no certificate here
  throwsCode(() => b.chain(1), 'key_mismatch');
  throwsCode(() => b.chain(9), 'usage');
  // matches: a certificate of this bundle, of another object, or bytes
  const [leaf, ca] = b.certificates;
  assert.equal(keys[0].matches(leaf), true);
  assert.equal(keys[0].matches(ca), false);
  assert.equal(keys[1].matches(leaf), false);
  const bobP12 = mxtls.loadPkcs12(bob.p12, f.fx.password);
  assert.equal(keys[1].matches(bobP12.identities[0].certificate), true);
  assert.equal(keys[2].matches(fs.readFileSync(bob.cert_pem)), true);
  assert.equal(keys[0].matches(bobP12.identities[0].certificate.der), false);
  bobP12.close();
  // a leaf alone: the chain stops short
  const lone = new mxtls.Bundle().add(alice.cert_pem).add(alice.key_pem);
  const short = lone.chain(0);
  assert.equal(short.complete, false);
  assert.equal(short.certificates.length, 1);
  lone.close();
  b.close();
});

test('Pkcs12Writer: identities from a bundle and a container, extra certificates, iterations, fresh salts', () => {
  const alice = f.fx.identities.alice;
  const b = new mxtls.Bundle().add(alice.chain_pem).add(alice.key_pem);
  const bob = mxtls.loadPkcs12(f.fx.identities.bob.p12, f.fx.password);
  const serverCa = mxtls.loadTrust(f.fx.server_ca).certificates[0];
  const w = new mxtls.Pkcs12Writer({ profile: 'compat', iterations: 3000 });
  w.addKey(b, 0, { friendlyName: 'alice key' }).addIdentity(bob, 0, { friendlyName: 'bob' }).addCertificate(serverCa);
  w.addCertificate(serverCa.der); // not written twice
  b.close();
  bob.close(); // copied into the writer
  const one = w.finish(OUT_PW);
  const two = w.finish(Buffer.from(OUT_PW));
  assert.notDeepEqual(one, two);
  w.close();
  const p12 = mxtls.loadPkcs12(two, OUT_PW);
  assert.deepEqual(p12.identities.map((i) => [i.subject, i.friendlyName]), [['CN=alice.fixture.test', 'alice key'], ['CN=bob.fixture.test', 'bob']]);
  assert.deepEqual(p12.extraCertificates.map((c) => c.subject), ['CN=Fixture Server CA']);
  assert.match(p12.macAlgorithm, /^HMAC-SHA1 .*3000 iterations/);
  p12.close();
  // iterations below the floor, and an unknown profile
  throwsCode(() => new mxtls.Pkcs12Writer({ iterations: 100 }), 'usage');
  assert.throws(() => new mxtls.Pkcs12Writer({ profile: 'rc2' }), RangeError);
  // nothing added
  const empty = new mxtls.Pkcs12Writer();
  throwsCode(() => empty.finish(OUT_PW), 'no_key', OUT_PW);
  empty.close();
});

test('Java keystore: addKeystore and pack({keystore}) with its alias', (t) => {
  const alice = f.fx.identities.alice;
  const jks = path.join(f.dir, 'alice.jks');
  const storePw = 'store pw 3311';
  const r = spawnSync('keytool', ['-importkeystore', '-noprompt', '-srckeystore', alice.p12, '-srcstoretype', 'PKCS12', '-srcstorepass', f.fx.password,
    '-destkeystore', jks, '-deststoretype', 'JKS', '-deststorepass', storePw], { encoding: 'utf8' });
  if (r.error || r.status !== 0) { t.skip(`no keytool to make a JKS: ${r.error || r.stderr}`); return; }
  // keytool kept the key's own password (the fixture's): the store password does not open it
  const e = throwsCode(() => new mxtls.Bundle().addKeystore(jks, storePw), 'wrong_password', storePw, f.fx.password);
  assert.match(e.message, /alice\.jks, alias/);
  const b = new mxtls.Bundle().addKeystore(jks, storePw, f.fx.password);
  const [key] = b.keys;
  assert.equal(b.keys.length, 1);
  assert.equal(typeof key.alias, 'string');
  assert.match(key.form, /^JKS/);
  assert.match(key.source, /alias/);
  assert.equal(b.chain(0).certificates[0].sha256, pemSha256(alice.cert_pem));
  b.close();
  throwsCode(() => new mxtls.Bundle().addKeystore(fs.readFileSync(jks), 'wrong store pw 77', null, { name: 'alice.jks' }), 'wrong_password', 'wrong store pw 77');
  const der = mxtls.pack({ keystore: jks, storePassword: Buffer.from(storePw), keyPassword: f.fx.password, alias: key.alias.toUpperCase(), password: OUT_PW });
  const p12 = mxtls.loadPkcs12(der, OUT_PW);
  assert.equal(p12.identities[0].sha256, pemSha256(alice.cert_pem));
  assert.equal(p12.identities[0].friendlyName, key.alias);
  p12.close();
  throwsCode(() => mxtls.pack({ keystore: jks, storePassword: storePw, keyPassword: f.fx.password, alias: 'nobody', password: OUT_PW }), 'usage', storePw, f.fx.password, OUT_PW);
});

test('errors: wrong key password, key mismatch, truncated input; no password in any message', () => {
  const alice = f.fx.identities.alice;
  const bob = f.fx.identities.bob;
  const keyPw = 'right key pw 4410';
  const wrong = 'wrong key pw 8802';
  const encKey = Buffer.from(crypto.createPrivateKey(fs.readFileSync(alice.key_pem))
    .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: keyPw }));
  const encFile = path.join(f.dir, 'alice-enc.key');
  fs.writeFileSync(encFile, encKey);
  // the right password works
  const ok = mxtls.pack({ cert: alice.chain_pem, key: encFile, keyPassword: keyPw, password: OUT_PW });
  const p12 = mxtls.loadPkcs12(ok, OUT_PW);
  assert.equal(p12.identities[0].sha256, pemSha256(alice.cert_pem));
  p12.close();
  // wrong password: wrong_password, from a Buffer and from a file (the message names it)
  throwsCode(() => new mxtls.Bundle().add(encKey, wrong), 'wrong_password', wrong, keyPw);
  const e = throwsCode(() => mxtls.pack({ cert: alice.chain_pem, key: encFile, keyPassword: wrong, password: OUT_PW }), 'wrong_password', wrong, keyPw, OUT_PW);
  assert.match(e.message, /alice-enc\.key/);
  throwsCode(() => mxtls.pack({ cert: alice.chain_pem, key: encFile, password: OUT_PW }), 'wrong_password', keyPw, OUT_PW);
  // alice's certificate with bob's key
  throwsCode(() => mxtls.pack({ cert: alice.cert_pem, key: bob.key_pem, password: OUT_PW }), 'key_mismatch', OUT_PW);
  // truncated inputs: corrupt
  const certDer = new crypto.X509Certificate(fs.readFileSync(alice.cert_pem)).raw;
  const cut = path.join(f.dir, 'cut.der');
  fs.writeFileSync(cut, certDer.subarray(0, certDer.length >> 1));
  const c1 = throwsCode(() => new mxtls.Bundle().add(cut), 'corrupt');
  assert.match(c1.message, /cut\.der/);
  const keyDer = crypto.createPrivateKey(fs.readFileSync(alice.key_pem)).export({ type: 'pkcs8', format: 'der' });
  throwsCode(() => mxtls.pack({ cert: alice.chain_pem, key: keyDer.subarray(0, 200), keyPassword: keyPw, password: OUT_PW }), 'corrupt', keyPw, OUT_PW);
  keyDer.fill(0);
  const pem = fs.readFileSync(alice.chain_pem, 'utf8');
  throwsCode(() => new mxtls.Bundle().add(Buffer.from(pem.slice(0, pem.length >> 2))), 'corrupt');
  const p12Bytes = fs.readFileSync(alice.p12);
  throwsCode(() => mxtls.pack({ from: p12Bytes.subarray(0, p12Bytes.length - 40), fromPassword: f.fx.password, password: OUT_PW }), 'corrupt', f.fx.password, OUT_PW);
  // a PKCS#12 file is not a bundle input
  throwsCode(() => new mxtls.Bundle().add(alice.p12, f.fx.password), 'usage', f.fx.password);
  // output password: empty refused unless asked; NUL refused
  throwsCode(() => mxtls.pack({ cert: alice.chain_pem, key: alice.key_pem, password: '' }), 'usage');
  const empty = mxtls.pack({ cert: alice.chain_pem, key: alice.key_pem, password: null, allowEmptyPassword: true });
  mxtls.loadPkcs12(empty, '').close();
  throwsCode(() => mxtls.pack({ cert: alice.chain_pem, key: alice.key_pem, password: `${OUT_PW}\0x` }), 'usage', OUT_PW);
  // API misuse
  assert.throws(() => mxtls.pack({ cert: alice.chain_pem, key: alice.key_pem, password: OUT_PW, keypassword: 'x' }), TypeError);
  assert.throws(() => mxtls.pack({ cert: alice.chain_pem, password: OUT_PW }), TypeError);
  assert.throws(() => mxtls.pack({ from: alice.p12, key: alice.key_pem, password: OUT_PW }), TypeError);
  assert.throws(() => mxtls.pack({ cert: alice.chain_pem, key: alice.key_pem, password: OUT_PW, profile: 'legacy' }), RangeError);
});

test('resources: close twice is fine, use after close is usage, pack leaves no handle, caller buffers untouched', () => {
  const alice = f.fx.identities.alice;
  const before = liveHandles();
  const pw = Buffer.from(OUT_PW);
  const keyPw = Buffer.from('unused key pw');
  mxtls.pack({ cert: alice.chain_pem, key: alice.key_pem, keyPassword: keyPw, password: pw, profile: 'compat' });
  assert.throws(() => mxtls.pack({ cert: alice.cert_pem, key: f.fx.identities.bob.key_pem, password: pw }), (e) => e.code === 'key_mismatch');
  const afterPack = liveHandles();
  for (const kind of ['bundle', 'pkcs12_writer', 'pkcs12']) assert.equal(afterPack[kind] ?? 0, before[kind] ?? 0, kind);
  assert.equal(pw.toString(), OUT_PW);
  assert.equal(keyPw.toString(), 'unused key pw');

  const b = new mxtls.Bundle().add(alice.chain_pem).add(alice.key_pem);
  const [key] = b.keys;
  const [leaf] = b.certificates;
  const w = new mxtls.Pkcs12Writer();
  const p12 = mxtls.loadPkcs12(alice.p12, f.fx.password);
  b.close();
  b.close();
  assert.equal(b.closed, true);
  const closed = (e) => e instanceof mxtls.MxtlsError && e.code === 'usage' && /closed/.test(e.message);
  assert.throws(() => b.add(alice.cert_pem), closed);
  assert.throws(() => b.addKeystore(Buffer.from('x'), 'pw'), closed);
  assert.throws(() => b.certificates, closed);
  assert.throws(() => b.keys, closed);
  assert.throws(() => b.warnings, closed);
  assert.throws(() => b.chain(0), closed);
  assert.throws(() => key.matches(leaf), closed);
  assert.throws(() => w.addKey(b, 0), closed);
  p12.close();
  assert.throws(() => w.addIdentity(p12, 0), closed);
  w.close();
  w.close();
  assert.equal(w.closed, true);
  assert.throws(() => w.finish(OUT_PW), closed);
  assert.throws(() => w.setIterations(4096), closed);
  assert.throws(() => w.addCertificate(leaf), closed);
  assert.equal(leaf.subject, 'CN=alice.fixture.test'); // copies outlive their bundle
  assert.equal(key.kind, 'rsa');
});
