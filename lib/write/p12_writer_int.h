/*
 * The PKCS#12 writer's state, shared by p12_writer.c (the object and what is
 * added to it: keys, certificates, names) and p12_encode.c (finish: the bags,
 * their encryption and the MAC).
 */
#ifndef MXTLS_P12_WRITER_INT_H
#define MXTLS_P12_WRITER_INT_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>

#include "mxtls/mxtls.h"

#define PUBKEY_MAX 2600       /* SubjectPublicKeyInfo of an RSA-8192 key fits */
#define KEY_DER_MAX 16384     /* RSAPrivateKey of an RSA-8192 key fits */
#define FRIENDLY_NAME_MAX 1024 /* UTF-8 bytes of a friendlyName */
#define MODERN_SALT 16
#define COMPAT_SALT 8         /* what OpenSSL 1.0 and Java 8 wrote: what old readers know */

struct wcert {
	uint8_t *der;
	size_t len;
	int leaf_of; /* index of the identity whose leaf this is, or -1 */
};

struct wident {
	uint8_t *pkcs8; /* PrivateKeyInfo DER: secret, wiped */
	size_t pkcs8_len;
	uint8_t key_id[20]; /* localKeyId: SHA-1 of the leaf, as OpenSSL */
	uint8_t *name_bmp;  /* friendlyName as UTF-16BE, or NULL */
	size_t name_len;
};

struct mxtls_pkcs12_writer {
	int profile;
	uint32_t iterations;
	struct wcert *certs;
	size_t ncerts;
	struct wident *ids;
	size_t nids;
	size_t cert_bytes; /* DER of all certificates: bounded so the output stays loadable */
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
};

/* err, or local when the caller passed none: the writer reads back what it reported. */
static inline mxtls_error *mx_writer_err(mxtls_error *err, mxtls_error *local)
{
	return err ? err : local;
}

#endif
