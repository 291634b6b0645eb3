/* Read-only views of one X.509 certificate. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS /* ca_istrue has no accessor in mbedTLS 3.6 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int dn(const mbedtls_x509_name *name, char *buf, size_t size)
{
	static const char unprintable[] = "(unprintable name)";
	char *big;
	int n;

	if (buf == NULL || size == 0)
		return -1;
	n = mbedtls_x509_dn_gets(buf, size, name);
	if (n >= 0)
		return n;
	buf[0] = '\0';
	/* mbedTLS also fails on names it will not print at any size: tell the two apart. */
	big = malloc(65536);
	if (big == NULL)
		return -1;
	n = mbedtls_x509_dn_gets(big, 65536, name);
	free(big);
	if (n >= 0 || size < sizeof(unprintable))
		return -1; /* too small: the caller can retry */
	memcpy(buf, unprintable, sizeof(unprintable));
	return (int)sizeof(unprintable) - 1;
}

void mx_crt_name(const mbedtls_x509_crt *crt, char *buf, size_t size)
{
	if (mbedtls_x509_dn_gets(buf, size, &crt->subject) < 0)
		snprintf(buf, size, "(unprintable name)");
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
