/* Warning lists shared by containers, trust bundles and contexts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtls_text.h"
#include "mxtls_warn.h"

void mx_warnings_addv(struct mx_warnings *w, int kind, const char *fmt, va_list ap)
{
	struct mx_warning *v;
	char buf[320];
	size_t i;
	int n;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	mx_text_clean(buf, sizeof(buf), n >= (int)sizeof(buf));
	for (i = 0; i < w->n; i++)
		if (w->v[i].kind == kind && strcmp(w->v[i].text, buf) == 0)
			return;
	v = realloc(w->v, (w->n + 1) * sizeof(*v));
	if (v == NULL)
		return;
	w->v = v;
	v[w->n].kind = kind;
	v[w->n].text = strdup(buf);
	if (v[w->n].text != NULL)
		w->n++;
}

void mx_warnings_add(struct mx_warnings *w, int kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mx_warnings_addv(w, kind, fmt, ap);
	va_end(ap);
}

int mx_warnings_kind(const struct mx_warnings *w, size_t i)
{
	return i < w->n ? w->v[i].kind : 0;
}

const char *mx_warnings_text(const struct mx_warnings *w, size_t i)
{
	return i < w->n ? w->v[i].text : NULL;
}

void mx_warnings_free(struct mx_warnings *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->v[i].text);
	free(w->v);
	w->v = NULL;
	w->n = 0;
}
