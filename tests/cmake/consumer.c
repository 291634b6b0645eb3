/*
 * consumer: load a .p12, build a context, print the identity's subject.
 * Built against an installed libmxtls by tests/cmake/run-consumer-test.sh.
 *
 * usage: consumer FILE.p12 PASSWORD CA.pem
 */
#include <stdio.h>

#include <mxtls/mxtls.h>

int main(int argc, char **argv)
{
	mxtls_error err;
	mxtls_pkcs12 *p12;
	mxtls_trust *trust;
	mxtls_config *cfg;
	mxtls_ctx *ctx;
	char subject[256];

	if (argc != 4) {
		fprintf(stderr, "usage: consumer FILE.p12 PASSWORD CA.pem\n");
		return 2;
	}
	p12 = mxtls_pkcs12_load_file(argv[1], argv[2], 0, &err);
	if (p12 == NULL) {
		fprintf(stderr, "consumer: %s (%s)\n", err.message, mxtls_error_name(err.code));
		return 1;
	}
	trust = mxtls_trust_load_file(argv[3], &err);
	if (trust == NULL) {
		fprintf(stderr, "consumer: %s (%s)\n", err.message, mxtls_error_name(err.code));
		mxtls_pkcs12_free(p12);
		return 1;
	}
	cfg = mxtls_config_new();
	if (cfg == NULL) {
		fprintf(stderr, "consumer: out of memory\n");
		mxtls_trust_free(trust);
		mxtls_pkcs12_free(p12);
		return 1;
	}
	mxtls_config_set_system_roots(cfg, 0);
	ctx = NULL;
	if (mxtls_config_add_identity(cfg, p12, 0, &err) == 0 &&
	    mxtls_config_add_trust(cfg, trust, &err) == 0)
		ctx = mxtls_ctx_new(cfg, &err);
	mxtls_config_free(cfg);
	mxtls_trust_free(trust);
	mxtls_pkcs12_free(p12);
	if (ctx == NULL) {
		fprintf(stderr, "consumer: %s (%s)\n", err.message, mxtls_error_name(err.code));
		return 1;
	}
	if (mxtls_cert_subject(mxtls_ctx_identity_leaf(ctx, 0), subject, sizeof subject) < 0) {
		mxtls_ctx_free(ctx);
		return 1;
	}
	printf("mxtls %s on mbedTLS %s\n", mxtls_version(), mxtls_mbedtls_version());
	printf("identities=%zu authorities=%zu\n", mxtls_ctx_identity_count(ctx),
	       mxtls_ctx_trust_count(ctx));
	printf("subject=%s\n", subject);
	mxtls_ctx_free(ctx);
	return 0;
}
