'use strict';
/**
 * NULL-terminated `char *[]` built in memory of our own, so that values holding
 * secrets (CLIENT_CERTIFICATES passwords) can be wiped right after the call instead
 * of staying in koffi's conversion buffers.
 */
const { koffi } = require('./ffi');

/**
 * @param {string[]} strings
 * @returns {{array: Buffer, wipe: () => void}} pass `array` as `const char *const *`
 */
function cStringArray(strings) {
  const encoded = strings.map((s) => Buffer.from(s, 'utf8'));
  const total = encoded.reduce((n, b) => n + b.length + 1, 0);
  const storage = Buffer.allocUnsafeSlow(Math.max(total, 1)); // own backing store: never moves
  storage.fill(0);
  const array = Buffer.allocUnsafeSlow(8 * (strings.length + 1));
  array.fill(0);
  const base = koffi().address(storage);
  let off = 0;
  encoded.forEach((b, i) => {
    b.copy(storage, off);
    b.fill(0);
    array.writeBigUInt64LE(base + BigInt(off), 8 * i);
    off += b.length + 1;
  });
  return {
    array,
    keepAlive: storage,
    wipe() {
      storage.fill(0);
      array.fill(0);
    },
  };
}

/** "K=V" strings of an environment object (undefined values skipped). */
function envStrings(env) {
  const out = [];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || v === null) continue;
    if (k.includes('=') || k.includes('\0') || String(v).includes('\0')) {
      throw new TypeError(`environment entry ${JSON.stringify(k)} contains '=' in its name or a NUL byte`);
    }
    out.push(`${k}=${v}`);
  }
  return out;
}

module.exports = { cStringArray, envStrings };
