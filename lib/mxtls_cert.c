/* Read-only views of one X.509 certificate. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS /* ca_istrue has no accessor in mbedTLS 3.6 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/oid.h>

#include "mxtls_pkcs12_int.h"

const uint8_t *mxtls_cert_der(const mxtls_cert *c, size_t *len)
{
	if (c == NULL) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = c->crt->raw.len;
	return c->crt->raw.p;
}

/*
 * The name as mbedTLS prints it, but without its limits: mbedTLS refuses a
 * value over 255 bytes or with a NUL. Values are printed as ASCII, with '?'
 * for anything else. Returns the full length; out gets what fits.
 */
static size_t dn_own(const mbedtls_x509_name *name, char *out, size_t size)
{
	const char *short_name;
	char oid[64];
	size_t n = 0, i;

#define PUT(ch)                                                                                    \
	do {                                                                                       \
		if (n + 1 < size)                                                                  \
			out[n] = (ch);                                                             \
		n++;                                                                               \
	} while (0)
	for (; name != NULL; name = name->next) {
		if (name->oid.p == NULL)
			continue;
		if (n > 0)
			PUT(',');
		if (n > 0)
			PUT(' ');
		if (mbedtls_oid_get_attr_short_name(&name->oid, &short_name) != 0) {
			if (mbedtls_oid_get_numeric_string(oid, sizeof(oid), &name->oid) < 0)
				snprintf(oid, sizeof(oid), "?");
			short_name = oid;
		}
		for (i = 0; short_name[i]; i++)
			PUT(short_name[i]);
		PUT('=');
		for (i = 0; i < name->val.len; i++)
			PUT(name->val.p[i] >= 32 && name->val.p[i] < 127 ? (char)name->val.p[i] : '?');
	}
#undef PUT
	out[n < size ? n : size - 1] = '\0';
	return n;
}

/*
 * The length dn() gives the whole name: mbedTLS's form when it can print it
 * (tried in growing buffers up to 64 KiB), else dn_own's.
 */
static int dn_length(const mbedtls_x509_name *name)
{
	size_t size;
	char *buf, one;
	int ret;

	for (size = 256; size <= 65536; size *= 4) {
		buf = malloc(size);
		if (buf == NULL)
			return -1;
		ret = mbedtls_x509_dn_gets(buf, size, name);
		free(buf); /* a public name: nothing to wipe */
		if (ret >= 0)
			return ret;
		if (ret != MBEDTLS_ERR_X509_BUFFER_TOO_SMALL)
			break;
	}
	return (int)dn_own(name, &one, 1);
}

/*
 * Into buf: the whole name, or -1 when it does not fit, with as much as fits
 * ending in "..." (callers that ignore the -1 still show something). With
 * buf NULL and size 0: the length the whole name needs, NUL not counted.
 */
static int dn(const mbedtls_x509_name *name, char *buf, size_t size)
{
	size_t n;
	int ret;

	if (buf == NULL && size == 0)
		return dn_length(name);
	if (buf == NULL || size == 0)
		return -1;
	ret = mbedtls_x509_dn_gets(buf, size, name);
	if (ret >= 0)
		return ret;
	n = dn_own(name, buf, size);
	if (n < size)
		return (int)n;
	if (size > 4)
		memcpy(buf + size - 4, "...", 4);
	return -1;
}

void mx_crt_name(const mbedtls_x509_crt *crt, char *buf, size_t size)
{
	dn(&crt->subject, buf, size);
}

int mxtls_cert_subject(const mxtls_cert *c, char *buf, size_t size)
{
	return c ? dn(&c->crt->subject, buf, size) : -1;
}

int mxtls_cert_issuer(const mxtls_cert *c, char *buf, size_t size)
{
	return c ? dn(&c->crt->issuer, buf, size) : -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t epoch(const mbedtls_x509_time *t)
{
	return days_from_civil(t->year, t->mon, t->day) * 86400 + t->hour * 3600 + t->min * 60 +
	       t->sec;
}

int64_t mxtls_cert_not_before(const mxtls_cert *c)
{
	return c ? epoch(&c->crt->valid_from) : 0;
}

int64_t mxtls_cert_not_after(const mxtls_cert *c)
{
	return c ? epoch(&c->crt->valid_to) : 0;
}

const uint8_t *mxtls_cert_sha256(const mxtls_cert *c)
{
	return c ? c->sha256 : NULL;
}

int mxtls_cert_is_ca(const mxtls_cert *c)
{
	return c && c->crt->ca_istrue ? 1 : 0;
}
