'use strict';
/**
 * Certificate authority bundles: loadTrust() (PEM, base64 of PEM, or one DER
 * certificate; as uploaded by users) and systemTrust() (the platform roots as
 * OpenSSL-based tools find them: SSL_CERT_FILE, SSL_CERT_DIR, distribution bundles).
 */
const { native } = require('./ffi');
const { errorBuffer, fromBuffer } = require('./errors');
const { NativeHandle, count } = require('./handle');
const { Certificate } = require('./cert');

class Trust {
  /** @param {bigint} ptr owned `mxtls_trust *` */
  constructor(ptr) {
    this._h = new NativeHandle(ptr, 'mxtls_trust_free', 'trust bundle');
    const { fn } = native();
    /** Where it came from: a path or "memory". @type {string} */
    this.source = fn.mxtls_trust_source(ptr);
    /** @type {number} */
    this.count = count(fn.mxtls_trust_cert_count(ptr));
    /** @type {{kind: string, message: string}[]} */
    this.warnings = [];
    for (let i = 0, n = count(fn.mxtls_trust_warning_count(ptr)); i < n; i++) {
      this.warnings.push({ kind: fn.mxtls_warning_name(fn.mxtls_trust_warning_kind(ptr, i)), message: fn.mxtls_trust_warning(ptr, i) });
    }
    this._certs = null;
  }

  /** The authorities (copied on first use). @type {Certificate[]} */
  get certificates() {
    if (this._certs === null) {
      const { fn } = native();
      const p = this.ptr;
      this._certs = [];
      for (let i = 0; i < this.count; i++) this._certs.push(new Certificate(fn.mxtls_trust_cert(p, i)));
    }
    return this._certs;
  }

  /** @internal */
  get ptr() {
    return this._h.ptr;
  }

  close() {
    this._h.close();
  }
}

/**
 * Load authorities: a Buffer/Uint8Array holds the content (PEM text with any number of
 * certificates, its base64, or one DER certificate); a string is a file path.
 * @param {Buffer|Uint8Array|string} source
 * @returns {Trust}
 */
function loadTrust(source) {
  const { fn } = native();
  const err = errorBuffer();
  let ptr;
  if (typeof source === 'string') ptr = fn.mxtls_trust_load_file(source, err);
  else if (Buffer.isBuffer(source) || source instanceof Uint8Array) ptr = fn.mxtls_trust_load_mem(source, source.length, err);
  else throw new TypeError('loadTrust: source must be a Buffer (content) or a string (path)');
  if (!ptr) throw fromBuffer(err);
  return new Trust(ptr);
}

/** The platform's public roots. @returns {Trust} */
function systemTrust() {
  const err = errorBuffer();
  const ptr = native().fn.mxtls_trust_load_system(err);
  if (!ptr) throw fromBuffer(err);
  return new Trust(ptr);
}

module.exports = { Trust, loadTrust, systemTrust };
