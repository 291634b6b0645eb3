/*
 * libFuzzer target: pins and per-request selection (mxtls_config_add_identity_pinned,
 * mxtls_config_add_no_identity, mxtls_ctx_new, mxtls_ctx_select and the pin getters).
 *
 * Input: lines of words separated by single spaces (seeds/select/ has examples):
 *
 *   id PIN...         an identity (the fixed one of fuzz_fixture.h) with these pins;
 *                     without pins it is a default identity
 *   none PIN...       hosts and identifiers that get no client certificate
 *   ? IDENT HOST      one more query; "-" stands for NULL
 *
 * Pins go to the library as they are; the ones it refuses leave the
 * configuration unchanged. Then every pin is queried as identifier and as
 * host, besides the queries of the input. Invariants:
 *   - every answer is an identity of the context or MXTLS_NO_IDENTITY, and the
 *     same arguments give the same answer twice;
 *   - the pin getters list the pins given, in order, less trailing dots;
 *   - a host equal to a pin of identity i that no other pin can equal selects
 *     i; the same for a pin as identifier, for a host under a wildcard pin,
 *     and for "no certificate" pins (MXTLS_NO_IDENTITY);
 *   - a pin of identity i never selects an identity after i;
 *   - a request that matches no pin gets the first unpinned identity, or none;
 *   - a configuration the library took builds a context.
 * "Can equal" is judged loosely (case, trailing dots, brackets; any two IPv6
 * literals count as equal, and a non-ASCII name as equal to any): where in
 * doubt nothing is checked, so that the library's host canonicalisation
 * (lib/mxtls_host.c) is not duplicated here.
 */
#define FUZZ_NAME "fuzz_select"
#include <strings.h>

#include "fuzz_fixture.h"
#include "fuzz_util.h"

#define MAX_IDS 16
#define MAX_NONE 16
#define MAX_PINS 32 /* per line */
#define MAX_QUERIES 64
#define NONE_LISTS MAX_IDS    /* claimed_elsewhere(): skip the "none" lists, not an identity */
#define NO_PIN "no pin"       /* no pin has a space: matches nothing as identifier */
#define NO_HOST "no/match"    /* no '/' in pins, no dot for a wildcard: matches no host */
#define LABEL "zz-fuzz-label" /* the label put before a wildcard pin's domain */
#define HOST_MAX 253          /* a DNS name's limit: longer made-up hosts are not checked */

static mxtls_pkcs12 *p12;
static mxtls_trust *trust;

struct owner {
	const char *pins[MAX_PINS];
	size_t n;
};

struct world {
	struct owner ids[MAX_IDS], none[MAX_NONE];
	size_t nids, nnone, default_id;
	const char *queries[MAX_QUERIES][2];
	size_t nqueries;
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	mxtls_error err;

	(void)argc, (void)argv;
	p12 =
	    mxtls_pkcs12_load_mem(fixture_p12, sizeof(fixture_p12), FIXTURE_P12_PASSWORD, 0, &err);
	trust = mxtls_trust_load_mem(fixture_ca_pem, strlen(fixture_ca_pem), &err);
	if (p12 == NULL || trust == NULL) {
		fprintf(stderr, FUZZ_NAME ": the fixture does not load: %s\n", err.message);
		abort();
	}
	return 0;
}

/* Split s (NUL-terminated, modified) at single spaces. */
static size_t words(char *s, const char **w, size_t max)
{
	size_t n = 0;
	char *sp;

	while (n < max) {
		w[n++] = s;
		if ((sp = strchr(s, ' ')) == NULL)
			break;
		*sp = '\0';
		s = sp + 1;
	}
	return n;
}

/* The host part the loose comparison looks at: no brackets, no trailing dots. */
static size_t core(const char *s, const char **start)
{
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']')
		s++, n -= 2;
	while (n > 1 && s[n - 1] == '.')
		n--;
	*start = s;
	return n;
}

static int high(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/*
 * Could the library take a and b for one host? (Errs towards yes.) IPv6 literals
 * have many spellings, and a non-ASCII name may map to any ASCII one (IDNA:
 * punycode, case folding, "ß" to "ss", fullwidth letters...).
 */
static int maybe_same(const char *a, const char *b)
{
	const char *x, *y;
	size_t n = core(a, &x), m = core(b, &y);

	if ((strchr(a, ':') && strchr(b, ':')) || high(a) || high(b))
		return 1;
	return n == m && strncasecmp(x, y, n) == 0;
}

/* Does a pin of anyone but identity skip (or but the "none" lists) maybe equal s? */
static int claimed_elsewhere(const struct world *w, size_t skip, const char *s,
                             int (*same)(const char *, const char *))
{
	size_t i, k;

	for (i = 0; i < w->nids; i++)
		for (k = 0; i != skip && k < w->ids[i].n; k++)
			if (same(w->ids[i].pins[k], s))
				return 1;
	for (i = 0; i < w->nnone; i++)
		for (k = 0; skip != NONE_LISTS && k < w->none[i].n; k++)
			if (same(w->none[i].pins[k], s))
				return 1;
	return 0;
}

/* Identifiers match as given less trailing dots: compare with all of them stripped. */
static int same_id(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);

	while (n > 0 && a[n - 1] == '.')
		n--;
	while (m > 0 && b[m - 1] == '.')
		m--;
	return n == m && memcmp(a, b, n) == 0;
}

static void check_identity(const mxtls_ctx *ctx, const struct world *w, size_t i)
{
	const char *given, *stored;
	char host[1024];
	size_t k, r;

	check(mxtls_ctx_identity_pin_count(ctx, i) == w->ids[i].n,
	      "identity %zu: %zu pins, not %zu", i, mxtls_ctx_identity_pin_count(ctx, i),
	      w->ids[i].n);
	for (k = 0; k < w->ids[i].n; k++) {
		given = w->ids[i].pins[k];
		stored = mxtls_ctx_identity_pin(ctx, i, k);
		check(stored != NULL && strncmp(given, stored, strlen(stored)) == 0 &&
		          strspn(given + strlen(stored), ".") == strlen(given + strlen(stored)),
		      "identity %zu: pin %zu is \"%s\", given \"%s\"", i, k,
		      stored ? stored : "NULL", given);
		/* Always: a pin of identity i selects i, an earlier identity, or none. */
		r = checked_select(ctx, stored, NULL);
		check(r == MXTLS_NO_IDENTITY || r <= i, "identifier %s of %zu selects %zu", stored,
		      i, r);
		r = checked_select(ctx, NULL, given);
		check(r == MXTLS_NO_IDENTITY || r <= i, "host %s of %zu selects %zu", given, i, r);
		if (!claimed_elsewhere(w, i, stored, same_id)) {
			r = checked_select(ctx, stored, NO_HOST);
			check(r == i, "identifier %s, only of identity %zu, selects %zu", stored, i,
			      r);
		}
		if (!claimed_elsewhere(w, i, given, maybe_same)) {
			r = checked_select(ctx, NO_PIN, given);
			check(r == i, "host %s, only of identity %zu, selects %zu", given, i, r);
		}
		/* "*.example.com" takes LABEL.example.com unless another pin may take it. */
		if (given[0] == '*' && given[1] == '.' &&
		    snprintf(host, sizeof(host), LABEL "%s", given + 1) <= HOST_MAX &&
		    !claimed_elsewhere(w, i, given, maybe_same) &&
		    !claimed_elsewhere(w, i, host, maybe_same)) {
			r = checked_select(ctx, NULL, host);
			check(r == i, "host %s under wildcard %s of identity %zu selects %zu", host,
			      given, i, r);
		}
	}
}

static void check_world(const mxtls_ctx *ctx, const struct world *w)
{
	size_t i, k, r;
	const char *q;

	check(mxtls_ctx_identity_count(ctx) == w->nids, "%zu identities, %zu added",
	      mxtls_ctx_identity_count(ctx), w->nids);
	for (i = 0; i < w->nids; i++)
		check_identity(ctx, w, i);
	for (i = 0; i < w->nnone; i++) {
		for (k = 0; k < w->none[i].n; k++) {
			q = w->none[i].pins[k];
			if (!claimed_elsewhere(w, NONE_LISTS, q, maybe_same))
				check(checked_select(ctx, NULL, q) == MXTLS_NO_IDENTITY,
				      "host %s, only \"no certificate\", selects an identity", q);
			if (!claimed_elsewhere(w, NONE_LISTS, q, same_id) &&
			    q[strlen(q) - 1] != '.')
				check(checked_select(ctx, q, NULL) == MXTLS_NO_IDENTITY,
				      "identifier %s, only \"no certificate\", selects an identity",
				      q);
		}
	}
	r = checked_select(ctx, NO_PIN, NO_HOST);
	check(r == w->default_id, "no match selects %zu, not the default %zu", r, w->default_id);
	check(checked_select(ctx, NULL, NO_HOST) == r, "a NULL identifier is not like no match");
	check(checked_select(ctx, NO_PIN, NULL) == r, "a NULL host is not like no match");
	check(checked_select(ctx, NULL, NULL) == r, "NULL, NULL is not the default");
	check(checked_select(ctx, "", "") == r, "\"\", \"\" is not the default");
	for (i = 0; i < w->nqueries; i++)
		checked_select(ctx, w->queries[i][0], w->queries[i][1]);
}

/* One line of the input into the configuration and the world. */
static void line(mxtls_config *cfg, struct world *w, char *s)
{
	const char *word[MAX_PINS + 1];
	size_t n = words(s, word, MAX_PINS + 1), before = mxtls_config_identity_count(cfg);
	int is_id = strcmp(word[0], "id") == 0;
	struct owner *o;
	mxtls_error err;
	int ret;

	if (is_id && w->nids < MAX_IDS) {
		ret = mxtls_config_add_identity_pinned(cfg, p12, 0, word + 1, n - 1, &err);
		o = &w->ids[w->nids];
	} else if (strcmp(word[0], "none") == 0 && w->nnone < MAX_NONE) {
		ret = mxtls_config_add_no_identity(cfg, word + 1, n - 1, &err);
		o = &w->none[w->nnone];
	} else {
		if (strcmp(word[0], "?") == 0 && n == 3 && w->nqueries < MAX_QUERIES) {
			w->queries[w->nqueries][0] = strcmp(word[1], "-") ? word[1] : NULL;
			w->queries[w->nqueries++][1] = strcmp(word[2], "-") ? word[2] : NULL;
		}
		return;
	}
	if (ret != 0) {
		check_error(&err);
		check(mxtls_config_identity_count(cfg) == before,
		      "a refused add changed the count");
		return;
	}
	check_ok(&err);
	memcpy(o->pins, word + 1, (n - 1) * sizeof(*word));
	o->n = n - 1;
	if (!is_id) {
		w->nnone++;
		return;
	}
	if (o->n == 0 && w->default_id == MXTLS_NO_IDENTITY)
		w->default_id = w->nids;
	w->nids++;
	check(mxtls_config_identity_count(cfg) == w->nids, "config has %zu identities, not %zu",
	      mxtls_config_identity_count(cfg), w->nids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct world w = {.default_id = MXTLS_NO_IDENTITY};
	char *text = malloc(size + 1), *s, *nl;
	mxtls_config *cfg = mxtls_config_new();
	mxtls_ctx *ctx;
	mxtls_error err;

	if (text == NULL || cfg == NULL)
		goto out;
	memcpy(text, data, size);
	text[size] = '\0';
	for (s = text; s != NULL; s = nl) {
		if ((nl = strchr(s, '\n')) != NULL)
			*nl++ = '\0';
		line(cfg, &w, s);
	}
	/* No system roots (parsing them every run would be all the run does): our CA. */
	mxtls_config_set_system_roots(cfg, 0);
	if (mxtls_config_add_trust(cfg, trust, &err) != 0)
		goto out;
	ctx = mxtls_ctx_new(cfg, &err);
	if (ctx == NULL) {
		check_error(&err);
		check(err.code == MXTLS_ERR_NOMEM, "a valid configuration fails: %s", err.message);
		goto out;
	}
	check_ok(&err);
	check_ctx(ctx);
	check_world(ctx, &w);
	mxtls_ctx_free(ctx);
out:
	mxtls_config_free(cfg);
	free(text);
	return 0;
}
