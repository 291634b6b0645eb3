'use strict';
/**
 * Context: an immutable, reference-counted libmxtls client context (identities, pins,
 * trust, protocol range) and its hand-off to Node's TLS: one tls.SecureContext per
 * (context, identity), built once from the PEM export and cached.
 */
const net = require('node:net');
const tls = require('node:tls');
const { native } = require('./ffi');
const { errorBuffer, fromBuffer } = require('./errors');
const { NativeHandle, count } = require('./handle');
const { Certificate, copyBytes } = require('./cert');

let serials = 0;
let scratchError = null;

/** Copy a C buffer from an export into a Buffer of ours, then wipe and free the C one. */
function takeSecret(ptrBuf, lenBuf) {
  const { fn } = native();
  const ptr = ptrBuf.readBigUInt64LE(0);
  const len = Number(lenBuf.readBigUInt64LE(0));
  try {
    return copyBytes(ptr, len);
  } finally {
    fn.mxtls_free_secret(ptr, len);
    ptrBuf.fill(0);
  }
}

function versionName(v) {
  const { constant } = native();
  if (v === constant('MXTLS_TLS_1_3')) return 'TLSv1.3';
  if (v === constant('MXTLS_TLS_1_2')) return 'TLSv1.2';
  return null;
}

/** Host for selection/TLS: URL-style IPv6 brackets removed (C accepts both; Node wants none). */
function bareHost(host) {
  if (typeof host !== 'string') return host;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

class Context {
  /**
   * @param {bigint} ptr an owned `mxtls_ctx *` (this object holds that one reference)
   * @param {{generation?: number|bigint}} [meta]
   */
  constructor(ptr, meta = {}) {
    this._h = new NativeHandle(ptr, 'mxtls_ctx_free', 'TLS context');
    /** Unique per Context object in this process (names pooled sockets). */
    this.serial = ++serials;
    /** The runtime generation this context was installed as (0 for a Config/fromEnv context). */
    this.generation = meta.generation ?? 0;
    const { fn } = native();
    /** @type {{index: number, certificate: Certificate, subject: string, pins: string[]}[]} */
    this.identities = [];
    for (let i = 0, n = count(fn.mxtls_ctx_identity_count(ptr)); i < n; i++) {
      const certificate = new Certificate(fn.mxtls_ctx_identity_leaf(ptr, i));
      const pins = [];
      for (let k = 0, m = count(fn.mxtls_ctx_identity_pin_count(ptr, i)); k < m; k++) pins.push(fn.mxtls_ctx_identity_pin(ptr, i, k));
      this.identities.push({ index: i, certificate, subject: certificate.subject, pins });
    }
    /** @type {string[]} */
    this.warnings = [];
    for (let i = 0, n = count(fn.mxtls_ctx_warning_count(ptr)); i < n; i++) this.warnings.push(fn.mxtls_ctx_warning(ptr, i));
    /** System roots + added authorities. @type {number} */
    this.trustCount = count(fn.mxtls_ctx_trust_count(ptr));
    /** How many of them are the platform's roots (0: only the added ones). @type {number} */
    this.systemRootCount = count(fn.mxtls_ctx_system_root_count(ptr));
    const v = Buffer.alloc(8);
    fn.mxtls_ctx_tls_versions(ptr, v.subarray(0, 4), v.subarray(4, 8));
    /** @type {{min: 'TLSv1.2'|'TLSv1.3', max: 'TLSv1.2'|'TLSv1.3'}} */
    this.tlsVersions = { min: versionName(v.readInt32LE(0)), max: versionName(v.readInt32LE(4)) };
    this._secure = new Map();
    this._trustPem = null;
  }

  /** @internal */
  get ptr() {
    return this._h.ptr;
  }

  get closed() {
    return this._h.closed;
  }

  /**
   * The identity a request presents: by identifier, then host (exact, then wildcard),
   * then the default; null for "no client certificate".
   * @param {{host?: string, identifier?: string}} [target]
   * @returns {number|null}
   */
  select({ host, identifier } = {}) {
    const { fn, noIdentity } = native();
    const i = fn.mxtls_ctx_select(this.ptr, identifier ?? null, host == null ? null : bareHost(host));
    return BigInt(i) === noIdentity ? null : Number(i);
  }

  /**
   * Throw MxtlsError `not_pinned` unless selecting for host (and identifier) gives
   * `index` (null = no identity): for TLS material chosen for one host and about to
   * be used for another.
   * @param {number|null} index
   * @param {{host: string, identifier?: string}} target
   */
  checkHost(index, { host, identifier }) {
    const { fn, noIdentity } = native();
    // on every new connection: one scratch mxtls_error, read at once on failure
    const err = scratchError || (scratchError = errorBuffer());
    if (fn.mxtls_ctx_check_host(this.ptr, index === null ? noIdentity : index, identifier ?? null, bareHost(host), err) !== 0) {
      throw fromBuffer(err);
    }
  }

  /** The trusted authorities (system roots first), copied on call. @returns {Certificate[]} */
  trustCertificates() {
    const { fn } = native();
    const out = [];
    for (let i = 0; i < this.trustCount; i++) out.push(new Certificate(fn.mxtls_ctx_trust_cert(this.ptr, i)));
    return out;
  }

  /**
   * Exactly the context's trust as PEM for Node's `ca` option (which replaces Node's
   * defaults): with system roots, every authority as libmxtls loaded them (the system
   * bundle it found, as mbedTLS parsed it, plus the added ones); without, only the
   * added ones. Built once per context.
   * @returns {string}
   */
  trustPem() {
    if (this._trustPem === null) {
      const { fn } = native();
      const err = errorBuffer();
      const p = Buffer.alloc(8);
      const l = Buffer.alloc(8);
      const rc = this.systemRootCount > 0
        ? fn.mxtls_ctx_export_trust_pem(this.ptr, p, l, err)
        : fn.mxtls_ctx_export_added_trust_pem(this.ptr, p, l, err);
      if (rc !== 0) throw fromBuffer(err);
      this._trustPem = takeSecret(p, l).toString('latin1');
    }
    return this._trustPem;
  }

  /**
   * The tls.SecureContext of identity `index` (null: no client certificate), built once
   * per context and identity. The key goes from libmxtls to OpenSSL through a Buffer
   * that is zeroed as soon as Node has parsed it.
   * @param {number|null} index
   * @returns {tls.SecureContext}
   */
  secureContextFor(index) {
    const key = index === null ? -1 : index;
    let sc = this._secure.get(key);
    if (sc) return sc;
    if (index !== null && (!Number.isInteger(index) || index < 0 || index >= this.identities.length)) {
      throw new RangeError(`identity ${index} is out of range (the context has ${this.identities.length})`);
    }
    const options = { ca: this.trustPem(), minVersion: this.tlsVersions.min, maxVersion: this.tlsVersions.max };
    let keyPem = null;
    if (index !== null) {
      const { fn } = native();
      const err = errorBuffer();
      const cp = Buffer.alloc(8); const cl = Buffer.alloc(8);
      const kp = Buffer.alloc(8); const kl = Buffer.alloc(8);
      if (fn.mxtls_ctx_export_identity_pem(this.ptr, index, cp, cl, kp, kl, err) !== 0) throw fromBuffer(err);
      options.cert = takeSecret(cp, cl);
      keyPem = takeSecret(kp, kl);
      options.key = keyPem;
    }
    try {
      sc = tls.createSecureContext(options);
    } finally {
      if (keyPem) keyPem.fill(0); // OpenSSL holds its own parsed copy now
      options.key = null;
    }
    this._secure.set(key, sc);
    return sc;
  }

  /**
   * The SecureContext for a request to host (with identifier).
   * @param {{host?: string, identifier?: string}} target
   */
  secureContext(target = {}) {
    return this.secureContextFor(this.select(target));
  }

  /**
   * Options for tls.connect()/https.request(): the selected identity's SecureContext,
   * the protocol range, the SNI name (not for IP literals), and a checkServerIdentity
   * that also refuses a connection to a host this identity was not selected for.
   * @param {{host: string, identifier?: string}} target
   */
  tlsOptions({ host, identifier } = {}) {
    const h = bareHost(host);
    const index = this.select({ host: h, identifier });
    const options = {
      secureContext: this.secureContextFor(index),
      minVersion: this.tlsVersions.min,
      maxVersion: this.tlsVersions.max,
      checkServerIdentity: (hostname, cert) => {
        try {
          this.checkHost(index, { host: hostname, identifier });
        } catch (e) {
          return e;
        }
        return tls.checkServerIdentity(hostname, cert);
      },
    };
    if (h && !net.isIP(h)) options.servername = h;
    return options;
  }

  /** Drop this object's reference to the C context (cached SecureContexts stay usable). */
  close() {
    this._h.close();
  }
}

module.exports = { Context, bareHost, takeSecret };
