'use strict';
/**
 * Config: collects identities (with pins), "no identity" pins, authorities and
 * options, then build() makes an immutable Context. fromEnv(): the same from the
 * platform's variables (CLIENT_CERTIFICATES, CERTIFICATE_AUTHORITIES, the *_FILE forms).
 */
const { native } = require('./ffi');
const { errorBuffer, fromBuffer } = require('./errors');
const { NativeHandle } = require('./handle');
const { Context } = require('./context');
const { cStringArray, envStrings } = require('./cstrings');

function versionValue(v) {
  const { constant } = native();
  if (v === 'TLSv1.2' || v === '1.2') return constant('MXTLS_TLS_1_2');
  if (v === 'TLSv1.3' || v === '1.3') return constant('MXTLS_TLS_1_3');
  throw new RangeError(`TLS version must be 'TLSv1.2' or 'TLSv1.3', not ${JSON.stringify(v)}`);
}

function pinArray(pins) {
  if (!Array.isArray(pins) || pins.some((p) => typeof p !== 'string')) throw new TypeError('pins must be an array of strings');
  return pins;
}

class Config {
  constructor() {
    const ptr = native().fn.mxtls_config_new();
    if (!ptr) throw new Error('mxtls_config_new: out of memory');
    this._h = new NativeHandle(ptr, 'mxtls_config_free', 'configuration');
  }

  /**
   * Add identity `index` of a loaded container (copied: the container may be closed
   * afterwards). Without pins it is a default identity (the first one wins).
   * @param {import('./pkcs12').Pkcs12} p12
   * @param {number} [index]
   * @param {string[]} [pins] host names ("api.example.com", "*.example.com") or identifiers
   * @returns {this}
   */
  addIdentity(p12, index = 0, pins = undefined) {
    const { fn } = native();
    const err = errorBuffer();
    const rc = pins === undefined
      ? fn.mxtls_config_add_identity(this._h.ptr, p12.ptr, index, err)
      : fn.mxtls_config_add_identity_pinned(this._h.ptr, p12.ptr, index, pinArray(pins), pins.length, err);
    if (rc !== 0) throw fromBuffer(err);
    return this;
  }

  /** Hosts or identifiers that must present no client certificate. @param {string[]} pins */
  addNoIdentity(pins) {
    const err = errorBuffer();
    if (native().fn.mxtls_config_add_no_identity(this._h.ptr, pinArray(pins), pins.length, err) !== 0) throw fromBuffer(err);
    return this;
  }

  /** Trust these authorities too (copied). @param {import('./trust').Trust} trust */
  addTrust(trust) {
    const err = errorBuffer();
    if (native().fn.mxtls_config_add_trust(this._h.ptr, trust.ptr, err) !== 0) throw fromBuffer(err);
    return this;
  }

  /** Whether the platform's roots are trusted besides the added authorities (default true). */
  systemRoots(enabled) {
    native().fn.mxtls_config_set_system_roots(this._h.ptr, enabled ? 1 : 0);
    return this;
  }

  /** Protocol range, 'TLSv1.2' or 'TLSv1.3' each (TLS 1.2 is the floor). */
  tlsVersions(min, max = 'TLSv1.3') {
    const err = errorBuffer();
    if (native().fn.mxtls_config_set_tls_versions(this._h.ptr, versionValue(min), versionValue(max), err) !== 0) throw fromBuffer(err);
    return this;
  }

  /** Warnings found while reading the environment. @type {string[]} */
  get warnings() {
    const { fn } = native();
    const out = [];
    for (let i = 0, n = Number(fn.mxtls_config_warning_count(this._h.ptr)); i < n; i++) out.push(fn.mxtls_config_warning(this._h.ptr, i));
    return out;
  }

  /** Build the immutable context (the configuration stays usable). @returns {Context} */
  build() {
    const err = errorBuffer();
    const ptr = native().fn.mxtls_ctx_new(this._h.ptr, err);
    if (!ptr) throw fromBuffer(err);
    return new Context(ptr);
  }

  /** Free now and wipe the key material it holds (else when collected). */
  close() {
    this._h.close();
  }

  /** @internal wrap an owned mxtls_config pointer */
  static _adopt(ptr) {
    const c = Object.create(Config.prototype);
    c._h = new NativeHandle(ptr, 'mxtls_config_free', 'configuration');
    return c;
  }
}

/**
 * A Context from the platform's environment variables (README "Environment").
 * The "K=V" strings are built in memory of our own and wiped after the call.
 * @param {Record<string, string|undefined>} [env] default process.env
 * @returns {Context} with `.configWarnings` (the environment's warnings)
 */
function fromEnv(env = process.env) {
  const { fn } = native();
  const envp = cStringArray(envStrings(env));
  const err = errorBuffer();
  let ptr;
  try {
    ptr = fn.mxtls_config_from_env(envp.array, err);
  } finally {
    envp.wipe();
  }
  if (!ptr) throw fromBuffer(err);
  const cfg = Config._adopt(ptr);
  try {
    const ctx = cfg.build();
    ctx.configWarnings = cfg.warnings;
    return ctx;
  } finally {
    cfg.close();
  }
}

module.exports = { Config, fromEnv, versionValue };
