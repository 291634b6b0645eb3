/* Small helpers shared by every part of the library: wiping secrets. */
#ifndef MXTLS_UTIL_H
#define MXTLS_UTIL_H

#include <stddef.h>
#include <stdlib.h>

#include <mbedtls/platform_util.h>

/* Wipe memory that held a secret; the compiler may not elide it. */
static inline void mx_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		mbedtls_platform_zeroize(p, n);
}

/* Wipe then free (libtls's freezero). NULL-safe. */
static inline void mx_freezero(void *p, size_t n)
{
	if (p == NULL)
		return;
	mbedtls_platform_zeroize(p, n);
	free(p);
}

#endif
