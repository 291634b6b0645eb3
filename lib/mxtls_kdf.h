/* Password-based key derivation for PKCS#12: PBKDF2, the RFC 7292 B.2 KDF, and HMAC. */
#ifndef MXTLS_KDF_H
#define MXTLS_KDF_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/md.h>

/*
 * PBKDF2 (RFC 8018) with HMAC-<md>; md is one of MBEDTLS_MD_SHA1, SHA224, SHA256, SHA384, SHA512.
 * Returns 0, or -1 on an unsupported md / bad argument. pw may be NULL when pwlen==0.
 * iterations >= 1. outlen >= 1.
 */
int mx_pbkdf2_hmac(mbedtls_md_type_t md, const uint8_t *pw, size_t pwlen, const uint8_t *salt,
                   size_t saltlen, uint32_t iterations, uint8_t *out, size_t outlen);

/*
 * RFC 7292 appendix B.2 key derivation. id = 1 (key), 2 (IV), 3 (MAC key). pw is the already
 * encoded password (BMPString incl. the 2 trailing zero bytes, or empty: pwlen 0 means "no
 * password", i.e. P is empty, per B.2). Any pwlen is supported (no 64-byte cap like
 * mbedtls_pkcs12_derivation). Same md set. Returns 0 or -1.
 */
int mx_pkcs12_kdf(mbedtls_md_type_t md, uint8_t id, const uint8_t *pw, size_t pwlen,
                  const uint8_t *salt, size_t saltlen, uint32_t iterations, uint8_t *out,
                  size_t outlen);

/* HMAC helper used for the PKCS#12 MAC: one-shot HMAC-<md>. out gets the md size. */
int mx_hmac(mbedtls_md_type_t md, const uint8_t *key, size_t keylen, const uint8_t *msg,
            size_t msglen, uint8_t *out);

/*
 * TEST ONLY: on != 0 makes the PBKDF2 / PKCS#12 KDF iteration loops use mbedTLS's portable
 * compression even where the x86 SHA-NI one (mxtls_sha_x86.h) is available; 0 restores the
 * default run-time choice. Exists so tests can compare both paths on one machine; the library
 * never calls it. Process-wide, atomic (no data race), read once at the start of each KDF call.
 */
void mx_kdf_force_portable(int on);

#endif
