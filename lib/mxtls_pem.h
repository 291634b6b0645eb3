/* PEM text as users paste it: one block scanner, and the trust-bundle reader built on it. */
#ifndef MXTLS_PEM_H
#define MXTLS_PEM_H

#include <stddef.h>
#include <stdint.h>

#include "mxtls/mxtls.h"

/* Bundles of every CA a company trusts are bigger than any p12. */
#define MX_PEM_MAX_INPUT ((size_t)MXTLS_MAX_INPUT_BYTES * 8u)
#define MX_PEM_MAX_CERTS 10000u
#define MX_PEM_LABEL_MAX 64   /* a read block's label, NUL included */
#define MX_PEM_HEADER_MAX 160 /* a DEK-Info value, NUL included */

/* One PEM block, decoded. der is owned by the scanner and wiped after the callback. */
struct mx_pem_block {
	char label[MX_PEM_LABEL_MAX];     /* "CERTIFICATE", "RSA PRIVATE KEY", ... */
	size_t line;                      /* 1-based line of its BEGIN line */
	int proc_encrypted;               /* "Proc-Type: 4,ENCRYPTED" */
	char dek_info[MX_PEM_HEADER_MAX]; /* value of "DEK-Info:", or "" */
	const uint8_t *der;
	size_t der_len;
};

/* Return 0 to go on, <0 to stop (returned as is; the callback reports its error). */
typedef int (*mx_pem_block_cb)(void *arg, const struct mx_pem_block *b);

/* Why mx_pem_scan() stopped; each reader words it its own way. at: the line at fault. */
enum mx_pem_fault {
	MX_PEM_BAD_BEGIN = 1, /* at: a "-----BEGIN " line not "-----BEGIN label-----" */
	MX_PEM_NO_END,        /* the text ends, or a BEGIN line comes, before the END line */
	MX_PEM_BAD_END,       /* at: a "-----END " line not "-----END label-----" */
	MX_PEM_END_MISMATCH,  /* at: an END line of another label, end_label */
	MX_PEM_BAD_BYTE,      /* at: byte, neither base64 nor blank */
	MX_PEM_EMPTY,         /* no base64 at all */
	MX_PEM_BAD_BASE64,    /* mbedTLS refuses the base64 (length, padding) */
	MX_PEM_LONG_HEADER,   /* at: a DEK-Info value too long for dek_info */
	MX_PEM_TOO_MANY,      /* more than max wanted blocks */
	MX_PEM_NOMEM
};

/* One reading of PEM text: what the caller sets, then what the scanner found. */
struct mx_pem_scan {
	mx_pem_block_cb cb;
	void *arg;
	/* NULL: read every block. Else a block it returns 0 for is skipped unread, up to any
	 * "-----END " line or to the next "-----BEGIN " line, and counted in nskipped. */
	int (*want)(const uint8_t *label, size_t len);
	size_t max; /* with want: 0, or the most blocks wanted, counted before any callback */

	size_t nblocks, nskipped;  /* blocks handed to cb, blocks skipped */
	struct mx_pem_block block; /* the block being read: a fault's label and line */
	size_t at;
	uint8_t byte;
	const uint8_t *end_label; /* end_label_len bytes of the text */
	size_t end_label_len;
};

/*
 * Every "-----BEGIN label-----" ... "-----END label-----" block of text (RFC 7468), decoded,
 * to s->cb in order. Text around blocks is ignored; a UTF-8 BOM, LF, CRLF or CR line ends,
 * and blanks around lines (indentation, as in YAML) are fine. A label runs up to the first
 * "-----", which ends the line; it is not empty, and shorter than MX_PEM_LABEL_MAX in a block
 * that is read. RFC 1421 headers ("Name: value" lines before the base64) are read for
 * Proc-Type and DEK-Info, others ignored. text is len bytes, not NUL-terminated.
 * Returns 0, the callback's <0, or an mx_pem_fault (>0; s says where).
 */
int mx_pem_scan(struct mx_pem_scan *s, const uint8_t *text, size_t len);

/* 1 if text holds a "-----BEGIN " (so it is to be read as PEM). */
int mx_pem_looks_like(const uint8_t *text, size_t len);

/*
 * Called once per certificate found, in order. der is valid only during the call.
 * line: 1-based line number where the block (or input, for DER/base64 input) starts; for
 * base64 of PEM it is a line of the decoded text. Return 0 to go on, <0 to stop (returned as is).
 */
typedef int (*mx_pem_cert_cb)(void *arg, const uint8_t *der, size_t der_len, size_t line);

/*
 * Find every certificate in text users upload as "certificate authorities". Accepts:
 *  - PEM as mx_pem_scan() reads it, with any number of "-----BEGIN CERTIFICATE-----" blocks
 *    (also "TRUSTED CERTIFICATE" and "X509 CERTIFICATE"); the text around blocks may be
 *    `openssl x509 -text` output, comments, "subject=" lines, YAML. A TRUSTED CERTIFICATE
 *    may carry OpenSSL's trust settings (a second SEQUENCE after the certificate): they are
 *    ignored and only the certificate is passed on;
 *  - the same PEM text as base64 (the whole input is base64 with optional whitespace anywhere,
 *    and decodes to text containing a "-----BEGIN " line): decoded, then read as PEM, once;
 *  - a single DER certificate (input starts with 0x30 and is exactly one DER SEQUENCE), or
 *    base64 of one. Line 1 is reported for these.
 * Other PEM blocks (PRIVATE KEY, X509 CRL, ...) are skipped, and *skipped (may be NULL; not
 * reset) is incremented: a private key in a trust bundle is a mistake worth a warning.
 *
 * Errors (err, which must be clear on entry as mx_err keeps the first error, is filled and
 * -code returned):
 *  - MXTLS_ERR_CORRUPT: a BEGIN CERTIFICATE without its END, bad base64 inside a certificate
 *    block (NUL bytes included), a block whose content is not one complete DER SEQUENCE, a
 *    malformed BEGIN/END line, a DEK-Info header too long, input that looks like DER but is
 *    not one SEQUENCE, or base64 input that is neither PEM nor a certificate. Messages about
 *    a block start with "line N: ", N being its BEGIN line ("line N (in the base64-decoded
 *    text): " for base64 of PEM);
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
