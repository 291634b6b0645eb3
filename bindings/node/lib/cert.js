'use strict';
/**
 * Certificate: a copy of what libmxtls knows about one X.509 certificate, taken while
 * its owner (container, bundle, context) is alive, so it never points into C memory.
 */
const { native, koffi } = require('./ffi');

/** Read a DN through the sizing call (buf NULL, size 0), then the real one. */
function readName(fnName, cert) {
  const f = native().fn[fnName];
  const need = f(cert, null, 0);
  if (need < 0) return '';
  const buf = Buffer.alloc(need + 1);
  const n = f(cert, buf, buf.length);
  return buf.toString('utf8', 0, n < 0 ? need : n);
}

function copyBytes(ptr, len) {
  if (!ptr || len === 0) return Buffer.alloc(0);
  return Buffer.from(new Uint8Array(koffi().view(ptr, len))); // a copy, not a view
}

class Certificate {
  /** @param {bigint} ptr borrowed `const mxtls_cert *` whose owner is alive during the call */
  constructor(ptr) {
    const { fn } = native();
    const lenBuf = Buffer.alloc(8);
    const der = fn.mxtls_cert_der(ptr, lenBuf);
    /** DER encoding (a copy). @type {Buffer} */
    this.der = copyBytes(der, Number(lenBuf.readBigUInt64LE(0)));
    /** "CN=client, O=Example" @type {string} */
    this.subject = readName('mxtls_cert_subject', ptr);
    /** @type {string} */
    this.issuer = readName('mxtls_cert_issuer', ptr);
    /** @type {Date} */
    this.notBefore = new Date(Number(fn.mxtls_cert_not_before(ptr)) * 1000);
    /** @type {Date} */
    this.notAfter = new Date(Number(fn.mxtls_cert_not_after(ptr)) * 1000);
    /** SHA-256 of the DER, lower-case hex. @type {string} */
    this.sha256 = copyBytes(fn.mxtls_cert_sha256(ptr), 32).toString('hex');
    /** basicConstraints cA. @type {boolean} */
    this.isCA = fn.mxtls_cert_is_ca(ptr) === 1;
  }

  /** The certificate as PEM text. */
  toPEM() {
    const b64 = this.der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
    return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
  }

  toJSON() {
    return { subject: this.subject, issuer: this.issuer, notBefore: this.notBefore, notAfter: this.notAfter, sha256: this.sha256, isCA: this.isCA };
  }
}

module.exports = { Certificate, readName, copyBytes };
