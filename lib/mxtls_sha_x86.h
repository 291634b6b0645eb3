/* SHA-1 and SHA-256 compression with the x86 SHA extensions (SHA-NI), picked at run time. */
#ifndef MXTLS_SHA_X86_H
#define MXTLS_SHA_X86_H

#include <stdint.h>

/*
 * MX_HAVE_SHA_X86 is 1 where this code can be built at all (x86-64 with a GCC-compatible
 * compiler, which understands per-function target attributes); the CPU still has to be asked
 * with mx_sha_x86_available() before either compression function may be called. Elsewhere it
 * is 0, the compression functions do not exist and mx_sha_x86_available() returns 0.
 */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MX_HAVE_SHA_X86 1
#else
#define MX_HAVE_SHA_X86 0
#endif

/*
 * 1 if this CPU has the SHA extensions plus SSSE3 and SSE4.1 (CPUID leaf 7 EBX bit 29, leaf 1
 * ECX bits 9 and 19), else 0. Thread-safe; the CPUID result is cached after the first call.
 */
int mx_sha_x86_available(void);

#if MX_HAVE_SHA_X86
/*
 * One SHA-256 (or SHA-224: same compression) compression of exactly one 64-byte block into
 * state, whose words are laid out as mbedtls_sha256_context's state: state[0] = a ... state[7]
 * = h. No padding, no length bookkeeping. Only call when mx_sha_x86_available() returned 1.
 */
void mx_sha256_x86_compress(uint32_t state[8], const uint8_t block[64]);

/* The same for SHA-1: state[0] = a ... state[4] = e, as in mbedtls_sha1_context. */
void mx_sha1_x86_compress(uint32_t state[5], const uint8_t block[64]);
#endif

#endif
