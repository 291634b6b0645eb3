/* A list of warnings (kind + text) that a loaded object carries for its user. */
#ifndef MXTLS_WARN_H
#define MXTLS_WARN_H

#include <stdarg.h>
#include <stddef.h>

#include "mxtls_error.h"

struct mx_warning {
	int kind;
	char *text;
};

struct mx_warnings {
	struct mx_warning *v;
	size_t n;
};

/* Append unless the same kind and text is there already; a lost warning (no memory) is dropped. */
void mx_warnings_add(struct mx_warnings *w, int kind, const char *fmt, ...) MX_PRINTF(3, 4);
void mx_warnings_addv(struct mx_warnings *w, int kind, const char *fmt, va_list ap)
	MX_PRINTF(3, 0);
void mx_warnings_free(struct mx_warnings *w);
/* Getter halves for the public *_warning_kind / *_warning functions: 0 / NULL out of range. */
int mx_warnings_kind(const struct mx_warnings *w, size_t i);
const char *mx_warnings_text(const struct mx_warnings *w, size_t i);

#endif
