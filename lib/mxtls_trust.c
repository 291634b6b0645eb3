/*
 * Trust bundles: the certificate authorities users upload (PEM text, base64
 * of it, or DER), and the platform's public roots.
 */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS /* ca_istrue has no accessor in mbedTLS 3.6 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mbedtls/sha256.h>

#include "mxtls_file.h"
#include "mxtls_pem.h"
#include "mxtls_trust_int.h"
#include "mxtls_util.h"

/* Bundles are larger than containers: the system one is ~200 KiB. */

struct add_state {
	mxtls_trust *t;
	mxtls_error *err;
	int lenient; /* system roots: skip what mbedTLS cannot parse */
	size_t skipped;
};

static int add_cert(void *arg, const uint8_t *der, size_t len, size_t line)
{
	struct add_state *st = arg;
	mxtls_trust *t = st->t;
	mbedtls_x509_crt *node;
	mxtls_cert *c, **certs;
	uint8_t hash[32];
	char name[256];
	size_t i;
	int ret;

	if (mbedtls_sha256(der, len, hash, 0) != 0)
		return mx_err(st->err, MXTLS_ERR_INTERNAL, "SHA-256 failed");
	for (i = 0; i < t->ncerts; i++)
		if (memcmp(t->certs[i]->sha256, hash, 32) == 0)
			return 0; /* the same authority twice: once is enough */
	ret = mbedtls_x509_crt_parse_der(t->list, der, len);
	if (ret != 0) {
		if (st->lenient) {
			st->skipped++;
			return 0;
		}
		return mx_err(st->err, MXTLS_ERR_CORRUPT,
			      "line %zu: the certificate cannot be parsed (mbedTLS -0x%04x)", line,
			      (unsigned)-ret);
	}
	for (node = t->list; node->next != NULL; node = node->next)
		;
	c = calloc(1, sizeof(*c));
	certs = realloc(t->certs, (t->ncerts + 1) * sizeof(*certs));
	if (certs)
		t->certs = certs;
	if (c == NULL || certs == NULL) {
		free(c);
		return mx_err(st->err, MXTLS_ERR_NOMEM, "out of memory");
	}
	c->crt = node;
	memcpy(c->sha256, hash, 32);
	t->certs[t->ncerts++] = c;
	if (st->lenient)
		return 0;
	mx_crt_name(node, name, sizeof(name));
	if (!node->ca_istrue)
		mx_warnings_add(&t->warnings, MXTLS_WARN_NOT_A_CA,
				"line %zu: \"%s\" is not a CA certificate: it is trusted directly, "
				"as the exact server certificate",
				line, name);
	if (mbedtls_x509_time_is_past(&node->valid_to))
		mx_warnings_add(&t->warnings, MXTLS_WARN_EXPIRED,
				"line %zu: authority \"%s\" expired on %04d-%02d-%02d", line, name,
				node->valid_to.year, node->valid_to.mon, node->valid_to.day);
	return 0;
}

static mxtls_trust *trust_new(const char *source)
{
	mxtls_trust *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->list = calloc(1, sizeof(*t->list));
	t->source = strdup(source);
	if (t->list == NULL || t->source == NULL) {
		free(t->list);
		free(t->source);
		free(t);
		return NULL;
	}
	mbedtls_x509_crt_init(t->list);
	return t;
}

/* Parse text into t; lenient for the platform's own bundles. */
static int trust_add_text(mxtls_trust *t, const void *data, size_t len, int lenient,
			  mxtls_error *err)
{
	struct add_state st = {.t = t, .err = err, .lenient = lenient};
	size_t skipped_blocks = 0;
	int ret;

	ret = mx_pem_each_cert(data, len, add_cert, &st, &skipped_blocks, err);
	if (ret == 0 && skipped_blocks > 0 && !lenient)
		mx_warnings_add(&t->warnings, MXTLS_WARN_SKIPPED_ENTRY,
				"%zu PEM block(s) that are not certificates were ignored (a private "
				"key does not belong in a trust bundle)",
				skipped_blocks);
	return ret;
}

mxtls_trust *mxtls_trust_load_mem(const void *data, size_t len, mxtls_error *err)
{
	mxtls_trust *t;

	mx_err_clear(err);
	if (data == NULL && len > 0) {
		mx_err(err, MXTLS_ERR_USAGE, "data is NULL");
		return NULL;
	}
	t = trust_new("memory");
	if (t == NULL) {
		mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (trust_add_text(t, data, len, 0, err) != 0) {
		mxtls_trust_free(t);
		return NULL;
	}
	return t;
}

/* Whole file into memory; bundles are wiped too, a pasted private key may be in one. */
static int read_file(const char *path, size_t max, uint8_t **out, size_t *cap,
		     size_t *outlen, mxtls_error *err)
{
	return mx_read_file_err(path, max, "an authorities file", out, outlen, cap, err);
}

mxtls_trust *mxtls_trust_load_file(const char *path, mxtls_error *err)
{
	mxtls_trust *t;
	uint8_t *buf;
	size_t len, cap;

	mx_err_clear(err);
	if (path == NULL) {
		mx_err(err, MXTLS_ERR_USAGE, "path is NULL");
		return NULL;
	}
	if (read_file(path, MX_TRUST_MAX_FILE, &buf, &cap, &len, err) != 0)
		return NULL;
	t = trust_new(path);
	if (t == NULL)
		mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	else if (trust_add_text(t, buf, len, 0, err) != 0) {
		mxtls_trust_free(t);
		t = NULL;
		mx_err_prefix(err, "%s: ", path);
	}
	mx_freezero(buf, cap);
	return t;
}

/* Add one file of the platform's roots; 1 if it added anything. */
static int system_file(mxtls_trust *t, const char *path)
{
	mxtls_error ignore;
	uint8_t *buf;
	size_t len, cap, before = t->ncerts;

	if (read_file(path, MX_TRUST_MAX_FILE, &buf, &cap, &len, &ignore) != 0)
		return 0;
	mx_err_clear(&ignore);
	(void)trust_add_text(t, buf, len, 1, &ignore);
	mx_freezero(buf, cap);
	return t->ncerts > before;
}

static int system_dir(mxtls_trust *t, const char *dir)
{
	char path[4096];
	struct dirent *e;
	struct stat sb;
	int added = 0;
	DIR *d = opendir(dir);

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path))
			continue;
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
			added |= system_file(t, path);
	}
	closedir(d);
	return added;
}

/* Where distributions keep the bundle, in the order curl and Go look. */
static const char *const system_bundles[] = {
	"/etc/ssl/certs/ca-certificates.crt",                /* Debian, Ubuntu, Gentoo, Arch */
	"/etc/pki/tls/certs/ca-bundle.crt",                  /* Fedora, RHEL */
	"/etc/ssl/ca-bundle.pem",                            /* openSUSE */
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", /* RHEL 7+ */
	"/etc/ssl/cert.pem",                                 /* Alpine, macOS, BSDs */
	"/usr/local/share/certs/ca-root-nss.crt",            /* FreeBSD */
};

mxtls_trust *mxtls_trust_load_system(mxtls_error *err)
{
	const char *file = getenv("SSL_CERT_FILE"), *dirs = getenv("SSL_CERT_DIR");
	mxtls_trust *t;
	int found = 0;
	size_t i;

	mx_err_clear(err);
	t = trust_new("system");
	if (t == NULL) {
		mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (file && *file && system_file(t, file)) {
		found = 1;
		free(t->source);
		t->source = strdup(file);
	}
	if (!found && dirs && *dirs) {
		char *copy = strdup(dirs), *save = NULL, *d;
		for (d = copy ? strtok_r(copy, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save))
			found |= system_dir(t, d);
		free(copy);
		if (found) {
			free(t->source);
			t->source = strdup(dirs);
		}
	}
	for (i = 0; !found && i < sizeof(system_bundles) / sizeof(system_bundles[0]); i++) {
		if (system_file(t, system_bundles[i])) {
			found = 1;
			free(t->source);
			t->source = strdup(system_bundles[i]);
		}
	}
	if (!found || t->source == NULL) {
		mxtls_trust_free(t);
		mx_err(err, MXTLS_ERR_IO,
		       "no system root certificates found (SSL_CERT_FILE, SSL_CERT_DIR, %s, ...)",
		       system_bundles[0]);
		return NULL;
	}
	return t;
}

int mx_trust_append(const mxtls_trust *t, mbedtls_x509_crt *list)
{
	size_t i;

	for (i = 0; i < t->ncerts; i++)
		if (mbedtls_x509_crt_parse_der(list, t->certs[i]->crt->raw.p,
					       t->certs[i]->crt->raw.len) != 0)
			return -1;
	return 0;
}

void mxtls_trust_free(mxtls_trust *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->ncerts; i++)
		free(t->certs[i]);
	free(t->certs);
	mbedtls_x509_crt_free(t->list);
	free(t->list);
	mx_warnings_free(&t->warnings);
	free(t->source);
	free(t);
}

const char *mxtls_trust_source(const mxtls_trust *t)
{
	return t ? t->source : NULL;
}

size_t mxtls_trust_cert_count(const mxtls_trust *t)
{
	return t ? t->ncerts : 0;
}

const mxtls_cert *mxtls_trust_cert(const mxtls_trust *t, size_t i)
{
	return t && i < t->ncerts ? t->certs[i] : NULL;
}

size_t mxtls_trust_warning_count(const mxtls_trust *t)
{
	return t ? t->warnings.n : 0;
}

int mxtls_trust_warning_kind(const mxtls_trust *t, size_t i)
{
	return t ? mx_warnings_kind(&t->warnings, i) : 0;
}

const char *mxtls_trust_warning(const mxtls_trust *t, size_t i)
{
	return t ? mx_warnings_text(&t->warnings, i) : NULL;
}
