/* Internal shapes of a loaded container and the state of one load. */
#ifndef MXTLS_PKCS12_INT_H
#define MXTLS_PKCS12_INT_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "mxtls/mxtls.h"
#include "mxtls_asn1.h"
#include "mxtls_error.h"
#include "mxtls_password.h"
#include "mxtls_warn.h"

struct mxtls_cert {
	mbedtls_x509_crt *crt; /* one certificate: its own, or a node of a trust list */
	int owns_crt;
	uint8_t sha256[32];
	const uint8_t *local_key_id; /* points into the load's buffers: valid during the load only */
	size_t local_key_id_len;
	char *friendly_name;
	int used; /* leaf or chain of some identity */
};

struct mxtls_identity {
	mbedtls_pk_context key;
	mxtls_cert *leaf;
	mxtls_cert **chain; /* leaf's issuers, leaf to root */
	size_t chain_len;
	char *friendly_name;
	int key_type;
	size_t key_bits;
	const char *curve;
};

struct mxtls_pkcs12 {
	mxtls_cert **certs; /* every distinct certificate, file order */
	size_t ncerts;
	mxtls_identity **ids;
	size_t nids;
	mxtls_cert **extra; /* certs on no identity's path */
	size_t nextra;
	char *mac_alg;
	char **enc_algs;
	size_t nenc;
	struct mx_warnings warnings;
};

/* A private key found in a bag, still as PKCS#8 PrivateKeyInfo bytes. */
struct mx_raw_key {
	const uint8_t *der;
	size_t len;
	const uint8_t *local_key_id;
	size_t local_key_id_len;
	char *friendly_name;
	char where[48]; /* "bag 3" for messages */
};

/* State of one load; lives on the loader's stack. */
struct mx_load {
	struct mx_password pw;
	mxtls_error *err;
	unsigned flags;
	uint64_t kdf_used;
	/* For an empty password, which PKCS#12 KDF encoding opened the MAC: 0 = 00 00, 1 = zero-length. */
	int empty_pw_zero_len;
	int mac_verified;
	int bags_seen;
	mxtls_pkcs12 *out;
	/* Decrypted buffers that bags point into; wiped and freed at the end. */
	uint8_t **bufs;
	size_t *buf_lens;
	size_t nbufs;
	struct mx_raw_key *keys;
	size_t nkeys;
	char **unsupported_keys; /* descriptions of keys we cannot use */
	size_t nunsupported;
	size_t skipped_certs;
	char unsupported_content[160]; /* first content we could not open (envelopedData...) */
};

/* Record a warning on the container (deduplicated by text). */
void mx_warn(struct mx_load *ld, int kind, const char *fmt, ...) MX_PRINTF(3, 4);
/* Record an encryption scheme description (deduplicated). */
void mx_note_encryption(struct mx_load *ld, const char *desc);
/* Keep a decrypted buffer alive until the end of the load (takes ownership). */
int mx_keep_buffer(struct mx_load *ld, uint8_t *buf, size_t len);
/*
 * Bytes of an OCTET STRING, primitive or constructed (BER segments joined into
 * a buffer kept until the end of the load). <0 with ld->err set otherwise.
 */
int mx_octets(struct mx_load *ld, const struct mx_tlv *t, const uint8_t **p, size_t *len,
	      const char *where);
/* Digest-sized output blocks a KDF computes for len bytes: its cost is iterations times this. */
uint64_t mx_kdf_blocks(int md, size_t len);
/* Charge a derivation's cost (iterations x blocks) to the load's budget; <0 (limit_exceeded) if over. */
int mx_kdf_charge(struct mx_load *ld, uint64_t iterations, const char *what);

/* mxtls_pkcs12_parse.c: walk PFX, MAC, safes and bags, filling ld->out->certs and ld->keys. */
int mx_pkcs12_parse(struct mx_load *ld, const uint8_t *der, size_t len);
/* mxtls_identity.c: turn keys and certificates into identities, chains and warnings. */
int mx_identities_build(struct mx_load *ld);
void mx_cert_free(mxtls_cert *c);
/* A certificate's subject for messages; "(unprintable name)" when mbedTLS refuses it. */
void mx_crt_name(const mbedtls_x509_crt *crt, char *buf, size_t size);
void mx_identity_free(mxtls_identity *id);

#endif
