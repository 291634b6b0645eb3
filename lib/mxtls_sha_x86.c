/*
 * SHA-1 and SHA-256 block compression with the x86 SHA extensions (SHA-NI).
 *
 * mbedTLS 3.6 has no x86 SHA-NI code, and the KDF loops in mxtls_kdf.c spend almost all their
 * time in the compression function, so they call these instead when the CPU has the
 * instructions. The structure follows the well-known public-domain intrinsics code (Intel's
 * SHA extensions sample by Sean Gulley, as republished by Jeffrey Walton, "noloader",
 * SHA-Intrinsics), rewritten here for one block with the rounds expressed through macros: the
 * message schedule has the same shape in every four-round group, so writing it once leaves
 * less room for a transposed register name than 16 or 20 hand-copied groups would.
 *
 * Only the two compression functions, which execute SHA/SSSE3/SSE4.1 instructions, carry a
 * target attribute; the rest of the library is built for the baseline x86-64 ISA, and callers must
 * check mx_sha_x86_available() first, so the library still runs on CPUs without SHA-NI.
 */
#include "mxtls_sha_x86.h"

#if MX_HAVE_SHA_X86

#include <cpuid.h>
#include <immintrin.h>
#include <stdatomic.h>

/* -1: not asked yet; else the answer. Racing first callers all store the same value. */
static atomic_int sha_x86_cached = -1;

/*
 * No OS-support check is needed beyond CPUID: the SHA instructions work on XMM registers
 * only, and SSE state is always enabled by an x86-64 OS (unlike the AVX/YMM state, which
 * would need OSXSAVE/XGETBV).
 */
static int sha_x86_probe(void)
{
	unsigned int eax, ebx, ecx, edx;

	/* Leaf 1: ECX bit 9 SSSE3 (pshufb, palignr), bit 19 SSE4.1 (pblendw, pextrd). */
	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
		return 0;
	if (!(ecx & (1u << 9)) || !(ecx & (1u << 19)))
		return 0;
	/* Leaf 7 sub-leaf 0: EBX bit 29 SHA. __get_cpuid_count fails if leaf 7 is absent. */
	if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
		return 0;
	return (ebx & (1u << 29)) != 0;
}

int mx_sha_x86_available(void)
{
	/* Relaxed is enough: the int is the whole message, it publishes no other data. */
	int v = atomic_load_explicit(&sha_x86_cached, memory_order_relaxed);

	if (v < 0) {
		v = sha_x86_probe();
		atomic_store_explicit(&sha_x86_cached, v, memory_order_relaxed);
	}
	return v;
}

#define MX_SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

/* FIPS 180-4 4.2.2, in lane order: _mm_load_si128(&K256[4 * i]) puts K[4i] in lane 0. */
static _Alignas(16) const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

/*
 * Four SHA-256 rounds, 4i .. 4i+3, with W[4i .. 4i+3] in m (W[4i] in lane 0).
 * sha256rnds2(cdgh, abef, wk) runs two rounds with the words in wk's low two lanes and returns
 * the new ABEF; the old ABEF is then exactly the new CDGH, so s0/s1 swap roles each call and
 * end up back in place after the pair. The second pair takes its words from the high lanes.
 */
#define SHA256_ROUNDS4(m, i)                                                                       \
	do {                                                                                       \
		wk = _mm_add_epi32((m), _mm_load_si128((const __m128i *)&K256[4 * (i)]));          \
		s1 = _mm_sha256rnds2_epu32(s1, s0, wk);                                            \
		s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(wk, 0x0e));                   \
	} while (0)

/*
 * Message schedule, W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16] (FIPS 180-4 6.2.2):
 * SHA256_MSG1(a, b) leaves W[t-16 ..] + s0(W[t-15 ..]) in a (a = W[t-16 ..], b = W[t-12 ..]);
 * SHA256_NEXT(n, c, p) adds W[t-7 .. t-4] (the top three words of p = W[t-8 ..] and the
 * lowest of c = W[t-4 ..]: palignr by 4 bytes) and lets sha256msg2 add s1(W[t-2]), serially
 * within the vector. n then holds W[t .. t+3]. p must still hold plain W here, so a group
 * runs SHA256_NEXT before its SHA256_MSG1 overwrites p.
 */
#define SHA256_MSG1(a, b) ((a) = _mm_sha256msg1_epu32((a), (b)))
#define SHA256_NEXT(n, c, p)                                                                       \
	((n) = _mm_sha256msg2_epu32(_mm_add_epi32((n), _mm_alignr_epi8((c), (p), 4)), (c)))

/*
 * The middle four-round group i (4 <= i <= 11): rounds with m0 = W[4i ..], then finish the
 * next group's vector in m1 (it got its MSG1 two groups ago) and start group i+3's in m3,
 * which holds the oldest words, W[4i-4 ..]; (m0, m1, m2, m3) rotate by one each call.
 */
#define SHA256_GROUP(m0, m1, m2, m3, i)                                                            \
	do {                                                                                       \
		SHA256_ROUNDS4(m0, i);                                                             \
		SHA256_NEXT(m1, m0, m3);                                                           \
		SHA256_MSG1(m3, m0);                                                               \
	} while (0)

MX_SHA_TARGET void mx_sha256_x86_compress(uint32_t state[8], const uint8_t block[64])
{
	/* pshufb mask: byte-swap each 32-bit lane, since SHA-256 reads big-endian words. */
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i s0, s1, save0, save1, tmp, wk, m0, m1, m2, m3;

	/*
	 * The instructions want the state as two vectors, ABEF and CDGH, with A (resp. C) in
	 * the top lane. Lanes are listed low to high below.
	 */
	tmp = _mm_loadu_si128((const __m128i *)&state[0]); /* A B C D */
	s1 = _mm_loadu_si128((const __m128i *)&state[4]);  /* E F G H */
	tmp = _mm_shuffle_epi32(tmp, 0xb1);                /* B A D C */
	s1 = _mm_shuffle_epi32(s1, 0x1b);                  /* H G F E */
	s0 = _mm_alignr_epi8(tmp, s1, 8);                  /* F E B A = ABEF */
	s1 = _mm_blend_epi16(s1, tmp, 0xf0);               /* H G D C = CDGH */
	save0 = s0;
	save1 = s1;

	m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 0)), bswap);
	m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 16)), bswap);
	m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 32)), bswap);
	m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 48)), bswap);

	/* Rounds 0-15 use the block itself and start the schedule for W[16 ..]. */
	SHA256_ROUNDS4(m0, 0);
	SHA256_ROUNDS4(m1, 1);
	SHA256_MSG1(m0, m1);
	SHA256_ROUNDS4(m2, 2);
	SHA256_MSG1(m1, m2);
	SHA256_ROUNDS4(m3, 3);
	SHA256_NEXT(m0, m3, m2); /* W[16 .. 19] */
	SHA256_MSG1(m2, m3);

	/* Rounds 16-47. */
	SHA256_GROUP(m0, m1, m2, m3, 4);
	SHA256_GROUP(m1, m2, m3, m0, 5);
	SHA256_GROUP(m2, m3, m0, m1, 6);
	SHA256_GROUP(m3, m0, m1, m2, 7);
	SHA256_GROUP(m0, m1, m2, m3, 8);
	SHA256_GROUP(m1, m2, m3, m0, 9);
	SHA256_GROUP(m2, m3, m0, m1, 10);
	SHA256_GROUP(m3, m0, m1, m2, 11);

	/* Rounds 48-63: the schedule winds down; W[60 .. 63] is the last vector made. */
	SHA256_ROUNDS4(m0, 12);
	SHA256_NEXT(m1, m0, m3); /* W[52 .. 55] */
	SHA256_MSG1(m3, m0);
	SHA256_ROUNDS4(m1, 13);
	SHA256_NEXT(m2, m1, m0); /* W[56 .. 59] */
	SHA256_ROUNDS4(m2, 14);
	SHA256_NEXT(m3, m2, m1); /* W[60 .. 63] */
	SHA256_ROUNDS4(m3, 15);

	s0 = _mm_add_epi32(s0, save0);
	s1 = _mm_add_epi32(s1, save1);

	/* Back to A .. H in memory order, undoing the shuffles above. */
	tmp = _mm_shuffle_epi32(s0, 0x1b);   /* A B E F */
	s1 = _mm_shuffle_epi32(s1, 0xb1);    /* G H C D */
	s0 = _mm_blend_epi16(tmp, s1, 0xf0); /* A B C D */
	s1 = _mm_alignr_epi8(s1, tmp, 8);    /* E F G H */
	_mm_storeu_si128((__m128i *)&state[0], s0);
	_mm_storeu_si128((__m128i *)&state[4], s1);
}

/*
 * Four SHA-1 rounds of function f (0: Ch, rounds 0-19; 1: Parity; 2: Maj; 3: Parity), with
 * the message words already folded into e (W[t] + E in the top lane, W[t+1 .. t+3] below).
 * sha1rnds4 cannot produce the E of the following group itself: that E is rol30 of the A
 * of the current group's input, so the input ABCD is kept in e_next for sha1nexte.
 */
#define SHA1_ROUNDS4(e, e_next, f)                                                                 \
	do {                                                                                       \
		(e_next) = abcd;                                                                   \
		abcd = _mm_sha1rnds4_epu32(abcd, (e), (f));                                        \
	} while (0)

/*
 * Message schedule, W[t] = rol1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]) (FIPS 180-4 6.1.2), in
 * three steps over the groups: sha1msg1(a, b) gives W[t-16 ..] ^ W[t-14 ..]; the xor adds
 * W[t-8 ..]; sha1msg2 adds W[t-3] and rotates, serially within the vector.
 */
#define SHA1_MSG1(a, b) ((a) = _mm_sha1msg1_epu32((a), (b)))
#define SHA1_MSG_XOR(a, b) ((a) = _mm_xor_si128((a), (b)))
#define SHA1_MSG2(a, b) ((a) = _mm_sha1msg2_epu32((a), (b)))

/*
 * The middle group i (4 <= i <= 16) with m0 = W[4i ..]: E for this group from the previous
 * group's saved A (e) plus m0, the rounds, then finish m1 (W[4i+4 ..]), xor W[4i ..] into m2
 * and start m3 (the oldest). e/e_next alternate between two registers from group to group.
 */
#define SHA1_GROUP(m0, m1, m2, m3, e, e_next, f)                                                   \
	do {                                                                                       \
		(e) = _mm_sha1nexte_epu32((e), (m0));                                              \
		SHA1_MSG2(m1, m0);                                                                 \
		SHA1_ROUNDS4(e, e_next, f);                                                        \
		SHA1_MSG1(m3, m0);                                                                 \
		SHA1_MSG_XOR(m2, m0);                                                              \
	} while (0)

MX_SHA_TARGET void mx_sha1_x86_compress(uint32_t state[5], const uint8_t block[64])
{
	/*
	 * pshufb mask reversing all 16 bytes: words become big-endian and W[t] lands in the top
	 * lane, where the SHA-1 instructions expect the first word of a group.
	 */
	const __m128i bswap = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
	__m128i abcd, abcd_save, e0, e1, e_save, m0, m1, m2, m3;

	abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)state), 0x1b); /* D C B A */
	e0 = _mm_set_epi32((int)state[4], 0, 0, 0);                              /* E in lane 3 */
	abcd_save = abcd;
	e_save = e0;

	m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 0)), bswap);
	m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 16)), bswap);
	m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 32)), bswap);
	m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 48)), bswap);

	/* Rounds 0-15: the first E is the state's own, added plainly; nexte from then on. */
	e0 = _mm_add_epi32(e0, m0);
	SHA1_ROUNDS4(e0, e1, 0);
	e1 = _mm_sha1nexte_epu32(e1, m1);
	SHA1_ROUNDS4(e1, e0, 0);
	SHA1_MSG1(m0, m1);
	e0 = _mm_sha1nexte_epu32(e0, m2);
	SHA1_ROUNDS4(e0, e1, 0);
	SHA1_MSG1(m1, m2);
	SHA1_MSG_XOR(m0, m2);
	e1 = _mm_sha1nexte_epu32(e1, m3);
	SHA1_MSG2(m0, m3); /* W[16 .. 19] */
	SHA1_ROUNDS4(e1, e0, 0);
	SHA1_MSG1(m2, m3);
	SHA1_MSG_XOR(m1, m3);

	/* Rounds 16-67; the round function changes every 20 rounds (5 groups). */
	SHA1_GROUP(m0, m1, m2, m3, e0, e1, 0); /* 16-19 */
	SHA1_GROUP(m1, m2, m3, m0, e1, e0, 1); /* 20-23 */
	SHA1_GROUP(m2, m3, m0, m1, e0, e1, 1);
	SHA1_GROUP(m3, m0, m1, m2, e1, e0, 1);
	SHA1_GROUP(m0, m1, m2, m3, e0, e1, 1);
	SHA1_GROUP(m1, m2, m3, m0, e1, e0, 1); /* 36-39 */
	SHA1_GROUP(m2, m3, m0, m1, e0, e1, 2); /* 40-43 */
	SHA1_GROUP(m3, m0, m1, m2, e1, e0, 2);
	SHA1_GROUP(m0, m1, m2, m3, e0, e1, 2);
	SHA1_GROUP(m1, m2, m3, m0, e1, e0, 2);
	SHA1_GROUP(m2, m3, m0, m1, e0, e1, 2); /* 56-59 */
	SHA1_GROUP(m3, m0, m1, m2, e1, e0, 3); /* 60-63 */
	SHA1_GROUP(m0, m1, m2, m3, e0, e1, 3); /* 64-67 */

	/* Rounds 68-79: the schedule winds down; W[76 .. 79] is the last vector made. */
	e1 = _mm_sha1nexte_epu32(e1, m1);
	SHA1_MSG2(m2, m1); /* W[72 .. 75] */
	SHA1_ROUNDS4(e1, e0, 3);
	SHA1_MSG_XOR(m3, m1);
	e0 = _mm_sha1nexte_epu32(e0, m2);
	SHA1_MSG2(m3, m2); /* W[76 .. 79] */
	SHA1_ROUNDS4(e0, e1, 3);
	e1 = _mm_sha1nexte_epu32(e1, m3);
	SHA1_ROUNDS4(e1, e0, 3);

	/* e0 holds the A that entered rounds 76-79, so nexte yields rol30 of it (the final E)
	 * plus the saved E: the feed-forward for E, while ABCD is a plain add. */
	e0 = _mm_sha1nexte_epu32(e0, e_save);
	abcd = _mm_add_epi32(abcd, abcd_save);

	_mm_storeu_si128((__m128i *)state, _mm_shuffle_epi32(abcd, 0x1b));
	state[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}

#else /* !MX_HAVE_SHA_X86 */

int mx_sha_x86_available(void)
{
	return 0;
}

#endif
