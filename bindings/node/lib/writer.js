'use strict';
/**
 * Writing PKCS#12 containers: Pkcs12Writer (identities from a loaded container or a
 * Bundle, extra certificates, then finish(password) -> the DER bytes) and pack(), the
 * `mxtls pack` flow in one call: read certificates and a key (or a keystore, or an
 * old container), find the key's chain, write, and load the result back to check it
 * holds the same leaf and chain before returning it.
 */
const { native } = require('./ffi');
const { errorBuffer, fromBuffer, make, MxtlsError } = require('./errors');
const { NativeHandle } = require('./handle');
const { Certificate } = require('./cert');
const { Pkcs12, loadPkcs12, passwordBytes } = require('./pkcs12');
const { Bundle, isBytes, nameArg } = require('./bundle');
const { takeSecret } = require('./context');

/** Profile names and their constants (mxtls_pkcs12_profile). */
const PROFILES = Object.freeze({
  modern: 'MXTLS_PKCS12_PROFILE_MODERN',
  compat: 'MXTLS_PKCS12_PROFILE_COMPAT',
  pbmac1: 'MXTLS_PKCS12_PROFILE_PBMAC1',
});

function profileValue(profile) {
  if (!Object.prototype.hasOwnProperty.call(PROFILES, profile)) {
    throw new RangeError(`profile must be 'modern', 'compat' or 'pbmac1', not ${JSON.stringify(profile)}`);
  }
  return native().constant(PROFILES[profile]);
}

function indexArg(i, what) {
  if (!Number.isInteger(i) || i < 0) throw new RangeError(`${what} must be an integer >= 0, not ${i}`);
  return i;
}

class Pkcs12Writer {
  /**
   * @param {object} [options]
   * @param {'modern'|'compat'|'pbmac1'} [options.profile] modern (default): AES-256-CBC
   *   + PBKDF2-HMAC-SHA256, HMAC-SHA256 MAC; compat: 3DES + HMAC-SHA1 for old readers;
   *   pbmac1: modern with an RFC 9579 PBMAC1 MAC (OpenSSL 3.4+; Node 20 cannot read it)
   * @param {number} [options.iterations] of every key derivation (default and floor:
   *   MXTLS_PKCS12_DEFAULT_ITERATIONS, 2048)
   */
  constructor({ profile = 'modern', iterations } = {}) {
    const value = profileValue(profile);
    const err = errorBuffer();
    const ptr = native().fn.mxtls_pkcs12_writer_new(value, err);
    if (!ptr) throw fromBuffer(err);
    this._h = new NativeHandle(ptr, 'mxtls_pkcs12_writer_free', 'PKCS#12 writer');
    /** @type {'modern'|'compat'|'pbmac1'} */
    this.profile = profile;
    if (iterations !== undefined) {
      try {
        this.setIterations(iterations);
      } catch (e) {
        this.close();
        throw e;
      }
    }
  }

  /** @internal */
  get ptr() {
    return this._h.ptr;
  }

  get closed() {
    return this._h.closed;
  }

  /**
   * Iterations of every key derivation (keys, certificates, MAC): 2048 to
   * MXTLS_MAX_KDF_ITERATIONS, the loader's cap (above it: limit_exceeded).
   * @param {number} n
   * @returns {this}
   */
  setIterations(n) {
    const w = this.ptr;
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`iterations must be an integer from 0 to 2^32-1, not ${n}`);
    const err = errorBuffer();
    if (native().fn.mxtls_pkcs12_writer_set_iterations(w, n, err) !== 0) throw fromBuffer(err);
    return this;
  }

  /**
   * Add identity `index` of a loaded container (key, leaf, chain), e.g. to re-encrypt a
   * legacy file under this writer's profile. The container may be closed afterwards.
   * @param {Pkcs12} p12
   * @param {number} [index]
   * @param {{friendlyName?: string|null}} [options] null/undefined: keep the identity's own
   * @returns {this}
   */
  addIdentity(p12, index = 0, { friendlyName = null } = {}) {
    if (!(p12 instanceof Pkcs12)) throw new TypeError('addIdentity: p12 must be a Pkcs12 (from loadPkcs12)');
    const w = this.ptr;
    const err = errorBuffer();
    if (native().fn.mxtls_pkcs12_writer_add_identity(w, p12.ptr, indexArg(index, 'index'), nameArg(friendlyName), err) !== 0) throw fromBuffer(err);
    return this;
  }

  /**
   * Add key `keyIndex` of a bundle with its chain (as bundle.chain(keyIndex) finds it).
   * The bundle may be closed afterwards.
   * @param {Bundle} bundle
   * @param {number} [keyIndex]
   * @param {{friendlyName?: string|null}} [options] null/undefined: no friendlyName
   * @returns {this}
   * @throws {MxtlsError} key_mismatch, no_certificate, usage (bad index, identity already added), limit_exceeded
   */
  addKey(bundle, keyIndex = 0, { friendlyName = null } = {}) {
    if (!(bundle instanceof Bundle)) throw new TypeError('addKey: bundle must be an mxtls Bundle');
    const w = this.ptr;
    const err = errorBuffer();
    if (native().fn.mxtls_bundle_add_to_writer(bundle.ptr, indexArg(keyIndex, 'key index'), w, nameArg(friendlyName), err) !== 0) throw fromBuffer(err);
    return this;
  }

  /**
   * Add a certificate that belongs to no identity (an extra CA); one already in the
   * writer is not written twice.
   * @param {Certificate|Buffer|Uint8Array} cert a Certificate or its DER
   * @returns {this}
   */
  addCertificate(cert) {
    const der = cert instanceof Certificate ? cert.der : cert;
    if (!isBytes(der)) throw new TypeError('addCertificate: cert must be a Certificate or DER bytes (Buffer, Uint8Array)');
    const w = this.ptr;
    const err = errorBuffer();
    if (native().fn.mxtls_pkcs12_writer_add_cert_der(w, der, der.length, err) !== 0) throw fromBuffer(err);
    return this;
  }

  /**
   * Encrypt and encode the container. Fresh salts and IVs on every call (the writer may
   * be finished again). The password goes to C as bytes with their length (a NUL inside
   * is refused); the binding's copy is wiped after the call. An empty password is
   * allowed here (pack() refuses it unless asked).
   * @param {string|Buffer|null} password UTF-8
   * @returns {Buffer} the container's DER (a copy; the C buffer is wiped and freed)
   * @throws {MxtlsError} no_key (no identity added), limit_exceeded, usage
   */
  finish(password) {
    const w = this.ptr;
    const pw = passwordBytes(password);
    const der = Buffer.alloc(8);
    const len = Buffer.alloc(8);
    const err = errorBuffer();
    let rc;
    try {
      rc = native().fn.mxtls_pkcs12_writer_finish(w, pw.length ? pw : null, pw.length, der, len, err);
    } finally {
      pw.fill(0);
    }
    if (rc !== 0) throw fromBuffer(err);
    return takeSecret(der, len);
  }

  /** Free the writer now and wipe the keys it holds (else: when collected). */
  close() {
    this._h.close();
  }
}

/** One source or a list of them (string: path; Buffer/Uint8Array: content). */
function sources(v, what) {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const s of list) {
    if (typeof s !== 'string' && !isBytes(s)) throw new TypeError(`pack: ${what} must be file paths or Buffers`);
  }
  return list;
}

/** The key entry `alias` names (ASCII case ignored, as Java does) or the only one. */
function pickKey(bundle, alias) {
  const keys = bundle.keys;
  const list = keys.map((k) => JSON.stringify(k.alias ?? '?')).join(', ');
  if (keys.length === 0) throw make('no_key', 'the keystore has no private-key entry (only certificates)');
  if (alias === undefined || alias === null) {
    if (keys.length === 1) return 0;
    throw make('usage', `the keystore holds ${keys.length} private keys (${list}): choose one with alias`);
  }
  const want = String(alias).replace(/[A-Z]/g, (c) => c.toLowerCase());
  const i = keys.findIndex((k) => k.alias !== null && k.alias.replace(/[A-Z]/g, (c) => c.toLowerCase()) === want);
  if (i < 0) throw make('usage', `alias ${JSON.stringify(alias)}: the keystore has no private key of that alias (its keys: ${list})`);
  return i;
}

const PACK_OPTIONS = ['cert', 'key', 'chain', 'keyPassword', 'keystore', 'storePassword', 'alias', 'from', 'fromPassword',
  'password', 'profile', 'iterations', 'friendlyName', 'allowEmptyPassword'];

function shaList(certs) {
  return certs.map((c) => c.sha256);
}

/**
 * Make a PKCS#12 container as `mxtls pack` does, from one of:
 *  - `cert` (+ `chain`) and `key`: certificate files/bytes (PEM, DER, .p7b), the
 *    private key in any usual form (`keyPassword` opens an encrypted one);
 *  - `keystore`: a JKS/JCEKS keystore (`storePassword`, `keyPassword`, `alias` to
 *    choose among several keys), its chain completed by `chain` if needed;
 *  - `from`: a PKCS#12 container (`fromPassword`) to re-encrypt, all its identities.
 * The leaf is found by the key, the chain ordered and checked by signature. The
 * result is loaded back with loadPkcs12 and must hold the same leaves and chains.
 * @param {object} options
 * @returns {Buffer} the container's DER
 * @throws {MxtlsError} the readers' and writer's errors (wrong_password, corrupt,
 *   key_mismatch, ...); usage for an empty output password without allowEmptyPassword;
 *   internal if the result does not read back the same
 */
function pack(options) {
  if (options === null || typeof options !== 'object') throw new TypeError('pack: options must be an object');
  for (const k of Object.keys(options)) {
    if (!PACK_OPTIONS.includes(k)) throw new TypeError(`pack: unknown option ${JSON.stringify(k)}`);
  }
  const {
    cert, key, chain, keyPassword, keystore, storePassword, alias, from, fromPassword,
    password, profile = 'modern', iterations, friendlyName = null, allowEmptyPassword = false,
  } = options;
  const certs = sources(cert, 'cert');
  const chains = sources(chain, 'chain');
  const modes = [from !== undefined, keystore !== undefined, key !== undefined || certs.length > 0].filter(Boolean).length;
  if (modes !== 1) throw new TypeError('pack: give cert and key, or keystore, or from (one of them)');
  const notFor = (mode, names) => {
    const bad = names.filter((n) => options[n] !== undefined);
    if (bad.length) throw new TypeError(`pack: ${mode} takes no ${bad.join(', ')}`);
  };
  if (from !== undefined) notFor('from (a PKCS#12 container)', ['chain', 'keyPassword', 'storePassword', 'alias']);
  else if (keystore !== undefined) notFor('keystore', ['fromPassword']);
  else notFor('cert and key', ['storePassword', 'alias', 'fromPassword']);
  if (key === undefined && keystore === undefined && from === undefined) throw new TypeError('pack: key is missing');
  if (keystore === undefined && from === undefined && certs.length === 0) throw new TypeError('pack: cert is missing');
  if (key !== undefined && typeof key !== 'string' && !isBytes(key)) throw new TypeError('pack: key must be a file path or a Buffer');
  const pw = passwordBytes(password);
  let writer = null;
  let bundle = null;
  let src = null;
  let back = null;
  let der = null;
  try {
    if (pw.length === 0 && !allowEmptyPassword) {
      throw make('usage', 'pack: the output password is empty; pass allowEmptyPassword: true if that is what you want');
    }
    writer = new Pkcs12Writer({ profile, iterations });
    /** Expected identities, each its leaf-to-root SHA-256 list. */
    const expected = [];
    if (from !== undefined) {
      src = loadPkcs12(from, fromPassword);
      src.identities.forEach((id, i) => {
        expected.push([id.sha256, ...shaList(id.chain)]);
        writer.addIdentity(src, i, { friendlyName });
      });
      for (const c of src.extraCertificates) writer.addCertificate(c);
    } else {
      bundle = new Bundle();
      let k;
      if (keystore !== undefined) {
        bundle.addKeystore(keystore, storePassword, keyPassword);
        k = pickKey(bundle, alias);
        for (const c of chains) bundle.add(c);
      } else {
        for (const c of [...certs, ...chains]) bundle.add(c, keyPassword);
        const before = bundle.keys.length;
        bundle.add(key, keyPassword);
        const added = bundle.keys.length - before;
        if (added !== 1) throw make('usage', `pack: key holds ${added} private keys; it takes one`);
        k = before;
      }
      expected.push(shaList(bundle.chain(k).certificates));
      const name = friendlyName ?? (keystore !== undefined ? bundle.keys[k].alias : null);
      writer.addKey(bundle, k, { friendlyName: name });
    }
    der = writer.finish(pw);
    // Never hand out what does not read back as the same identities.
    try {
      back = loadPkcs12(der, pw);
    } catch (e) {
      if (!(e instanceof MxtlsError)) throw e;
      throw make('internal', `pack: the container made does not load again (${e.code}: ${e.message})`);
    }
    if (back.identities.length !== expected.length) {
      throw make('internal', `pack: the container made holds ${back.identities.length} identities, not ${expected.length}`);
    }
    back.identities.forEach((id, i) => {
      const got = [id.sha256, ...shaList(id.chain)];
      if (got.join() !== expected[i].join()) throw make('internal', `pack: identity ${i + 1} reads back with another leaf or chain`);
    });
    const out = der;
    der = null;
    return out;
  } finally {
    pw.fill(0);
    if (der) der.fill(0);
    for (const o of [back, src, bundle, writer]) if (o) o.close();
  }
}

module.exports = { Pkcs12Writer, pack, PROFILES };
