/*
 * mxtls_bundle: the certificates and private keys of the files a user brings
 * (PEM or DER certificates, .p7b bundles, keys in every usual form), the
 * chain of a key's certificate, and its hand-off to the PKCS#12 writer.
 */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS /* a certificate's tbs/sig fields, to check who signed it */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/entropy.h>
#include <mbedtls/sha256.h>

#include "mxtls_asn1.h"
#include "mxtls_error.h"
#include "mxtls_file.h"
#include "mxtls_oid.h"
#include "mxtls_pkcs12_int.h"
#include "mxtls_util.h"
#include "mxtls_warn.h"
#include "read_int.h"
#include "write/der_writer.h"

#define MAX_KEYS 64u

struct mxtls_bundle {
	mxtls_cert **certs;
	size_t ncerts;
	struct mxtls_key **keys;
	size_t nkeys;
	struct mx_warnings warnings;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
};

/* One add_mem call: where it reads from, and what it found. */
struct reading {
	mxtls_bundle *b;
	const char *name;
	const uint8_t *data;
	size_t len;
	const char *pw; /* for encrypted keys; a keystore's store password */
	size_t pwlen;
	size_t found;
	mxtls_error *err;
};

mxtls_bundle *mxtls_bundle_new(mxtls_error *err)
{
	static const char pers[] = "mxtls_bundle";
	mxtls_bundle *b;

	mx_err_clear(err);
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory"), NULL;
	mbedtls_entropy_init(&b->entropy);
	mbedtls_ctr_drbg_init(&b->drbg);
	if (mbedtls_ctr_drbg_seed(&b->drbg, mbedtls_entropy_func, &b->entropy,
				  (const unsigned char *)pers, sizeof(pers) - 1) != 0) {
		mxtls_bundle_free(b);
		return mx_err(err, MXTLS_ERR_INTERNAL, "cannot seed the random generator"), NULL;
	}
	return b;
}

static void free_key(struct mxtls_key *k)
{
	if (k == NULL)
		return;
	mx_key_clear(k);
	mx_freezero(k, sizeof(*k));
}

/* Drop what an add that failed had added: the bundle stays as it was. */
static void truncate_to(mxtls_bundle *b, size_t ncerts, size_t nkeys)
{
	while (b->ncerts > ncerts)
		mx_cert_free(b->certs[--b->ncerts]);
	while (b->nkeys > nkeys)
		free_key(b->keys[--b->nkeys]);
}

void mxtls_bundle_free(mxtls_bundle *b)
{
	if (b == NULL)
		return;
	truncate_to(b, 0, 0);
	free(b->certs);
	free(b->keys);
	mx_warnings_free(&b->warnings);
	mbedtls_ctr_drbg_free(&b->drbg);
	mbedtls_entropy_free(&b->entropy);
	free(b);
}

/* ---- adding certificates and keys ---- */

static int add_cert(struct reading *r, const uint8_t *der, size_t len, const char *where)
{
	mxtls_bundle *b = r->b;
	uint8_t hash[32];
	mxtls_cert *c, **arr;
	size_t i;
	int ret;

	if (mbedtls_sha256(der, len, hash, 0) != 0)
		return mx_err(r->err, MXTLS_ERR_INTERNAL, "SHA-256 failed");
	r->found++;
	for (i = 0; i < b->ncerts; i++)
		if (memcmp(b->certs[i]->sha256, hash, 32) == 0)
			return 0; /* the same certificate twice: kept once */
	if (b->ncerts >= MX_READ_MAX_CERTS)
		return mx_err(r->err, MXTLS_ERR_LIMIT_EXCEEDED, "%s: more than %u certificates",
			      r->name, MX_READ_MAX_CERTS);
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->crt = calloc(1, sizeof(*c->crt))) == NULL) {
		free(c);
		return mx_err(r->err, MXTLS_ERR_NOMEM, "out of memory");
	}
	c->owns_crt = 1;
	memcpy(c->sha256, hash, 32);
	mbedtls_x509_crt_init(c->crt);
	ret = mbedtls_x509_crt_parse_der(c->crt, der, len);
	if (ret != 0) {
		mx_cert_free(c);
		return mx_err(r->err, MXTLS_ERR_CORRUPT,
			      "%s, %s: not a certificate mbedTLS can parse (-0x%04x)", r->name, where,
			      (unsigned)-ret);
	}
	arr = realloc(b->certs, (b->ncerts + 1) * sizeof(*arr));
	if (arr == NULL) {
		mx_cert_free(c);
		return mx_err(r->err, MXTLS_ERR_NOMEM, "out of memory");
	}
	b->certs = arr;
	b->certs[b->ncerts++] = c;
	return 0;
}

static int add_key(struct reading *r, enum mx_keyform form, const uint8_t *der, size_t len,
		   const char *dek_info, const char *where)
{
	mxtls_bundle *b = r->b;
	struct mxtls_key *k, **arr;
	int ret;

	if (b->nkeys >= MAX_KEYS)
		return mx_err(r->err, MXTLS_ERR_LIMIT_EXCEEDED, "%s: more than %u private keys",
			      r->name, MAX_KEYS);
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return mx_err(r->err, MXTLS_ERR_NOMEM, "out of memory");
	ret = mx_key_read(k, form, der, len, dek_info, r->pw, r->pwlen, &b->drbg, r->err);
	if (ret != 0) {
		mx_err_prefix(r->err, "%s, %s: ", r->name, where);
		free_key(k);
		return ret;
	}
	snprintf(k->source, sizeof(k->source), "%s, %s", r->name, where);
	arr = realloc(b->keys, (b->nkeys + 1) * sizeof(*arr));
	if (arr == NULL) {
		free_key(k);
		return mx_err(r->err, MXTLS_ERR_NOMEM, "out of memory");
	}
	b->keys = arr;
	b->keys[b->nkeys++] = k;
	r->found++;
	return 0;
}

static int p7_cert(void *arg, const uint8_t *der, size_t len, size_t offset)
{
	struct reading *r = arg;
	char where[64];

	snprintf(where, sizeof(where), "PKCS#7 offset %zu", offset);
	return add_cert(r, der, len, where);
}

static int add_pkcs7(struct reading *r, const uint8_t *der, size_t len, const char *where)
{
	int ret = mx_pkcs7_each_cert(der, len, p7_cert, r, r->err);

	if (ret < 0 && r->err && strncmp(r->err->message, r->name, strlen(r->name)) != 0)
		mx_err_prefix(r->err, "%s, %s: ", r->name, where);
	return ret < 0 ? ret : 0;
}

static int on_block(void *arg, const struct mx_pem_block *blk)
{
	struct reading *r = arg;
	const char *l = blk->label;
	char where[48];

	snprintf(where, sizeof(where), "line %zu", blk->line);
	if (strcmp(l, "CERTIFICATE") == 0 || strcmp(l, "X509 CERTIFICATE") == 0 ||
	    strcmp(l, "TRUSTED CERTIFICATE") == 0) {
		/* OpenSSL's TRUSTED CERTIFICATE appends its trust settings: take the first SEQUENCE. */
		struct mx_asn1 c;
		struct mx_tlv t;
		mx_asn1_init(&c, blk->der, blk->der_len);
		if (mx_asn1_expect(&c, MX_TAG_SEQUENCE, &t) != 0 ||
		    (l[0] != 'T' && mx_asn1_done(&c) != 0))
			return mx_err(r->err, MXTLS_ERR_CORRUPT,
				      "%s, %s: the \"%s\" block is not one DER certificate", r->name,
				      where, l);
		return add_cert(r, t.raw, t.raw_len, where);
	}
	if (strcmp(l, "PKCS7") == 0 || strcmp(l, "CMS") == 0)
		return add_pkcs7(r, blk->der, blk->der_len, where);
	if (blk->proc_encrypted && blk->dek_info[0] == '\0')
		return mx_err(r->err, MXTLS_ERR_CORRUPT,
			      "%s, %s: \"Proc-Type: 4,ENCRYPTED\" without a DEK-Info header", r->name,
			      where);
	if (strcmp(l, "PRIVATE KEY") == 0)
		return add_key(r, MX_KEYFORM_PKCS8, blk->der, blk->der_len, NULL, where);
	if (strcmp(l, "ENCRYPTED PRIVATE KEY") == 0)
		return add_key(r, MX_KEYFORM_PKCS8_ENCRYPTED, blk->der, blk->der_len, NULL, where);
	if (strcmp(l, "RSA PRIVATE KEY") == 0)
		return add_key(r, MX_KEYFORM_PKCS1, blk->der, blk->der_len,
			       blk->proc_encrypted ? blk->dek_info : NULL, where);
	if (strcmp(l, "EC PRIVATE KEY") == 0)
		return add_key(r, MX_KEYFORM_SEC1, blk->der, blk->der_len,
			       blk->proc_encrypted ? blk->dek_info : NULL, where);
	if (strcmp(l, "EC PARAMETERS") == 0)
		return 0; /* `openssl ecparam -genkey` writes them before the key */
	mx_warnings_add(&r->b->warnings, MXTLS_WARN_SKIPPED_ENTRY, "%s, %s: \"%s\" block skipped",
			r->name, where, l);
	return 0;
}

/* ---- Java keystores (keystore_reader.c) ---- */

static int ks_entry(void *arg, const struct mx_ks_entry *e)
{
	struct reading *r = arg;
	struct mxtls_key *k;
	char where[200];
	size_t i, nkeys = r->b->nkeys;
	int ret;

	snprintf(where, sizeof(where), "alias \"%s\"", e->alias);
	if (e->kind == MX_KS_SECRET_KEY) {
		mx_warnings_add(&r->b->warnings, MXTLS_WARN_SKIPPED_ENTRY,
				"%s, %s: a secret key (neither a certificate nor a private key): "
				"skipped",
				r->name, where);
		return 0;
	}
	for (i = 0; i < e->ncerts; i++) {
		char at[240];
		snprintf(at, sizeof(at), "%s, offset %zu", where, e->certs[i].offset);
		if ((ret = add_cert(r, e->certs[i].der, e->certs[i].len, at)) != 0)
			return ret;
	}
	if (e->kind != MX_KS_PRIVATE_KEY)
		return 0;
	ret = add_key(r, MX_KEYFORM_PKCS8, e->key, e->key_len, NULL, where);
	if (ret == -MXTLS_ERR_UNSUPPORTED_KEY) {
		/* A DSA key beside the RSA one a user wants: the store stays usable. */
		if (r->err)
			mx_warnings_add(&r->b->warnings, MXTLS_WARN_SKIPPED_ENTRY, "%s: skipped",
					r->err->message);
		else
			mx_warnings_add(&r->b->warnings, MXTLS_WARN_SKIPPED_ENTRY,
					"%s, %s: a key type mxtls does not use: skipped", r->name,
					where);
		mx_err_clear(r->err);
		return 0;
	}
	if (ret != 0)
		return ret;
	k = r->b->keys[nkeys];
	k->alias = strdup(e->alias);
	if (k->alias == NULL)
		return mx_err(r->err, MXTLS_ERR_NOMEM, "out of memory");
	snprintf(k->form, sizeof(k->form), "%s, %s",
		 mx_keystore_format(r->data, r->len) == MX_KS_JCEKS ? "JCEKS" : "JKS",
		 e->protection);
	return 0;
}

/* A JKS or JCEKS keystore; r->pw is the store password. */
static int read_keystore(struct reading *r, const char *key_pw, size_t key_pwlen)
{
	int verified = 0;
	int ret = mx_keystore_read(r->data, r->len, r->pw, r->pwlen, key_pw, key_pwlen,
				   MXTLS_MAX_KDF_BUDGET, ks_entry, r, &verified, r->err);

	if (ret < 0) {
		if (r->err && strncmp(r->err->message, r->name, strlen(r->name)) != 0)
			mx_err_prefix(r->err, "%s, ", r->name);
		return ret;
	}
	if (!verified)
		mx_warnings_add(&r->b->warnings, MXTLS_WARN_NO_MAC,
				"%s: no store password given: the keystore's integrity (its SHA-1 "
				"digest) was not checked",
				r->name);
	return 0;
}

/* SEQUENCE { INTEGER 3, SEQUENCE { OID data ... } ... }: a PFX. */
static int looks_like_pkcs12(const uint8_t *der, size_t len)
{
	struct mx_asn1 c, pfx, ci;
	uint64_t v;

	mx_asn1_init(&c, der, len);
	return mx_asn1_enter(&c, MX_TAG_SEQUENCE, &pfx) == 0 &&
	       mx_asn1_get_uint(&pfx, 255, &v) == 0 && v == 3 &&
	       mx_asn1_enter(&pfx, MX_TAG_SEQUENCE, &ci) == 0;
}

static int read_der(struct reading *r, const uint8_t *der, size_t len)
{
	struct mx_asn1 c, seq;
	struct mx_tlv a, b2;

	if (mx_pkcs7_looks_like(der, len))
		return add_pkcs7(r, der, len, "PKCS#7");
	if (looks_like_pkcs12(der, len))
		return mx_err(r->err, MXTLS_ERR_USAGE,
			      "%s: a PKCS#12 container (load it with mxtls_pkcs12_load_file)",
			      r->name);
	mx_asn1_init(&c, der, len);
	if (mx_asn1_enter(&c, MX_TAG_SEQUENCE, &seq) != 0)
		return mx_err(r->err, MXTLS_ERR_CORRUPT,
			      "%s, offset 0: truncated or malformed DER (%zu bytes)", r->name, len);
	if (mx_asn1_done(&c) != 0)
		return mx_err(r->err, MXTLS_ERR_CORRUPT, "%s, offset %zu: trailing data after the DER",
			      r->name, (size_t)(c.p - der));
	/* Certificate ::= SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE, BIT STRING } */
	if (mx_asn1_next(&seq, &a) == 0 && mx_asn1_next(&seq, &b2) == 0 &&
	    a.tag == MX_TAG_SEQUENCE && b2.tag == MX_TAG_SEQUENCE)
		return add_cert(r, der, len, "offset 0");
	return add_key(r, MX_KEYFORM_DER_ANY, der, len, NULL, "DER");
}

/* A password argument: at most MXTLS_MAX_PASSWORD_BYTES, no NUL byte. */
static int check_password(const char *pw, size_t len, const char *what, mxtls_error *err)
{
	if (pw == NULL && len > 0)
		return mx_err(err, MXTLS_ERR_USAGE, "%s missing", what);
	if (len > MXTLS_MAX_PASSWORD_BYTES)
		return mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED, "%s over %u bytes", what,
			      MXTLS_MAX_PASSWORD_BYTES);
	if (len && memchr(pw, '\0', len) != NULL)
		return mx_err(err, MXTLS_ERR_USAGE, "the %s holds a NUL byte", what);
	return 0;
}

/*
 * One input, whatever its kind (keystore_only: a JKS/JCEKS keystore or an
 * error). On failure the bundle is put back as it was.
 */
static int add_input(mxtls_bundle *b, const void *data, size_t len, const char *name,
		     const char *password, size_t password_len, const char *key_pw,
		     size_t key_pwlen, int keystore_only, mxtls_error *err)
{
	struct reading r;
	size_t ncerts, nkeys, nwarn, nblocks = 0;
	int ret;

	mx_err_clear(err);
	if (b == NULL || (data == NULL && len > 0))
		return mx_err(err, MXTLS_ERR_USAGE, "bundle or data missing"), -1;
	if (check_password(password, password_len, "password", err) != 0 ||
	    check_password(key_pw, key_pwlen, "key password", err) != 0)
		return -1;
	memset(&r, 0, sizeof(r));
	r.b = b;
	r.name = name ? name : "memory";
	r.data = data;
	r.len = len;
	r.pw = password;
	r.pwlen = password_len;
	r.err = err;
	if (len > MX_READ_MAX_INPUT)
		return mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED, "%s: %zu bytes exceed the limit of %zu",
			      r.name, len, MX_READ_MAX_INPUT),
		       -1;
	ncerts = b->ncerts;
	nkeys = b->nkeys;
	nwarn = b->warnings.n;
	if (len == 0) {
		ret = mx_err(err, MXTLS_ERR_EMPTY, "%s: empty", r.name);
	} else if (mx_keystore_format(data, len)) {
		ret = read_keystore(&r, key_pw, key_pwlen);
	} else if (keystore_only) {
		ret = mx_err(err, MXTLS_ERR_CORRUPT,
			     "%s, offset 0: not a JKS or JCEKS keystore (no 0xFEEDFEED or "
			     "0xCECECECE magic and version 1 or 2)",
			     r.name);
	} else if (mx_pem_looks_like(data, len)) {
		ret = mx_pem_blocks(data, len, on_block, &r, &nblocks, err);
		if (ret < 0 && err && strncmp(err->message, r.name, strlen(r.name)) != 0)
			mx_err_prefix(err, "%s, ", r.name);
	} else if (((const uint8_t *)data)[0] == MX_TAG_SEQUENCE) {
		ret = read_der(&r, data, len);
	} else {
		ret = mx_err(err, MXTLS_ERR_CORRUPT,
			     "%s: neither PEM nor DER (no \"-----BEGIN\" line, no SEQUENCE)", r.name);
	}
	if (ret == 0 && r.found == 0)
		ret = mx_err(err, MXTLS_ERR_EMPTY, "%s: no certificate or private key found", r.name);
	if (ret < 0) {
		truncate_to(b, ncerts, nkeys);
		while (b->warnings.n > nwarn)
			free(b->warnings.v[--b->warnings.n].text);
		return -1;
	}
	return 0;
}

int mxtls_bundle_add_mem(mxtls_bundle *b, const void *data, size_t len, const char *name,
			 const char *password, size_t password_len, mxtls_error *err)
{
	return add_input(b, data, len, name, password, password_len, NULL, 0, 0, err);
}

int mxtls_bundle_add_keystore_mem(mxtls_bundle *b, const void *data, size_t len, const char *name,
				  const char *store_password, size_t store_password_len,
				  const char *key_password, size_t key_password_len,
				  mxtls_error *err)
{
	return add_input(b, data, len, name, store_password, store_password_len, key_password,
			 key_password_len, 1, err);
}

/* Read path into a buffer to wipe (it may hold an unencrypted key). */
static int read_input(mxtls_bundle *b, const char *path, uint8_t **buf, size_t *len, size_t *cap,
		      mxtls_error *err)
{
	mx_err_clear(err);
	if (b == NULL || path == NULL)
		return mx_err(err, MXTLS_ERR_USAGE, "bundle or path missing"), -1;
	return mx_read_file_err(path, MX_READ_MAX_INPUT, "a certificate, key or keystore file", buf,
				len, cap, err) != 0
		   ? -1
		   : 0;
}

int mxtls_bundle_add_file(mxtls_bundle *b, const char *path, const char *password,
			  size_t password_len, mxtls_error *err)
{
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	int ret;

	if (read_input(b, path, &buf, &len, &cap, err) != 0)
		return -1;
	ret = mxtls_bundle_add_mem(b, buf, len, path, password, password_len, err);
	mx_freezero(buf, cap);
	return ret;
}

int mxtls_bundle_add_keystore_file(mxtls_bundle *b, const char *path, const char *store_password,
				   size_t store_password_len, const char *key_password,
				   size_t key_password_len, mxtls_error *err)
{
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	int ret;

	if (read_input(b, path, &buf, &len, &cap, err) != 0)
		return -1;
	ret = mxtls_bundle_add_keystore_mem(b, buf, len, path, store_password, store_password_len,
					    key_password, key_password_len, err);
	mx_freezero(buf, cap);
	return ret;
}

/* ---- getters ---- */

size_t mxtls_bundle_cert_count(const mxtls_bundle *b)
{
	return b ? b->ncerts : 0;
}

const mxtls_cert *mxtls_bundle_cert(const mxtls_bundle *b, size_t i)
{
	return b && i < b->ncerts ? b->certs[i] : NULL;
}

size_t mxtls_bundle_key_count(const mxtls_bundle *b)
{
	return b ? b->nkeys : 0;
}

const mxtls_key *mxtls_bundle_key(const mxtls_bundle *b, size_t i)
{
	return b && i < b->nkeys ? b->keys[i] : NULL;
}

size_t mxtls_bundle_warning_count(const mxtls_bundle *b)
{
	return b ? b->warnings.n : 0;
}

int mxtls_bundle_warning_kind(const mxtls_bundle *b, size_t i)
{
	return b ? mx_warnings_kind(&b->warnings, i) : 0;
}

const char *mxtls_bundle_warning(const mxtls_bundle *b, size_t i)
{
	return b ? mx_warnings_text(&b->warnings, i) : NULL;
}

int mxtls_key_kind(const mxtls_key *k)
{
	return k ? k->type : 0;
}

size_t mxtls_key_bits(const mxtls_key *k)
{
	return k ? k->bits : 0;
}

const char *mxtls_key_curve(const mxtls_key *k)
{
	return k ? k->curve : NULL;
}

const char *mxtls_key_form(const mxtls_key *k)
{
	return k ? k->form : NULL;
}

const char *mxtls_key_source(const mxtls_key *k)
{
	return k ? k->source : NULL;
}

const char *mxtls_key_alias(const mxtls_key *k)
{
	return k ? k->alias : NULL;
}

int mxtls_key_matches_cert(const mxtls_key *k, const mxtls_cert *c)
{
	return k && c && c->crt ? mx_key_matches(k, c->crt) : 0;
}

int mxtls_key_pkcs8_der(const mxtls_key *k, unsigned char **der, size_t *len, mxtls_error *err)
{
	struct mx_dw w;
	uint8_t *raw = NULL;
	size_t rawlen = 0;
	int ret;

	mx_err_clear(err);
	if (der)
		*der = NULL;
	if (len)
		*len = 0;
	if (k == NULL || der == NULL || len == NULL)
		return mx_err(err, MXTLS_ERR_USAGE, "key or output missing"), -1;
	if (mx_key_raw_der(k, &raw, &rawlen, err) != 0)
		return -1;
	/* PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, privateKey OCTET STRING } */
	mx_dw_init(&w);
	mx_dw_open(&w, MX_TAG_SEQUENCE);
	mx_dw_uint(&w, 0);
	mx_dw_open(&w, MX_TAG_SEQUENCE);
	if (k->type == MXTLS_KEY_RSA) {
		MX_DW_OID(&w, MX_OID_RSA);
		mx_dw_null(&w);
	} else {
		MX_DW_OID(&w, MX_OID_EC_PUBLIC_KEY);
		if (strcmp(k->curve, "P-256") == 0)
			MX_DW_OID(&w, MX_OID_P256);
		else if (strcmp(k->curve, "P-384") == 0)
			MX_DW_OID(&w, MX_OID_P384);
		else
			MX_DW_OID(&w, MX_OID_P521);
	}
	mx_dw_close(&w);
	mx_dw_prim(&w, MX_TAG_OCTET_STRING, raw, rawlen);
	mx_dw_close(&w);
	mx_freezero(raw, rawlen);
	ret = mx_dw_finish(&w);
	if (ret != 0) {
		mx_dw_free(&w);
		return mx_err(err, ret, "cannot encode the key as PKCS#8"), -1;
	}
	/* len bytes and a NUL after them, as every export: mxtls_free_secret(der, len)
	 * wipes len + 1 bytes (the PEM exports' terminator). */
	*der = malloc(w.len + 1);
	if (*der == NULL) {
		mx_dw_free(&w);
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory"), -1;
	}
	memcpy(*der, w.p, w.len);
	(*der)[w.len] = 0;
	*len = w.len;
	mx_dw_free(&w);
	return 0;
}

/* ---- chains ---- */

static int same_buf(const mbedtls_x509_buf *a, const mbedtls_x509_buf *b)
{
	return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

/* 1 if parent's key verifies child's signature. */
static int signed_by(const mbedtls_x509_crt *child, const mbedtls_x509_crt *parent)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(child->sig_md);
	unsigned char hash[MBEDTLS_MD_MAX_SIZE];

	if (md == NULL || !same_buf(&child->issuer_raw, &parent->subject_raw) ||
	    mbedtls_md(md, child->tbs.p, child->tbs.len, hash) != 0 ||
	    !mbedtls_pk_can_do(&parent->pk, child->sig_pk))
		return 0;
	return mbedtls_pk_verify_ext(child->sig_pk, child->sig_opts,
				     (mbedtls_pk_context *)(uintptr_t)&parent->pk, child->sig_md,
				     hash, mbedtls_md_get_size(md), child->sig.p,
				     child->sig.len) == 0;
}

static const mxtls_cert *find_leaf(const mxtls_bundle *b, const struct mxtls_key *k)
{
	size_t i;

	for (i = 0; i < b->ncerts; i++)
		if (mx_key_matches(k, b->certs[i]->crt))
			return b->certs[i];
	return NULL;
}

int mxtls_bundle_chain(const mxtls_bundle *b, size_t key_index, const mxtls_cert **certs,
		       size_t max, size_t *n, mxtls_error *err)
{
	const mxtls_cert *cur, *next;
	size_t i, j, count = 0;

	mx_err_clear(err);
	if (n)
		*n = 0;
	if (b == NULL || certs == NULL || n == NULL || max == 0)
		return mx_err(err, MXTLS_ERR_USAGE, "bundle or output missing"), -1;
	if (key_index >= b->nkeys)
		return mx_err(err, b->nkeys ? MXTLS_ERR_USAGE : MXTLS_ERR_NO_KEY,
			      "no private key %zu (the bundle holds %zu)", key_index, b->nkeys),
		       -1;
	cur = find_leaf(b, b->keys[key_index]);
	if (cur == NULL)
		return mx_err(err, b->ncerts ? MXTLS_ERR_KEY_MISMATCH : MXTLS_ERR_NO_CERTIFICATE,
			      "the private key of %s matches none of the %zu certificates",
			      b->keys[key_index]->source, b->ncerts),
		       -1;
	certs[count++] = cur;
	for (;;) {
		if (same_buf(&cur->crt->subject_raw, &cur->crt->issuer_raw) &&
		    signed_by(cur->crt, cur->crt)) {
			*n = count;
			return 1; /* a self-signed root */
		}
		next = NULL;
		for (i = 0; i < b->ncerts && next == NULL; i++) {
			for (j = 0; j < count; j++)
				if (certs[j] == b->certs[i])
					break;
			if (j == count && signed_by(cur->crt, b->certs[i]->crt))
				next = b->certs[i];
		}
		if (next == NULL || count >= max || count >= MXTLS_MAX_CHAIN) {
			*n = count;
			return 0;
		}
		certs[count++] = next;
		cur = next;
	}
}

int mxtls_bundle_add_to_writer(const mxtls_bundle *b, size_t key_index, mxtls_pkcs12_writer *w,
			       const char *friendly_name, mxtls_error *err)
{
	const mxtls_cert *chain[MXTLS_MAX_CHAIN];
	const void *ders[MXTLS_MAX_CHAIN];
	size_t lens[MXTLS_MAX_CHAIN], n = 0, i, keylen = 0;
	uint8_t *key = NULL;
	int ret;

	if (w == NULL) {
		mx_err_clear(err);
		return mx_err(err, MXTLS_ERR_USAGE, "writer missing"), -1;
	}
	if (mxtls_bundle_chain(b, key_index, chain, MXTLS_MAX_CHAIN, &n, err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		ders[i] = mxtls_cert_der(chain[i], &lens[i]);
	if (mx_key_raw_der(b->keys[key_index], &key, &keylen, err) != 0)
		return -1;
	ret = mxtls_pkcs12_writer_add_key_der(w, key, keylen, ders, lens, n, friendly_name, err);
	mx_freezero(key, keylen);
	return ret;
}
