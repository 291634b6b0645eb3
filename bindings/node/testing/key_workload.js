'use strict';
/**
 * Everything of the binding that touches key material, in one process, for the
 * "no key on disk" test: fromEnv (inline pfx), a watched Runtime from files, a
 * rotation, and requests through the Agent, fetch and tls.connect.
 * usage: node key_workload.js JSON   ({fx, work, url, rotatedP12})
 */
const fs = require('node:fs');
const path = require('node:path');
const tls = require('node:tls');
const https = require('node:https');
const mxtls = require('..');

function get(url, agent) {
  return new Promise((resolve, reject) => {
    https.get(url, { agent }, (res) => {
      let b = '';
      res.on('data', (d) => { b += d; });
      res.on('end', () => resolve(JSON.parse(b)));
    }).on('error', reject);
  });
}

async function main() {
  const { fx, work, url, rotatedP12 } = JSON.parse(process.argv[2]);
  const subjects = [];
  const ctx = mxtls.fromEnv({
    CLIENT_CERTIFICATES: JSON.stringify([{ pfx: fs.readFileSync(fx.identities.alice.p12).toString('base64'), password: fx.password }]),
    CERTIFICATE_AUTHORITIES: fs.readFileSync(fx.server_ca, 'utf8'),
  });
  const agent = new mxtls.Agent({ source: ctx });
  subjects.push((await get(url, agent)).subject);
  agent.destroy();
  const p12 = path.join(work, 'client.p12');
  const pw = path.join(work, 'password');
  fs.copyFileSync(fx.identities.bob.p12, p12);
  fs.writeFileSync(pw, fx.password);
  const rt = new mxtls.Runtime({ env: { MXTLS_CLIENT_CERTIFICATE_FILE: p12, MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE: pw, MXTLS_CERTIFICATE_AUTHORITIES_FILE: fx.server_ca }, watch: true });
  const dispatcher = mxtls.dispatcher(rt);
  subjects.push((await (await fetch(url, { dispatcher })).json()).subject);
  fs.copyFileSync(rotatedP12, `${p12}.new`);
  fs.renameSync(`${p12}.new`, p12);
  for (let i = 0; i < 250 && rt.generation === 1; i++) await new Promise((r) => setTimeout(r, 20));
  subjects.push((await (await fetch(url, { dispatcher })).json()).subject);
  const host = new URL(url).hostname;
  await new Promise((resolve, reject) => {
    const s = tls.connect({ host, port: Number(new URL(url).port), ...rt.tlsOptions({ host }) }, () => { s.end(); resolve(); });
    s.on('error', reject);
  });
  await dispatcher.close();
  rt.close();
  process.stdout.write(JSON.stringify({ subjects, generation: Number(ctx.generation) + 0 }));
}

main().catch((e) => { process.stderr.write(`${e.stack}\n`); process.exit(1); });
