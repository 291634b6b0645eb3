/* `mxtls check`: validate the environment exactly as start-up would, and summarise it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mxtls/mxtls.h"
#include "mxtls_cli.h"

/* Start-up's events: printed as they come, or gathered for the JSON object. */
static void on_event(void *arg, int kind, const char *message)
{
	json_t *events = arg;
	char msg[1024];

	if (kind == MXTLS_EVENT_LOADED)
		return;
	cli_oid_annotate(message, msg, sizeof(msg));
	if (events)
		json_array_append_new(events, json_pack("{s:s, s:o}", "kind", mxtls_event_name(kind),
							"message", cli_json_text(msg)));
	else
		printf("%s: %s\n", mxtls_event_name(kind), msg);
}

static json_t *summary_json(const mxtls_ctx *ctx)
{
	char subject[512], issuer[512], until[32];
	size_t i, k, n = mxtls_ctx_identity_count(ctx), def = mxtls_ctx_select(ctx, NULL, NULL);
	json_t *ids = json_array();

	for (i = 0; i < n; i++) {
		const mxtls_cert *leaf = mxtls_ctx_identity_leaf(ctx, i);
		json_t *pins = json_array();
		mxtls_cert_subject(leaf, subject, sizeof(subject));
		mxtls_cert_issuer(leaf, issuer, sizeof(issuer));
		cli_utc(mxtls_cert_not_after(leaf), 0, until, sizeof(until));
		for (k = 0; k < mxtls_ctx_identity_pin_count(ctx, i); k++)
			json_array_append_new(pins, cli_json_text(mxtls_ctx_identity_pin(ctx, i, k)));
		json_array_append_new(ids, json_pack("{s:o, s:o, s:s, s:o, s:b}", "subject",
						     cli_json_text(subject), "issuer",
						     cli_json_text(issuer), "not_after", until, "pins",
						     pins, "default", def == i));
	}
	return json_pack("{s:o, s:o, s:I, s:I}", "identities", ids, "default_identity",
			 def == MXTLS_NO_IDENTITY ? json_null() : json_integer((json_int_t)def),
			 "authorities", (json_int_t)mxtls_ctx_trust_count(ctx), "system_roots",
			 (json_int_t)mxtls_ctx_system_root_count(ctx));
}

static void summary_text(const mxtls_ctx *ctx)
{
	char subject[512], issuer[512], until[32];
	size_t i, k, n = mxtls_ctx_identity_count(ctx);

	printf("identities: %zu\n", n);
	for (i = 0; i < n; i++) {
		const mxtls_cert *leaf = mxtls_ctx_identity_leaf(ctx, i);
		mxtls_cert_subject(leaf, subject, sizeof(subject));
		mxtls_cert_issuer(leaf, issuer, sizeof(issuer));
		cli_utc(mxtls_cert_not_after(leaf), 0, until, sizeof(until));
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
}

int cmd_check(int argc, char **argv)
{
	json_t *events = NULL;
	mxtls_runtime *rt;
	mxtls_error err;
	mxtls_ctx *ctx;
	char msg[1024];
	int i;

	cli_set_json(cli_wants_json(argc, argv));
	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i]))
			return cli_help("check");
		if (strcmp(argv[i], "--json") == 0)
			continue;
		if (argv[i][0] == '-')
			return cli_usage_error("check", "unknown option %s", argv[i]);
		return cli_usage_error("check", "no argument (%s): check reads the environment",
				       argv[i]);
	}
	if (cli_json())
		events = json_array();
	rt = mxtls_runtime_new(NULL, on_event, events, &err);
	if (rt == NULL) {
		/* The library's own code, as start-up gets it: config for a malformed variable. */
		cli_oid_annotate(err.message, msg, sizeof(msg));
		if (cli_json()) {
			cli_json_print(mxtls_error_name(err.code), msg, json_pack("{s:o}", "events", events));
		} else {
			printf("error (%s): %s\n", mxtls_error_name(err.code), msg);
		}
		return EXIT_BAD_INPUT;
	}
	ctx = mxtls_runtime_ctx(rt);
	if (cli_json()) {
		json_t *o = summary_json(ctx);
		json_object_set_new(o, "events", events);
		cli_json_print("ok", "the environment is valid", o);
	} else {
		summary_text(ctx);
		printf("ok\n");
	}
	mxtls_ctx_free(ctx);
	mxtls_runtime_free(rt);
	return 0;
}
