/* PBKDF2, the PKCS#12 (RFC 7292 B.2) KDF and HMAC, run at one compression per hash call. */

/*
 * The iteration loops feed a prebuilt final block straight to the compression function and read
 * the chaining state back as the digest. mbedTLS has no accessor for that state, so opt in to
 * its "private" fields; the asserts below turn a layout change into a build error.
 */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS

#include "mxtls_kdf.h"
#include "mxtls_sha_x86.h"
#include "mxtls_util.h"

#include <stdatomic.h>
#include <string.h>

#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>

#if !defined(MBEDTLS_SHA1_C) || !defined(MBEDTLS_SHA224_C) || !defined(MBEDTLS_SHA256_C) ||        \
    !defined(MBEDTLS_SHA384_C) || !defined(MBEDTLS_SHA512_C)
#error "mxtls_kdf needs mbedTLS built with SHA1_C, SHA224_C, SHA256_C, SHA384_C and SHA512_C"
#endif
#if defined(MBEDTLS_SHA1_ALT) || defined(MBEDTLS_SHA256_ALT) || defined(MBEDTLS_SHA512_ALT)
#error "mxtls_kdf reads mbedTLS's own SHA context layout; *_ALT contexts are not supported"
#endif

_Static_assert(sizeof(((mbedtls_sha1_context *)NULL)->MBEDTLS_PRIVATE(state)) ==
                   5 * sizeof(uint32_t),
               "unexpected mbedtls_sha1_context state");
_Static_assert(sizeof(((mbedtls_sha256_context *)NULL)->MBEDTLS_PRIVATE(state)) ==
                   8 * sizeof(uint32_t),
               "unexpected mbedtls_sha256_context state");
_Static_assert(sizeof(((mbedtls_sha512_context *)NULL)->MBEDTLS_PRIVATE(state)) ==
                   8 * sizeof(uint64_t),
               "unexpected mbedtls_sha512_context state");

#define MX_MAX_BLOCK 128
#define MX_MAX_DIGEST 64

enum mx_fam { MX_FAM_SHA1, MX_FAM_SHA256, MX_FAM_SHA512 };

struct mx_mdesc {
	enum mx_fam fam;
	int trunc;   /* is224 / is384 argument of *_starts */
	size_t dlen; /* u: digest bytes */
	size_t blen; /* v: block bytes */
};

/*
 * The per-iteration compression. For SHA-1 and SHA-224/256 it is the x86 SHA-NI code of
 * mxtls_sha_x86.c when the CPU has it (mbedTLS 3.6 has none), else mbedTLS's own
 * mbedtls_internal_*_process; SHA-384/512 always use mbedTLS. The choice is made once per
 * KDF call (use_sha_x86) and reaches the loops as a function pointer with mbedTLS's
 * signature, so both paths run the same loop on the same context state words.
 */
typedef int (*sha1_proc_fn)(mbedtls_sha1_context *ctx, const unsigned char *blk);
typedef int (*sha256_proc_fn)(mbedtls_sha256_context *ctx, const unsigned char *blk);

/* Test-only override (mx_kdf_force_portable); atomic, as tests may run KDFs in threads. */
static atomic_int force_portable;

void mx_kdf_force_portable(int on)
{
	atomic_store_explicit(&force_portable, on != 0, memory_order_relaxed);
}

static int use_sha_x86(void)
{
	return !atomic_load_explicit(&force_portable, memory_order_relaxed) &&
	       mx_sha_x86_available();
}

#if MX_HAVE_SHA_X86
static int sha1_proc_x86(mbedtls_sha1_context *ctx, const unsigned char *blk)
{
	mx_sha1_x86_compress(ctx->MBEDTLS_PRIVATE(state), blk);
	return 0;
}

static int sha256_proc_x86(mbedtls_sha256_context *ctx, const unsigned char *blk)
{
	mx_sha256_x86_compress(ctx->MBEDTLS_PRIVATE(state), blk);
	return 0;
}
#endif

static sha1_proc_fn sha1_proc(int hw)
{
#if MX_HAVE_SHA_X86
	if (hw)
		return sha1_proc_x86;
#else
	(void)hw;
#endif
	return mbedtls_internal_sha1_process;
}

static sha256_proc_fn sha256_proc(int hw)
{
#if MX_HAVE_SHA_X86
	if (hw)
		return sha256_proc_x86;
#else
	(void)hw;
#endif
	return mbedtls_internal_sha256_process;
}

/* Streaming hash over the three families, for the once-per-call parts (keys, salts, I). */
struct mx_hctx {
	enum mx_fam fam;
	int trunc;
	union {
		mbedtls_sha1_context s1;
		mbedtls_sha256_context s256;
		mbedtls_sha512_context s512;
	} u;
};

static int mdesc_get(mbedtls_md_type_t md, struct mx_mdesc *d)
{
	switch (md) {
	case MBEDTLS_MD_SHA1:
		*d = (struct mx_mdesc){MX_FAM_SHA1, 0, 20, 64};
		return 0;
	case MBEDTLS_MD_SHA224:
		*d = (struct mx_mdesc){MX_FAM_SHA256, 1, 28, 64};
		return 0;
	case MBEDTLS_MD_SHA256:
		*d = (struct mx_mdesc){MX_FAM_SHA256, 0, 32, 64};
		return 0;
	case MBEDTLS_MD_SHA384:
		*d = (struct mx_mdesc){MX_FAM_SHA512, 1, 48, 128};
		return 0;
	case MBEDTLS_MD_SHA512:
		*d = (struct mx_mdesc){MX_FAM_SHA512, 0, 64, 128};
		return 0;
	default:
		return -1;
	}
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static inline uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static int h_starts(struct mx_hctx *h, const struct mx_mdesc *d)
{
	h->fam = d->fam;
	h->trunc = d->trunc;
	switch (d->fam) {
	case MX_FAM_SHA1:
		mbedtls_sha1_init(&h->u.s1);
		return mbedtls_sha1_starts(&h->u.s1) == 0 ? 0 : -1;
	case MX_FAM_SHA256:
		mbedtls_sha256_init(&h->u.s256);
		return mbedtls_sha256_starts(&h->u.s256, d->trunc) == 0 ? 0 : -1;
	case MX_FAM_SHA512:
		mbedtls_sha512_init(&h->u.s512);
		return mbedtls_sha512_starts(&h->u.s512, d->trunc) == 0 ? 0 : -1;
	}
	return -1;
}

static int h_update(struct mx_hctx *h, const uint8_t *p, size_t n)
{
	int ret = -1;

	if (n == 0)
		return 0;
	switch (h->fam) {
	case MX_FAM_SHA1:
		ret = mbedtls_sha1_update(&h->u.s1, p, n);
		break;
	case MX_FAM_SHA256:
		ret = mbedtls_sha256_update(&h->u.s256, p, n);
		break;
	case MX_FAM_SHA512:
		ret = mbedtls_sha512_update(&h->u.s512, p, n);
		break;
	}
	return ret == 0 ? 0 : -1;
}

/* Writes exactly the digest size, so bytes of out past it are left alone. */
static int h_finish(struct mx_hctx *h, uint8_t *out)
{
	int ret = -1;

	switch (h->fam) {
	case MX_FAM_SHA1:
		ret = mbedtls_sha1_finish(&h->u.s1, out);
		break;
	case MX_FAM_SHA256:
		ret = mbedtls_sha256_finish(&h->u.s256, out);
		break;
	case MX_FAM_SHA512:
		ret = mbedtls_sha512_finish(&h->u.s512, out);
		break;
	}
	return ret == 0 ? 0 : -1;
}

static void h_clone(struct mx_hctx *dst, const struct mx_hctx *src)
{
	dst->fam = src->fam;
	dst->trunc = src->trunc;
	switch (src->fam) {
	case MX_FAM_SHA1:
		mbedtls_sha1_clone(&dst->u.s1, &src->u.s1);
		break;
	case MX_FAM_SHA256:
		mbedtls_sha256_clone(&dst->u.s256, &src->u.s256);
		break;
	case MX_FAM_SHA512:
		mbedtls_sha512_clone(&dst->u.s512, &src->u.s512);
		break;
	}
}

/* RFC 2104: absorb K0^ipad into in and K0^opad into out; keys longer than a block are hashed. */
static int hmac_setup(const struct mx_mdesc *d, const uint8_t *key, size_t keylen,
                      struct mx_hctx *in, struct mx_hctx *out)
{
	uint8_t k0[MX_MAX_BLOCK] = {0};
	uint8_t pad[MX_MAX_BLOCK];
	int ret = -1;
	size_t i;

	if (keylen > d->blen) {
		if (h_starts(in, d) != 0 || h_update(in, key, keylen) != 0 || h_finish(in, k0) != 0)
			goto done;
	} else if (keylen > 0) {
		memcpy(k0, key, keylen);
	}
	for (i = 0; i < d->blen; i++)
		pad[i] = k0[i] ^ 0x36;
	if (h_starts(in, d) != 0 || h_update(in, pad, d->blen) != 0)
		goto done;
	for (i = 0; i < d->blen; i++)
		pad[i] = k0[i] ^ 0x5c;
	if (h_starts(out, d) != 0 || h_update(out, pad, d->blen) != 0)
		goto done;
	ret = 0;
done:
	mx_wipe(k0, sizeof(k0));
	mx_wipe(pad, sizeof(pad));
	return ret;
}

/*
 * Turn blk into the final block of a message whose last dlen bytes sit at its start, after
 * `prefix` bytes already compressed: 0x80, zeros, then the big-endian bit length. Every message
 * here is shorter than 2^61 bytes, so only the low 8 bytes of the length field are non-zero.
 */
static void pad_block(uint8_t *blk, size_t blen, size_t dlen, size_t prefix)
{
	uint64_t bits = (uint64_t)(prefix + dlen) * 8;
	size_t i;

	memset(blk + dlen, 0, blen - dlen);
	blk[dlen] = 0x80;
	for (i = 0; i < 8; i++)
		blk[blen - 1 - i] = (uint8_t)(bits >> (8 * i));
}

/*
 * PBKDF2 iterations 2..c of one block. ic/oc hold the HMAC inner/outer states after K0^ipad and
 * K0^opad; ib/ob are final blocks (pad_block) whose first dlen bytes take the message: on entry
 * ib carries U_1. Each U_j then costs two compressions and no buffering. T is written to t.
 * hw selects the SHA-NI compression (use_sha_x86).
 */
static int pbkdf2_sha1(const mbedtls_sha1_context *ic, const mbedtls_sha1_context *oc, uint8_t *ib,
                       uint8_t *ob, uint32_t iterations, uint8_t *t, int hw)
{
	const sha1_proc_fn process = sha1_proc(hw);
	mbedtls_sha1_context w;
	uint32_t *st = w.MBEDTLS_PRIVATE(state);
	uint32_t acc[5];
	int ret = 0;
	uint32_t j;
	size_t k;

	mbedtls_sha1_init(&w);
	for (k = 0; k < 5; k++)
		acc[k] = get_be32(ib + 4 * k);
	for (j = 1; j < iterations; j++) {
		memcpy(st, ic->MBEDTLS_PRIVATE(state), sizeof(acc));
		if (process(&w, ib) != 0) {
			ret = -1;
			break;
		}
		for (k = 0; k < 5; k++)
			put_be32(ob + 4 * k, st[k]);
		memcpy(st, oc->MBEDTLS_PRIVATE(state), sizeof(acc));
		if (process(&w, ob) != 0) {
			ret = -1;
			break;
		}
		for (k = 0; k < 5; k++) {
			put_be32(ib + 4 * k, st[k]);
			acc[k] ^= st[k];
		}
	}
	for (k = 0; k < 5; k++)
		put_be32(t + 4 * k, acc[k]);
	mbedtls_sha1_free(&w);
	mx_wipe(acc, sizeof(acc));
	return ret;
}

/* As pbkdf2_sha1; nw is the digest size in words (7 for SHA-224, 8 for SHA-256). */
static int pbkdf2_sha256(const mbedtls_sha256_context *ic, const mbedtls_sha256_context *oc,
                         size_t nw, uint8_t *ib, uint8_t *ob, uint32_t iterations, uint8_t *t,
                         int hw)
{
	const sha256_proc_fn process = sha256_proc(hw);
	mbedtls_sha256_context w;
	uint32_t *st = w.MBEDTLS_PRIVATE(state);
	uint32_t acc[8];
	int ret = 0;
	uint32_t j;
	size_t k;

	mbedtls_sha256_init(&w);
	for (k = 0; k < nw; k++)
		acc[k] = get_be32(ib + 4 * k);
	for (j = 1; j < iterations; j++) {
		memcpy(st, ic->MBEDTLS_PRIVATE(state), sizeof(acc));
		if (process(&w, ib) != 0) {
			ret = -1;
			break;
		}
		for (k = 0; k < nw; k++)
			put_be32(ob + 4 * k, st[k]);
		memcpy(st, oc->MBEDTLS_PRIVATE(state), sizeof(acc));
		if (process(&w, ob) != 0) {
			ret = -1;
			break;
		}
		for (k = 0; k < nw; k++) {
			put_be32(ib + 4 * k, st[k]);
			acc[k] ^= st[k];
		}
	}
	for (k = 0; k < nw; k++)
		put_be32(t + 4 * k, acc[k]);
	mbedtls_sha256_free(&w);
	mx_wipe(acc, sizeof(acc));
	return ret;
}

/* As pbkdf2_sha1; nw is the digest size in words (6 for SHA-384, 8 for SHA-512). */
static int pbkdf2_sha512(const mbedtls_sha512_context *ic, const mbedtls_sha512_context *oc,
                         size_t nw, uint8_t *ib, uint8_t *ob, uint32_t iterations, uint8_t *t)
{
	mbedtls_sha512_context w;
	uint64_t *st = w.MBEDTLS_PRIVATE(state);
	uint64_t acc[8];
	int ret = 0;
	uint32_t j;
	size_t k;

	mbedtls_sha512_init(&w);
	for (k = 0; k < nw; k++)
		acc[k] = get_be64(ib + 8 * k);
	for (j = 1; j < iterations; j++) {
		memcpy(st, ic->MBEDTLS_PRIVATE(state), sizeof(acc));
		if (mbedtls_internal_sha512_process(&w, ib) != 0) {
			ret = -1;
			break;
		}
		for (k = 0; k < nw; k++)
			put_be64(ob + 8 * k, st[k]);
		memcpy(st, oc->MBEDTLS_PRIVATE(state), sizeof(acc));
		if (mbedtls_internal_sha512_process(&w, ob) != 0) {
			ret = -1;
			break;
		}
		for (k = 0; k < nw; k++) {
			put_be64(ib + 8 * k, st[k]);
			acc[k] ^= st[k];
		}
	}
	for (k = 0; k < nw; k++)
		put_be64(t + 8 * k, acc[k]);
	mbedtls_sha512_free(&w);
	mx_wipe(acc, sizeof(acc));
	return ret;
}

/* Dispatch once per output block, not per iteration. */
static int pbkdf2_block(const struct mx_mdesc *d, const struct mx_hctx *hi,
                        const struct mx_hctx *ho, uint8_t *ib, uint8_t *ob, uint32_t iterations,
                        uint8_t *t, int hw)
{
	switch (d->fam) {
	case MX_FAM_SHA1:
		return pbkdf2_sha1(&hi->u.s1, &ho->u.s1, ib, ob, iterations, t, hw);
	case MX_FAM_SHA256:
		return pbkdf2_sha256(&hi->u.s256, &ho->u.s256, d->dlen / 4, ib, ob, iterations, t,
		                     hw);
	case MX_FAM_SHA512:
		return pbkdf2_sha512(&hi->u.s512, &ho->u.s512, d->dlen / 8, ib, ob, iterations, t);
	}
	return -1;
}

int mx_pbkdf2_hmac(mbedtls_md_type_t md, const uint8_t *pw, size_t pwlen, const uint8_t *salt,
                   size_t saltlen, uint32_t iterations, uint8_t *out, size_t outlen)
{
	struct mx_mdesc d;
	struct mx_hctx hi, ho, hc;
	uint8_t ib[MX_MAX_BLOCK], ob[MX_MAX_BLOCK], t[MX_MAX_DIGEST], ctr[4];
	uint32_t block;
	size_t done, n;
	const int hw = use_sha_x86();
	int ret = -1;

	if (mdesc_get(md, &d) != 0 || iterations < 1 || out == NULL || outlen < 1 ||
	    (pw == NULL && pwlen > 0) || (salt == NULL && saltlen > 0))
		return -1;
	/* RFC 8018 caps dkLen at (2^32 - 1) * hLen: the block counter is 32 bits. */
	if ((outlen - 1) / d.dlen >= UINT32_MAX)
		return -1;

	if (hmac_setup(&d, pw, pwlen, &hi, &ho) != 0)
		goto done;
	/* Both hashes in an iteration cover one key block plus dlen bytes: same padding. */
	pad_block(ib, d.blen, d.dlen, d.blen);
	pad_block(ob, d.blen, d.dlen, d.blen);

	for (block = 1, done = 0; done < outlen; block++, done += n) {
		/* U_1 = HMAC(P, S || INT(block)), streamed; it lands in ib's message slot. */
		put_be32(ctr, block);
		h_clone(&hc, &hi);
		if (h_update(&hc, salt, saltlen) != 0 || h_update(&hc, ctr, 4) != 0 ||
		    h_finish(&hc, ib) != 0)
			goto done;
		h_clone(&hc, &ho);
		if (h_update(&hc, ib, d.dlen) != 0 || h_finish(&hc, ib) != 0)
			goto done;

		if (pbkdf2_block(&d, &hi, &ho, ib, ob, iterations, t, hw) != 0)
			goto done;
		n = outlen - done < d.dlen ? outlen - done : d.dlen;
		memcpy(out + done, t, n);
	}
	ret = 0;
done:
	if (ret != 0)
		mx_wipe(out, outlen);
	mx_wipe(&hi, sizeof(hi));
	mx_wipe(&ho, sizeof(ho));
	mx_wipe(&hc, sizeof(hc));
	mx_wipe(ib, sizeof(ib));
	mx_wipe(ob, sizeof(ob));
	mx_wipe(t, sizeof(t));
	return ret;
}

/*
 * The B.2 step 6b iterations A = H(A): blk is a final block (pad_block, prefix 0) holding A in
 * its first dlen bytes; each round is one compression from the IV, digest written back in place.
 */
static int iterate_sha1(uint8_t *blk, uint32_t rounds, int hw)
{
	const sha1_proc_fn process = sha1_proc(hw);
	mbedtls_sha1_context w;
	uint32_t *st = w.MBEDTLS_PRIVATE(state);
	uint32_t iv[5];
	int ret = -1;
	uint32_t j;
	size_t k;

	mbedtls_sha1_init(&w);
	if (mbedtls_sha1_starts(&w) != 0)
		goto done;
	memcpy(iv, st, sizeof(iv));
	for (j = 0; j < rounds; j++) {
		memcpy(st, iv, sizeof(iv));
		if (process(&w, blk) != 0)
			goto done;
		for (k = 0; k < 5; k++)
			put_be32(blk + 4 * k, st[k]);
	}
	ret = 0;
done:
	mbedtls_sha1_free(&w);
	return ret;
}

static int iterate_sha256(int is224, size_t nw, uint8_t *blk, uint32_t rounds, int hw)
{
	const sha256_proc_fn process = sha256_proc(hw);
	mbedtls_sha256_context w;
	uint32_t *st = w.MBEDTLS_PRIVATE(state);
	uint32_t iv[8];
	int ret = -1;
	uint32_t j;
	size_t k;

	mbedtls_sha256_init(&w);
	if (mbedtls_sha256_starts(&w, is224) != 0)
		goto done;
	memcpy(iv, st, sizeof(iv));
	for (j = 0; j < rounds; j++) {
		memcpy(st, iv, sizeof(iv));
		if (process(&w, blk) != 0)
			goto done;
		for (k = 0; k < nw; k++)
			put_be32(blk + 4 * k, st[k]);
	}
	ret = 0;
done:
	mbedtls_sha256_free(&w);
	return ret;
}

static int iterate_sha512(int is384, size_t nw, uint8_t *blk, uint32_t rounds)
{
	mbedtls_sha512_context w;
	uint64_t *st = w.MBEDTLS_PRIVATE(state);
	uint64_t iv[8];
	int ret = -1;
	uint32_t j;
	size_t k;

	mbedtls_sha512_init(&w);
	if (mbedtls_sha512_starts(&w, is384) != 0)
		goto done;
	memcpy(iv, st, sizeof(iv));
	for (j = 0; j < rounds; j++) {
		memcpy(st, iv, sizeof(iv));
		if (mbedtls_internal_sha512_process(&w, blk) != 0)
			goto done;
		for (k = 0; k < nw; k++)
			put_be64(blk + 8 * k, st[k]);
	}
	ret = 0;
done:
	mbedtls_sha512_free(&w);
	return ret;
}

/* Dispatch once per B.2 round, not per iteration. */
static int iterate(const struct mx_mdesc *d, uint8_t *blk, uint32_t rounds, int hw)
{
	switch (d->fam) {
	case MX_FAM_SHA1:
		return iterate_sha1(blk, rounds, hw);
	case MX_FAM_SHA256:
		return iterate_sha256(d->trunc, d->dlen / 4, blk, rounds, hw);
	case MX_FAM_SHA512:
		return iterate_sha512(d->trunc, d->dlen / 8, blk, rounds);
	}
	return -1;
}

/* Fill dst (a multiple of v bytes) with copies of src, the last one truncated (B.2 steps 2-3). */
static void stretch(uint8_t *dst, size_t dlen, const uint8_t *src, size_t slen)
{
	size_t i, n;

	for (i = 0; i < dlen; i += n) {
		n = dlen - i < slen ? dlen - i : slen;
		memcpy(dst + i, src, n);
	}
}

static size_t round_up(size_t n, size_t v)
{
	return (n + v - 1) / v * v;
}

int mx_pkcs12_kdf(mbedtls_md_type_t md, uint8_t id, const uint8_t *pw, size_t pwlen,
                  const uint8_t *salt, size_t saltlen, uint32_t iterations, uint8_t *out,
                  size_t outlen)
{
	struct mx_mdesc d;
	struct mx_hctx h;
	uint8_t dv[MX_MAX_BLOCK], blk[MX_MAX_BLOCK], b[MX_MAX_BLOCK];
	uint8_t *ibuf = NULL;
	size_t v, slen, plen, ilen = 0, done, n, i, k;
	unsigned int sum;
	const int hw = use_sha_x86();
	int ret = -1;

	if (mdesc_get(md, &d) != 0 || id < 1 || id > 3 || iterations < 1 || out == NULL ||
	    outlen < 1 || (pw == NULL && pwlen > 0) || (salt == NULL && saltlen > 0))
		return -1;
	v = d.blen;
	if (saltlen > SIZE_MAX - v || pwlen > SIZE_MAX - v)
		return -1;
	slen = round_up(saltlen, v);
	plen = round_up(pwlen, v);
	if (slen > SIZE_MAX - plen)
		return -1;
	ilen = slen + plen;

	/* I = S || P; an empty salt or password contributes nothing (B.2 steps 2-3). */
	if (ilen > 0) {
		ibuf = malloc(ilen);
		if (ibuf == NULL)
			return -1;
		stretch(ibuf, slen, salt, saltlen);
		stretch(ibuf + slen, plen, pw, pwlen);
	}
	memset(dv, id, v);
	pad_block(blk, v, d.dlen, 0);

	for (done = 0;; done += n) {
		/* A = H^r(D || I): the first hash is streamed, the other r-1 are one block each. */
		if (h_starts(&h, &d) != 0 || h_update(&h, dv, v) != 0 ||
		    h_update(&h, ibuf, ilen) != 0 || h_finish(&h, blk) != 0)
			goto done;
		if (iterate(&d, blk, iterations - 1, hw) != 0)
			goto done;

		n = outlen - done < d.dlen ? outlen - done : d.dlen;
		memcpy(out + done, blk, n);
		if (done + n == outlen)
			break;

		/* Step 6: B = A stretched to v bytes; I_j = (I_j + B + 1) mod 2^(8v). */
		stretch(b, v, blk, d.dlen);
		for (i = 0; i < ilen; i += v) {
			sum = 1; /* the "+ 1", as the carry into the last byte */
			for (k = v; k > 0; k--) {
				sum += (unsigned int)ibuf[i + k - 1] + b[k - 1];
				ibuf[i + k - 1] = (uint8_t)sum;
				sum >>= 8;
			}
		}
	}
	ret = 0;
done:
	if (ret != 0)
		mx_wipe(out, outlen);
	mx_freezero(ibuf, ilen);
	mx_wipe(&h, sizeof(h));
	mx_wipe(blk, sizeof(blk));
	mx_wipe(b, sizeof(b));
	return ret;
}

int mx_hmac(mbedtls_md_type_t md, const uint8_t *key, size_t keylen, const uint8_t *msg,
            size_t msglen, uint8_t *out)
{
	struct mx_mdesc d;
	struct mx_hctx hi, ho;
	uint8_t ih[MX_MAX_DIGEST];
	int ret = -1;

	if (mdesc_get(md, &d) != 0 || out == NULL || (key == NULL && keylen > 0) ||
	    (msg == NULL && msglen > 0))
		return -1;
	if (hmac_setup(&d, key, keylen, &hi, &ho) != 0 || h_update(&hi, msg, msglen) != 0 ||
	    h_finish(&hi, ih) != 0 || h_update(&ho, ih, d.dlen) != 0 || h_finish(&ho, out) != 0)
		goto done;
	ret = 0;
done:
	if (ret != 0)
		mx_wipe(out, d.dlen);
	mx_wipe(&hi, sizeof(hi));
	mx_wipe(&ho, sizeof(ho));
	mx_wipe(ih, sizeof(ih));
	return ret;
}
