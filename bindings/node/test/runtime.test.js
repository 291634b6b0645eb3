'use strict';
/** fromEnv, the Runtime (events, reload, rotation by file replacement), and no key on disk. */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const mxtls = require('..');
const { startFixture, issueIdentity, get, snapshot, filesWithKeys } = require('../testing/helpers');

const SCAN = [...new Set([os.tmpdir(), process.env.TMPDIR || os.tmpdir(), process.cwd(), '/tmp'])];
let f;
let work; // temp dir of the mounted-secret files
let scanBefore;
before(async () => {
  scanBefore = snapshot(SCAN);
  f = await startFixture();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mxtls-node-rt-'));
});
after(async () => {
  fs.rmSync(work, { recursive: true, force: true });
  await f.stop();
});

/** Replace a file the way secret mounts and editors do: write aside, rename over. */
function replaceFile(target, data) {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.renameSync(tmp, target);
}

async function waitFor(cond, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

test('fromEnv: CLIENT_CERTIFICATES (base64 pfx, pins) and CERTIFICATE_AUTHORITIES', async () => {
  const { fx } = f;
  const env = {
    CLIENT_CERTIFICATES: JSON.stringify([
      { pfx: fs.readFileSync(fx.identities.alice.p12).toString('base64'), password: fx.password, pin_to: ['localhost'] },
      { pfx: fs.readFileSync(fx.identities.bob.p12).toString('base64'), password: fx.password, pin_to: ['127.0.0.1', 'Billing.Api'] },
    ]),
    CERTIFICATE_AUTHORITIES: fs.readFileSync(fx.server_ca, 'utf8'),
  };
  const ctx = mxtls.fromEnv(env);
  assert.deepEqual(ctx.identities.map((i) => i.subject), ['CN=alice.fixture.test', 'CN=bob.fixture.test']);
  assert.ok(ctx.systemRootCount > 0 ? ctx.trustCount > ctx.systemRootCount : ctx.trustCount === 1);
  assert.equal(ctx.select({ host: 'localhost', identifier: 'Billing.Api' }), 1, 'identifier first');
  const agent = new mxtls.Agent({ source: ctx });
  const dispatcher = mxtls.dispatcher(ctx, { identifier: 'Billing.Api' });
  try {
    assert.equal((await get(f.url('verified', 'localhost'), { agent })).body.subject, 'CN=alice.fixture.test');
    assert.equal((await get(f.url('verified', '127.0.0.1'), { agent })).body.subject, 'CN=bob.fixture.test');
    const r = await fetch(f.url('verified', 'localhost'), { dispatcher });
    assert.equal((await r.json()).subject, 'CN=bob.fixture.test', 'selected by identifier on any host');
  } finally {
    agent.destroy();
    await dispatcher.close();
  }
  // errors name the variable and entry, never the password
  const bad = { ...env, CLIENT_CERTIFICATES: JSON.stringify([{ pfx: JSON.parse(env.CLIENT_CERTIFICATES)[0].pfx, password: 'wrong secret 123' }]) };
  assert.throws(() => mxtls.fromEnv(bad), (e) => e instanceof mxtls.MxtlsError && e.code === 'wrong_password'
    && /CLIENT_CERTIFICATES\[0\]/.test(e.message) && !e.message.includes('wrong secret 123'));
  assert.throws(() => mxtls.fromEnv({ CLIENT_CERTIFICATES: '[{' }), (e) => e.code === 'config');
});

test('Runtime: rotation by replacing the .p12, watched, with no restart', async () => {
  const { fx } = f;
  const p12 = path.join(work, 'client.p12');
  const pw = path.join(work, 'password');
  fs.copyFileSync(fx.identities.alice.p12, p12);
  fs.writeFileSync(pw, `${fx.password}\n`, { mode: 0o600 });
  const rotated = issueIdentity(f.dir, 'carol', { kind: 'ec', cn: 'carol-rotated.fixture.test' });
  const rt = new mxtls.Runtime({
    env: { MXTLS_CLIENT_CERTIFICATE_FILE: p12, MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE: pw, MXTLS_CERTIFICATE_AUTHORITIES_FILE: fx.server_ca },
    watch: true,
  });
  const events = [];
  rt.on('event', (e) => events.push(e));
  const agent = new mxtls.Agent({ source: rt, keepAlive: true });
  const dispatcher = mxtls.dispatcher(rt);
  try {
    assert.equal(rt.generation, 1);
    const first = rt.context();
    assert.equal(first.identities[0].subject, 'CN=alice.fixture.test');
    assert.equal((await get(f.url('verified', 'localhost'), { agent })).body.subject, 'CN=alice.fixture.test');
    assert.equal((await (await fetch(f.url('verified', 'localhost'), { dispatcher })).json()).subject, 'CN=alice.fixture.test');
    assert.ok(events.some((e) => e.kind === 'loaded'), JSON.stringify(events));

    replaceFile(p12, fs.readFileSync(rotated.p12));
    assert.ok(await waitFor(() => rt.generation === 2), `generation ${rt.generation} after the file was replaced`);
    // the very next requests (keep-alive pools hold alice's connections) present the new identity
    assert.equal((await get(f.url('verified', 'localhost'), { agent })).body.subject, 'CN=carol-rotated.fixture.test');
    assert.equal((await (await fetch(f.url('verified', 'localhost'), { dispatcher })).json()).subject, 'CN=carol-rotated.fixture.test');
    assert.ok(await waitFor(() => events.some((e) => e.kind === 'reloaded')), JSON.stringify(events));
    assert.equal(first.identities[0].subject, 'CN=alice.fixture.test', 'a context taken before stays valid');
    assert.equal(first.select({ host: 'localhost' }), 0);

    // a broken replacement keeps the working context and says why
    replaceFile(p12, Buffer.from('not a p12'));
    assert.ok(await waitFor(() => events.some((e) => e.kind === 'reload_failed')), JSON.stringify(events));
    assert.equal(rt.generation, 2);
    assert.throws(() => rt.reload(), (e) => e instanceof mxtls.MxtlsError && e.code === 'corrupt');
    assert.equal((await get(f.url('verified', 'localhost'), { agent })).body.subject, 'CN=carol-rotated.fixture.test');
    for (const e of events) assert.ok(!e.message.includes(fx.password));
  } finally {
    agent.destroy();
    await dispatcher.close();
    rt.close();
  }
});

test('Runtime: start-up errors are thrown, not events', () => {
  assert.throws(() => new mxtls.Runtime({ env: { MXTLS_CLIENT_CERTIFICATE_FILE: path.join(work, 'missing.p12') } }),
    (e) => e instanceof mxtls.MxtlsError && /missing\.p12/.test(e.message));
  assert.throws(() => new mxtls.Runtime({ env: { CLIENT_CERTIFICATES: 'nope' } }), (e) => e.code === 'config');
});

test('no file holding key material is written', async (t) => {
  // positive control: the scan does find such a file
  const probe = path.join(work, 'probe.pem');
  fs.writeFileSync(probe, '-----BEGIN PRIVATE KEY-----\n');
  assert.deepEqual(filesWithKeys(scanBefore, [work], []), [probe]);
  fs.unlinkSync(probe);

  // The binding's key-handling paths in a child with a private TMPDIR and cwd (scanned
  // strictly), traced with strace when available: then a file in the shared /tmp counts
  // only if that process tree created it (other programs use /tmp on this machine too).
  const priv = fs.mkdtempSync(path.join(os.tmpdir(), 'mxtls-node-keyscan-'));
  t.after(() => fs.rmSync(priv, { recursive: true, force: true }));
  const tmpdir = path.join(priv, 'tmp');
  const cwd = path.join(priv, 'cwd');
  const secrets = path.join(priv, 'secrets'); // the workload's own .p12/password files
  for (const d of [tmpdir, cwd, secrets]) fs.mkdirSync(d);
  const rotated = issueIdentity(f.dir, 'erin', { kind: 'ec', cn: 'erin.fixture.test' });
  const arg = JSON.stringify({ fx: f.fx, work: secrets, url: f.url('verified', 'localhost'), rotatedP12: rotated.p12 });
  const shared = [...new Set(['/tmp', process.env.TMPDIR || '/tmp', process.cwd()])];
  const before = snapshot(shared);
  const traceFile = path.join(priv, 'trace');
  const hasStrace = spawnSync('strace', ['-V']).status === 0;
  const cmd = [process.execPath, path.join(__dirname, '..', 'testing', 'key_workload.js'), arg];
  const r = hasStrace
    ? spawnSync('strace', ['-f', '-qq', '-o', traceFile, '-e', 'trace=open,openat,creat,rename,renameat,renameat2,link,linkat', ...cmd], { cwd, env: { ...process.env, TMPDIR: tmpdir }, encoding: 'utf8' })
    : spawnSync(cmd[0], cmd.slice(1), { cwd, env: { ...process.env, TMPDIR: tmpdir }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).subjects, ['CN=alice.fixture.test', 'CN=bob.fixture.test', 'CN=erin.fixture.test']);
  // strict: nothing new at all with a key in the private TMPDIR and cwd
  assert.deepEqual(filesWithKeys(new Map(), [tmpdir, cwd], []), []);
  // the shared directories: new files holding a key, outside mtls_fixture.py PKIs ...
  let hits = filesWithKeys(before, shared, [f.dir]).filter((p) => !isFixtureFile(p));
  if (hasStrace) {
    // ... that the traced process tree created or wrote
    const written = new Set();
    for (const line of fs.readFileSync(traceFile, 'utf8').split('\n')) {
      const m = /(?:open|openat|creat)\((?:AT_FDCWD, )?"([^"]+)"(?:, ([A-Z_|]+))?/.exec(line);
      if (m && (/creat\(/.test(line) || /O_WRONLY|O_RDWR|O_CREAT/.test(m[2] || ''))) written.add(path.resolve(cwd, m[1]));
      const mv = /rename(?:at2?)?\(.*"([^"]+)".*"([^"]+)"/.exec(line);
      if (mv) written.add(path.resolve(cwd, mv[2]));
    }
    assert.ok([...written].some((p) => p.startsWith(secrets)), 'the trace sees the workload writing its own secret files');
    const ours = [...written].filter((p) => !p.startsWith(secrets) && !p.startsWith('/dev/') && !p.startsWith('/proc/'));
    assert.deepEqual(ours.filter((p) => { try { return fs.readFileSync(p).includes('PRIVATE KEY'); } catch { return false; } }), [],
      `files written by the binding: ${ours.join(', ')}`);
    if (process.env.MXTLS_TEST_VERBOSE) process.stdout.write(`# written: ${ours.join(' ')}\n`);
    hits = hits.filter((p) => written.has(p));
  }
  assert.deepEqual(hits, []);
});

/** Files of any mtls_fixture.py PKI (other test files, other languages' tests running now). */
function isFixtureFile(p) {
  for (let d = path.dirname(p); d !== path.dirname(d); d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'nginx.conf')) && fs.existsSync(path.join(d, 'pki'))) return true;
  }
  return false;
}
