/*
 * The immutable client context: trust and identities parsed once, and an
 * mbedTLS client configuration per identity that any number of connections
 * and threads share.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/base64.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include <psa/crypto.h>

#include "mxtls_ctx_int.h"
#include "mxtls_trust_int.h"
#include "mxtls_util.h"

/*
 * Key exchange groups, secp256r1 first: it is the fastest in mbedTLS (x25519
 * costs more there) and every server has it. Then the rest of what mbedTLS's
 * own default offers, so that a server limited to one of them (a TLS 1.3
 * server with only ffdhe2048, say) still finds it: the key share is sent for
 * the first group only, so a longer list costs nothing unless it is needed.
 */
static const uint16_t groups[] = {
	MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1, MBEDTLS_SSL_IANA_TLS_GROUP_X25519,
	MBEDTLS_SSL_IANA_TLS_GROUP_SECP384R1, MBEDTLS_SSL_IANA_TLS_GROUP_SECP521R1,
#if defined(MBEDTLS_ECP_HAVE_CURVE448)
	MBEDTLS_SSL_IANA_TLS_GROUP_X448,
#endif
#if defined(PSA_WANT_ALG_FFDH)
	MBEDTLS_SSL_IANA_TLS_GROUP_FFDHE2048, MBEDTLS_SSL_IANA_TLS_GROUP_FFDHE3072,
	MBEDTLS_SSL_IANA_TLS_GROUP_FFDHE4096, MBEDTLS_SSL_IANA_TLS_GROUP_FFDHE6144,
	MBEDTLS_SSL_IANA_TLS_GROUP_FFDHE8192,
#endif
	MBEDTLS_SSL_IANA_TLS_GROUP_NONE,
};

/*
 * Signature schemes, PKCS#1 v1.5 before PSS: an unpatched mbedTLS 3.6.6 TLS
 * 1.2 client rejects an RSA-PSS ServerKeyExchange it offered itself (upstream
 * fix Mbed-TLS/mbedtls#10674, not in a 3.6 release yet; scripts/patches/
 * applies it to the mbedTLS we build), and a TLS 1.2 server that follows the
 * client's order then picks PKCS#1. TLS 1.3 only allows PSS for RSA.
 */
static const uint16_t sig_algs[] = {
	MBEDTLS_TLS1_3_SIG_ECDSA_SECP256R1_SHA256, MBEDTLS_TLS1_3_SIG_ECDSA_SECP384R1_SHA384,
	MBEDTLS_TLS1_3_SIG_ECDSA_SECP521R1_SHA512, MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA256,
	MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA384,       MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA512,
	MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA256,    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA384,
	MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA512,    MBEDTLS_TLS1_3_SIG_NONE,
};

static char mbedtls_version[16];
static pthread_once_t mbedtls_version_once = PTHREAD_ONCE_INIT;

static void mbedtls_version_init(void)
{
	mbedtls_version_get_string(mbedtls_version);
}

const char *mxtls_mbedtls_version(void)
{
	pthread_once(&mbedtls_version_once, mbedtls_version_init);
	return mbedtls_version;
}

static mbedtls_ssl_protocol_version wire_version(int v)
{
	return v == MXTLS_TLS_1_3 ? MBEDTLS_SSL_VERSION_TLS1_3 : MBEDTLS_SSL_VERSION_TLS1_2;
}

/* Everything libmxtls insists on in a client configuration. */
static void apply_policy(const mxtls_ctx *ctx, mbedtls_ssl_config *conf)
{
	mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_ca_chain(conf, (mbedtls_x509_crt *)(uintptr_t)&ctx->ca, NULL);
	mbedtls_ssl_conf_min_tls_version(conf, wire_version(ctx->min_version));
	mbedtls_ssl_conf_max_tls_version(conf, wire_version(ctx->max_version));
	mbedtls_ssl_conf_cert_profile(conf, &mbedtls_x509_crt_profile_default);
	mbedtls_ssl_conf_groups(conf, groups);
	mbedtls_ssl_conf_sig_algs(conf, sig_algs);
#if defined(MBEDTLS_SSL_RENEGOTIATION)
	mbedtls_ssl_conf_renegotiation(conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
#endif
#if defined(MBEDTLS_SSL_SESSION_TICKETS)
	mbedtls_ssl_conf_session_tickets(conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
	mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
		conf, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
#endif
#endif
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
	/* Resumption keeps forward secrecy: PSK only together with (EC)DHE. */
	mbedtls_ssl_conf_tls13_key_exchange_modes(conf,
						  MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ALL);
#endif
}

static int setup_conf(mxtls_ctx *ctx, mbedtls_ssl_config *conf, struct mx_ctx_identity *id,
		      mxtls_error *err)
{
	int ret;

	ret = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
					  MBEDTLS_SSL_PRESET_DEFAULT);
	if (ret != 0)
		return mx_err(err, MXTLS_ERR_INTERNAL, "mbedTLS config defaults (-0x%04x)",
			      (unsigned)-ret);
	mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, &ctx->drbg);
	apply_policy(ctx, conf);
	if (id != NULL) {
		ret = mbedtls_ssl_conf_own_cert(conf, &id->chain, &id->key);
		if (ret != 0)
			return mx_err(err, MXTLS_ERR_INTERNAL, "mbedTLS own certificate (-0x%04x)",
				      (unsigned)-ret);
	}
	return 0;
}

static int build_identity(mxtls_ctx *ctx, const struct mx_cfg_identity *src,
			  struct mx_ctx_identity *id, size_t index, mxtls_error *err)
{
	size_t i;
	int ret;

	for (i = 0; i < src->ncerts; i++) {
		ret = mbedtls_x509_crt_parse_der(&id->chain, src->certs[i], src->cert_lens[i]);
		if (ret != 0)
			return mx_err(err, MXTLS_ERR_INTERNAL,
				      "identity %zu: certificate %zu no longer parses (-0x%04x)",
				      index, i, (unsigned)-ret);
	}
	ret = mbedtls_pk_parse_key(&id->key, src->key_der, src->key_len, NULL, 0,
				   mbedtls_ctr_drbg_random, &ctx->drbg);
	if (ret != 0)
		return mx_err(err, MXTLS_ERR_INTERNAL, "identity %zu: key no longer parses (-0x%04x)",
			      index, (unsigned)-ret);
	id->leaf_view.crt = &id->chain;
	if (mbedtls_sha256(id->chain.raw.p, id->chain.raw.len, id->leaf_view.sha256, 0) != 0)
		return mx_err(err, MXTLS_ERR_INTERNAL, "SHA-256 failed");
	return setup_conf(ctx, &id->conf, id, err);
}

/* Is this exact certificate in the chain already? The same CA from two sources counts once. */
static int chain_has(const mbedtls_x509_crt *c, const uint8_t *der, size_t len)
{
	for (; c != NULL && c->raw.len > 0; c = c->next)
		if (c->raw.len == len && memcmp(c->raw.p, der, len) == 0)
			return 1;
	return 0;
}

static int build_trust(mxtls_ctx *ctx, const mxtls_config *cfg, mxtls_error *err)
{
	mxtls_trust *sys;
	mbedtls_x509_crt *c;
	size_t i;
	int ret;

	if (cfg->system_roots) {
		sys = mxtls_trust_load_system(err);
		if (sys == NULL)
			return -err->code;
		ret = mx_trust_append(sys, &ctx->ca);
		ctx->nsystem = sys->ncerts;
		mxtls_trust_free(sys);
		if (ret != 0)
			return mx_err(err, MXTLS_ERR_INTERNAL, "system roots no longer parse");
	}
	for (i = 0; i < cfg->ncas; i++) {
		if (chain_has(&ctx->ca, cfg->cas[i], cfg->ca_lens[i]))
			continue;
		ret = mbedtls_x509_crt_parse_der(&ctx->ca, cfg->cas[i], cfg->ca_lens[i]);
		if (ret != 0)
			return mx_err(err, MXTLS_ERR_INTERNAL, "authority %zu no longer parses", i);
	}
	for (c = &ctx->ca; c != NULL && c->raw.len > 0; c = c->next)
		ctx->nca++;
	if (ctx->nca == 0)
		return mx_err(err, MXTLS_ERR_EMPTY,
			      "no authority to verify servers with: system roots are off and none "
			      "were added");
	return 0;
}

mxtls_ctx *mxtls_ctx_new(const mxtls_config *cfg, mxtls_error *err)
{
	mxtls_ctx *ctx;
	size_t i;
	int ret;

	mx_err_clear(err);
	if (cfg == NULL) {
		mx_err(err, MXTLS_ERR_USAGE, "config is NULL");
		return NULL;
	}
	/* TLS 1.3 in mbedTLS 3.6 runs on PSA; initialising twice is harmless. */
	if (psa_crypto_init() != PSA_SUCCESS) {
		mx_err(err, MXTLS_ERR_INTERNAL, "psa_crypto_init failed");
		return NULL;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL) {
		mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
		return NULL;
	}
	atomic_init(&ctx->refs, 1);
	pthread_mutex_init(&ctx->attach_lock, NULL);
	mbedtls_entropy_init(&ctx->entropy);
	mbedtls_ctr_drbg_init(&ctx->drbg);
	mbedtls_x509_crt_init(&ctx->ca);
	mbedtls_ssl_config_init(&ctx->anon_conf);
	ctx->min_version = cfg->min_version;
	ctx->max_version = cfg->max_version;
	ret = mbedtls_ctr_drbg_seed(&ctx->drbg, mbedtls_entropy_func, &ctx->entropy,
				    (const unsigned char *)"mxtls-ctx", 9);
	if (ret != 0) {
		mx_err(err, MXTLS_ERR_INTERNAL, "cannot seed the random generator");
		goto fail;
	}
	if (build_trust(ctx, cfg, err) != 0)
		goto fail;
	ctx->ids = calloc(cfg->nids ? cfg->nids : 1, sizeof(*ctx->ids));
	if (ctx->ids == NULL) {
		mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < cfg->nids; i++) {
		struct mx_ctx_identity *id = &ctx->ids[i];
		mbedtls_x509_crt_init(&id->chain);
		mbedtls_pk_init(&id->key);
		mbedtls_ssl_config_init(&id->conf);
		ctx->nids++;
		if (build_identity(ctx, &cfg->ids[i], id, i, err) != 0)
			goto fail;
		if (mx_pins_copy(&id->pins, &cfg->ids[i].pins) != 0) {
			mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
			goto fail;
		}
	}
	if (mx_pins_copy(&ctx->none_pins, &cfg->none_pins) != 0) {
		mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < cfg->warnings.n; i++)
		mx_warnings_add(&ctx->warnings, cfg->warnings.v[i].kind, "%s", cfg->warnings.v[i].text);
	if (mx_select_prepare(ctx) != 0) {
		mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (setup_conf(ctx, &ctx->anon_conf, NULL, err) != 0)
		goto fail;
	return ctx;
fail:
	atomic_store(&ctx->refs, 1);
	mxtls_ctx_free(ctx);
	return NULL;
}

mxtls_ctx *mxtls_ctx_ref(mxtls_ctx *ctx)
{
	if (ctx != NULL)
		atomic_fetch_add(&ctx->refs, 1);
	return ctx;
}

void mxtls_ctx_free(mxtls_ctx *ctx)
{
	struct mx_attachment *at;
	size_t i;

	if (ctx == NULL || atomic_fetch_sub(&ctx->refs, 1) != 1)
		return;
	/* Others' state first (curl's pooled connections still point into the context). */
	while ((at = ctx->attachments) != NULL) {
		ctx->attachments = at->next;
		if (at->cleanup != NULL)
			at->cleanup(at->value);
		free(at);
	}
	pthread_mutex_destroy(&ctx->attach_lock);
	for (i = 0; i < ctx->nids; i++) {
		mbedtls_ssl_config_free(&ctx->ids[i].conf);
		mbedtls_pk_free(&ctx->ids[i].key); /* zeroizes */
		mbedtls_x509_crt_free(&ctx->ids[i].chain);
		mx_pins_free(&ctx->ids[i].pins);
	}
	free(ctx->ids);
	mx_pins_free(&ctx->none_pins);
	mx_select_free(ctx);
	mx_warnings_free(&ctx->warnings);
	mbedtls_ssl_config_free(&ctx->anon_conf);
	free(atomic_load(&ctx->ca_views));
	mbedtls_x509_crt_free(&ctx->ca);
	mbedtls_ctr_drbg_free(&ctx->drbg);
	mbedtls_entropy_free(&ctx->entropy);
	free(ctx);
}

size_t mxtls_ctx_identity_count(const mxtls_ctx *ctx)
{
	return ctx ? ctx->nids : 0;
}

const mxtls_cert *mxtls_ctx_identity_leaf(const mxtls_ctx *ctx, size_t i)
{
	return ctx && i < ctx->nids ? &ctx->ids[i].leaf_view : NULL;
}

size_t mxtls_ctx_trust_count(const mxtls_ctx *ctx)
{
	return ctx ? ctx->nca : 0;
}

size_t mxtls_ctx_system_root_count(const mxtls_ctx *ctx)
{
	return ctx ? ctx->nsystem : 0;
}

/* Every certificate of ctx->ca as a view, in order; NULL when out of memory. */
static mxtls_cert *make_ca_views(const mxtls_ctx *ctx)
{
	mxtls_cert *v = calloc(ctx->nca, sizeof(*v));
	const mbedtls_x509_crt *c = &ctx->ca;
	size_t i;

	if (v == NULL)
		return NULL;
	for (i = 0; i < ctx->nca; i++, c = c->next) {
		v[i].crt = (mbedtls_x509_crt *)(uintptr_t)c;
		if (mbedtls_sha256(c->raw.p, c->raw.len, v[i].sha256, 0) != 0) {
			free(v);
			return NULL;
		}
	}
	return v;
}

const mxtls_cert *mxtls_ctx_trust_cert(const mxtls_ctx *ctx, size_t i)
{
	mxtls_ctx *m = (mxtls_ctx *)(uintptr_t)ctx; /* the views are a cache, not a change */
	mxtls_cert *v;

	if (ctx == NULL || i >= ctx->nca)
		return NULL;
	v = atomic_load(&m->ca_views);
	if (v == NULL) {
		pthread_mutex_lock(&m->attach_lock);
		v = atomic_load(&m->ca_views);
		if (v == NULL) {
			v = make_ca_views(ctx);
			atomic_store(&m->ca_views, v);
		}
		pthread_mutex_unlock(&m->attach_lock);
	}
	return v ? &v[i] : NULL;
}

void mxtls_ctx_tls_versions(const mxtls_ctx *ctx, int *min, int *max)
{
	if (min)
		*min = ctx ? ctx->min_version : 0;
	if (max)
		*max = ctx ? ctx->max_version : 0;
}

const struct mbedtls_ssl_config *mxtls_ctx_mbedtls_config(const mxtls_ctx *ctx, size_t i)
{
	if (ctx == NULL)
		return NULL;
	return i < ctx->nids ? &ctx->ids[i].conf : &ctx->anon_conf;
}

int mxtls_ctx_apply_mbedtls(const mxtls_ctx *ctx, size_t i, struct mbedtls_ssl_config *conf,
			    mxtls_error *err)
{
	mx_err_clear(err);
	if (ctx == NULL || conf == NULL) {
		mx_err(err, MXTLS_ERR_USAGE, "ctx or conf is NULL");
		return -1;
	}
	apply_policy(ctx, conf);
	/*
	 * No verify callback: one can clear mbedTLS's verification flags (curl's
	 * does when CURLOPT_SSL_VERIFYPEER/VERIFYHOST are set to 0 later), and
	 * verification must not be switched off by accident.
	 */
	mbedtls_ssl_conf_verify(conf, NULL, NULL);
	if (i < ctx->nids) {
		struct mx_ctx_identity *id = (struct mx_ctx_identity *)(uintptr_t)&ctx->ids[i];
		int ret = mbedtls_ssl_conf_own_cert(conf, &id->chain, &id->key);
		if (ret != 0) {
			mx_err(err, MXTLS_ERR_INTERNAL, "mbedTLS own certificate (-0x%04x)",
			       (unsigned)-ret);
			return -1;
		}
	}
	return 0;
}

/* ---- PEM export ---- */

struct pem_buf {
	char *p;
	size_t len, cap;
};

static int pem_append(struct pem_buf *b, const char *header, const char *footer,
		      const uint8_t *der, size_t der_len)
{
	size_t need = der_len * 4 / 3 + der_len / 48 + 128, olen = 0;
	int ret;

	if (b->cap - b->len < need) {
		size_t cap = (b->cap + need) * 2;
		char *p = malloc(cap);
		if (p == NULL)
			return -1;
		if (b->p) {
			memcpy(p, b->p, b->len);
			mx_freezero(b->p, b->cap);
		}
		b->p = p;
		b->cap = cap;
	}
	ret = mbedtls_pem_write_buffer(header, footer, der, der_len, (unsigned char *)b->p + b->len,
				       b->cap - b->len, &olen);
	if (ret != 0)
		return -1;
	b->len += olen - 1; /* olen counts the NUL */
	return 0;
}

#define CERT_BEGIN "-----BEGIN CERTIFICATE-----\n"
#define CERT_END "-----END CERTIFICATE-----\n"

/*
 * Wrap the PKCS#1 (RSA) or SEC1 (EC) key that ends at der + dsize, n bytes
 * long, in a PKCS#8 PrivateKeyInfo, writing backwards in front of it (RFC
 * 5208: version 0, the algorithm, the key as an OCTET STRING). mbedTLS 3.6
 * writes PKCS#8 only for X25519/X448 keys; Java's and Go's standard parsers
 * take only PKCS#8, and every TLS stack we hand keys to reads it. Returns the
 * new length, or a negative value.
 */
static int wrap_pkcs8(mbedtls_pk_context *key, uint8_t *der, size_t dsize, int n)
{
	unsigned char *c = der + dsize - n;
	size_t bits = mbedtls_pk_get_bitlen(key), par = 0;
	/* MBEDTLS_OID_SIZE, not strlen: secp384r1 and secp521r1 hold a 0 byte. */
	const char *curve = bits == 256   ? MBEDTLS_OID_EC_GRP_SECP256R1
			    : bits == 384 ? MBEDTLS_OID_EC_GRP_SECP384R1
					  : MBEDTLS_OID_EC_GRP_SECP521R1;
	size_t curve_len = bits == 256   ? MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_GRP_SECP256R1)
			   : bits == 384 ? MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_GRP_SECP384R1)
					 : MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_GRP_SECP521R1);
	int len = n, r;

#define W(call)                                                                                    	do {                                                                                       		if ((r = (call)) < 0)                                                              			return r;                                                                  		len += r;                                                                          	} while (0)
	W(mbedtls_asn1_write_len(&c, der, (size_t)n));
	W(mbedtls_asn1_write_tag(&c, der, MBEDTLS_ASN1_OCTET_STRING));
	if (mbedtls_pk_get_type(key) == MBEDTLS_PK_RSA) {
		W(mbedtls_asn1_write_algorithm_identifier(&c, der, MBEDTLS_OID_PKCS1_RSA,
							  MBEDTLS_OID_SIZE(MBEDTLS_OID_PKCS1_RSA), 0));
	} else {
		/* Identities are RSA or P-256/384/521 only (mxtls_identity.c). */
		W(mbedtls_asn1_write_oid(&c, der, curve, curve_len));
		par = (size_t)r;
		len -= r; /* the algorithm identifier's length includes its parameters */
		W(mbedtls_asn1_write_algorithm_identifier(
		    &c, der, MBEDTLS_OID_EC_ALG_UNRESTRICTED,
		    MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_ALG_UNRESTRICTED), par));
	}
	W(mbedtls_asn1_write_int(&c, der, 0));
	W(mbedtls_asn1_write_len(&c, der, (size_t)len));
	W(mbedtls_asn1_write_tag(&c, der, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
#undef W
	return len;
}

/*
 * The private key as PKCS#8 PEM, written here rather than by
 * mbedtls_pk_write_key_pem: mbedTLS 3.6 frees its base64 work buffer without
 * wiping it. DER and base64 stay in buffers we wipe.
 */
static int key_pem(mbedtls_pk_context *key, char **out, size_t *outlen)
{
	const char *label = "PRIVATE KEY";
	size_t dsize = 16384, b64cap, b64len = 0, cap, o = 0, i;
	uint8_t *der = malloc(dsize), *b64 = NULL;
	char *pem = NULL;
	int n;

	if (der == NULL)
		return -1;
	n = mbedtls_pk_write_key_der(key, der, dsize);
	if (n > 0)
		n = wrap_pkcs8(key, der, dsize, n);
	if (n <= 0)
		goto out;
	b64cap = ((size_t)n + 2) / 3 * 4 + 1;
	b64 = malloc(b64cap);
	if (b64 == NULL || mbedtls_base64_encode(b64, b64cap, &b64len, der + dsize - (size_t)n,
						 (size_t)n) != 0)
		goto out;
	cap = b64len + b64len / 64 + 2 * (strlen(label) + 32) + 2;
	pem = malloc(cap);
	if (pem == NULL)
		goto out;
	o += (size_t)snprintf(pem + o, cap - o, "-----BEGIN %s-----\n", label);
	for (i = 0; i < b64len; i += 64) {
		size_t k = b64len - i < 64 ? b64len - i : 64;
		memcpy(pem + o, b64 + i, k);
		o += k;
		pem[o++] = '\n';
	}
	o += (size_t)snprintf(pem + o, cap - o, "-----END %s-----\n", label);
	*out = pem;
	*outlen = o;
out:
	mx_freezero(der, dsize);
	if (b64)
		mx_freezero(b64, b64cap);
	if (pem != NULL && *out != pem)
		mx_freezero(pem, cap);
	return *out == pem && pem != NULL ? 0 : -1;
}

int mxtls_ctx_export_identity_pem(const mxtls_ctx *ctx, size_t i, char **chain_pem,
				  size_t *chain_len, char **key_pem_out, size_t *key_len,
				  mxtls_error *err)
{
	struct pem_buf chain = {0};
	const mbedtls_x509_crt *c;

	mx_err_clear(err);
	if (ctx == NULL || i >= ctx->nids || !chain_pem || !chain_len || !key_pem_out || !key_len) {
		mx_err(err, MXTLS_ERR_USAGE, "no identity %zu in the context", i);
		return -1;
	}
	for (c = &ctx->ids[i].chain; c != NULL && c->raw.len > 0; c = c->next)
		if (pem_append(&chain, CERT_BEGIN, CERT_END, c->raw.p, c->raw.len) != 0)
			goto fail;
	*key_pem_out = NULL;
	/* Writing reads the key only; the API is not const. */
	if (key_pem((mbedtls_pk_context *)(uintptr_t)&ctx->ids[i].key, key_pem_out, key_len) != 0)
		goto fail;
	*chain_pem = chain.p;
	*chain_len = chain.len;
	return 0;
fail:
	mx_freezero(chain.p, chain.cap);
	mx_err(err, MXTLS_ERR_NOMEM, "cannot write PEM");
	return -1;
}

/* The authorities of ctx from index first on, as one PEM bundle. */
static int export_trust(const mxtls_ctx *ctx, size_t first, char **pem, size_t *len,
			mxtls_error *err)
{
	struct pem_buf b = {0};
	const mbedtls_x509_crt *c;
	size_t i = 0;

	mx_err_clear(err);
	if (ctx == NULL || pem == NULL || len == NULL) {
		mx_err(err, MXTLS_ERR_USAGE, "ctx, pem or len is NULL");
		return -1;
	}
	/* An empty bundle is "" rather than NULL: callers need not tell the two apart. */
	b.cap = 128;
	b.p = calloc(1, b.cap);
	if (b.p == NULL) {
		mx_err(err, MXTLS_ERR_NOMEM, "cannot write PEM");
		return -1;
	}
	for (c = &ctx->ca; c != NULL && c->raw.len > 0; c = c->next, i++) {
		if (i < first)
			continue;
		if (pem_append(&b, CERT_BEGIN, CERT_END, c->raw.p, c->raw.len) != 0) {
			mx_freezero(b.p, b.cap);
			mx_err(err, MXTLS_ERR_NOMEM, "cannot write PEM");
			return -1;
		}
	}
	*pem = b.p;
	*len = b.len;
	return 0;
}

int mxtls_ctx_export_trust_pem(const mxtls_ctx *ctx, char **pem, size_t *len, mxtls_error *err)
{
	return export_trust(ctx, 0, pem, len, err);
}

int mxtls_ctx_export_added_trust_pem(const mxtls_ctx *ctx, char **pem, size_t *len,
				     mxtls_error *err)
{
	return export_trust(ctx, ctx ? ctx->nsystem : 0, pem, len, err);
}

void mxtls_free_secret(void *p, size_t len)
{
	if (p == NULL)
		return;
	/* The buffer may be larger than len (capacity): wipe what we know plus the NUL. */
	mx_wipe(p, len + 1);
	free(p);
}

void *mxtls_ctx_attach(mxtls_ctx *ctx, const void *key, void *value, mxtls_cleanup_fn cleanup)
{
	struct mx_attachment *at;
	void *ret = NULL;

	if (ctx == NULL || key == NULL || value == NULL)
		return NULL;
	pthread_mutex_lock(&ctx->attach_lock);
	for (at = ctx->attachments; at && at->key != key; at = at->next)
		;
	if (at != NULL) {
		ret = at->value;
	} else if ((at = malloc(sizeof(*at))) != NULL) {
		*at = (struct mx_attachment){key, value, cleanup, ctx->attachments};
		ctx->attachments = at;
		ret = value;
	}
	pthread_mutex_unlock(&ctx->attach_lock);
	return ret;
}

void *mxtls_ctx_attachment(const mxtls_ctx *ctx, const void *key)
{
	mxtls_ctx *c = (mxtls_ctx *)(uintptr_t)ctx; /* the lock, not the context, changes */
	struct mx_attachment *at;
	void *ret = NULL;

	if (ctx == NULL)
		return NULL;
	pthread_mutex_lock(&c->attach_lock);
	for (at = c->attachments; at && at->key != key; at = at->next)
		;
	if (at != NULL)
		ret = at->value;
	pthread_mutex_unlock(&c->attach_lock);
	return ret;
}
