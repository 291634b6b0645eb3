/* `mxtls check`: validate the environment exactly as start-up would, and summarise it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mxtls/mxtls.h"
#include "mxtls_cli.h"

static void on_event(void *arg, int kind, const char *message)
{
	(void)arg;
	if (kind != MXTLS_EVENT_LOADED)
		printf("%s: %s\n", mxtls_event_name(kind), message);
}

static void day(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, size, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, size, "?");
}

int cmd_check(int argc, char **argv)
{
	char subject[512], issuer[512], until[32];
	mxtls_runtime *rt;
	mxtls_error err;
	mxtls_ctx *ctx;
	size_t i, k, n;

	if (argc > 1) {
		fprintf(stderr, "usage: mxtls check   (reads the environment; see README)\n");
		return EXIT_USAGE;
	}
	(void)argv;
	rt = mxtls_runtime_new(NULL, on_event, NULL, &err);
	if (rt == NULL) {
		printf("error (%s): %s\n", mxtls_error_name(err.code), err.message);
		return EXIT_BAD_INPUT;
	}
	ctx = mxtls_runtime_ctx(rt);
	n = mxtls_ctx_identity_count(ctx);
	printf("identities: %zu\n", n);
	for (i = 0; i < n; i++) {
		const mxtls_cert *leaf = mxtls_ctx_identity_leaf(ctx, i);
		mxtls_cert_subject(leaf, subject, sizeof(subject));
		mxtls_cert_issuer(leaf, issuer, sizeof(issuer));
		day(mxtls_cert_not_after(leaf), until, sizeof(until));
		printf("  [%zu] %s (issuer %s), valid until %s\n", i, subject, issuer, until);
		if (mxtls_ctx_identity_pin_count(ctx, i) == 0)
			printf("      pins: none%s\n",
			       mxtls_ctx_select(ctx, NULL, NULL) == i ? " (the default identity)" : "");
		for (k = 0; k < mxtls_ctx_identity_pin_count(ctx, i); k++)
			printf("      pin: %s\n", mxtls_ctx_identity_pin(ctx, i, k));
	}
	if (mxtls_ctx_select(ctx, NULL, NULL) == MXTLS_NO_IDENTITY)
		printf("default: no client certificate for unpinned hosts\n");
	printf("authorities trusted: %zu\n", mxtls_ctx_trust_count(ctx));
	mxtls_ctx_free(ctx);
	mxtls_runtime_free(rt);
	printf("ok\n");
	return 0;
}
