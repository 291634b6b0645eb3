/* RC2 block cipher (RFC 2268), kept only to decrypt legacy PKCS#12 files. */
#ifndef MXTLS_RC2_H
#define MXTLS_RC2_H

#include <stddef.h>
#include <stdint.h>

typedef struct mx_rc2 {
	uint16_t k[64];
} mx_rc2;

/* keylen 1..128 bytes, effective_bits 1..1024; returns 0 or -1 on bad args */
int mx_rc2_setkey(mx_rc2 *ctx, const uint8_t *key, size_t keylen, unsigned effective_bits);

/* One 8-byte block; in and out may be the same buffer. */
void mx_rc2_encrypt_block(const mx_rc2 *ctx, const uint8_t in[8], uint8_t out[8]);
void mx_rc2_decrypt_block(const mx_rc2 *ctx, const uint8_t in[8], uint8_t out[8]);

/*
 * CBC decrypt len bytes (len multiple of 8, else -1); iv is updated; in==out allowed
 * (otherwise the buffers must not overlap). Does not strip padding.
 */
int mx_rc2_cbc_decrypt(const mx_rc2 *ctx, uint8_t iv[8], const uint8_t *in, size_t len,
                       uint8_t *out);

/* Wipes the key schedule. NULL-safe. */
void mx_rc2_free(mx_rc2 *ctx);

#endif
