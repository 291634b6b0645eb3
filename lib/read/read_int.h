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
	char *alias;       /* a keystore entry's alias (UTF-8), or NULL; freed by mx_key_clear() */
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

/* ---- Java keystores (keystore_reader.c, keystore_protect.c, java_serial.c) ---- */

#define MX_KS_MAX_ENTRIES MX_READ_MAX_CERTS
#define MX_KS_MAX_ALIAS 1024u          /* bytes of one alias as stored (modified UTF-8) */
#define MX_KS_MAX_CHAIN 64u            /* certificates of one private-key entry */
#define MX_KS_MAX_CERT (256u * 1024u)  /* bytes of one certificate */
#define MX_KS_MAX_PROTECTED_KEY (MX_READ_MAX_KEY_DER + 256u)

enum mx_ks_format { MX_KS_JKS = 1, MX_KS_JCEKS = 2 };
enum mx_ks_entry_kind { MX_KS_PRIVATE_KEY = 1, MX_KS_TRUSTED_CERT = 2, MX_KS_SECRET_KEY = 3 };

/* A password in the two forms keystores use; views of an mx_password. */
struct mx_ks_pw {
	const uint8_t *utf16be; /* Java chars, big-endian: integrity check, JDK key protector */
	size_t utf16be_len;
	const uint8_t *utf8; /* PBEWithMD5AndTripleDES */
	size_t utf8_len;
};

struct mx_ks_cert {
	const uint8_t *der;
	size_t len;
	size_t offset; /* in the keystore */
};

/* One entry, valid during the callback. */
struct mx_ks_entry {
	int kind;              /* enum mx_ks_entry_kind */
	const char *alias;     /* UTF-8 (from Java's modified UTF-8; U+FFFD for what is invalid) */
	size_t offset;         /* of the entry's tag */
	const uint8_t *key;    /* PRIVATE_KEY: the decrypted PKCS#8 PrivateKeyInfo, wiped after */
	size_t key_len;
	const char *protection; /* PRIVATE_KEY: "PBEWithMD5AndTripleDES, 200000 iterations", ... */
	const struct mx_ks_cert *certs; /* the chain (leaf first) or the trusted certificate */
	size_t ncerts;
};

/* Return 0 to go on, <0 to stop (returned as is; the callback reports its error). */
typedef int (*mx_ks_entry_cb)(void *arg, const struct mx_ks_entry *e);

/* MX_KS_JKS or MX_KS_JCEKS if data starts as a keystore (magic, version 1 or 2), else 0. */
int mx_keystore_format(const uint8_t *data, size_t len);
/*
 * Every entry of a JKS or JCEKS keystore, in file order, after the whole
 * file was parsed and its integrity checked: SHA-1(store password as
 * UTF-16BE || "Mighty Aphrodite" || everything before the last 20 bytes).
 * store_pw: NULL or empty means none given: the check is then made with the
 * empty password, and *verified says whether it held (Java loads a store
 * without password unchecked). key_pw NULL: the store password. Secret-key
 * entries (JCEKS) are skipped and given to cb without a key.
 * kdf_budget: hash iterations all PBE keys may take (MXTLS_MAX_KDF_BUDGET;
 * the fuzzer gives less). Errors (no location prefix for the file; "offset
 * N" or "alias \"a\"" in them): corrupt, wrong_password (integrity check
 * with a store password given; a key whose check or padding fails),
 * unsupported_algorithm (key protection OID, certificate type),
 * limit_exceeded, nomem.
 */
int mx_keystore_read(const uint8_t *data, size_t len, const char *store_pw, size_t store_pwlen,
		     const char *key_pw, size_t key_pwlen, uint64_t kdf_budget, mx_ks_entry_cb cb,
		     void *arg, int *verified, mxtls_error *err);
/*
 * Decrypt one protected key (an EncryptedPrivateKeyInfo) of a keystore of
 * format: the JDK key protector (both formats) or PBEWithMD5AndTripleDES
 * (JCEKS). budget: hash iterations left for the load, decreased. *plain
 * (*plen bytes, PKCS#8) is the caller's to wipe; desc gets the scheme.
 */
int mx_ks_unprotect(int format, const uint8_t *epki, size_t len, const struct mx_ks_pw *pw,
		    uint64_t *budget, uint8_t **plain, size_t *plen, char *desc, size_t descsize,
		    mxtls_error *err);
/*
 * Skip one Java serialized object (stream header 0xACED 0005 and one
 * object), as a JCEKS secret-key entry holds its SealedObject. *used: bytes
 * read (where it stopped, on error). Returns 0, -1 malformed (*why says
 * what), -2 out of memory.
 */
int mx_java_skip_object(const uint8_t *p, size_t len, size_t *used, const char **why);

#endif
