#!/usr/bin/env node
'use strict';
/**
 * mxtls.Agent vs Node's own https.Agent({pfx, passphrase, ca}) against the fixture's nginx.
 * Not a test: prints req/s per variant and the binding/peer ratio (goal >= 1.0x), and
 * start-up (process start to first response, in fresh processes).
 *
 *   MXTLS_LIBRARY=build/libmxtls.so.0 node bindings/node/bench/bench_agent.js [N_NEW] [N_KEEPALIVE]
 *
 * Both sides trust only the fixture's server CA and present alice (RSA 2048, an AES .p12
 * Node can load). Variants: a new connection per request (keepAlive: false; TLS sessions
 * resumed by both agents' per-name session cache) and keep-alive. Requests are
 * interleaved between the agents and timed one by one (this machine is shared: runs
 * one after the other varied by 3x).
 */
const https = require('node:https');
const tls = require('node:tls');
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

async function firstRequest(kind, fx) {
  const url = `https://localhost:${fx.ports.verified}/`;
  let agent;
  if (kind === 'binding') {
    const mxtls = require('..');
    const p12 = mxtls.loadPkcs12(fx.identities.alice.p12, fx.password);
    const ctx = new mxtls.Config().addIdentity(p12).addTrust(mxtls.loadTrust(fx.server_ca)).systemRoots(false).build();
    p12.close();
    agent = new mxtls.Agent({ source: ctx });
  } else if (kind === 'binding-system-roots') {
    const mxtls = require('..');
    const p12 = mxtls.loadPkcs12(fx.identities.alice.p12, fx.password);
    const ctx = new mxtls.Config().addIdentity(p12).addTrust(mxtls.loadTrust(fx.server_ca)).build();
    p12.close();
    agent = new mxtls.Agent({ source: ctx });
  } else {
    agent = new https.Agent({ pfx: fs.readFileSync(fx.identities.alice.p12), passphrase: fx.password, ca: fs.readFileSync(fx.server_ca) });
  }
  const body = await get(url, agent);
  agent.destroy();
  return { ms: performance.now(), subject: JSON.parse(body).subject };
}

function get(url, agent) {
  return new Promise((resolve, reject) => {
    https.get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function agents(fx, keepAlive) {
  const mxtls = require('..');
  const p12 = mxtls.loadPkcs12(fx.identities.alice.p12, fx.password);
  const ctx = new mxtls.Config().addIdentity(p12).addTrust(mxtls.loadTrust(fx.server_ca)).systemRoots(false).build();
  p12.close();
  const out = {
    binding: new mxtls.Agent({ source: ctx, keepAlive, maxSockets: 1 }),
    peer: new https.Agent({ pfx: fs.readFileSync(fx.identities.alice.p12), passphrase: fx.password, ca: fs.readFileSync(fx.server_ca), keepAlive, maxSockets: 1 }),
    // what a careful Node user would write: one SecureContext made up front
    peerSC: new https.Agent({
      secureContext: tls.createSecureContext({ pfx: fs.readFileSync(fx.identities.alice.p12), passphrase: fx.password, ca: fs.readFileSync(fx.server_ca) }),
      keepAlive,
      maxSockets: 1,
    }),
  };
  // the same again: the difference between two identical agents is the noise floor
  out.peerSC2 = new https.Agent({ secureContext: out.peerSC.options.secureContext, keepAlive, maxSockets: 1 });
  return out;
}

/**
 * Interleaved: request i goes to every side in turn (order rotating), each timed alone,
 * so that load from other processes on a shared machine falls on all sides alike.
 */
async function rates(url, sides, n) {
  const names = Object.keys(sides);
  const total = Object.fromEntries(names.map((k) => [k, 0n]));
  const reused = Object.fromEntries(names.map((k) => [k, 0]));
  for (const k of names) await get(url, sides[k]); // warm: context built, session cached
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < names.length; j++) {
      const k = names[(i + j) % names.length];
      const t0 = process.hrtime.bigint();
      const b = JSON.parse(await get(url, sides[k]));
      total[k] += process.hrtime.bigint() - t0;
      if (b.subject !== 'CN=alice.fixture.test') throw new Error(`${k}: wrong subject ${b.subject}`);
      if (b.reused === 'r') reused[k]++;
    }
  }
  return Object.fromEntries(names.map((k) => [k, { rps: n / (Number(total[k]) / 1e9), reused: reused[k] }]));
}

async function main() {
  if (process.argv[2] === '--startup') {
    const fx = JSON.parse(process.argv[4]);
    const r = await firstRequest(process.argv[3], fx);
    process.stdout.write(JSON.stringify(r));
    return;
  }
  const nNew = Number(process.argv[2] || 300);
  const nKeep = Number(process.argv[3] || 2000);
  const { startFixture } = require('../testing/helpers');
  const f = await startFixture();
  try {
    const url = f.url('verified', 'localhost');
    const { fx } = f;
    console.log(`node ${process.version}, libmxtls ${require('..').load().version} (${require('..').load().path})`);
    for (const [label, keepAlive, n] of [['new connection per request', false, nNew], ['keep-alive', true, nKeep]]) {
      const a = agents(fx, keepAlive);
      const best = await rates(url, a, n);
      for (const x of Object.values(a)) x.destroy();
      const show = (k) => `${best[k].rps.toFixed(0).padStart(6)} req/s (resumed ${best[k].reused}/${n})`;
      console.log(`${label}:\n  binding mxtls.Agent                    ${show('binding')}\n`
        + `  peer https.Agent({pfx, passphrase, ca}) ${show('peer')}  binding/peer ${(best.binding.rps / best.peer.rps).toFixed(2)}x\n`
        + `  peer https.Agent({secureContext})       ${show('peerSC')}  binding/peer ${(best.binding.rps / best.peerSC.rps).toFixed(2)}x\n`
        + `  the same peer again (noise floor)       ${show('peerSC2')}  peer/peer    ${(best.peerSC2.rps / best.peerSC.rps).toFixed(2)}x`);
    }
    const startup = {};
    for (const kind of ['binding', 'peer', 'binding-system-roots']) {
      const runs = [];
      for (let i = 0; i < 5; i++) {
        const out = execFileSync(process.execPath, [__filename, '--startup', kind, JSON.stringify(fx)], { encoding: 'utf8', env: process.env });
        runs.push(JSON.parse(out).ms);
      }
      runs.sort((x, y) => x - y);
      startup[kind] = runs[2];
    }
    console.log(`start-up (process start to first response, median of 5): binding ${startup.binding.toFixed(1)} ms, peer ${startup.peer.toFixed(1)} ms`
      + ` (ratio peer/binding ${(startup.peer / startup.binding).toFixed(2)}x); binding with the system roots too: ${startup['binding-system-roots'].toFixed(1)} ms`);
  } finally {
    await f.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
