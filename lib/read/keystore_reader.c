/*
 * Java keystores, as keytool and java.security.KeyStore write them
 * (sun.security.provider.JavaKeyStore, com.sun.crypto.provider.JceKeyStore):
 *
 *   magic u32 (0xFEEDFEED JKS, 0xCECECECE JCEKS), version u32 (1 or 2),
 *   count u32, count entries, SHA-1 digest (20 bytes)
 *   entry: tag u32, alias (u16 length + modified UTF-8), date u64, then
 *     tag 1, private key: u32 length + EncryptedPrivateKeyInfo,
 *            u32 n, n x ([version 2: certificate type UTF] u32 length + DER)
 *     tag 2, trusted certificate: [version 2: type UTF] u32 length + DER
 *     tag 3, secret key (JCEKS): one Java serialized SealedObject
 *
 * Big-endian integers throughout. The file is walked twice: once for its
 * structure (every length against the pointer/end pair, the limits), then,
 * after the integrity check, to decrypt keys and hand entries out. So a
 * damaged file is corrupt with an offset before any password is tried.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <mbedtls/constant_time.h>
#include <mbedtls/sha1.h>

#include "mxtls_error.h"
#include "mxtls_password.h"
#include "mxtls_util.h"
#include "read_int.h"

#define MAGIC_JKS 0xfeedfeedu
#define MAGIC_JCEKS 0xcecececeu
#define DIGEST_LEN 20
#define ALIAS_TEXT (3 * MX_KS_MAX_ALIAS + 1) /* a stored byte becomes at most 3 */

struct ks {
	const uint8_t *base, *p, *end;
	int format, version;
	int deliver; /* second walk: decrypt and call back */
	const struct mx_ks_pw *key_pw;
	int key_pw_given;
	uint64_t budget;
	mx_ks_entry_cb cb;
	void *arg;
	char alias[ALIAS_TEXT];
	struct mx_ks_cert certs[MX_KS_MAX_CHAIN];
	mxtls_error *err;
};

static size_t off(const struct ks *k, const uint8_t *at)
{
	return (size_t)(at - k->base);
}

static int truncated(struct ks *k, const char *what)
{
	return mx_err(k->err, MXTLS_ERR_CORRUPT, "offset %zu: truncated (%s)", off(k, k->p), what);
}

static int u32(struct ks *k, uint32_t *v, const char *what)
{
	*v = 0; /* defined on failure too: GCC -O3 cannot tell truncated() is never 0 */
	if ((size_t)(k->end - k->p) < 4)
		return truncated(k, what);
	*v = (uint32_t)k->p[0] << 24 | (uint32_t)k->p[1] << 16 | (uint32_t)k->p[2] << 8 | k->p[3];
	k->p += 4;
	return 0;
}

static int bytes(struct ks *k, size_t n, const uint8_t **at, const char *what)
{
	*at = NULL;
	if (n > (size_t)(k->end - k->p))
		return truncated(k, what);
	*at = k->p;
	k->p += n;
	return 0;
}

/* DataInput.readUTF: u16 length, then that many bytes. */
static int utf(struct ks *k, const uint8_t **s, size_t *n, const char *what)
{
	const uint8_t *at = NULL;

	if (bytes(k, 2, &at, what) != 0)
		return -1;
	*n = (size_t)at[0] << 8 | at[1];
	return bytes(k, *n, s, what);
}

/* One UTF-16 unit of Java's modified UTF-8 at s[*i], or -1 (invalid; one byte consumed). */
static long mutf8_unit(const uint8_t *s, size_t n, size_t *i)
{
	uint8_t b = s[*i];

	if (b < 0x80) {
		(*i)++;
		return b == 0 ? -1 : b; /* NUL is C0 80 in modified UTF-8 */
	}
	if ((b & 0xe0) == 0xc0 && *i + 1 < n && (s[*i + 1] & 0xc0) == 0x80) {
		*i += 2;
		return (long)(b & 0x1f) << 6 | (s[*i - 1] & 0x3f);
	}
	if ((b & 0xf0) == 0xe0 && *i + 2 < n && (s[*i + 1] & 0xc0) == 0x80 &&
	    (s[*i + 2] & 0xc0) == 0x80) {
		*i += 3;
		return (long)(b & 0x0f) << 12 | (long)(s[*i - 2] & 0x3f) << 6 | (s[*i - 1] & 0x3f);
	}
	(*i)++;
	return -1;
}

static size_t put_utf8(char *o, unsigned long cp)
{
	if (cp < 0x80)
		return o[0] = (char)cp, 1;
	if (cp < 0x800)
		return o[0] = (char)(0xc0 | cp >> 6), o[1] = (char)(0x80 | (cp & 0x3f)), 2;
	if (cp < 0x10000)
		return o[0] = (char)(0xe0 | cp >> 12), o[1] = (char)(0x80 | ((cp >> 6) & 0x3f)),
		       o[2] = (char)(0x80 | (cp & 0x3f)), 3;
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The alias as UTF-8 into k->alias: surrogate pairs joined; NUL, lone surrogates and
 * invalid bytes become U+FFFD. */
static void alias_text(struct ks *k, const uint8_t *s, size_t n)
{
	size_t i = 0, o = 0, save;
	long u, lo;

	while (i < n) {
		u = mutf8_unit(s, n, &i);
		if (u >= 0xd800 && u <= 0xdbff && i < n) {
			save = i;
			lo = mutf8_unit(s, n, &i);
			if (lo >= 0xdc00 && lo <= 0xdfff)
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			else
				i = save;
		}
		if (u < 0 || (u >= 0xd800 && u <= 0xdfff))
			u = 0xfffd;
		o += put_utf8(k->alias + o, (unsigned long)u);
	}
	k->alias[o] = '\0';
}

/* A certificate: [version 2: its type, which must be X.509] u32 length, DER. */
static int cert(struct ks *k, struct mx_ks_cert *c)
{
	const uint8_t *type, *at = k->p;
	size_t tlen;
	uint32_t len;

	if (k->version == 2) {
		if (utf(k, &type, &tlen, "certificate type") != 0)
			return -1;
		/* CertificateFactory names are case-insensitive; "X509" is an alias of "X.509". */
		if (!((tlen == 5 && strncasecmp((const char *)type, "X.509", 5) == 0) ||
		      (tlen == 4 && strncasecmp((const char *)type, "X509", 4) == 0)))
			return mx_err(k->err, MXTLS_ERR_UNSUPPORTED_ALGORITHM,
			              "offset %zu: certificate type \"%.*s\" (X.509 is read)",
			              off(k, at), (int)(tlen > 40 ? 40 : tlen), (const char *)type);
	}
	at = k->p;
	if (u32(k, &len, "certificate length") != 0)
		return -1;
	if (len > MX_KS_MAX_CERT)
		return mx_err(k->err, MXTLS_ERR_LIMIT_EXCEEDED,
		              "offset %zu: a certificate of %lu bytes (the limit is %u)",
		              off(k, at), (unsigned long)len, MX_KS_MAX_CERT);
	if (len == 0)
		return mx_err(k->err, MXTLS_ERR_CORRUPT, "offset %zu: an empty certificate",
		              off(k, at));
	c->offset = off(k, k->p);
	c->len = len;
	return bytes(k, len, &c->der, "certificate");
}

/* Tag 1: the protected key and its chain; in the second walk, decrypted and handed out. */
static int private_key(struct ks *k, struct mx_ks_entry *e)
{
	const uint8_t *key = NULL, *at = k->p;
	uint8_t *plain = NULL;
	size_t plen = 0;
	uint32_t klen, n, i;
	char desc[96];
	int ret;

	if (u32(k, &klen, "key length") != 0)
		return -1;
	if (klen > MX_KS_MAX_PROTECTED_KEY)
		return mx_err(k->err, MXTLS_ERR_LIMIT_EXCEEDED,
		              "offset %zu: a protected key of %lu bytes (the limit is %u)",
		              off(k, at), (unsigned long)klen, MX_KS_MAX_PROTECTED_KEY);
	if (bytes(k, klen, &key, "protected key") != 0)
		return -1;
	at = k->p;
	if (u32(k, &n, "chain length") != 0)
		return -1;
	if (n > MX_KS_MAX_CHAIN)
		return mx_err(k->err, n > INT32_MAX ? MXTLS_ERR_CORRUPT : MXTLS_ERR_LIMIT_EXCEEDED,
		              "offset %zu: a chain of %lu certificates (the limit is %u)",
		              off(k, at), (unsigned long)n, MX_KS_MAX_CHAIN);
	for (i = 0; i < n; i++)
		if (cert(k, &k->certs[i]) != 0)
			return -1;
	if (!k->deliver)
		return 0;
	ret = mx_ks_unprotect(k->format, key, klen, k->key_pw, &k->budget, &plain, &plen, desc,
	                      sizeof(desc), k->err);
	if (ret == -MXTLS_ERR_WRONG_PASSWORD && !k->key_pw_given)
		return mx_err_replace(k->err, MXTLS_ERR_WRONG_PASSWORD,
		                      "alias \"%s\" (offset %zu): the key is protected (%s) and no "
		                      "password was given",
		                      k->alias, e->offset, desc);
	if (ret != 0) {
		mx_err_prefix(k->err, "alias \"%s\" (offset %zu): ", k->alias, e->offset);
		return ret;
	}
	e->key = plain;
	e->key_len = plen;
	e->protection = desc;
	e->certs = k->certs;
	e->ncerts = n;
	ret = k->cb(k->arg, e);
	mx_freezero(plain, plen);
	return ret;
}

static int entry(struct ks *k)
{
	struct mx_ks_entry e;
	const uint8_t *alias, *at = k->p;
	size_t alen, used = 0;
	const char *why;
	uint32_t tag;
	int ret;

	memset(&e, 0, sizeof(e));
	e.offset = off(k, at);
	if (u32(k, &tag, "entry tag") != 0 || utf(k, &alias, &alen, "alias") != 0)
		return -1;
	if (alen > MX_KS_MAX_ALIAS)
		return mx_err(k->err, MXTLS_ERR_LIMIT_EXCEEDED,
		              "offset %zu: an alias of %zu bytes (the limit is %u)", e.offset + 4,
		              alen, MX_KS_MAX_ALIAS);
	alias_text(k, alias, alen);
	e.alias = k->alias;
	e.kind = (int)tag;
	if (bytes(k, 8, &at, "entry date") != 0)
		return -1;
	if (tag == MX_KS_PRIVATE_KEY)
		return private_key(k, &e);
	if (tag == MX_KS_TRUSTED_CERT) {
		if (cert(k, &k->certs[0]) != 0)
			return -1;
		e.certs = k->certs;
		e.ncerts = 1;
		return k->deliver ? k->cb(k->arg, &e) : 0;
	}
	if (tag == MX_KS_SECRET_KEY && k->format == MX_KS_JCEKS) {
		at = k->p;
		ret = mx_java_skip_object(k->p, (size_t)(k->end - k->p), &used, &why);
		if (ret == -2)
			return mx_err(k->err, MXTLS_ERR_NOMEM, "out of memory");
		if (ret != 0)
			return mx_err(
			    k->err, MXTLS_ERR_CORRUPT,
			    "offset %zu: secret key \"%s\": not a serialized Java object we "
			    "can read (%s)",
			    off(k, at) + used, k->alias, why);
		k->p += used;
		return k->deliver ? k->cb(k->arg, &e) : 0;
	}
	return mx_err(k->err, MXTLS_ERR_CORRUPT, "offset %zu: unknown entry tag %lu", e.offset,
	              (unsigned long)tag);
}

/* One walk from the magic to the digest; returns the digest's offset, or <0. */
static long walk(struct ks *k)
{
	uint32_t magic, version, count, i;

	k->p = k->base;
	if (u32(k, &magic, "magic") != 0 || u32(k, &version, "version") != 0)
		return -1;
	if ((magic != MAGIC_JKS && magic != MAGIC_JCEKS) || (version != 1 && version != 2))
		return mx_err(k->err, MXTLS_ERR_CORRUPT, "offset 0: not a JKS or JCEKS keystore");
	k->version = (int)version;
	if (u32(k, &count, "entry count") != 0)
		return -1;
	if (count > MX_KS_MAX_ENTRIES)
		return mx_err(k->err,
		              count > INT32_MAX ? MXTLS_ERR_CORRUPT : MXTLS_ERR_LIMIT_EXCEEDED,
		              "offset 8: %lu entries (the limit is %u)", (unsigned long)count,
		              MX_KS_MAX_ENTRIES);
	for (i = 0; i < count; i++)
		if (entry(k) != 0)
			return -1;
	return (long)off(k, k->p);
}

int mx_keystore_format(const uint8_t *data, size_t len)
{
	uint32_t magic;

	if (len < 8 || data[4] != 0 || data[5] != 0 || data[6] != 0 ||
	    (data[7] != 1 && data[7] != 2))
		return 0;
	magic =
	    (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
	return magic == MAGIC_JKS ? MX_KS_JKS : magic == MAGIC_JCEKS ? MX_KS_JCEKS : 0;
}

/* SHA-1(store password UTF-16BE || "Mighty Aphrodite" || data[0..n)) == data[n..n+20]? */
static int integrity_holds(const uint8_t *data, size_t n, const struct mx_ks_pw *pw, int *holds)
{
	static const char whitening[] = "Mighty Aphrodite";
	mbedtls_sha1_context sha;
	uint8_t dig[DIGEST_LEN];
	int ret;

	mbedtls_sha1_init(&sha);
	ret = mbedtls_sha1_starts(&sha);
	if (ret == 0)
		ret = mbedtls_sha1_update(&sha, pw->utf16be, pw->utf16be_len);
	if (ret == 0)
		ret = mbedtls_sha1_update(&sha, (const uint8_t *)whitening, sizeof(whitening) - 1);
	if (ret == 0)
		ret = mbedtls_sha1_update(&sha, data, n);
	if (ret == 0)
		ret = mbedtls_sha1_finish(&sha, dig);
	mbedtls_sha1_free(&sha); /* zeroizes the state, which saw the password */
	*holds = ret == 0 && mbedtls_ct_memcmp(dig, data + n, DIGEST_LEN) == 0;
	mx_wipe(dig, sizeof(dig)); /* from the password: a wrong one's digest says something of it */
	return ret == 0 ? 0 : -1;
}

/* A password's keystore forms, from len bytes (no NUL inside: the caller checked). */
static int pw_forms(const char *s, size_t len, struct mx_password *mp, struct mx_ks_pw *out,
                    mxtls_error *err)
{
	char *z = malloc(len + 1);
	int ret;

	memset(mp, 0, sizeof(*mp));
	if (z == NULL)
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	if (len)
		memcpy(z, s, len);
	z[len] = '\0';
	ret = mx_password_init(mp, z);
	mx_freezero(z, len + 1);
	if (ret != 0)
		return mx_err(err, ret == -1 ? MXTLS_ERR_LIMIT_EXCEEDED : MXTLS_ERR_NOMEM,
		              "password too long or out of memory");
	out->utf16be = mp->bmp.p;
	out->utf16be_len = mp->bmp.len - 2; /* Java hashes its chars, no terminator */
	out->utf8 = mp->utf8.p;
	out->utf8_len = mp->utf8.len;
	return 0;
}

int mx_keystore_read(const uint8_t *data, size_t len, const char *store_pw, size_t store_pwlen,
                     const char *key_pw, size_t key_pwlen, uint64_t kdf_budget, mx_ks_entry_cb cb,
                     void *arg, int *verified, mxtls_error *err)
{
	struct mx_password spw, kpw;
	struct mx_ks_pw sforms, kforms;
	struct ks *k;
	long at;
	int ret, holds = 0;

	*verified = 0;
	memset(&spw, 0, sizeof(spw));
	memset(&kpw, 0, sizeof(kpw));
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	k->base = data;
	k->end = data + len;
	k->format = mx_keystore_format(data, len);
	k->budget = kdf_budget;
	k->cb = cb;
	k->arg = arg;
	k->err = err;
	at = walk(k);
	if (at < 0) {
		ret = -1;
		goto out;
	}
	if (len - (size_t)at < DIGEST_LEN) {
		ret = mx_err(err, MXTLS_ERR_CORRUPT,
		             "offset %ld: truncated (the 20-byte integrity digest is missing)", at);
		goto out;
	}
	if (len - (size_t)at > DIGEST_LEN) {
		ret = mx_err(err, MXTLS_ERR_CORRUPT,
		             "offset %zu: %zu bytes after the keystore's integrity digest",
		             (size_t)at + DIGEST_LEN, len - (size_t)at - DIGEST_LEN);
		goto out;
	}
	ret = pw_forms(store_pw ? store_pw : "", store_pw ? store_pwlen : 0, &spw, &sforms, err);
	if (ret == 0)
		ret = pw_forms(key_pw     ? key_pw
		               : store_pw ? store_pw
		                          : "",
		               key_pw     ? key_pwlen
		               : store_pw ? store_pwlen
		                          : 0,
		               &kpw, &kforms, err);
	if (ret != 0)
		goto out;
	if (integrity_holds(data, (size_t)at, &sforms, &holds) != 0) {
		ret = mx_err(err, MXTLS_ERR_INTERNAL, "SHA-1 failed");
		goto out;
	}
	if (!holds && store_pwlen > 0) {
		ret =
		    mx_err(err, MXTLS_ERR_WRONG_PASSWORD,
		           "offset %ld: the keystore's integrity check fails (its SHA-1 digest of "
		           "the store password and the contents): a wrong store password, or the "
		           "file was changed",
		           at);
		goto out;
	}
	*verified = holds;
	k->deliver = 1;
	k->key_pw = &kforms;
	k->key_pw_given = key_pw ? key_pwlen > 0 : store_pwlen > 0;
	ret = walk(k) < 0 ? -1 : 0;
out:
	mx_password_free(&spw);
	mx_password_free(&kpw);
	mx_freezero(k, sizeof(*k)); /* the alias, certificate views: nothing secret, but cheap */
	return ret;
}
