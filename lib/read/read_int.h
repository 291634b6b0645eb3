/*
 * Readers for what users bring to `mxtls pack`: PEM blocks, private keys in
 * their usual forms (PKCS#8 plain or encrypted, PKCS#1, SEC1, OpenSSL's
 * legacy encrypted PEM) and PKCS#7 certificate bundles. Shared by
 * pem_blocks.c, key_reader.c, pkcs7_reader.c and bundle.c.
 */
#ifndef MXTLS_READ_INT_H
#define MXTLS_READ_INT_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "mxtls/mxtls.h"
#include "mxtls_pem.h" /* struct mx_pem_block, mx_pem_looks_like */

/* Bytes of one input (a trust bundle may be large). */
#define MX_READ_MAX_INPUT ((size_t)MXTLS_MAX_INPUT_BYTES * 8u)
#define MX_READ_MAX_KEY_DER 16384u /* RSA-8192 PKCS#8 fits */
#define MX_READ_MAX_CERTS 10000u

/*
 * Every PEM block of text, in order, read by mx_pem_scan() (lib/mxtls_pem.h
 * says what it accepts). *nblocks gets the number of blocks. Errors: corrupt
 * ("line N: ...") for a BEGIN without END, a malformed BEGIN or END line
 * (a label of MX_PEM_LABEL_MAX bytes or more included), a mismatched END
 * label, bad base64, an empty block. Returns 0 or -code.
 */
int mx_pem_blocks(const uint8_t *text, size_t len, mx_pem_block_cb cb, void *arg, size_t *nblocks,
		  mxtls_error *err);

/* ---- private keys (key_reader.c) ---- */

struct mxtls_key {
	mbedtls_pk_context pk;
	int type;          /* MXTLS_KEY_RSA / MXTLS_KEY_EC */
	size_t bits;
	const char *curve; /* "P-256"... or NULL */
	char form[96];     /* "PKCS#8 (PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC)", ... */
	char source[160];  /* "key.pem, line 1" */
};

/* The forms a key comes in; MX_KEYFORM_DER_ANY: tell from the DER's structure. */
enum mx_keyform {
	MX_KEYFORM_DER_ANY = 0,
	MX_KEYFORM_PKCS8,
	MX_KEYFORM_PKCS8_ENCRYPTED,
	MX_KEYFORM_PKCS1,
	MX_KEYFORM_SEC1
};

/*
 * Parse one private key into k (initialised here; mx_key_clear() releases it).
 * dek_info: the PEM DEK-Info value for the legacy OpenSSL encryption, or NULL.
 * password: pwlen bytes (no NUL inside; the caller checked). rng: for mbedTLS.
 * Errors name no secret: corrupt, wrong_password, unsupported_algorithm (the
 * OID or cipher name), unsupported_key (the key algorithm OID), limit_exceeded
 * (KDF iterations). Returns 0 or -code; messages carry no location (the caller
 * prefixes "file, line N: ").
 */
int mx_key_read(struct mxtls_key *k, enum mx_keyform form, const uint8_t *der, size_t len,
		const char *dek_info, const char *password, size_t pwlen,
		mbedtls_ctr_drbg_context *rng, mxtls_error *err);
void mx_key_clear(struct mxtls_key *k);
/* The DER (PKCS#1 / SEC1) mbedTLS writes for the key, into a new buffer to wipe; 0 or -code. */
int mx_key_raw_der(const struct mxtls_key *k, uint8_t **der, size_t *len, mxtls_error *err);
/* 1 if the certificate's public key is the key's. */
int mx_key_matches(const struct mxtls_key *k, const mbedtls_x509_crt *crt);
/* OpenSSL's EVP_BytesToKey with MD5, one iteration: key of keylen bytes from password and salt[8]. */
int mx_evp_bytes_to_key_md5(const uint8_t *pw, size_t pwlen, const uint8_t salt[8], uint8_t *key,
			    size_t keylen);

/* ---- PKCS#7 certificate bundles (pkcs7_reader.c) ---- */

/* Called for each certificate; der valid during the call; offset: from the start of the input. */
typedef int (*mx_p7_cert_cb)(void *arg, const uint8_t *der, size_t len, size_t offset);
/* 1 if der is a ContentInfo of type signedData (cheap check, for sniffing). */
int mx_pkcs7_looks_like(const uint8_t *der, size_t len);
/*
 * The certificates of a PKCS#7 SignedData (RFC 2315 / 5652), as `openssl
 * crl2pkcs7` and CAs (.p7b/.p7c) make it: ContentInfo { signedData, [0]
 * SignedData { version, digestAlgorithms, contentInfo, [0] certificates,
 * [1] crls OPTIONAL, signerInfos } }. BER (indefinite lengths) is accepted.
 * Other certificate choices (attribute certificates) are skipped. CRLs and
 * signers are ignored. Returns the number of certificates (0 is allowed) or
 * -code (corrupt "offset N: ...", unsupported_algorithm for another content type).
 */
int mx_pkcs7_each_cert(const uint8_t *der, size_t len, mx_p7_cert_cb cb, void *arg,
		       mxtls_error *err);

#endif
