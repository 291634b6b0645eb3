/* The mutable configuration a context is built from: identities, authorities, options. */
#include <stdlib.h>
#include <string.h>

#include "mxtls_ctx_int.h"
#include "mxtls_trust_int.h"
#include "mxtls_util.h"

mxtls_config *mxtls_config_new(void)
{
	mxtls_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	cfg->system_roots = 1;
	cfg->expiry_warning_days = -1;
	cfg->min_version = MXTLS_TLS_1_2;
	cfg->max_version = MXTLS_TLS_1_3;
	return cfg;
}

static void identity_clear(struct mx_cfg_identity *id)
{
	size_t i;

	for (i = 0; i < id->ncerts; i++)
		free(id->certs[i]);
	free(id->certs);
	free(id->cert_lens);
	mx_freezero(id->key_der, id->key_len);
	mx_pins_free(&id->pins);
	memset(id, 0, sizeof(*id));
}

void mxtls_config_free(mxtls_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nids; i++)
		identity_clear(&cfg->ids[i]);
	free(cfg->ids);
	for (i = 0; i < cfg->ncas; i++)
		free(cfg->cas[i]);
	free(cfg->cas);
	free(cfg->ca_lens);
	mx_pins_free(&cfg->none_pins);
	mx_warnings_free(&cfg->warnings);
	for (i = 0; i < cfg->nwatch; i++)
		free(cfg->watch_paths[i]);
	free(cfg->watch_paths);
	free(cfg);
}

static int push_der(uint8_t ***arr, size_t **lens, size_t *n, const uint8_t *der, size_t len)
{
	uint8_t **a = realloc(*arr, (*n + 1) * sizeof(*a));
	size_t *l;

	if (a == NULL)
		return -1;
	*arr = a;
	l = realloc(*lens, (*n + 1) * sizeof(*l));
	if (l == NULL)
		return -1;
	*lens = l;
	a[*n] = malloc(len);
	if (a[*n] == NULL)
		return -1;
	memcpy(a[*n], der, len);
	l[*n] = len;
	(*n)++;
	return 0;
}

/* The private key as DER, written by mbedTLS at the end of buf. */
static int key_to_der(mbedtls_pk_context *key, uint8_t **out, size_t *outlen)
{
	size_t size = 16384; /* RSA-8192 in PKCS#1 is under 5 KiB */
	uint8_t *buf = malloc(size);
	int n;

	if (buf == NULL)
		return -1;
	n = mbedtls_pk_write_key_der(key, buf, size);
	if (n <= 0) {
		mx_freezero(buf, size);
		return -1;
	}
	*out = malloc((size_t)n);
	if (*out != NULL) {
		memcpy(*out, buf + size - (size_t)n, (size_t)n);
		*outlen = (size_t)n;
	}
	mx_freezero(buf, size);
	return *out ? 0 : -1;
}

int mxtls_config_add_identity(mxtls_config *cfg, const mxtls_pkcs12 *p12, size_t i,
			      mxtls_error *err)
{
	return mxtls_config_add_identity_pinned(cfg, p12, i, NULL, 0, err);
}

int mxtls_config_add_no_identity(mxtls_config *cfg, const char *const *pins, size_t npins,
				 mxtls_error *err)
{
	mx_err_clear(err);
	if (cfg == NULL || (pins == NULL && npins > 0)) {
		mx_err(err, MXTLS_ERR_USAGE, "config or pins is NULL");
		return -1;
	}
	return mx_pins_add(&cfg->none_pins, pins, npins, &cfg->npins, err) == 0 ? 0 : -1;
}

int mxtls_config_add_identity_pinned(mxtls_config *cfg, const mxtls_pkcs12 *p12, size_t i,
				     const char *const *pins, size_t npins, mxtls_error *err)
{
	struct mx_cfg_identity id, *ids;
	const mxtls_identity *src;
	size_t k;

	mx_err_clear(err);
	if (cfg == NULL || p12 == NULL || i >= p12->nids || (pins == NULL && npins > 0)) {
		mx_err(err, MXTLS_ERR_USAGE, "no identity %zu in that container", i);
		return -1;
	}
	src = p12->ids[i];
	memset(&id, 0, sizeof(id));
	if (mx_pins_add(&id.pins, pins, npins, &cfg->npins, err) != 0) {
		identity_clear(&id);
		return -1;
	}
	if (push_der(&id.certs, &id.cert_lens, &id.ncerts, src->leaf->crt->raw.p,
		     src->leaf->crt->raw.len) != 0)
		goto nomem;
	for (k = 0; k < src->chain_len; k++)
		if (push_der(&id.certs, &id.cert_lens, &id.ncerts, src->chain[k]->crt->raw.p,
			     src->chain[k]->crt->raw.len) != 0)
			goto nomem;
	/* mbedtls_pk_write_key_der takes a non-const context; it only reads it. */
	if (key_to_der((mbedtls_pk_context *)(uintptr_t)&src->key, &id.key_der, &id.key_len) != 0)
		goto nomem;
	ids = realloc(cfg->ids, (cfg->nids + 1) * sizeof(*ids));
	if (ids == NULL)
		goto nomem;
	cfg->ids = ids;
	cfg->ids[cfg->nids++] = id;
	return 0;
nomem:
	identity_clear(&id);
	mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	return -1;
}

int mxtls_config_add_trust(mxtls_config *cfg, const mxtls_trust *trust, mxtls_error *err)
{
	size_t i;

	mx_err_clear(err);
	if (cfg == NULL || trust == NULL) {
		mx_err(err, MXTLS_ERR_USAGE, "config or trust is NULL");
		return -1;
	}
	for (i = 0; i < trust->ncerts; i++) {
		if (push_der(&cfg->cas, &cfg->ca_lens, &cfg->ncas, trust->certs[i]->crt->raw.p,
			     trust->certs[i]->crt->raw.len) != 0) {
			mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
			return -1;
		}
	}
	return 0;
}

int mxtls_config_set_system_roots(mxtls_config *cfg, int enabled)
{
	if (cfg == NULL)
		return -1;
	cfg->system_roots = enabled != 0;
	return 0;
}

int mxtls_config_set_tls_versions(mxtls_config *cfg, int min, int max, mxtls_error *err)
{
	mx_err_clear(err);
	if (cfg == NULL || (min != MXTLS_TLS_1_2 && min != MXTLS_TLS_1_3) ||
	    (max != MXTLS_TLS_1_2 && max != MXTLS_TLS_1_3) || min > max) {
		mx_err(err, MXTLS_ERR_USAGE,
		       "TLS versions must be MXTLS_TLS_1_2 or MXTLS_TLS_1_3, min <= max (TLS 1.2 "
		       "is the floor)");
		return -1;
	}
	cfg->min_version = min;
	cfg->max_version = max;
	return 0;
}
