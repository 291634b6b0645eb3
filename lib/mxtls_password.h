/* The encodings of one password that PKCS#12 producers feed their KDFs. */
#ifndef MXTLS_PASSWORD_H
#define MXTLS_PASSWORD_H

#include <stddef.h>
#include <stdint.h>

/*
 * RFC 7292 B.1 feeds the PKCS#12 KDF a BMPString (UTF-16BE plus 00 00);
 * PBKDF2 (PBES2, PBMAC1) gets the UTF-8 bytes, as OpenSSL does. Known
 * exporter bugs fed PBKDF2 the BMPString (NSS 3.21) or ISO-8859-1 (JSafe).
 * All encodings are made once per load and wiped by mx_password_free().
 */
struct mx_bytes {
	uint8_t *p;
	size_t len;
	int valid; /* 0: this encoding does not exist for the password */
};

struct mx_password {
	int absent;             /* NULL password */
	int empty;              /* NULL or "" */
	struct mx_bytes utf8;   /* raw bytes as given */
	struct mx_bytes bmp;    /* UTF-16BE + 00 00 ("00 00" for empty) */
	struct mx_bytes latin1; /* only when every code point <= U+00FF and one is > U+007F */
};

/* Returns 0, -1 on bad length (over MXTLS_MAX_PASSWORD_BYTES), -2 out of memory. */
int mx_password_init(struct mx_password *pw, const char *password);
void mx_password_free(struct mx_password *pw);

/* BMPString (UTF-16BE, no terminator) to NUL-terminated UTF-8; malloc'd, NULL on error. */
char *mx_bmp_to_utf8(const uint8_t *bmp, size_t len);

#endif
