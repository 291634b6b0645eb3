'use strict';
/** Shared test set-up: the nginx mTLS fixture as a child process, requests, file snapshots. */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const https = require('node:https');
const readline = require('node:readline');

const REPO = path.resolve(__dirname, '..', '..', '..');
const FIXTURE = path.join(REPO, 'tests', 'pylib', 'mtls_fixture.py');

/**
 * Start the fixture in a fresh temporary directory. Resolves to
 * {fx, dir, url(server, host, path), stop()}; stop() closes its stdin (nginx stops).
 */
async function startFixture() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mxtls-node-fx-'));
  const child = spawn('python3', [FIXTURE, dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const line = await new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout });
    rl.once('line', (l) => { rl.close(); resolve(l); });
    child.once('exit', (code) => reject(new Error(`fixture exited (${code}): ${stderr}`)));
  });
  const fx = JSON.parse(line);
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null) { resolve(); return; }
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => { clearTimeout(t); fs.rmSync(dir, { recursive: true, force: true }); resolve(); });
    child.stdin.end();
  });
  const url = (server = 'verified', host = 'localhost', p = '/') => `https://${host}:${fx.ports[server]}${p}`;
  return { fx, dir, url, stop, child };
}

/** Issue (or re-issue) an identity from the fixture's client CA; returns its description. */
function issueIdentity(fxDir, name, { kind = 'ec', cn } = {}) {
  const code = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(path.dirname(FIXTURE))})`,
    'import mtls_fixture as m',
    `fx = m.MtlsFixture(${JSON.stringify(fxDir)})`,
    'p = fx.pki',
    "fx.client_ca = (p.path('client-ca.key'), p.path('client-ca.pem'))",
    `print(json.dumps(fx.issue_identity(${JSON.stringify(name)}, ${JSON.stringify(kind)}, ${cn ? JSON.stringify(cn) : 'None'})))`,
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', code], { encoding: 'utf8' }));
}

/** GET with https.request; resolves {status, headers, body (parsed JSON when possible), socket info}. */
function get(url, options = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'GET', ...options }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body = text;
        try { body = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, body, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Every regular file under the directories (not following symlinks), with size and mtime. */
function snapshot(dirs) {
  const out = new Map();
  const walk = (d, depth) => {
    let entries;
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && depth < 6) walk(p, depth + 1);
      else if (e.isFile()) {
        try { const st = fs.statSync(p); out.set(p, `${st.size}:${st.mtimeMs}`); } catch { /* gone */ }
      }
    }
  };
  for (const d of dirs) walk(d, 0);
  return out;
}

/** Files new or changed since `before`, outside the excluded prefixes, that hold "PRIVATE KEY". */
function filesWithKeys(before, dirs, exclude) {
  const after = snapshot(dirs);
  const hits = [];
  for (const [p, sig] of after) {
    if (before.get(p) === sig || exclude.some((x) => p.startsWith(x))) continue;
    try {
      if (fs.readFileSync(p).includes('PRIVATE KEY')) hits.push(p);
    } catch { /* unreadable or gone */ }
  }
  return hits;
}

function openFds() {
  return fs.readdirSync('/proc/self/fd').length;
}

module.exports = { REPO, startFixture, issueIdentity, get, snapshot, filesWithKeys, openFds };
