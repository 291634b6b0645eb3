/*
 * Which identity a request presents: pins (host names and logical
 * identifiers) per identity, matched by identifier first, then by host
 * (exact before wildcard), else the default identity.
 *
 * A context indexes every pin twice, sorted: as given (identifiers match
 * exactly) and in canonical host form (mxtls_host.h). Building the index is
 * O(n log n) and each selection O(log n), whatever the number of pins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtls_ctx_int.h"
#include "mxtls_host.h"
#include "mxtls_text.h"

#define HOST_MAX (MXTLS_MAX_PIN_BYTES + 1)
#define AMBIGUOUS_WARNINGS_MAX 16 /* then one line that counts the rest */

/* A valid "*.domain": one leading wildcard label, then non-empty labels. */
static int wildcard_ok(const char *pin)
{
	const char *p = pin + 2;

	if (pin[0] != '*' || pin[1] != '.' || *p == '\0' || *p == '.' || strchr(p, '*'))
		return 0;
	for (; *p; p++)
		if (p[0] == '.' && p[1] == '.')
			return 0;
	return 1;
}

/* A pin is one word: no scheme, no port, no path, no spaces; "*." only as a prefix. */
static int pin_check(const char *pin, char *canon, mxtls_error *err)
{
	size_t len = pin ? strlen(pin) : 0;
	const char *colon;

	if (len == 0)
		return mx_err(err, MXTLS_ERR_USAGE, "empty pin");
	if (len > MXTLS_MAX_PIN_BYTES)
		return mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED, "pin \"%.40s...\": longer than %d bytes",
			      pin, MXTLS_MAX_PIN_BYTES);
	if (!mx_text_is_clean(pin, len))
		return mx_err(err, MXTLS_ERR_USAGE,
			      "pin \"%s\": control characters or invalid UTF-8 are not allowed", pin);
	if (strstr(pin, "://"))
		return mx_err(err, MXTLS_ERR_USAGE, "pin \"%s\": a host name, without scheme", pin);
	if (strpbrk(pin, " /"))
		return mx_err(err, MXTLS_ERR_USAGE,
			      "pin \"%s\": one host name or identifier, without spaces or paths", pin);
	if (strchr(pin, '*') && !wildcard_ok(pin))
		return mx_err(err, MXTLS_ERR_USAGE,
			      "pin \"%s\": a wildcard is only allowed as \"*.domain\"", pin);
	/* "[::1]:443" and "host:443"; a bare IPv6 literal has several colons and no port. */
	colon = strrchr(pin, ':');
	if (colon && colon[1] != '\0' && strspn(colon + 1, "0123456789") == strlen(colon + 1) &&
	    (pin[0] == '[' ? colon > pin && colon[-1] == ']' : strchr(pin, ':') == colon))
		return mx_err(err, MXTLS_ERR_USAGE, "pin \"%s\": a host name, without port", pin);
	if (mx_host_canon(pin, len, canon, HOST_MAX) < 0)
		return mx_err(err, MXTLS_ERR_USAGE, "pin \"%s\": not a host name or identifier%s", pin,
			      pin[0] == '[' ? " (brackets hold an IPv6 address)" : "");
	return 0;
}

static char *dup_trimmed(const char *s)
{
	size_t len = strlen(s);

	while (len > 1 && s[len - 1] == '.')
		len--;
	return strndup(s, len);
}

int mx_pins_add(struct mx_pins *p, const char *const *pins, size_t n, size_t *total,
		mxtls_error *err)
{
	char canon[HOST_MAX], **v, **h;
	size_t i, k;

	if (n > MXTLS_MAX_PINS || (total != NULL && *total + n > MXTLS_MAX_PINS))
		return mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED, "more than %d pins in one configuration",
			      MXTLS_MAX_PINS);
	v = realloc(p->v, (p->n + n + 1) * sizeof(*v));
	if (v == NULL)
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	p->v = v;
	h = realloc(p->host, (p->n + n + 1) * sizeof(*h));
	if (h == NULL)
		return mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
	p->host = h;
	/* All or nothing: a bad pin leaves the list as it was. */
	for (i = 0; i < n; i++) {
		if (pin_check(pins[i], canon, err) != 0)
			break;
		v[p->n + i] = dup_trimmed(pins[i]);
		h[p->n + i] = strdup(canon);
		if (v[p->n + i] == NULL || h[p->n + i] == NULL) {
			free(v[p->n + i]);
			free(h[p->n + i]);
			mx_err(err, MXTLS_ERR_NOMEM, "out of memory");
			break;
		}
	}
	if (i < n) {
		for (k = 0; k < i; k++) {
			free(v[p->n + k]);
			free(h[p->n + k]);
		}
		return -1;
	}
	p->n += n;
	if (total != NULL)
		*total += n;
	return 0;
}

/* Pins already checked: copied as they are. */
int mx_pins_copy(struct mx_pins *dst, const struct mx_pins *src)
{
	size_t i;

	dst->v = calloc(src->n + 1, sizeof(*dst->v));
	dst->host = calloc(src->n + 1, sizeof(*dst->host));
	if (dst->v == NULL || dst->host == NULL)
		return -1;
	for (i = 0; i < src->n; i++) {
		dst->v[i] = strdup(src->v[i]);
		dst->host[i] = strdup(src->host[i]);
		dst->n = i + 1;
		if (dst->v[i] == NULL || dst->host[i] == NULL)
			return -1;
	}
	return 0;
}

void mx_pins_free(struct mx_pins *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i]);
		free(p->host[i]);
	}
	free(p->v);
	free(p->host);
	p->v = p->host = NULL;
	p->n = 0;
}

/* ---- the index ---- */

static int ref_cmp(const void *a, const void *b)
{
	const struct mx_pin_ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->rank > y->rank) - (x->rank < y->rank);
}

/* The first entry for key (the lowest rank wins), or NULL. */
static const struct mx_pin_ref *find(const struct mx_pin_ref *v, size_t n, const char *key)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(v[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(v[lo].key, key) == 0 ? &v[lo] : NULL;
}

static size_t owner(size_t rank)
{
	return rank == 0 ? MXTLS_NO_IDENTITY : rank - 1;
}

static void owner_name(size_t rank, char *out, size_t size)
{
	if (rank == 0)
		snprintf(out, size, "a \"no certificate\" entry");
	else
		snprintf(out, size, "identity %zu", rank - 1);
}

/* Pins claimed by more than one owner: the lowest rank wins, and the user is told. */
static void warn_claims(mxtls_ctx *ctx)
{
	const struct mx_pin_ref *v = ctx->by_host;
	size_t i, j, warned = 0, more = 0;
	char a[48], b[48];

	for (i = 0; i < ctx->npin_refs; i = j) {
		for (j = i + 1; j < ctx->npin_refs && strcmp(v[j].key, v[i].key) == 0; j++)
			;
		/* Sorted by rank within a key: the last one differs from the first if any does. */
		if (v[j - 1].rank == v[i].rank)
			continue;
		if (warned++ >= AMBIGUOUS_WARNINGS_MAX) {
			more++;
			continue;
		}
		owner_name(v[i].rank, a, sizeof(a));
		owner_name(v[j - 1].rank, b, sizeof(b));
		mx_warnings_add(&ctx->warnings, MXTLS_WARN_AMBIGUOUS,
				"pin \"%s\" is claimed by %s and %s; %s wins%s", v[i].key, a, b, a,
				v[i].rank == 0 ? ": no client certificate is presented there" : "");
	}
	if (more > 0)
		mx_warnings_add(&ctx->warnings, MXTLS_WARN_AMBIGUOUS,
				"%zu more pins are claimed more than once", more);
}

static size_t add_refs(struct mx_pin_ref *by_id, struct mx_pin_ref *by_host, size_t at,
		       const struct mx_pins *p, size_t rank)
{
	size_t k;

	for (k = 0; k < p->n; k++, at++) {
		by_id[at] = (struct mx_pin_ref){p->v[k], rank};
		by_host[at] = (struct mx_pin_ref){p->host[k], rank};
	}
	return at;
}

int mx_select_prepare(mxtls_ctx *ctx)
{
	size_t i, n = ctx->none_pins.n, at, defaults = 0;
	char name[256];

	ctx->default_id = MXTLS_NO_IDENTITY;
	for (i = 0; i < ctx->nids; i++) {
		n += ctx->ids[i].pins.n;
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
	ctx->by_id = calloc(n + 1, sizeof(*ctx->by_id));
	ctx->by_host = calloc(n + 1, sizeof(*ctx->by_host));
	if (ctx->by_id == NULL || ctx->by_host == NULL)
		return -1;
	at = add_refs(ctx->by_id, ctx->by_host, 0, &ctx->none_pins, 0);
	for (i = 0; i < ctx->nids; i++)
		at = add_refs(ctx->by_id, ctx->by_host, at, &ctx->ids[i].pins, i + 1);
	ctx->npin_refs = at;
	qsort(ctx->by_id, at, sizeof(*ctx->by_id), ref_cmp);
	qsort(ctx->by_host, at, sizeof(*ctx->by_host), ref_cmp);
	warn_claims(ctx);
	return 0;
}

void mx_select_free(mxtls_ctx *ctx)
{
	free(ctx->by_id);
	free(ctx->by_host);
	ctx->by_id = ctx->by_host = NULL;
	ctx->npin_refs = 0;
}

size_t mxtls_ctx_select(const mxtls_ctx *ctx, const char *identifier, const char *host)
{
	const struct mx_pin_ref *r;
	char canon[HOST_MAX + 2], *dot;

	if (ctx == NULL)
		return MXTLS_NO_IDENTITY;
	if (identifier != NULL && identifier[0] != '\0' &&
	    (r = find(ctx->by_id, ctx->npin_refs, identifier)) != NULL)
		return owner(r->rank);
	/* A host that cannot be a pin (too long, malformed literal) matches none. */
	if (host != NULL && mx_host_canon(host, strlen(host), canon + 2, HOST_MAX) >= 0) {
		if ((r = find(ctx->by_host, ctx->npin_refs, canon + 2)) != NULL)
			return owner(r->rank);
		/* "*.example.com" matches "a.example.com": exactly one more label. */
		dot = strchr(canon + 2, '.');
		if (dot != NULL && dot != canon + 2 && !mx_host_is_ip(canon + 2)) {
			dot[-1] = '*'; /* "a.example.com" -> "*.example.com", from dot - 1 */
			if ((r = find(ctx->by_host, ctx->npin_refs, dot - 1)) != NULL)
				return owner(r->rank);
		}
	}
	return ctx->default_id;
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

/* Identity i of ctx for messages: its leaf's subject, or "no identity". */
static void identity_name(const mxtls_ctx *ctx, size_t i, char *out, size_t size)
{
	const mxtls_cert *leaf = mxtls_ctx_identity_leaf(ctx, i);

	if (leaf == NULL || mxtls_cert_subject(leaf, out, size) < 0)
		snprintf(out, size, "%s", leaf == NULL ? "no identity" : "an identity");
}

int mxtls_ctx_check_host(const mxtls_ctx *ctx, size_t identity, const char *identifier,
			 const char *host, mxtls_error *err)
{
	char have_name[128], want_name[128];
	size_t want;

	mx_err_clear(err);
	if (ctx == NULL || host == NULL) {
		mx_err(err, MXTLS_ERR_USAGE, "no context or no host to check");
		return -1;
	}
	if (identity != MXTLS_NO_IDENTITY && identity >= ctx->nids) {
		mx_err(err, MXTLS_ERR_USAGE, "identity %zu is out of range (the context has %zu)",
		       identity, ctx->nids);
		return -1;
	}
	want = mxtls_ctx_select(ctx, identifier, host);
	if (want == identity)
		return 0;
	identity_name(ctx, want, want_name, sizeof(want_name));
	if (identity == MXTLS_NO_IDENTITY) {
		mx_err(err, MXTLS_ERR_NOT_PINNED,
		       "refused to connect to %s without a client certificate: that host selects %s",
		       host, want_name);
		return -1;
	}
	identity_name(ctx, identity, have_name, sizeof(have_name));
	mx_err(err, MXTLS_ERR_NOT_PINNED, "refused to present %s to %s: that host selects %s",
	       have_name, host, want_name);
	return -1;
}
