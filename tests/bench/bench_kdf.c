/* Benchmark: mxtls_kdf's PBKDF2 and PKCS#12 KDF against mbedTLS's and the raw compression floor. */
/* clock_gettime and CLOCK_PROCESS_CPUTIME_ID are POSIX, hidden by -std=c11. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/md.h>
#include <mbedtls/pkcs12.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>

#include "mxtls_kdf.h"

#define ITER 200000u
#define PBKDF2_OUT 32
#define PKCS12_OUT 24
#define REPS 3 /* best of REPS, to shrug off scheduler noise */

static double cpu_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) {
		perror("clock_gettime");
		exit(1);
	}
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_kdf: %s failed\n", what);
	exit(1);
}

struct hash {
	const char *name;
	mbedtls_md_type_t md;
	size_t dlen, blen;
};

/* ns per raw compression: N calls of mbedtls_internal_sha*_process on one block. */
static double floor_ns(const struct hash *h)
{
	enum { N = 2000000 };
	unsigned char blk[128];
	double best = 1e300, t0, t;
	int r, i, rc = 0;

	memset(blk, 0x5a, sizeof(blk));
	for (r = 0; r < REPS; r++) {
		if (h->md == MBEDTLS_MD_SHA1) {
			mbedtls_sha1_context c;
			mbedtls_sha1_init(&c);
			rc |= mbedtls_sha1_starts(&c);
			t0 = cpu_now();
			for (i = 0; i < N; i++)
				rc |= mbedtls_internal_sha1_process(&c, blk);
			t = cpu_now() - t0;
			mbedtls_sha1_free(&c);
		} else if (h->md == MBEDTLS_MD_SHA256) {
			mbedtls_sha256_context c;
			mbedtls_sha256_init(&c);
			rc |= mbedtls_sha256_starts(&c, 0);
			t0 = cpu_now();
			for (i = 0; i < N; i++)
				rc |= mbedtls_internal_sha256_process(&c, blk);
			t = cpu_now() - t0;
			mbedtls_sha256_free(&c);
		} else {
			mbedtls_sha512_context c;
			mbedtls_sha512_init(&c);
			rc |= mbedtls_sha512_starts(&c, 0);
			t0 = cpu_now();
			for (i = 0; i < N; i++)
				rc |= mbedtls_internal_sha512_process(&c, blk);
			t = cpu_now() - t0;
			mbedtls_sha512_free(&c);
		}
		if (t < best)
			best = t;
	}
	if (rc != 0)
		die("compression");
	return best / N;
}

/*
 * The textbook fast PBKDF2 on the public streaming API, for comparison with the library's
 * prebuilt-block version: per iteration clone the keyed inner/outer contexts, update, finish.
 * Times one PBKDF2 block of ITER iterations (U_1 seeded arbitrarily; only the cost matters).
 */
static double clone_finish_ns(const struct hash *h)
{
	unsigned char key[128], u[64];
	double best = 1e300, t0, t;
	unsigned int j;
	int r, rc = 0;

	memset(key, 0x36 ^ 0x11, sizeof(key));
	memset(u, 0x42, sizeof(u));
	for (r = 0; r < REPS; r++) {
		if (h->md == MBEDTLS_MD_SHA1) {
			mbedtls_sha1_context in, out, w;
			mbedtls_sha1_init(&in);
			mbedtls_sha1_init(&out);
			mbedtls_sha1_init(&w);
			rc |= mbedtls_sha1_starts(&in) | mbedtls_sha1_update(&in, key, 64);
			rc |= mbedtls_sha1_starts(&out) | mbedtls_sha1_update(&out, key, 64);
			t0 = cpu_now();
			for (j = 0; j < ITER; j++) {
				mbedtls_sha1_clone(&w, &in);
				rc |= mbedtls_sha1_update(&w, u, 20) | mbedtls_sha1_finish(&w, u);
				mbedtls_sha1_clone(&w, &out);
				rc |= mbedtls_sha1_update(&w, u, 20) | mbedtls_sha1_finish(&w, u);
			}
			t = cpu_now() - t0;
		} else if (h->md == MBEDTLS_MD_SHA256) {
			mbedtls_sha256_context in, out, w;
			mbedtls_sha256_init(&in);
			mbedtls_sha256_init(&out);
			mbedtls_sha256_init(&w);
			rc |= mbedtls_sha256_starts(&in, 0) | mbedtls_sha256_update(&in, key, 64);
			rc |= mbedtls_sha256_starts(&out, 0) | mbedtls_sha256_update(&out, key, 64);
			t0 = cpu_now();
			for (j = 0; j < ITER; j++) {
				mbedtls_sha256_clone(&w, &in);
				rc |=
				    mbedtls_sha256_update(&w, u, 32) | mbedtls_sha256_finish(&w, u);
				mbedtls_sha256_clone(&w, &out);
				rc |=
				    mbedtls_sha256_update(&w, u, 32) | mbedtls_sha256_finish(&w, u);
			}
			t = cpu_now() - t0;
		} else {
			mbedtls_sha512_context in, out, w;
			mbedtls_sha512_init(&in);
			mbedtls_sha512_init(&out);
			mbedtls_sha512_init(&w);
			rc |= mbedtls_sha512_starts(&in, 0) | mbedtls_sha512_update(&in, key, 128);
			rc |=
			    mbedtls_sha512_starts(&out, 0) | mbedtls_sha512_update(&out, key, 128);
			t0 = cpu_now();
			for (j = 0; j < ITER; j++) {
				mbedtls_sha512_clone(&w, &in);
				rc |=
				    mbedtls_sha512_update(&w, u, 64) | mbedtls_sha512_finish(&w, u);
				mbedtls_sha512_clone(&w, &out);
				rc |=
				    mbedtls_sha512_update(&w, u, 64) | mbedtls_sha512_finish(&w, u);
			}
			t = cpu_now() - t0;
		}
		if (t < best)
			best = t;
	}
	if (rc != 0)
		die("clone/update/finish");
	return best / ITER;
}

static const unsigned char pw_ascii[] = "correct horse battery staple";
static const unsigned char salt[16] = {0x8f, 0x1c, 0x27, 0x40, 0x9a, 0x55, 0x03, 0xee,
                                       0x71, 0xb2, 0x6d, 0x18, 0xc4, 0x3a, 0x90, 0x0b};

/* Total CPU ns of the best of REPS runs; which: 0 = ours, 1 = mbedTLS. Outputs must agree. */
static double time_pbkdf2(const struct hash *h, int which)
{
	unsigned char out[PBKDF2_OUT], ref[PBKDF2_OUT];
	size_t pwlen = sizeof(pw_ascii) - 1;
	double best = 1e300, t0, t;
	int r, rc;

	for (r = 0; r < REPS; r++) {
		t0 = cpu_now();
		if (which == 0)
			rc = mx_pbkdf2_hmac(h->md, pw_ascii, pwlen, salt, sizeof(salt), ITER, out,
			                    sizeof(out));
		else
			rc = mbedtls_pkcs5_pbkdf2_hmac_ext(h->md, pw_ascii, pwlen, salt,
			                                   sizeof(salt), ITER, sizeof(out), out);
		t = cpu_now() - t0;
		if (rc != 0)
			die("pbkdf2");
		if (t < best)
			best = t;
	}
	if (which == 0) {
		if (mbedtls_pkcs5_pbkdf2_hmac_ext(h->md, pw_ascii, pwlen, salt, sizeof(salt), 3,
		                                  sizeof(ref), ref) != 0 ||
		    mx_pbkdf2_hmac(h->md, pw_ascii, pwlen, salt, sizeof(salt), 3, out,
		                   sizeof(out)) != 0 ||
		    memcmp(out, ref, sizeof(out)) != 0)
			die("pbkdf2 agreement");
	}
	return best;
}

static double time_pkcs12(const struct hash *h, int which)
{
	unsigned char bpw[64], out[PKCS12_OUT], ref[PKCS12_OUT];
	size_t i, n = sizeof(pw_ascii) - 1, pwlen = 2 * n + 2;
	double best = 1e300, t0, t;
	int r, rc;

	for (i = 0; i < n; i++) {
		bpw[2 * i] = 0;
		bpw[2 * i + 1] = pw_ascii[i];
	}
	bpw[2 * n] = bpw[2 * n + 1] = 0;
	for (r = 0; r < REPS; r++) {
		t0 = cpu_now();
		if (which == 0)
			rc = mx_pkcs12_kdf(h->md, 1, bpw, pwlen, salt, sizeof(salt), ITER, out,
			                   sizeof(out));
		else
			rc = mbedtls_pkcs12_derivation(out, sizeof(out), bpw, pwlen, salt,
			                               sizeof(salt), h->md, 1, (int)ITER);
		t = cpu_now() - t0;
		if (rc != 0)
			die("pkcs12 kdf");
		if (t < best)
			best = t;
	}
	if (which == 0) {
		if (mbedtls_pkcs12_derivation(ref, sizeof(ref), bpw, pwlen, salt, sizeof(salt),
		                              h->md, 1, 3) != 0 ||
		    mx_pkcs12_kdf(h->md, 1, bpw, pwlen, salt, sizeof(salt), 3, out, sizeof(out)) !=
		        0 ||
		    memcmp(out, ref, sizeof(out)) != 0)
			die("pkcs12 agreement");
	}
	return best;
}

int main(void)
{
	static const struct hash hashes[] = {
	    {"SHA-1", MBEDTLS_MD_SHA1, 20, 64},
	    {"SHA-256", MBEDTLS_MD_SHA256, 32, 64},
	    {"SHA-512", MBEDTLS_MD_SHA512, 64, 128},
	};
	size_t i;

	printf("iterations %u, PBKDF2 dkLen %d, PKCS#12 id 1 n %d; CPU time, best of %d\n", ITER,
	       PBKDF2_OUT, PKCS12_OUT, REPS);
	printf("per-iteration figures are per iteration of one output block (PBKDF2 T_i / PKCS#12 "
	       "A_i),\nso SHA-1 (20-byte digest) runs 2 blocks for both outputs.\n\n");
	printf("%-8s %-37s %10s %9s %8s\n", "hash", "what", "ns/iter", "compr.", "vs ours");
	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		const struct hash *h = &hashes[i];
		double c = floor_ns(h);
		/* Iteration units per call: output blocks times iterations. */
		double pb = (double)((PBKDF2_OUT + h->dlen - 1) / h->dlen) * ITER;
		double pk = (double)((PKCS12_OUT + h->dlen - 1) / h->dlen) * ITER;
		double ours = time_pbkdf2(h, 0) / pb, theirs = time_pbkdf2(h, 1) / pb;
		double cf = clone_finish_ns(h);
		double ours12 = time_pkcs12(h, 0) / pk, theirs12 = time_pkcs12(h, 1) / pk;

		printf("%-8s %-37s %10.1f %9s %8s\n", h->name, "raw compression (floor)", c, "1",
		       "");
		printf("%-8s %-37s %10.1f %9.2f %8s\n", "", "PBKDF2 mx_pbkdf2_hmac", ours, ours / c,
		       "1.00");
		printf("%-8s %-37s %10.1f %9.2f %8.2f\n", "", "PBKDF2 clone+update+finish loop", cf,
		       cf / c, cf / ours);
		printf("%-8s %-37s %10.1f %9.2f %8.2f\n", "",
		       "PBKDF2 mbedtls_pkcs5_pbkdf2_hmac_ext", theirs, theirs / c, theirs / ours);
		printf("%-8s %-37s %10.1f %9.2f %8s\n", "", "PKCS12 mx_pkcs12_kdf", ours12,
		       ours12 / c, "1.00");
		printf("%-8s %-37s %10.1f %9.2f %8.2f\n\n", "", "PKCS12 mbedtls_pkcs12_derivation",
		       theirs12, theirs12 / c, theirs12 / ours12);
	}
	return 0;
}
