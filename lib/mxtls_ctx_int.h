/* Internal shapes of a configuration and of a built client context. */
#ifndef MXTLS_CTX_INT_H
#define MXTLS_CTX_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "mxtls_pkcs12_int.h"
#include "mxtls_warn.h"

/* Hosts and identifiers an identity is for (see mxtls_select.c). */
struct mx_pins {
	char **v;    /* as given, less trailing dots: identifiers match these exactly */
	char **host; /* the canonical host form (mxtls_host.h): host names match these */
	size_t n;
};

/* One pin in a context's sorted index; rank 0 is "no certificate", i + 1 identity i. */
struct mx_pin_ref {
	const char *key;
	size_t rank;
};

/* An identity as a configuration keeps it: copies of DER, the key wiped on free. */
struct mx_cfg_identity {
	uint8_t **certs; /* leaf first, then its chain */
	size_t *cert_lens;
	size_t ncerts;
	uint8_t *key_der; /* PKCS#1/SEC1 or PKCS#8 DER as mbedTLS writes it */
	size_t key_len;
	struct mx_pins pins;
};

struct mxtls_config {
	struct mx_cfg_identity *ids;
	size_t nids;
	uint8_t **cas; /* DER of added authorities */
	size_t *ca_lens;
	size_t ncas;
	int system_roots;
	int min_version, max_version;
	struct mx_pins none_pins; /* hosts/identifiers that get no client certificate */
	size_t npins;             /* pins of all identities and none_pins */
	int expiry_warning_days;  /* MXTLS_EXPIRY_WARNING_DAYS, or -1 if not set */
	struct mx_warnings warnings;   /* found while reading the sources (environment, files) */
	uint8_t source_digest[32];     /* SHA-256 of every input read, to skip no-op reloads */
	char **watch_paths;            /* files the configuration was read from */
	size_t nwatch;
};

/* An identity ready for handshakes. */
struct mx_ctx_identity {
	mbedtls_x509_crt chain; /* leaf, then issuers */
	mbedtls_pk_context key;
	mxtls_cert leaf_view;
	mbedtls_ssl_config conf;
	struct mx_pins pins;
};

/* A value another library keeps with the context (mxtls_ctx_attach). */
struct mx_attachment {
	const void *key;
	void *value;
	mxtls_cleanup_fn cleanup;
	struct mx_attachment *next;
};

struct mxtls_ctx {
	atomic_int refs;
	pthread_mutex_t attach_lock; /* guards attachments: the one mutable part */
	struct mx_attachment *attachments;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg; /* locked by mbedTLS itself (MBEDTLS_THREADING_C) */
	mbedtls_x509_crt ca;           /* system roots + added authorities */
	size_t nca;
	size_t nsystem;                /* the first nsystem of ca are the platform's roots */
	/* Views of ca's certificates for mxtls_ctx_trust_cert(), made on first use
	 * (hashing every root costs a start-up that rarely needs them); under attach_lock. */
	_Atomic(mxtls_cert *) ca_views;
	struct mx_ctx_identity *ids;
	size_t nids;
	mbedtls_ssl_config anon_conf; /* no client certificate */
	int min_version, max_version;
	struct mx_pins none_pins;
	size_t default_id; /* first unpinned identity, or MXTLS_NO_IDENTITY */
	struct mx_pin_ref *by_id, *by_host; /* every pin, sorted by key then rank */
	size_t npin_refs;
	struct mx_warnings warnings;
};

/*
 * mxtls_env.c: the sources only, without parsing any container or bundle: a
 * configuration with just source_digest and watch_paths, to tell cheaply
 * whether a reload has anything to do and which files to watch.
 */
mxtls_config *mx_env_sources(const char *const *envp, mxtls_error *err);

/* mxtls_select.c */
/* Check and add pins; *total counts the pins of the whole configuration (MXTLS_MAX_PINS). */
int mx_pins_add(struct mx_pins *p, const char *const *pins, size_t n, size_t *total,
		mxtls_error *err);
int mx_pins_copy(struct mx_pins *dst, const struct mx_pins *src);
void mx_pins_free(struct mx_pins *p);
/*
 * Pick the default identity, index the pins and warn about ambiguous ones;
 * called once by mxtls_ctx_new(). Returns 0, or -1 (out of memory).
 */
int mx_select_prepare(mxtls_ctx *ctx);
void mx_select_free(mxtls_ctx *ctx);

#endif
