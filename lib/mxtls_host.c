/* Canonical host names for pins and selection (see mxtls_host.h). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "mxtls_host.h"

/*
 * A name with non-ASCII letters, as curl connects to it: libidn2's lookup
 * (IDNA 2008 with UTS #46 mapping, which also folds case), non-transitional
 * first and transitional if that fails, as curl does. A name that is no
 * valid IDN is kept, lower-cased where ASCII: it matches only itself.
 */
static int idn_to_ascii(const char *host, size_t len, char *out, size_t size)
{
	char *in = strndup(host, len), *ascii = NULL;
	size_t i;
	int rc;

	if (in == NULL)
		return -1;
	rc = idn2_lookup_u8((const uint8_t *)in, (uint8_t **)&ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK)
		rc = idn2_lookup_u8((const uint8_t *)in, (uint8_t **)&ascii, IDN2_TRANSITIONAL);
	free(in);
	if (rc == IDN2_OK && strlen(ascii) < size) {
		memcpy(out, ascii, strlen(ascii) + 1);
		idn2_free(ascii);
		return 0;
	}
	idn2_free(ascii);
	for (i = 0; i < len; i++)
		out[i] = host[i] >= 'A' && host[i] <= 'Z' ? (char)(host[i] - 'A' + 'a') : host[i];
	out[len] = '\0';
	return 1;
}

int mx_host_canon(const char *host, size_t len, char *out, size_t size)
{
	unsigned char addr[16];
	char lit[64];
	size_t i;

	if (host == NULL || size == 0)
		return -1;
	/* "[::1]" is how URLs write ::1. */
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		if (len - 2 >= sizeof(lit))
			return -1;
		memcpy(lit, host + 1, len - 2);
		lit[len - 2] = '\0';
		if (inet_pton(AF_INET6, lit, addr) != 1 || inet_ntop(AF_INET6, addr, out, size) == NULL)
			return -1;
		return 0;
	}
	if (memchr(host, ':', len) != NULL && len < sizeof(lit)) {
		memcpy(lit, host, len);
		lit[len] = '\0';
		if (inet_pton(AF_INET6, lit, addr) == 1)
			return inet_ntop(AF_INET6, addr, out, size) ? 0 : -1;
	}
	/* "api.example.com." and "api.example.com" are the same host. */
	while (len > 1 && host[len - 1] == '.')
		len--;
	if (len == 0 || len >= size)
		return -1;
	for (i = 0; i < len && (unsigned char)host[i] < 0x80; i++)
		;
	if (i < len)
		return idn_to_ascii(host, len, out, size);
	for (i = 0; i < len; i++)
		out[i] = host[i] >= 'A' && host[i] <= 'Z' ? (char)(host[i] - 'A' + 'a') : host[i];
	out[len] = '\0';
	return 0;
}

int mx_host_is_ip(const char *canon)
{
	unsigned char addr[16];

	return inet_pton(AF_INET, canon, addr) == 1 || inet_pton(AF_INET6, canon, addr) == 1;
}
