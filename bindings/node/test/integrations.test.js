'use strict';
/** Each hand-off (https Agent, fetch dispatcher, tls.connect options) against nginx. */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const tls = require('node:tls');
const https = require('node:https');
const undici = require('undici');
const mxtls = require('..');
const { startFixture, get } = require('../testing/helpers');

let f;
let ctx; // alice pinned to localhost, bob to 127.0.0.1, private server CA only
before(async () => {
  f = await startFixture();
  const { fx } = f;
  const alice = mxtls.loadPkcs12(fx.identities.alice.p12, fx.password);
  const bob = mxtls.loadPkcs12(fx.identities.bob.p12, fx.password);
  ctx = new mxtls.Config()
    .addIdentity(alice, 0, ['localhost'])
    .addIdentity(bob, 0, ['127.0.0.1'])
    .addTrust(mxtls.loadTrust(fx.server_ca))
    .systemRoots(false)
    .build();
  alice.close();
  bob.close();
});
after(async () => {
  await f.stop();
});

const ALICE = 'CN=alice.fixture.test';
const BOB = 'CN=bob.fixture.test';

test('the context lists identities, pins and trust', () => {
  assert.deepEqual(ctx.identities.map((i) => [i.subject, i.pins]), [[ALICE, ['localhost']], [BOB, ['127.0.0.1']]]);
  assert.equal(ctx.trustCount, 1);
  assert.equal(ctx.systemRootCount, 0);
  assert.deepEqual(ctx.tlsVersions, { min: 'TLSv1.2', max: 'TLSv1.3' });
  assert.equal(ctx.select({ host: 'localhost' }), 0);
  assert.equal(ctx.select({ host: 'LOCALHOST.' }), 0);
  assert.equal(ctx.select({ host: '127.0.0.1' }), 1);
  assert.equal(ctx.select({ host: 'elsewhere.example' }), null); // no unpinned identity
  assert.equal(ctx.secureContext({ host: 'localhost' }), ctx.secureContext({ host: 'localhost' }), 'cached per identity');
  // IPv6 literals match with or without brackets, in any spelling
  const bob = mxtls.loadPkcs12(f.fx.identities.bob.p12, f.fx.password);
  const v6 = new mxtls.Config().addIdentity(bob, 0, ['0:0:0:0:0:0:0:1']).build();
  bob.close();
  assert.equal(v6.select({ host: '[::1]' }), 0);
  assert.equal(v6.select({ host: '::1' }), 0);
  assert.equal(v6.select({ host: 'localhost' }), null);
  assert.throws(() => new mxtls.Config().addNoIdentity(['https://x.example']), (e) => e.code === 'usage');
});

test('https.request with mxtls.Agent: each host gets its pinned identity', async () => {
  const agent = new mxtls.Agent({ source: ctx, keepAlive: true });
  try {
    const a = await get(f.url('verified', 'localhost'), { agent });
    const b = await get(f.url('verified', '127.0.0.1'), { agent });
    assert.equal(a.status, 200);
    assert.deepEqual([a.body.verify, a.body.subject, a.body.host], ['SUCCESS', ALICE, 'localhost']);
    assert.deepEqual([b.body.verify, b.body.subject, b.body.host], ['SUCCESS', BOB, '127.0.0.1']);
    const names = Object.keys(agent.freeSockets);
    assert.equal(names.length, 2);
    assert.ok(names.some((n) => n.includes(':i0:')) && names.some((n) => n.includes(':i1:')), names.join(' | '));
  } finally {
    agent.destroy();
  }
});

test('mxtls.Agent resumes TLS sessions on new connections (sessions cached per name)', async () => {
  const agent = new mxtls.Agent({ source: ctx, keepAlive: false });
  try {
    const first = await get(f.url('verified', 'localhost'), { agent });
    const second = await get(f.url('verified', 'localhost'), { agent });
    assert.equal(first.body.subject, ALICE);
    assert.equal(second.body.subject, ALICE);
    assert.equal(second.body.reused, 'r', 'second connection resumed');
  } finally {
    agent.destroy();
  }
});

test('a host mapped to no identity presents none', async () => {
  const { fx } = f;
  const alice = mxtls.loadPkcs12(fx.identities.alice.p12, fx.password);
  const c = new mxtls.Config().addIdentity(alice).addNoIdentity(['127.0.0.1']).addTrust(mxtls.loadTrust(fx.server_ca)).systemRoots(false).build();
  const agent = new mxtls.Agent({ source: c });
  try {
    assert.equal(c.select({ host: '127.0.0.1' }), null);
    const none = await get(f.url('verified', '127.0.0.1'), { agent });
    assert.equal(none.body.verify, 'NONE');
    assert.equal(none.body.subject, '');
    const def = await get(f.url('verified', 'localhost'), { agent });
    assert.equal(def.body.subject, ALICE, 'the default identity elsewhere');
  } finally {
    agent.destroy();
  }
});

test('fetch (Node global) with mxtls.dispatcher, and a redirect to the other host presents bob there', async () => {
  const dispatcher = mxtls.dispatcher(ctx);
  try {
    let res = await fetch(f.url('verified', 'localhost'), { dispatcher });
    assert.equal((await res.json()).subject, ALICE);
    res = await fetch(f.url('verified', 'localhost', '/redirect/127.0.0.1'), { dispatcher, redirect: 'follow' });
    assert.equal(res.status, 200);
    assert.ok(res.redirected);
    const body = await res.json();
    assert.deepEqual([body.host, body.subject, body.verify], ['127.0.0.1', BOB, 'SUCCESS']);
  } finally {
    await dispatcher.close();
  }
});

test("undici's own fetch with mxtls.dispatcher", async () => {
  const dispatcher = mxtls.dispatcher(ctx);
  try {
    const res = await undici.fetch(f.url('verified', '127.0.0.1'), { dispatcher });
    assert.equal((await res.json()).subject, BOB);
    const res2 = await undici.request(f.url('verified', 'localhost'), { dispatcher });
    assert.equal((await res2.body.json()).subject, ALICE);
  } finally {
    await dispatcher.close();
  }
});

test('tls.connect with ctx.tlsOptions()', async () => {
  for (const [host, subject] of [['localhost', ALICE], ['127.0.0.1', BOB]]) {
    const body = await new Promise((resolve, reject) => {
      const s = tls.connect({ host, port: f.fx.ports.verified, ...ctx.tlsOptions({ host }) }, () => {
        s.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      });
      let data = '';
      s.setEncoding('utf8');
      s.on('data', (d) => { data += d; });
      s.on('end', () => resolve(JSON.parse(data.slice(data.indexOf('\r\n\r\n') + 4))));
      s.on('error', reject);
    });
    assert.equal(body.subject, subject);
  }
});

test('options chosen for one host are refused for another (not_pinned)', async () => {
  // tls.connect: alice's options used towards 127.0.0.1 (bob's host) fail the connection
  const err = await new Promise((resolve) => {
    const opts = ctx.tlsOptions({ host: 'localhost' });
    const s = tls.connect({ ...opts, host: '127.0.0.1', servername: undefined, port: f.fx.ports.verified }, () => resolve(null));
    s.on('error', resolve);
  });
  assert.ok(err instanceof mxtls.MxtlsError, String(err));
  assert.equal(err.code, 'not_pinned');
  assert.match(err.message, /127\.0\.0\.1/);
  // the Agent: a socket named for localhost but connecting with another SNI name is refused before connecting
  const agent = new mxtls.Agent({ source: ctx });
  try {
    const key = agent.getName({ host: 'localhost', port: f.fx.ports.verified, servername: 'localhost' });
    assert.throws(() => agent.createConnection({ host: '127.0.0.1', port: f.fx.ports.verified, servername: '127.0.0.1', _agentKey: key }),
      (e) => e instanceof mxtls.MxtlsError && e.code === 'not_pinned');
    assert.throws(() => ctx.checkHost(0, { host: '127.0.0.1' }), (e) => e.code === 'not_pinned' && e.errno === mxtls.constant('MXTLS_ERR_NOT_PINNED'));
    ctx.checkHost(1, { host: '127.0.0.1' });
  } finally {
    agent.destroy();
  }
});

test('an untrusted server fails verification', async () => {
  const agent = new mxtls.Agent({ source: ctx });
  const dispatcher = mxtls.dispatcher(ctx);
  try {
    await assert.rejects(get(f.url('untrusted', 'localhost'), { agent }),
      (e) => ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'].includes(e.code));
    await assert.rejects(fetch(f.url('untrusted', 'localhost'), { dispatcher }),
      (e) => e.cause && e.cause.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  } finally {
    agent.destroy();
    await dispatcher.close();
  }
});

test('the Agent refuses options that would bypass the context', () => {
  assert.throws(() => new mxtls.Agent({ source: ctx, pfx: Buffer.alloc(1) }), TypeError);
  assert.throws(() => new mxtls.Agent({ source: ctx, rejectUnauthorized: false }), TypeError);
  assert.throws(() => new mxtls.Agent({ source: {} }), TypeError);
});

test('the key Buffer is wiped after tls.createSecureContext: OpenSSL keeps its own copy', async () => {
  // A fresh context so that its SecureContext is built here; the handshake needs the key.
  const { fx } = f;
  const bob = mxtls.loadPkcs12(fx.identities.bob.p12, fx.password);
  const c = new mxtls.Config().addIdentity(bob).addTrust(mxtls.loadTrust(fx.server_ca)).systemRoots(false).build();
  const realCreate = tls.createSecureContext;
  let seenKey = null;
  tls.createSecureContext = (options) => { seenKey = options.key; return realCreate(options); };
  try {
    c.secureContextFor(0);
  } finally {
    tls.createSecureContext = realCreate;
  }
  assert.ok(Buffer.isBuffer(seenKey) && seenKey.length > 100);
  assert.ok(seenKey.every((b) => b === 0), 'our copy of the key PEM is zeroed');
  const agent = new mxtls.Agent({ source: c });
  try {
    const r = await get(f.url('verified', 'localhost'), { agent });
    assert.deepEqual([r.body.verify, r.body.subject], ['SUCCESS', BOB]);
  } finally {
    agent.destroy();
    c.close();
  }
});

test('https.globalAgent style: per-request agent option only, no global state touched', () => {
  assert.notEqual(https.globalAgent.constructor, mxtls.Agent);
});

test('a per-request mxtlsIdentifier selects before the host, and names its own pool', async () => {
  const { fx } = f;
  const alice = mxtls.loadPkcs12(fx.identities.alice.p12, fx.password);
  const bob = mxtls.loadPkcs12(fx.identities.bob.p12, fx.password);
  const c = new mxtls.Config().addIdentity(alice, 0, ['localhost']).addIdentity(bob, 0, ['Billing.Api'])
    .addTrust(mxtls.loadTrust(fx.server_ca)).systemRoots(false).build();
  const agent = new mxtls.Agent({ source: c, keepAlive: true });
  try {
    assert.equal((await get(f.url('verified', 'localhost'), { agent })).body.subject, ALICE);
    assert.equal((await get(f.url('verified', 'localhost'), { agent, mxtlsIdentifier: 'Billing.Api' })).body.subject, BOB);
    assert.equal((await get(f.url('verified', 'localhost'), { agent })).body.subject, ALICE, 'pooled sockets do not mix');
  } finally {
    agent.destroy();
  }
});
