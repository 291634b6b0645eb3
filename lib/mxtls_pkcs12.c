/* Loading a PKCS#12 container (memory or file), its lifetime, and its public getters. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>

#include "mxtls_file.h"
#include "mxtls_pkcs12_int.h"
#include "mxtls_util.h"

const char *mxtls_version(void)
{
	return MXTLS_VERSION_STRING;
}

/* ---- state of one load ---- */

void mx_warn(struct mx_load *ld, int kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mx_warnings_addv(&ld->out->warnings, kind, fmt, ap);
	va_end(ap);
}

void mx_note_encryption(struct mx_load *ld, const char *desc)
{
	mxtls_pkcs12 *p = ld->out;
	char **arr;
	size_t i;

	for (i = 0; i < p->nenc; i++)
		if (strcmp(p->enc_algs[i], desc) == 0)
			return;
	arr = realloc(p->enc_algs, (p->nenc + 1) * sizeof(*arr));
	if (arr == NULL)
		return;
	p->enc_algs = arr;
	arr[p->nenc] = strdup(desc);
	if (arr[p->nenc] != NULL)
		p->nenc++;
}

int mx_keep_buffer(struct mx_load *ld, uint8_t *buf, size_t len)
{
	uint8_t **bufs;
	size_t *lens;

	bufs = realloc(ld->bufs, (ld->nbufs + 1) * sizeof(*bufs));
	if (bufs == NULL)
		return -1;
	ld->bufs = bufs;
	lens = realloc(ld->buf_lens, (ld->nbufs + 1) * sizeof(*lens));
	if (lens == NULL)
		return -1;
	ld->buf_lens = lens;
	bufs[ld->nbufs] = buf;
	lens[ld->nbufs] = len;
	ld->nbufs++;
	return 0;
}

uint64_t mx_kdf_blocks(int md, size_t len)
{
	size_t h = mbedtls_md_get_size(mbedtls_md_info_from_type((mbedtls_md_type_t)md));

	return h ? (len + h - 1) / h : 1;
}

/* The iteration count of each derivation is checked where its parameters are parsed. */
int mx_kdf_charge(struct mx_load *ld, uint64_t iterations, const char *what)
{
	if (ld->kdf_used + iterations > MXTLS_MAX_KDF_BUDGET)
		return mx_err(ld->err, MXTLS_ERR_LIMIT_EXCEEDED,
			      "%s: key derivations in this file exceed the budget of %u iterations",
			      what, MXTLS_MAX_KDF_BUDGET);
	ld->kdf_used += iterations;
	return 0;
}

int mx_octets(struct mx_load *ld, const struct mx_tlv *t, const uint8_t **p, size_t *len,
	      const char *where)
{
	uint8_t *owned;
	int ret;

	if ((t->tag & ~MX_TAG_CONSTRUCTED) != MX_TAG_OCTET_STRING)
		return mx_err(ld->err, MXTLS_ERR_CORRUPT, "%s: expected an OCTET STRING", where);
	ret = mx_asn1_octets(t, p, len, &owned);
	if (ret == MX_ASN1_ERR_NOMEM)
		return mx_err(ld->err, MXTLS_ERR_NOMEM, "%s: out of memory", where);
	if (ret == MX_ASN1_ERR_DEPTH)
		return mx_err(ld->err, MXTLS_ERR_LIMIT_EXCEEDED, "%s: ASN.1 nesting too deep", where);
	if (ret != MX_ASN1_OK)
		return mx_err(ld->err, MXTLS_ERR_CORRUPT, "%s: malformed OCTET STRING", where);
	if (owned && mx_keep_buffer(ld, owned, *len) != 0) {
		mx_freezero(owned, *len);
		return mx_err(ld->err, MXTLS_ERR_NOMEM, "%s: out of memory", where);
	}
	return 0;
}

static void load_cleanup(struct mx_load *ld)
{
	size_t i;

	for (i = 0; i < ld->nbufs; i++)
		mx_freezero(ld->bufs[i], ld->buf_lens[i]);
	free(ld->bufs);
	free(ld->buf_lens);
	for (i = 0; i < ld->nkeys; i++)
		free(ld->keys[i].friendly_name);
	free(ld->keys);
	for (i = 0; i < ld->nunsupported; i++)
		free(ld->unsupported_keys[i]);
	free(ld->unsupported_keys);
	mx_password_free(&ld->pw);
}

/* ---- public entry points ---- */

static int looks_like_pem(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return len - i >= 10 && memcmp(p + i, "-----BEGIN", 10) == 0;
}

mxtls_pkcs12 *mxtls_pkcs12_load_mem(const void *data, size_t len, const char *password,
				    unsigned flags, mxtls_error *err)
{
	struct mx_load ld;
	mxtls_error local;
	size_t i;
	int ret;

	if (err == NULL)
		err = &local;
	mx_err_clear(err);
	if (data == NULL && len > 0) {
		mx_err(err, MXTLS_ERR_USAGE, "data is NULL");
		return NULL;
	}
	if (len == 0) {
		mx_err(err, MXTLS_ERR_CORRUPT, "the input is empty (0 bytes), not a PKCS#12 container");
		return NULL;
	}
	if (len > MXTLS_MAX_INPUT_BYTES) {
		mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED,
		       "the input is %zu bytes, over the limit of %u for a PKCS#12 container", len,
		       MXTLS_MAX_INPUT_BYTES);
		return NULL;
	}
	if (looks_like_pem(data, len)) {
		mx_err(err, MXTLS_ERR_CORRUPT,
		       "this is PEM text, not a PKCS#12 container (DER/BER binary)");
		return NULL;
	}
	memset(&ld, 0, sizeof(ld));
	ld.err = err;
	ld.flags = flags;
	ret = mx_password_init(&ld.pw, password);
	if (ret != 0) {
		mx_err(err, ret == -1 ? MXTLS_ERR_LIMIT_EXCEEDED : MXTLS_ERR_NOMEM,
		       ret == -1 ? "the password is longer than %u bytes" : "out of memory",
		       MXTLS_MAX_PASSWORD_BYTES);
		return NULL;
	}
	ld.out = calloc(1, sizeof(*ld.out));
	if (ld.out == NULL)
		ret = mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	else
		ret = mx_pkcs12_parse(&ld, data, len);
	if (ret == 0)
		ret = mx_identities_build(&ld);
	/* Pointers into the load's buffers die with it. */
	if (ld.out)
		for (i = 0; i < ld.out->ncerts; i++)
			ld.out->certs[i]->local_key_id = NULL;
	load_cleanup(&ld);
	if (ret != 0) {
		if (err->code == MXTLS_OK)
			mx_err(err, MXTLS_ERR_INTERNAL, "load failed without a reason (bug)");
		mxtls_pkcs12_free(ld.out);
		return NULL;
	}
	return ld.out;
}

mxtls_pkcs12 *mxtls_pkcs12_load_file(const char *path, const char *password, unsigned flags,
				     mxtls_error *err)
{
	mxtls_pkcs12 *p;
	uint8_t *buf;
	size_t len, cap;

	mx_err_clear(err);
	if (path == NULL) {
		mx_err(err, MXTLS_ERR_USAGE, "path is NULL");
		return NULL;
	}
	if (mx_read_file_err(path, MXTLS_MAX_INPUT_BYTES, "a PKCS#12 file", &buf, &len, &cap, err) != 0)
		return NULL;
	p = mxtls_pkcs12_load_mem(buf, len, password, flags, err);
	mx_freezero(buf, cap);
	if (p == NULL)
		mx_err_prefix(err, "%s: ", path);
	return p;
}

/*
 * A password of password_len bytes as the C string the loaders take, or NULL
 * with err filled: a NUL inside would silently cut it short (FFI callers hand
 * over byte strings that may hold one).
 */
static char *password_copy(const char *password, size_t password_len, mxtls_error *err)
{
	const char *nul;
	char *pw;

	if (password == NULL && password_len > 0) {
		mx_err(err, MXTLS_ERR_USAGE, "password is NULL but password_len is %zu", password_len);
		return NULL;
	}
	if (password_len > MXTLS_MAX_PASSWORD_BYTES) {
		mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED,
		       "the password is %zu bytes, over the limit of %u", password_len,
		       MXTLS_MAX_PASSWORD_BYTES);
		return NULL;
	}
	nul = password_len > 0 ? memchr(password, '\0', password_len) : NULL;
	if (nul != NULL) {
		mx_err(err, MXTLS_ERR_USAGE,
		       "the password holds a NUL byte (offset %zu): a PKCS#12 password is text",
		       (size_t)(nul - password));
		return NULL;
	}
	pw = malloc(password_len + 1);
	if (pw == NULL) {
		mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (password_len > 0)
		memcpy(pw, password, password_len);
	pw[password_len] = '\0';
	return pw;
}

mxtls_pkcs12 *mxtls_pkcs12_load_mem_n(const void *data, size_t len, const char *password,
				      size_t password_len, unsigned flags, mxtls_error *err)
{
	mxtls_pkcs12 *p;
	char *pw;

	mx_err_clear(err);
	pw = password_copy(password, password_len, err);
	if (pw == NULL)
		return NULL;
	p = mxtls_pkcs12_load_mem(data, len, pw, flags, err);
	mx_freezero(pw, password_len + 1);
	return p;
}

mxtls_pkcs12 *mxtls_pkcs12_load_file_n(const char *path, const char *password,
				       size_t password_len, unsigned flags, mxtls_error *err)
{
	mxtls_pkcs12 *p;
	char *pw;

	mx_err_clear(err);
	pw = password_copy(password, password_len, err);
	if (pw == NULL)
		return NULL;
	p = mxtls_pkcs12_load_file(path, pw, flags, err);
	mx_freezero(pw, password_len + 1);
	return p;
}

void mx_cert_free(mxtls_cert *c)
{
	if (c == NULL)
		return;
	if (c->owns_crt && c->crt) {
		mbedtls_x509_crt_free(c->crt);
		free(c->crt);
	}
	free(c->friendly_name);
	free(c);
}

void mxtls_pkcs12_free(mxtls_pkcs12 *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nids; i++)
		mx_identity_free(p->ids[i]);
	free(p->ids);
	for (i = 0; i < p->ncerts; i++)
		mx_cert_free(p->certs[i]);
	free(p->certs);
	free(p->extra);
	free(p->mac_alg);
	for (i = 0; i < p->nenc; i++)
		free(p->enc_algs[i]);
	free(p->enc_algs);
	mx_warnings_free(&p->warnings);
	free(p);
}

size_t mxtls_pkcs12_identity_count(const mxtls_pkcs12 *p)
{
	return p ? p->nids : 0;
}

const mxtls_identity *mxtls_pkcs12_identity(const mxtls_pkcs12 *p, size_t i)
{
	return p && i < p->nids ? p->ids[i] : NULL;
}

size_t mxtls_pkcs12_extra_cert_count(const mxtls_pkcs12 *p)
{
	return p ? p->nextra : 0;
}

const mxtls_cert *mxtls_pkcs12_extra_cert(const mxtls_pkcs12 *p, size_t i)
{
	return p && i < p->nextra ? p->extra[i] : NULL;
}

const char *mxtls_pkcs12_mac_algorithm(const mxtls_pkcs12 *p)
{
	return p && p->mac_alg ? p->mac_alg : "none";
}

size_t mxtls_pkcs12_encryption_count(const mxtls_pkcs12 *p)
{
	return p ? p->nenc : 0;
}

const char *mxtls_pkcs12_encryption(const mxtls_pkcs12 *p, size_t i)
{
	return p && i < p->nenc ? p->enc_algs[i] : NULL;
}

size_t mxtls_pkcs12_warning_count(const mxtls_pkcs12 *p)
{
	return p ? p->warnings.n : 0;
}

int mxtls_pkcs12_warning_kind(const mxtls_pkcs12 *p, size_t i)
{
	return p ? mx_warnings_kind(&p->warnings, i) : 0;
}

const char *mxtls_pkcs12_warning(const mxtls_pkcs12 *p, size_t i)
{
	return p ? mx_warnings_text(&p->warnings, i) : NULL;
}

const char *mxtls_warning_name(int kind)
{
	static const char *const names[] = {
		[MXTLS_WARN_NO_MAC] = "no_mac",
		[MXTLS_WARN_LEGACY_ALGORITHM] = "legacy_algorithm",
		[MXTLS_WARN_WEAK_KEY] = "weak_key",
		[MXTLS_WARN_EXPIRED] = "expired",
		[MXTLS_WARN_NOT_YET_VALID] = "not_yet_valid",
		[MXTLS_WARN_NO_CLIENT_AUTH] = "no_client_auth",
		[MXTLS_WARN_EXPORTER_QUIRK] = "exporter_quirk",
		[MXTLS_WARN_SKIPPED_ENTRY] = "skipped_entry",
		[MXTLS_WARN_NOT_A_CA] = "not_a_ca",
		[MXTLS_WARN_AMBIGUOUS] = "ambiguous",
		[MXTLS_WARN_EXPIRING] = "expiring",
	};

	if (kind <= 0 || (size_t)kind >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[kind];
}

/* ---- identities ---- */

const mxtls_cert *mxtls_identity_leaf(const mxtls_identity *id)
{
	return id ? id->leaf : NULL;
}

size_t mxtls_identity_chain_count(const mxtls_identity *id)
{
	return id ? id->chain_len : 0;
}

const mxtls_cert *mxtls_identity_chain_cert(const mxtls_identity *id, size_t i)
{
	return id && i < id->chain_len ? id->chain[i] : NULL;
}

const char *mxtls_identity_friendly_name(const mxtls_identity *id)
{
	return id ? id->friendly_name : NULL;
}

int mxtls_identity_key_type(const mxtls_identity *id)
{
	return id ? id->key_type : 0;
}

size_t mxtls_identity_key_bits(const mxtls_identity *id)
{
	return id ? id->key_bits : 0;
}

const char *mxtls_identity_key_curve(const mxtls_identity *id)
{
	return id ? id->curve : NULL;
}
