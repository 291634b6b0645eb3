'use strict';
/**
 * MxtlsError: what a failing libmxtls call reported, with the library's stable code
 * name (`wrong_password`, `not_pinned`, ...), its number, and its message, which the
 * C library guarantees never holds a password or key material.
 */

class MxtlsError extends Error {
  /**
   * @param {string} code stable lower-case name (mxtls_error_name), or 'library'
   * @param {number} errno the C code (mxtls_code), -1 for MxtlsError.LIBRARY
   * @param {string} message
   */
  constructor(code, errno, message) {
    super(message);
    this.name = 'MxtlsError';
    /** @type {string} */
    this.code = code;
    /** @type {number} */
    this.errno = errno;
  }
}
/** Code of errors about the library itself: not found, unknown ABI, missing function. */
MxtlsError.LIBRARY = 'library';

function native() {
  return require('./ffi').native();
}

/** A fresh caller-allocated mxtls_error (sized by mxtls_error_size()). */
function errorBuffer() {
  return Buffer.alloc(native().errorSize);
}

/** The MxtlsError an mxtls_error buffer holds. */
function fromBuffer(err, prefix) {
  const { fn } = native();
  const errno = fn.mxtls_error_code(err);
  const code = fn.mxtls_error_name(errno);
  const message = fn.mxtls_error_message(err) || fn.mxtls_strerror(errno);
  return new MxtlsError(code, errno, prefix ? `${prefix}: ${message}` : message);
}

/** A binding-side error with a library code name (e.g. 'usage' for a closed handle). */
function make(codeName, message) {
  const { constant, fn } = native();
  const errno = constant(`MXTLS_ERR_${codeName.toUpperCase()}`);
  return new MxtlsError(fn.mxtls_error_name(errno), errno, message);
}

module.exports = { MxtlsError, errorBuffer, fromBuffer, make };
