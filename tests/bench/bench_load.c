/*
 * Benchmark: CPU time of loading one PKCS#12 file with libmxtls (mxtls_pkcs12_load_mem +
 * mxtls_pkcs12_free) against OpenSSL 3 (d2i_PKCS12 + PKCS12_parse + frees), and libmxtls's
 * time against the floor set by the SHA-256 compressions its key derivations must run.
 *
 * usage: bench_load FILE.p12 PASSWORD [N]      (N loads per library, default 200)
 *
 * The floor assumes an OpenSSL 3 default export (`openssl pkcs12 -export`): HMAC-SHA256 MAC
 * keyed by the PKCS#12 KDF (SHA-256) and two PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC objects
 * (the certificate content and the shrouded key bag), all of 2048 iterations. Per iteration
 * the PKCS#12 KDF runs 1 compression and PBKDF2-HMAC 2, so the floor is 2048 * (1 + 2 + 2)
 * compressions. The file's reported algorithms are checked against that assumption.
 */
/* clock_gettime and CLOCK_PROCESS_CPUTIME_ID are POSIX, hidden by -std=c11. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/sha256.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <mxtls/mxtls.h>

#define DEFAULT_N 200
#define MAX_FILE (4u * 1024u * 1024u)
#define KDF_ITER 2048.0
#define FLOOR_COMPRESSIONS (KDF_ITER * (1 + 2 + 2))
#define COMPRESS_CALLS 200000
#define COMPRESS_REPS 5 /* best of, to shrug off scheduler noise */

static double cpu_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) {
		perror("bench_load: clock_gettime");
		exit(1);
	}
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_load: %s\n", what);
	exit(1);
}

static void die_openssl(const char *what)
{
	fprintf(stderr, "bench_load: OpenSSL: %s failed\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static unsigned char *read_file(const char *path, size_t *len)
{
	unsigned char *buf;
	size_t n = 0, got;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	buf = malloc(MAX_FILE);
	if (buf == NULL)
		die("out of memory");
	while ((got = fread(buf + n, 1, MAX_FILE - n, f)) > 0)
		n += got;
	if (ferror(f))
		die("read error");
	if (n == MAX_FILE)
		die("file too large");
	fclose(f);
	*len = n;
	return buf;
}

/* ---- one load with each library ---- */

static mxtls_pkcs12 *load_mxtls(const unsigned char *der, size_t len, const char *pw)
{
	mxtls_error err;
	mxtls_pkcs12 *p = mxtls_pkcs12_load_mem(der, len, pw, 0, &err);

	if (p == NULL) {
		fprintf(stderr, "bench_load: libmxtls: load failed: %s: %s\n",
		        mxtls_error_name(err.code), err.message);
		exit(1);
	}
	return p;
}

struct ossl_out {
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) *ca;
};

static void load_openssl(const unsigned char *der, size_t len, const char *pw,
                         struct ossl_out *o)
{
	const unsigned char *p = der;
	PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);

	o->key = NULL;
	o->cert = NULL;
	o->ca = NULL;
	if (p12 == NULL)
		die_openssl("d2i_PKCS12");
	if (!PKCS12_parse(p12, pw, &o->key, &o->cert, &o->ca))
		die_openssl("PKCS12_parse");
	PKCS12_free(p12);
	if (o->key == NULL || o->cert == NULL)
		die("OpenSSL: PKCS12_parse gave no key or no certificate");
}

static void free_openssl(struct ossl_out *o)
{
	EVP_PKEY_free(o->key);
	X509_free(o->cert);
	sk_X509_pop_free(o->ca, X509_free);
}

/* ---- agreement: same leaf certificate from both ---- */

static void check_agreement(const unsigned char *der, size_t len, const char *pw)
{
	mxtls_pkcs12 *p = load_mxtls(der, len, pw);
	const mxtls_identity *id;
	const mxtls_cert *leaf;
	const uint8_t *mder;
	unsigned char *oder = NULL;
	size_t mlen = 0;
	int olen;
	struct ossl_out o;

	if (mxtls_pkcs12_identity_count(p) < 1 || (id = mxtls_pkcs12_identity(p, 0)) == NULL ||
	    (leaf = mxtls_identity_leaf(id)) == NULL ||
	    (mder = mxtls_cert_der(leaf, &mlen)) == NULL || mlen == 0)
		die("libmxtls: no identity 0 with a leaf certificate");

	load_openssl(der, len, pw, &o);
	olen = i2d_X509(o.cert, &oder);
	if (olen <= 0 || oder == NULL)
		die_openssl("i2d_X509");
	if ((size_t)olen != mlen || memcmp(oder, mder, mlen) != 0) {
		fprintf(stderr,
		        "bench_load: leaf certificates differ: libmxtls %zu bytes, OpenSSL %d "
		        "bytes\n",
		        mlen, olen);
		exit(1);
	}
	OPENSSL_free(oder);
	free_openssl(&o);
	mxtls_pkcs12_free(p);
}

/*
 * Is the file protected as the floor model assumes? Reads libmxtls's descriptions: the MAC
 * "HMAC-SHA256 (PKCS#12 KDF, 2048 iterations)" and exactly one encryption scheme
 * "PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC (2048 iterations)". Prints both either way.
 */
static int describe_and_check_model(const unsigned char *der, size_t len, const char *pw)
{
	static const char want_mac[] = "HMAC-SHA256 (PKCS#12 KDF, 2048 iterations)";
	static const char want_enc[] = "PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC (2048 iterations)";
	mxtls_pkcs12 *p = load_mxtls(der, len, pw);
	const char *mac = mxtls_pkcs12_mac_algorithm(p);
	size_t i, nenc = mxtls_pkcs12_encryption_count(p);
	int ok = mac != NULL && strcmp(mac, want_mac) == 0 && nenc == 1;

	printf("MAC        : %s\n", mac != NULL ? mac : "(null)");
	for (i = 0; i < nenc; i++) {
		const char *e = mxtls_pkcs12_encryption(p, i);

		printf("encryption : %s\n", e != NULL ? e : "(null)");
		if (e == NULL || strcmp(e, want_enc) != 0)
			ok = 0;
	}
	mxtls_pkcs12_free(p);
	return ok;
}

/* ---- timing ---- */

static double time_mxtls(const unsigned char *der, size_t len, const char *pw, long n)
{
	double t0 = cpu_now();
	long i;

	for (i = 0; i < n; i++)
		mxtls_pkcs12_free(load_mxtls(der, len, pw));
	return (cpu_now() - t0) / (double)n;
}

static double time_openssl(const unsigned char *der, size_t len, const char *pw, long n)
{
	struct ossl_out o;
	double t0 = cpu_now();
	long i;

	for (i = 0; i < n; i++) {
		load_openssl(der, len, pw, &o);
		free_openssl(&o);
	}
	return (cpu_now() - t0) / (double)n;
}

/* ns per mbedTLS SHA-256 compression: many mbedtls_internal_sha256_process calls on one block. */
static double compression_ns(void)
{
	unsigned char blk[64];
	double best = 1e300, t0, t;
	int r, i, rc = 0;

	memset(blk, 0x5a, sizeof(blk));
	for (r = 0; r < COMPRESS_REPS; r++) {
		mbedtls_sha256_context c;

		mbedtls_sha256_init(&c);
		rc |= mbedtls_sha256_starts(&c, 0);
		t0 = cpu_now();
		for (i = 0; i < COMPRESS_CALLS; i++)
			rc |= mbedtls_internal_sha256_process(&c, blk);
		t = cpu_now() - t0;
		mbedtls_sha256_free(&c);
		if (t < best)
			best = t;
	}
	if (rc != 0)
		die("mbedtls_internal_sha256_process failed");
	return best / COMPRESS_CALLS;
}

int main(int argc, char **argv)
{
	const char *path, *pw;
	unsigned char *der;
	size_t len;
	long n = DEFAULT_N, warm;
	double t_mx, t_os, c_ns, floor_ns;
	int model_ok;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s FILE.p12 PASSWORD [N]\n", argv[0]);
		return 2;
	}
	path = argv[1];
	pw = argv[2];
	if (argc == 4) {
		char *end;

		n = strtol(argv[3], &end, 10);
		if (*argv[3] == '\0' || *end != '\0' || n < 1 || n > 10000000L) {
			fprintf(stderr, "bench_load: N must be a positive integer\n");
			return 2;
		}
	}
	der = read_file(path, &len);

	printf("file       : %s (%zu bytes), %ld loads each, CPU time "
	       "(CLOCK_PROCESS_CPUTIME_ID)\n",
	       path, len, n);
	printf("libraries  : libmxtls %s (mbedTLS), %s\n", mxtls_version(),
	       OpenSSL_version(OPENSSL_VERSION));
	model_ok = describe_and_check_model(der, len, pw);
	check_agreement(der, len, pw);
	printf("leaf cert  : identical DER from both libraries\n");

	/* Warm up both (OpenSSL fetches and caches algorithm implementations on first use). */
	warm = n / 10 < 5 ? 5 : n / 10;
	(void)time_mxtls(der, len, pw, warm);
	(void)time_openssl(der, len, pw, warm);

	t_mx = time_mxtls(der, len, pw, n);
	t_os = time_openssl(der, len, pw, n);

	printf("load mxtls   : %.3f ms CPU per load\n", t_mx / 1e6);
	printf("load openssl : %.3f ms CPU per load\n", t_os / 1e6);
	printf("ratio openssl/mxtls: %.2f\n", t_os / t_mx);

	c_ns = compression_ns();
	floor_ns = FLOOR_COMPRESSIONS * c_ns;
	printf("mxtls KDF floor: %.0f SHA-256 compressions (2048*(1+2+2): MAC PKCS#12 KDF + 2 "
	       "PBKDF2) x %.1f ns = %.3f ms; mxtls load = %.2f x floor (%.3f ms above it)\n",
	       FLOOR_COMPRESSIONS, c_ns, floor_ns / 1e6, t_mx / floor_ns, (t_mx - floor_ns) / 1e6);
	if (!model_ok)
		printf("note: the file is not protected like an OpenSSL 3 default export; the "
		       "floor above assumes it is\n");

	free(der);
	return 0;
}
