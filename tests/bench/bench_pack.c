/*
 * Benchmark: CPU time of packing one identity into a PKCS#12 container with libmxtls
 * (mxtls_pkcs12_writer_new + _add_key_der + _finish, profile modern) against OpenSSL 3
 * (d2i of the same DER inputs + PKCS12_create_ex + i2d_PKCS12), both from DER bytes to
 * DER bytes, doing the same work: PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC for the key and
 * the certificates, an HMAC-SHA256 MAC keyed by the PKCS#12 KDF, 2048 iterations each
 * (set explicitly on the OpenSSL side, which are also its 3.x defaults).
 *
 * The identity: an RSA-2048 key, its leaf, and a 2-certificate chain (intermediate and
 * root), made at start-up with OpenSSL. Rounds interleave the two libraries so that
 * frequency scaling and noisy neighbours hit both alike; the median round is reported.
 *
 * usage: bench_pack [N_PER_ROUND [ROUNDS]]      (default 50 packs x 11 rounds)
 * With BENCH_PACK_DUMP=DIR set, one container of each is written to DIR/mxtls.p12 and
 * DIR/openssl.p12 (password "bench password"), to check with `openssl pkcs12 -info` that
 * both did the same work.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <mxtls/mxtls.h>

#define ITER 2048
#define PASSWORD "bench password"

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_pack: %s failed\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, int ca)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	if (x == NULL || name == NULL)
		die("X509_new");
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(cn[0] + 1000));
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 30);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	if (ext == NULL || !X509_add_ext(x, ext, -1))
		die("basicConstraints");
	X509_EXTENSION_free(ext);
	if (!X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()))
		die("X509_sign");
	X509_NAME_free(name);
	return x;
}

struct input {
	unsigned char *key; /* PKCS#8 PrivateKeyInfo */
	int key_len;
	unsigned char *cert[3]; /* leaf, intermediate, root */
	int cert_len[3];
};

static void make_input(struct input *in)
{
	EVP_PKEY *k[3];
	X509 *c[3];
	int i;

	for (i = 0; i < 3; i++)
		if ((k[i] = EVP_RSA_gen(2048)) == NULL)
			die("EVP_RSA_gen");
	c[2] = make_cert("bench root", k[2], NULL, NULL, 1);
	c[1] = make_cert("bench intermediate", k[1], c[2], k[2], 1);
	c[0] = make_cert("bench leaf", k[0], c[1], k[1], 0);
	in->key = NULL;
	in->key_len = i2d_PrivateKey(k[0], &in->key); /* RSA: PKCS#1 */
	{
		PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k[0]);
		OPENSSL_free(in->key);
		in->key = NULL;
		in->key_len = i2d_PKCS8_PRIV_KEY_INFO(p8, &in->key);
		PKCS8_PRIV_KEY_INFO_free(p8);
	}
	if (in->key_len <= 0)
		die("i2d key");
	for (i = 0; i < 3; i++) {
		in->cert[i] = NULL;
		in->cert_len[i] = i2d_X509(c[i], &in->cert[i]);
		if (in->cert_len[i] <= 0)
			die("i2d_X509");
		X509_free(c[i]);
		EVP_PKEY_free(k[i]);
	}
}

static void dump(const char *name, const unsigned char *der, size_t len)
{
	const char *dir = getenv("BENCH_PACK_DUMP");
	char path[1024];
	FILE *f;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(der, 1, len, f) != len || fclose(f) != 0)
		perror(path);
}

static size_t pack_mxtls(const struct input *in, int keep)
{
	const void *ders[3] = {in->cert[0], in->cert[1], in->cert[2]};
	size_t lens[3] = {(size_t)in->cert_len[0], (size_t)in->cert_len[1], (size_t)in->cert_len[2]};
	mxtls_pkcs12_writer *w;
	mxtls_error err;
	unsigned char *der;
	size_t len;

	w = mxtls_pkcs12_writer_new(MXTLS_PKCS12_PROFILE_MODERN, &err);
	if (w == NULL ||
	    mxtls_pkcs12_writer_add_key_der(w, in->key, (size_t)in->key_len, ders, lens, 3, "bench",
					    &err) != 0 ||
	    mxtls_pkcs12_writer_finish(w, PASSWORD, strlen(PASSWORD), &der, &len, &err) != 0) {
		fprintf(stderr, "bench_pack: libmxtls: %s\n", err.message);
		exit(1);
	}
	if (keep)
		dump("mxtls.p12", der, len);
	mxtls_free_secret(der, len);
	mxtls_pkcs12_writer_free(w);
	return len;
}

static size_t pack_openssl(const struct input *in, int keep)
{
	const unsigned char *p = in->key;
	EVP_PKEY *key = d2i_AutoPrivateKey(NULL, &p, in->key_len);
	STACK_OF(X509) *ca = sk_X509_new_null();
	X509 *c[3];
	PKCS12 *p12;
	unsigned char *der = NULL;
	int i, len;

	for (i = 0; i < 3; i++) {
		p = in->cert[i];
		c[i] = d2i_X509(NULL, &p, in->cert_len[i]);
		if (c[i] == NULL)
			die("d2i_X509");
		if (i > 0)
			sk_X509_push(ca, c[i]);
	}
	if (key == NULL || ca == NULL)
		die("d2i key");
	p12 = PKCS12_create_ex(PASSWORD, "bench", key, c[0], ca, NID_aes_256_cbc, NID_aes_256_cbc,
			       ITER, ITER, 0, NULL, NULL);
	if (p12 == NULL)
		die("PKCS12_create_ex");
	len = i2d_PKCS12(p12, &der);
	if (len <= 0)
		die("i2d_PKCS12");
	if (keep)
		dump("openssl.p12", der, (size_t)len);
	OPENSSL_clear_free(der, (size_t)len);
	PKCS12_free(p12);
	sk_X509_pop_free(ca, X509_free);
	X509_free(c[0]);
	EVP_PKEY_free(key);
	return (size_t)len;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 50, rounds = argc > 2 ? atoi(argv[2]) : 11, r, i;
	double *tm, *to, t, ratio;
	struct input in;
	size_t lm, lo;

	if (n < 1 || rounds < 1)
		return 2;
	tm = calloc((size_t)rounds, sizeof(*tm));
	to = calloc((size_t)rounds, sizeof(*to));
	if (tm == NULL || to == NULL)
		return 1;
	make_input(&in);
	/* Warm-up: first allocations, CPU feature probes, OpenSSL's algorithm fetches. */
	lm = pack_mxtls(&in, 1);
	lo = pack_openssl(&in, 1);
	for (r = 0; r < rounds; r++) {
		t = cpu_now();
		for (i = 0; i < n; i++)
			pack_mxtls(&in, 0);
		tm[r] = (cpu_now() - t) / n;
		t = cpu_now();
		for (i = 0; i < n; i++)
			pack_openssl(&in, 0);
		to[r] = (cpu_now() - t) / n;
	}
	qsort(tm, (size_t)rounds, sizeof(*tm), cmp);
	qsort(to, (size_t)rounds, sizeof(*to), cmp);
	ratio = tm[rounds / 2] / to[rounds / 2];
	printf("packing RSA-2048 + leaf + 2-certificate chain, modern profile (PBES2 AES-256-CBC, "
	       "HMAC-SHA256 MAC, %d iterations)\n",
	       ITER);
	printf("%d rounds x %d packs, interleaved; CPU microseconds per pack (min / median / max)\n",
	       rounds, n);
	printf("libmxtls %s:   %8.1f / %8.1f / %8.1f   (%zu bytes)\n", mxtls_version(), tm[0],
	       tm[rounds / 2], tm[rounds - 1], lm);
	printf("%s: %8.1f / %8.1f / %8.1f   (%zu bytes)\n", OpenSSL_version(OPENSSL_VERSION), to[0],
	       to[rounds / 2], to[rounds - 1], lo);
	printf("ratio libmxtls / OpenSSL (median): %.2fx %s\n", ratio,
	       ratio <= 1.0 ? "(goal <= 1.0x: met)" : "(goal <= 1.0x: NOT met)");
	free(tm);
	free(to);
	return 0;
}
