'use strict';
/**
 * PKCS#12 containers: loadPkcs12(), Pkcs12, Identity, readPasswordFile().
 * Passwords go to C as bytes with their length (mxtls_pkcs12_load_*_n): a NUL byte
 * inside is refused rather than cutting the password short. The binding's own copy
 * of the password bytes is wiped after the call; a JS string cannot be (see README).
 */
const { native, koffi } = require('./ffi');
const { errorBuffer, fromBuffer } = require('./errors');
const { NativeHandle, count } = require('./handle');
const { Certificate } = require('./cert');

/** Password bytes in a Buffer of our own (wiped by the caller with .fill(0)). */
function passwordBytes(password) {
  if (password === undefined || password === null) return Buffer.alloc(0);
  if (typeof password === 'string') return Buffer.from(password, 'utf8');
  if (Buffer.isBuffer(password) || password instanceof Uint8Array) return Buffer.from(password); // copy
  throw new TypeError('password must be a string, a Buffer or null');
}

class Identity {
  /** @param {bigint} ptr borrowed `const mxtls_identity *` @param {Pkcs12} owner */
  constructor(ptr, owner) {
    const { fn, constant } = native();
    const leaf = new Certificate(fn.mxtls_identity_leaf(ptr));
    /** The leaf certificate. @type {Certificate} */
    this.certificate = leaf;
    this.subject = leaf.subject;
    this.issuer = leaf.issuer;
    this.notBefore = leaf.notBefore;
    this.notAfter = leaf.notAfter;
    this.sha256 = leaf.sha256;
    /** Issuers of the leaf, leaf-to-root. @type {Certificate[]} */
    this.chain = [];
    const n = count(fn.mxtls_identity_chain_count(ptr));
    for (let i = 0; i < n; i++) this.chain.push(new Certificate(fn.mxtls_identity_chain_cert(ptr, i)));
    const type = fn.mxtls_identity_key_type(ptr);
    /** @type {'rsa'|'ec'|'unknown'} */
    this.keyType = type === constant('MXTLS_KEY_RSA') ? 'rsa' : type === constant('MXTLS_KEY_EC') ? 'ec' : 'unknown';
    this.keyBits = count(fn.mxtls_identity_key_bits(ptr));
    /** "P-256", ... for EC keys, else null. @type {string|null} */
    this.curve = fn.mxtls_identity_key_curve(ptr);
    /** @type {string|null} */
    this.friendlyName = fn.mxtls_identity_friendly_name(ptr);
    Object.defineProperty(this, 'owner', { value: owner, enumerable: false });
  }
}

class Pkcs12 {
  /** @param {bigint} ptr an owned `mxtls_pkcs12 *` */
  constructor(ptr) {
    this._h = new NativeHandle(ptr, 'mxtls_pkcs12_free', 'PKCS#12 container');
    const { fn } = native();
    /** @type {Identity[]} */
    this.identities = [];
    for (let i = 0, n = count(fn.mxtls_pkcs12_identity_count(ptr)); i < n; i++) {
      this.identities.push(new Identity(fn.mxtls_pkcs12_identity(ptr, i), this));
    }
    /** Certificates on no identity's path (listed, never sent). @type {Certificate[]} */
    this.extraCertificates = [];
    for (let i = 0, n = count(fn.mxtls_pkcs12_extra_cert_count(ptr)); i < n; i++) {
      this.extraCertificates.push(new Certificate(fn.mxtls_pkcs12_extra_cert(ptr, i)));
    }
    /** e.g. "HMAC-SHA256 (PKCS#12 KDF, 2048 iterations)" or "none". @type {string} */
    this.macAlgorithm = fn.mxtls_pkcs12_mac_algorithm(ptr);
    /** @type {string[]} */
    this.encryptions = [];
    for (let i = 0, n = count(fn.mxtls_pkcs12_encryption_count(ptr)); i < n; i++) {
      this.encryptions.push(fn.mxtls_pkcs12_encryption(ptr, i));
    }
    /** @type {{kind: string, message: string}[]} */
    this.warnings = [];
    for (let i = 0, n = count(fn.mxtls_pkcs12_warning_count(ptr)); i < n; i++) {
      this.warnings.push({ kind: fn.mxtls_warning_name(fn.mxtls_pkcs12_warning_kind(ptr, i)), message: fn.mxtls_pkcs12_warning(ptr, i) });
    }
  }

  /** @internal */
  get ptr() {
    return this._h.ptr;
  }

  get closed() {
    return this._h.closed;
  }

  /** Free the container now and wipe its key material (else: when collected). */
  close() {
    this._h.close();
  }
}

/**
 * Load a PKCS#12 container.
 * @param {Buffer|Uint8Array|string} source the DER bytes, or a file path
 * @param {string|Buffer|null} [password] UTF-8; empty/null means "no password"
 * @param {{requireMac?: boolean}} [options]
 * @returns {Pkcs12}
 * @throws {MxtlsError} wrong_password, corrupt, unsupported_algorithm, io, ...
 */
function loadPkcs12(source, password, options = {}) {
  const { fn, constant } = native();
  const flags = options.requireMac ? constant('MXTLS_LOAD_REQUIRE_MAC') : 0;
  const pw = passwordBytes(password);
  const err = errorBuffer();
  let ptr;
  try {
    const pwArg = pw.length ? pw : null;
    if (typeof source === 'string') {
      ptr = fn.mxtls_pkcs12_load_file_n(source, pwArg, pw.length, flags, err);
    } else if (Buffer.isBuffer(source) || source instanceof Uint8Array) {
      ptr = fn.mxtls_pkcs12_load_mem_n(source, source.length, pwArg, pw.length, flags, err);
    } else {
      throw new TypeError('loadPkcs12: source must be a Buffer, a Uint8Array or a file path');
    }
  } finally {
    pw.fill(0);
  }
  if (!ptr) throw fromBuffer(err);
  return new Pkcs12(ptr);
}

/**
 * Read a password file by the runtime's rule (whole file less one trailing line end,
 * at most MXTLS_MAX_PASSWORD_BYTES, no NUL). Returns a Buffer the caller should
 * .fill(0) when done; the C copy is wiped and freed here.
 * @param {string} path
 * @returns {Buffer}
 */
function readPasswordFile(path) {
  const { fn } = native();
  const err = errorBuffer();
  const ptr = fn.mxtls_password_read_file(path, err);
  if (!ptr) throw fromBuffer(err);
  try {
    const view = new Uint8Array(koffi().view(ptr, fnMaxPassword() + 1));
    const len = view.indexOf(0);
    return Buffer.from(view.subarray(0, len)); // copy
  } finally {
    fn.mxtls_password_free(ptr);
  }
}

function fnMaxPassword() {
  return native().constant('MXTLS_MAX_PASSWORD_BYTES');
}

module.exports = { loadPkcs12, readPasswordFile, Pkcs12, Identity, passwordBytes };
