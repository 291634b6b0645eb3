'use strict';
/**
 * mxtls: Node.js binding of libmxtls (outbound mTLS identities and trust).
 * The library is loaded on first use (see lib/ffi.js for the lookup order); call
 * load() to load it, and fail, early.
 */
const ffi = require('./lib/ffi');
const { MxtlsError } = require('./lib/errors');
const { loadPkcs12, readPasswordFile, Pkcs12, Identity } = require('./lib/pkcs12');
const { Certificate } = require('./lib/cert');
const { Bundle, Key } = require('./lib/bundle');
const { Pkcs12Writer, pack } = require('./lib/writer');
const { loadTrust, systemTrust, Trust } = require('./lib/trust');
const { Config, fromEnv } = require('./lib/config');
const { Context } = require('./lib/context');
const { Runtime } = require('./lib/runtime');
const { Agent } = require('./lib/agent');
const fetchModule = require('./lib/fetch');

/** Load libmxtls now; returns {path, version, abi, mbedtls}. Throws MxtlsError 'library'. */
function load() {
  const n = ffi.native();
  return { path: n.path, version: n.fn.mxtls_version(), abi: n.abi, mbedtls: n.fn.mxtls_mbedtls_version() };
}

/**
 * Read a constant of mxtls.h by name ("MXTLS_MAX_PASSWORD_BYTES", "MXTLS_ERR_EXPIRED", ...).
 * @param {string} name
 * @returns {number}
 */
function constant(name) {
  return ffi.native().constant(name);
}

module.exports = {
  load,
  constant,
  MxtlsError,
  loadPkcs12,
  readPasswordFile,
  pack,
  loadTrust,
  systemTrust,
  Config,
  fromEnv,
  Runtime,
  Agent,
  dispatcher: fetchModule.dispatcher,
  Pkcs12,
  Identity,
  Bundle,
  Key,
  Pkcs12Writer,
  Certificate,
  Trust,
  Context,
  DECLARATIONS: ffi.DECLARATIONS,
};
// undici is loaded on first use of a dispatcher (it takes ~100 ms to load).
Object.defineProperty(module.exports, 'MxtlsDispatcher', { enumerable: true, get: () => fetchModule.MxtlsDispatcher });
