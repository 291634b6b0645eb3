'use strict';
/**
 * Bundle and Key: the certificates and private keys of the files a user has (PEM or
 * DER certificates, .p7b chains, keys in every usual PEM/DER form, encrypted or not,
 * JKS/JCEKS keystores), read by libmxtls to build a PKCS#12 container from them
 * (see writer.js). Keys never leave C: a Key is a description (kind, size, form,
 * where it was read) and a handle for matches() and the writer.
 */
const { native } = require('./ffi');
const { errorBuffer, fromBuffer, make } = require('./errors');
const { NativeHandle, count } = require('./handle');
const { Certificate, copyBytes } = require('./cert');
const { passwordBytes } = require('./pkcs12');

function isBytes(v) {
  return Buffer.isBuffer(v) || v instanceof Uint8Array;
}

/** An input's name for messages (`const char *`): a string without NUL, or null. */
function nameArg(name) {
  if (name === undefined || name === null) return null;
  if (typeof name !== 'string' || name.includes('\0')) throw new TypeError('name must be a string without NUL bytes');
  return name;
}

function keyKindName(kind) {
  const { constant } = native();
  return kind === constant('MXTLS_KEY_RSA') ? 'rsa' : kind === constant('MXTLS_KEY_EC') ? 'ec' : 'unknown';
}

class Key {
  /**
   * @param {Bundle} bundle the owner (open)
   * @param {number} index the key's index in the bundle
   */
  constructor(bundle, index) {
    const { fn } = native();
    const k = fn.mxtls_bundle_key(bundle.ptr, index);
    /** Index of the key in its bundle (for Bundle#chain and Pkcs12Writer#addKey). @type {number} */
    this.index = index;
    /** @type {'rsa'|'ec'|'unknown'} */
    this.kind = keyKindName(fn.mxtls_key_kind(k));
    /** @type {number} */
    this.bits = count(fn.mxtls_key_bits(k));
    /** "P-256", ... for EC keys, else null. @type {string|null} */
    this.curve = fn.mxtls_key_curve(k);
    /** How it was stored: "PKCS#1, legacy PEM encryption AES-256-CBC", "encrypted PKCS#8 (PBES2 ...)". @type {string} */
    this.form = fn.mxtls_key_form(k);
    /** Where it was read: "key.pem, line 1", "store.jks, alias \"client\"". @type {string} */
    this.source = fn.mxtls_key_source(k);
    /** The keystore entry's alias, or null for other inputs. @type {string|null} */
    this.alias = fn.mxtls_key_alias(k);
    Object.defineProperty(this, 'bundle', { value: bundle, enumerable: false });
  }

  /** The C key, or a `usage` MxtlsError once the bundle is closed. */
  _ptr() {
    return native().fn.mxtls_bundle_key(this.bundle.ptr, this.index);
  }

  /**
   * Whether the certificate holds this key's public key.
   * @param {Certificate|Buffer|Uint8Array} cert a Certificate (of this bundle or any other
   *   object), or the DER/PEM bytes of one certificate
   * @returns {boolean}
   */
  matches(cert) {
    const { fn } = native();
    const k = this._ptr();
    let der;
    if (cert instanceof Certificate) {
      const c = this.bundle._certBySha256(cert.sha256);
      if (c) return fn.mxtls_key_matches_cert(k, c) === 1;
      der = cert.der;
    } else if (isBytes(cert)) {
      der = cert;
    } else {
      throw new TypeError('matches: cert must be a Certificate, a Buffer or a Uint8Array');
    }
    // A certificate this bundle does not hold: parse it in a bundle of its own.
    const other = new Bundle();
    try {
      other.add(der, null, { name: 'certificate' });
      if (other._certCount() !== 1 || other._keyCount() !== 0) {
        throw make('usage', `matches: the bytes hold ${other._certCount()} certificates and ${other._keyCount()} keys, not one certificate`);
      }
      return fn.mxtls_key_matches_cert(k, fn.mxtls_bundle_cert(other.ptr, 0)) === 1;
    } finally {
      other.close();
    }
  }

  toJSON() {
    return { index: this.index, kind: this.kind, bits: this.bits, curve: this.curve, form: this.form, source: this.source, alias: this.alias };
  }
}

class Bundle {
  /** An empty bundle; add inputs with add() and addKeystore(). */
  constructor() {
    const err = errorBuffer();
    const ptr = native().fn.mxtls_bundle_new(err);
    if (!ptr) throw fromBuffer(err);
    this._h = new NativeHandle(ptr, 'mxtls_bundle_free', 'bundle');
  }

  /** @internal */
  get ptr() {
    return this._h.ptr;
  }

  get closed() {
    return this._h.closed;
  }

  /**
   * Add the certificates and keys of one input: PEM (any number of blocks) or DER
   * certificates, a PKCS#7 .p7b bundle, private keys (PKCS#8, encrypted PKCS#8,
   * PKCS#1/SEC1 with or without OpenSSL's legacy PEM encryption, DER), or a JKS/JCEKS
   * keystore (the password is then both store and key password). On failure the
   * bundle is as before the call.
   * @param {Buffer|Uint8Array|string} source the content, or a file path
   * @param {string|Buffer|null} [password] for encrypted keys (UTF-8)
   * @param {{name?: string}} [options] name: how messages call an in-memory input (default "memory")
   * @returns {this}
   * @throws {MxtlsError} corrupt, wrong_password, unsupported_algorithm, unsupported_key,
   *   limit_exceeded, empty, io, usage (a PKCS#12 file: use loadPkcs12)
   */
  add(source, password = null, options = {}) {
    const { fn } = native();
    const b = this.ptr;
    const name = nameArg(options.name);
    if (typeof source !== 'string' && !isBytes(source)) throw new TypeError('add: source must be a Buffer, a Uint8Array or a file path');
    const pw = passwordBytes(password);
    const err = errorBuffer();
    let rc;
    try {
      const pwArg = pw.length ? pw : null;
      rc = typeof source === 'string'
        ? fn.mxtls_bundle_add_file(b, source, pwArg, pw.length, err)
        : fn.mxtls_bundle_add_mem(b, source, source.length, name, pwArg, pw.length, err);
    } finally {
      pw.fill(0);
    }
    if (rc !== 0) throw fromBuffer(err);
    return this;
  }

  /**
   * Add the entries of a Java keystore (JKS or JCEKS): private keys with their
   * chains, trusted certificates. Without a store password the integrity check is
   * skipped with a no_mac warning (as Java does).
   * @param {Buffer|Uint8Array|string} source the content, or a file path
   * @param {string|Buffer|null} [storePassword]
   * @param {string|Buffer|null} [keyPassword] for the private keys; null/undefined: the store password
   * @param {{name?: string}} [options]
   * @returns {this}
   * @throws {MxtlsError} corrupt, wrong_password, unsupported_algorithm, limit_exceeded, empty, io
   */
  addKeystore(source, storePassword = null, keyPassword = null, options = {}) {
    const { fn } = native();
    const b = this.ptr;
    const name = nameArg(options.name);
    if (typeof source !== 'string' && !isBytes(source)) throw new TypeError('addKeystore: source must be a Buffer, a Uint8Array or a file path');
    const spw = passwordBytes(storePassword);
    const given = keyPassword !== undefined && keyPassword !== null;
    // An empty key password is not "none" (NULL): pass a non-NULL pointer with length 0.
    const kpw = given ? passwordBytes(keyPassword) : null;
    const kpwArg = !given ? null : kpw.length ? kpw : Buffer.alloc(1);
    const err = errorBuffer();
    let rc;
    try {
      const spwArg = spw.length ? spw : null;
      const klen = given ? kpw.length : 0;
      rc = typeof source === 'string'
        ? fn.mxtls_bundle_add_keystore_file(b, source, spwArg, spw.length, kpwArg, klen, err)
        : fn.mxtls_bundle_add_keystore_mem(b, source, source.length, name, spwArg, spw.length, kpwArg, klen, err);
    } finally {
      spw.fill(0);
      if (kpw) kpw.fill(0);
    }
    if (rc !== 0) throw fromBuffer(err);
    return this;
  }

  _certCount() {
    return count(native().fn.mxtls_bundle_cert_count(this.ptr));
  }

  _keyCount() {
    return count(native().fn.mxtls_bundle_key_count(this.ptr));
  }

  /** The C certificate of this bundle with that SHA-256 (hex), or null. @internal */
  _certBySha256(hex) {
    const { fn } = native();
    const b = this.ptr;
    for (let i = 0, n = this._certCount(); i < n; i++) {
      const c = fn.mxtls_bundle_cert(b, i);
      if (copyBytes(fn.mxtls_cert_sha256(c), 32).toString('hex') === hex) return c;
    }
    return null;
  }

  /** Distinct certificates in the order read (copied on every access). @type {Certificate[]} */
  get certificates() {
    const { fn } = native();
    const b = this.ptr;
    const out = [];
    for (let i = 0, n = this._certCount(); i < n; i++) out.push(new Certificate(fn.mxtls_bundle_cert(b, i)));
    return out;
  }

  /** Private keys in the order read (descriptions; the keys stay in C). @type {Key[]} */
  get keys() {
    const out = [];
    for (let i = 0, n = this._keyCount(); i < n; i++) out.push(new Key(this, i));
    return out;
  }

  /** skipped_entry (blocks and entries that are neither certificates nor usable keys), no_mac. @type {{kind: string, message: string}[]} */
  get warnings() {
    const { fn } = native();
    const b = this.ptr;
    const out = [];
    for (let i = 0, n = count(fn.mxtls_bundle_warning_count(b)); i < n; i++) {
      out.push({ kind: fn.mxtls_warning_name(fn.mxtls_bundle_warning_kind(b, i)), message: fn.mxtls_bundle_warning(b, i) });
    }
    return out;
  }

  /**
   * The chain of key `keyIndex`: the certificate holding its public key (found by the
   * key, never by order), then its issuers, each checked by name and signature.
   * @param {number} [keyIndex]
   * @returns {{certificates: Certificate[], complete: boolean}} leaf to root; complete:
   *   it ends in a self-signed certificate (false: the last one's issuer is not in the bundle)
   * @throws {MxtlsError} key_mismatch (no certificate holds the key), no_certificate, usage (bad index)
   */
  chain(keyIndex = 0) {
    const { fn, constant } = native();
    const b = this.ptr;
    if (!Number.isInteger(keyIndex) || keyIndex < 0) throw new RangeError(`key index must be an integer >= 0, not ${keyIndex}`);
    const max = constant('MXTLS_MAX_CHAIN');
    const certs = Buffer.alloc(8 * max);
    const n = Buffer.alloc(8);
    const err = errorBuffer();
    const rc = fn.mxtls_bundle_chain(b, keyIndex, certs, max, n, err);
    if (rc < 0) throw fromBuffer(err);
    const out = [];
    for (let i = 0, m = Number(n.readBigUInt64LE(0)); i < m; i++) out.push(new Certificate(certs.readBigUInt64LE(8 * i)));
    return { certificates: out, complete: rc === 1 };
  }

  /** Free the bundle now and wipe its keys (else: when collected). Keys of it become unusable. */
  close() {
    this._h.close();
  }
}

module.exports = { Bundle, Key, isBytes, nameArg };
