/*
 * Test driver of the PKCS#12 writer, for tests/writer/roundtrip.sh:
 *
 *   write_p12 --profile modern|compat|pbmac1 --out FILE --pass PW
 *             [--key KEY.der --cert LEAF.der [--cert CHAIN.der ...]]
 *             [--from IN.p12 --from-pass PW] [--extra CERT.der] [--name NAME] [--iter N]
 *
 * Exits 0 after writing FILE, else prints "code-name: message" and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtls/mxtls.h"

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		exit(2);
	}
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(2);
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int fail(const mxtls_error *err)
{
	fprintf(stderr, "%s: %s\n", mxtls_error_name(err->code), err->message);
	return 1;
}

int main(int argc, char **argv)
{
	const char *profile = "modern", *out = NULL, *pass = "", *key = NULL, *from = NULL;
	const char *from_pass = NULL, *name = NULL, *extra[8], *certs[8];
	size_t ncerts = 0, nextra = 0, i, len, klen = 0;
	unsigned iter = 0;
	unsigned char *der = NULL, *kder = NULL;
	const void *cders[8];
	unsigned char *cbufs[8];
	size_t clens[8];
	mxtls_pkcs12_writer *w;
	mxtls_error err;
	int p, k;
	FILE *f;

	for (k = 1; k + 1 < argc; k += 2) {
		const char *a = argv[k], *v = argv[k + 1];
		if (!strcmp(a, "--profile")) profile = v;
		else if (!strcmp(a, "--out")) out = v;
		else if (!strcmp(a, "--pass")) pass = v;
		else if (!strcmp(a, "--key")) key = v;
		else if (!strcmp(a, "--cert") && ncerts < 8) certs[ncerts++] = v;
		else if (!strcmp(a, "--extra") && nextra < 8) extra[nextra++] = v;
		else if (!strcmp(a, "--from")) from = v;
		else if (!strcmp(a, "--from-pass")) from_pass = v;
		else if (!strcmp(a, "--name")) name = v;
		else if (!strcmp(a, "--iter")) iter = (unsigned)strtoul(v, NULL, 10);
		else { fprintf(stderr, "unknown option %s\n", a); return 2; }
	}
	if (out == NULL || (key == NULL && from == NULL)) {
		fprintf(stderr, "usage: see the comment at the top of write_p12.c\n");
		return 2;
	}
	p = !strcmp(profile, "compat")   ? MXTLS_PKCS12_PROFILE_COMPAT
	    : !strcmp(profile, "pbmac1") ? MXTLS_PKCS12_PROFILE_PBMAC1
					 : MXTLS_PKCS12_PROFILE_MODERN;
	w = mxtls_pkcs12_writer_new(p, &err);
	if (w == NULL)
		return fail(&err);
	if (iter && mxtls_pkcs12_writer_set_iterations(w, iter, &err) != 0)
		return fail(&err);
	if (key != NULL) {
		kder = slurp(key, &klen);
		for (i = 0; i < ncerts; i++)
			cders[i] = cbufs[i] = slurp(certs[i], &clens[i]);
		if (mxtls_pkcs12_writer_add_key_der(w, kder, klen, cders, clens, ncerts, name, &err) != 0)
			return fail(&err);
		for (i = 0; i < ncerts; i++)
			free(cbufs[i]);
		free(kder);
	}
	if (from != NULL) {
		mxtls_pkcs12 *in = mxtls_pkcs12_load_file(from, from_pass, 0, &err);
		if (in == NULL)
			return fail(&err);
		for (i = 0; i < mxtls_pkcs12_identity_count(in); i++)
			if (mxtls_pkcs12_writer_add_identity(w, in, i, name, &err) != 0)
				return fail(&err);
		mxtls_pkcs12_free(in);
	}
	for (i = 0; i < nextra; i++) {
		unsigned char *c = slurp(extra[i], &len);
		if (mxtls_pkcs12_writer_add_cert_der(w, c, len, &err) != 0)
			return fail(&err);
		free(c);
	}
	if (mxtls_pkcs12_writer_finish(w, pass, strlen(pass), &der, &len, &err) != 0)
		return fail(&err);
	mxtls_pkcs12_writer_free(w);
	f = fopen(out, "wb");
	if (f == NULL || fwrite(der, 1, len, f) != len || fclose(f) != 0) {
		perror(out);
		return 2;
	}
	mxtls_free_secret(der, len);
	return 0;
}
