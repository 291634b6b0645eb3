/* RC4 (ARC4) stream cipher, kept only to decrypt legacy PKCS#12 files. */
#ifndef MXTLS_RC4_H
#define MXTLS_RC4_H

#include <stddef.h>
#include <stdint.h>

typedef struct mx_rc4 {
	uint8_t s[256];
	uint8_t i, j;
} mx_rc4;

/*
 * keylen 1..256. The key schedule never reads past byte 256, so a longer key acts as
 * its first 256 bytes; a NULL or empty key acts as the one-byte key {0x00} so the
 * state is never left as a keystream-free identity.
 */
void mx_rc4_setkey(mx_rc4 *ctx, const uint8_t *key, size_t keylen);

/* XOR len bytes with the keystream; in==out allowed (otherwise no overlap). */
void mx_rc4_crypt(mx_rc4 *ctx, const uint8_t *in, uint8_t *out, size_t len);

/* Wipes the state. NULL-safe. */
void mx_rc4_free(mx_rc4 *ctx);

#endif
