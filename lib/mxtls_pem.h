/* Finding the certificates in an uploaded trust bundle: PEM, base64 of PEM, DER, base64 of DER. */
#ifndef MXTLS_PEM_H
#define MXTLS_PEM_H

#include <stddef.h>
#include <stdint.h>

#include "mxtls/mxtls.h"

/* Bundles of every CA a company trusts are bigger than any p12. */
#define MX_PEM_MAX_INPUT ((size_t)MXTLS_MAX_INPUT_BYTES * 8u)
#define MX_PEM_MAX_CERTS 10000u

/*
 * Called once per certificate found, in order. der is valid only during the call.
 * line: 1-based line number where the block (or input, for DER/base64 input) starts; for
 * base64 of PEM it is a line of the decoded text. Return 0 to go on, <0 to stop (returned as is).
 */
typedef int (*mx_pem_cert_cb)(void *arg, const uint8_t *der, size_t der_len, size_t line);

/*
 * Find every certificate in text users upload as "certificate authorities". Accepts:
 *  - PEM: any number of "-----BEGIN CERTIFICATE-----" blocks (also "TRUSTED CERTIFICATE" and
 *    "X509 CERTIFICATE"); any text before, between and after blocks is ignored (`openssl x509
 *    -text` output, comments, "subject=" lines); CRLF or LF line ends; a leading UTF-8 BOM;
 *    lines may be indented (leading/trailing spaces and tabs ignored, also on BEGIN/END lines),
 *    e.g. YAML-embedded PEM. A TRUSTED CERTIFICATE may carry OpenSSL's trust settings (a second
 *    SEQUENCE after the certificate): they are ignored and only the certificate is passed on;
 *  - the same PEM text as base64 (the whole input is base64 with optional whitespace anywhere,
 *    and decodes to text containing a "-----BEGIN" line): decoded, then read as PEM, once;
 *  - a single DER certificate (input starts with 0x30 and is exactly one DER SEQUENCE), or
 *    base64 of one. Line 1 is reported for these.
 * Other PEM blocks (PRIVATE KEY, X509 CRL, ...) are skipped, and *skipped (may be NULL; not
 * reset) is incremented: a private key in a trust bundle is a mistake worth a warning.
 *
 * Errors (err, which must be clear on entry as mx_err keeps the first error, is filled and
 * -code returned):
 *  - MXTLS_ERR_CORRUPT: a BEGIN CERTIFICATE without its END, bad base64 inside a certificate
 *    block (NUL bytes included), a block whose content is not one complete DER SEQUENCE, a
 *    malformed BEGIN/END line, input that looks like DER but is not one SEQUENCE, or base64
 *    input that is neither PEM nor a certificate. Messages about a block start with
 *    "line N: ", N being its BEGIN line ("line N (in the base64-decoded text): " for base64
 *    of PEM);
 *  - MXTLS_ERR_EMPTY: no certificate at all ("no certificate found");
 *  - MXTLS_ERR_LIMIT_EXCEEDED: input over MX_PEM_MAX_INPUT bytes, or more than
 *    MX_PEM_MAX_CERTS certificates (found before any callback is made);
 *  - MXTLS_ERR_USAGE: cb NULL, or text NULL with len > 0.
 * A callback's negative return is returned as is; the callback reports its own error (the
 * caller parses the DER as X.509 with mbedTLS and names the line it is given). For base64 of
 * PEM, when the callback has put an error in err, its message is prefixed with
 * "in the base64-decoded text: " so that the line number makes sense to the user.
 * Certificates are handed over as they are found: an error in a later block comes after
 * callbacks for the earlier ones, so a caller collecting them discards them on error.
 * Returns 0 once at least one certificate was passed to cb and every call returned >= 0.
 * The input is read as bytes of length len; it need not be NUL-terminated.
 */
int mx_pem_each_cert(const uint8_t *text, size_t len, mx_pem_cert_cb cb, void *arg, size_t *skipped,
                     mxtls_error *err);

#endif
