/* Internal error reporting: set a code and a context message once, at the innermost site. */
#ifndef MXTLS_ERROR_H
#define MXTLS_ERROR_H

#include <stdarg.h>

#include "mxtls/mxtls.h"

#if defined(__GNUC__)
#define MX_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MX_PRINTF(f, a)
#endif

/*
 * Record an error unless one is already recorded (the innermost site knows
 * the most, as libtls's tls_set_errorx keeps the first). Returns -code so
 * callers can write `return mx_err(err, ...)`. err may be NULL.
 */
int mx_err(mxtls_error *err, int code, const char *fmt, ...) MX_PRINTF(3, 4);
/* Like mx_err but replaces what is there: for a caller that re-classifies. */
int mx_err_replace(mxtls_error *err, int code, const char *fmt, ...) MX_PRINTF(3, 4);
/* Prefix the current message with context ("file.p12: "), keeping the code. */
void mx_err_prefix(mxtls_error *err, const char *fmt, ...) MX_PRINTF(2, 3);
void mx_err_clear(mxtls_error *err);

#endif
