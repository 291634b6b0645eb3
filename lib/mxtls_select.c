/*
 * Which identity a request presents: pins (host names and logical
 * identifiers) per identity, matched by identifier first, then by host
 * (exact before wildcard), else the default identity.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mxtls_ctx_int.h"

/* A pin is one word: no scheme, no port, no spaces; "*." only as a prefix. */
static int pin_check(const char *pin, mxtls_error *err)
{
	const char *p;

	if (pin == NULL || pin[0] == '\0')
		return mx_err(err, MXTLS_ERR_USAGE, "empty pin");
	if (strstr(pin, "://"))
		return mx_err(err, MXTLS_ERR_USAGE, "pin \"%s\": a host name, without scheme", pin);
	for (p = pin; *p; p++) {
		if (isspace((unsigned char)*p) || *p == '/')
			return mx_err(err, MXTLS_ERR_USAGE,
				      "pin \"%s\": one host name or identifier, without spaces or paths",
				      pin);
		if (*p == '*' && (p != pin || p[1] != '.' || p[2] == '\0'))
			return mx_err(err, MXTLS_ERR_USAGE,
				      "pin \"%s\": a wildcard is only allowed as \"*.domain\"", pin);
	}
	p = strrchr(pin, ':');
	if (p && p[1] != '\0' && strspn(p + 1, "0123456789") == strlen(p + 1) && !strchr(pin, ']') &&
	    strchr(pin, ':') == p)
		return mx_err(err, MXTLS_ERR_USAGE, "pin \"%s\": a host name, without port", pin);
	return 0;
}

int mx_pins_add(struct mx_pins *p, const char *const *pins, size_t n, mxtls_error *err)
{
	char **v;
	size_t i, len;

	for (i = 0; i < n; i++)
		if (pin_check(pins[i], err) != 0)
			return -1;
	v = realloc(p->v, (p->n + n + 1) * sizeof(*v));
	if (v == NULL)
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	p->v = v;
	for (i = 0; i < n; i++) {
		len = strlen(pins[i]);
		/* "api.example.com." and "api.example.com" are the same host. */
		while (len > 1 && pins[i][len - 1] == '.')
			len--;
		v[p->n] = strndup(pins[i], len);
		if (v[p->n] == NULL)
			return mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
		p->n++;
	}
	return 0;
}

int mx_pins_copy(struct mx_pins *dst, const struct mx_pins *src)
{
	return mx_pins_add(dst, (const char *const *)src->v, src->n, NULL) == 0 ? 0 : -1;
}

void mx_pins_free(struct mx_pins *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

/* Host names compare without case and without a trailing dot. */
static int host_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && strncasecmp(a, b, alen) == 0;
}

enum match { NONE = 0, WILDCARD = 1, EXACT = 2 };

static enum match host_match(const char *pin, const char *host, size_t hlen)
{
	const char *dot;

	if (host_eq(pin, strlen(pin), host, hlen))
		return EXACT;
	/* "*.example.com" matches "a.example.com": exactly one more label. */
	if (pin[0] == '*' && pin[1] == '.') {
		dot = memchr(host, '.', hlen);
		if (dot != NULL && dot != host &&
		    host_eq(pin + 2, strlen(pin + 2), dot + 1, hlen - (size_t)(dot + 1 - host)))
			return WILDCARD;
	}
	return NONE;
}

static int pins_have_id(const struct mx_pins *p, const char *identifier)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i], identifier) == 0)
			return 1;
	return 0;
}

static enum match pins_host(const struct mx_pins *p, const char *host, size_t hlen)
{
	enum match best = NONE, m;
	size_t i;

	for (i = 0; i < p->n; i++) {
		m = host_match(p->v[i], host, hlen);
		if (m > best)
			best = m;
	}
	return best;
}

size_t mxtls_ctx_select(const mxtls_ctx *ctx, const char *identifier, const char *host)
{
	size_t i, hlen;
	int kind;

	if (ctx == NULL)
		return MXTLS_NO_IDENTITY;
	if (identifier != NULL && identifier[0] != '\0') {
		for (i = 0; i < ctx->nids; i++)
			if (pins_have_id(&ctx->ids[i].pins, identifier))
				return i;
		if (pins_have_id(&ctx->none_pins, identifier))
			return MXTLS_NO_IDENTITY;
	}
	if (host != NULL && host[0] != '\0') {
		hlen = strlen(host);
		while (hlen > 1 && host[hlen - 1] == '.')
			hlen--;
		for (kind = EXACT; kind >= WILDCARD; kind--) {
			for (i = 0; i < ctx->nids; i++)
				if ((int)pins_host(&ctx->ids[i].pins, host, hlen) == kind)
					return i;
			if ((int)pins_host(&ctx->none_pins, host, hlen) == kind)
				return MXTLS_NO_IDENTITY;
		}
	}
	return ctx->default_id;
}

void mx_select_prepare(mxtls_ctx *ctx)
{
	size_t i, j, k, defaults = 0;
	char name[256];

	ctx->default_id = MXTLS_NO_IDENTITY;
	for (i = 0; i < ctx->nids; i++) {
		if (ctx->ids[i].pins.n > 0)
			continue;
		if (defaults++ == 0)
			ctx->default_id = i;
	}
	if (defaults > 1) {
		mx_crt_name(&ctx->ids[ctx->default_id].chain, name, sizeof(name));
		mx_warnings_add(&ctx->warnings, MXTLS_WARN_AMBIGUOUS,
				"%zu identities have no pins; the first one (%zu, \"%s\") is the default",
				defaults, ctx->default_id, name);
	}
	/* A pin claimed twice: the first identity keeps it. */
	for (i = 0; i < ctx->nids; i++)
		for (k = 0; k < ctx->ids[i].pins.n; k++)
			for (j = i + 1; j < ctx->nids; j++)
				if (pins_have_id(&ctx->ids[j].pins, ctx->ids[i].pins.v[k]))
					mx_warnings_add(&ctx->warnings, MXTLS_WARN_AMBIGUOUS,
							"pin \"%s\" is claimed by identities %zu and %zu; "
							"%zu wins",
							ctx->ids[i].pins.v[k], i, j, i);
}

size_t mxtls_ctx_identity_pin_count(const mxtls_ctx *ctx, size_t i)
{
	return ctx && i < ctx->nids ? ctx->ids[i].pins.n : 0;
}

const char *mxtls_ctx_identity_pin(const mxtls_ctx *ctx, size_t i, size_t k)
{
	return ctx && i < ctx->nids && k < ctx->ids[i].pins.n ? ctx->ids[i].pins.v[k] : NULL;
}

size_t mxtls_ctx_warning_count(const mxtls_ctx *ctx)
{
	return ctx ? ctx->warnings.n : 0;
}

const char *mxtls_ctx_warning(const mxtls_ctx *ctx, size_t i)
{
	return ctx ? mx_warnings_text(&ctx->warnings, i) : NULL;
}
