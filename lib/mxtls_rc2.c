/* RC2 (RFC 2268): key expansion, single-block encrypt/decrypt and CBC decrypt. */
#include "mxtls_rc2.h"

#include <string.h>

#include "mxtls_util.h"

/* PITABLE from RFC 2268 section 2: a permutation of 0..255 derived from pi. */
static const uint8_t pitable[256] = {
    0xd9, 0x78, 0xf9, 0xc4, 0x19, 0xdd, 0xb5, 0xed, 0x28, 0xe9, 0xfd, 0x79, 0x4a, 0xa0, 0xd8, 0x9d,
    0xc6, 0x7e, 0x37, 0x83, 0x2b, 0x76, 0x53, 0x8e, 0x62, 0x4c, 0x64, 0x88, 0x44, 0x8b, 0xfb, 0xa2,
    0x17, 0x9a, 0x59, 0xf5, 0x87, 0xb3, 0x4f, 0x13, 0x61, 0x45, 0x6d, 0x8d, 0x09, 0x81, 0x7d, 0x32,
    0xbd, 0x8f, 0x40, 0xeb, 0x86, 0xb7, 0x7b, 0x0b, 0xf0, 0x95, 0x21, 0x22, 0x5c, 0x6b, 0x4e, 0x82,
    0x54, 0xd6, 0x65, 0x93, 0xce, 0x60, 0xb2, 0x1c, 0x73, 0x56, 0xc0, 0x14, 0xa7, 0x8c, 0xf1, 0xdc,
    0x12, 0x75, 0xca, 0x1f, 0x3b, 0xbe, 0xe4, 0xd1, 0x42, 0x3d, 0xd4, 0x30, 0xa3, 0x3c, 0xb6, 0x26,
    0x6f, 0xbf, 0x0e, 0xda, 0x46, 0x69, 0x07, 0x57, 0x27, 0xf2, 0x1d, 0x9b, 0xbc, 0x94, 0x43, 0x03,
    0xf8, 0x11, 0xc7, 0xf6, 0x90, 0xef, 0x3e, 0xe7, 0x06, 0xc3, 0xd5, 0x2f, 0xc8, 0x66, 0x1e, 0xd7,
    0x08, 0xe8, 0xea, 0xde, 0x80, 0x52, 0xee, 0xf7, 0x84, 0xaa, 0x72, 0xac, 0x35, 0x4d, 0x6a, 0x2a,
    0x96, 0x1a, 0xd2, 0x71, 0x5a, 0x15, 0x49, 0x74, 0x4b, 0x9f, 0xd0, 0x5e, 0x04, 0x18, 0xa4, 0xec,
    0xc2, 0xe0, 0x41, 0x6e, 0x0f, 0x51, 0xcb, 0xcc, 0x24, 0x91, 0xaf, 0x50, 0xa1, 0xf4, 0x70, 0x39,
    0x99, 0x7c, 0x3a, 0x85, 0x23, 0xb8, 0xb4, 0x7a, 0xfc, 0x02, 0x36, 0x5b, 0x25, 0x55, 0x97, 0x31,
    0x2d, 0x5d, 0xfa, 0x98, 0xe3, 0x8a, 0x92, 0xae, 0x05, 0xdf, 0x29, 0x10, 0x67, 0x6c, 0xba, 0xc9,
    0xd3, 0x00, 0xe6, 0xcf, 0xe1, 0x9e, 0xa8, 0x2c, 0x63, 0x16, 0x01, 0x3f, 0x58, 0xe2, 0x89, 0xa9,
    0x0d, 0x38, 0x34, 0x1b, 0xab, 0x33, 0xff, 0xb0, 0xbb, 0x48, 0x0c, 0x5f, 0xb9, 0xb1, 0xcd, 0x2e,
    0xc5, 0xf3, 0xdb, 0x47, 0xe5, 0xa5, 0x9c, 0x77, 0x0a, 0xa6, 0x20, 0x68, 0xfe, 0x7f, 0xc1, 0xad,
};

/* Rotation counts of the four MIX sub-steps (RFC 2268 section 3.1). */
static const unsigned rot[4] = {1, 2, 3, 5};

/*
 * All 16-bit arithmetic is done in unsigned int and truncated on store: uint16_t would
 * promote to (signed) int, where ~x is negative and large shifts are not portable.
 */
static uint16_t rol16(unsigned x, unsigned s)
{
	x &= 0xffffu;
	return (uint16_t)(((x << s) | (x >> (16u - s))) & 0xffffu);
}

static uint16_t ror16(unsigned x, unsigned s)
{
	x &= 0xffffu;
	return (uint16_t)(((x >> s) | (x << (16u - s))) & 0xffffu);
}

int mx_rc2_setkey(mx_rc2 *ctx, const uint8_t *key, size_t keylen, unsigned effective_bits)
{
	uint8_t l[128];
	size_t i, t8;
	unsigned tm;

	if (ctx == NULL)
		return -1;
	/* Never leave a stale schedule behind on failure. */
	mx_wipe(ctx, sizeof(*ctx));
	if (key == NULL || keylen < 1 || keylen > sizeof(l) || effective_bits < 1 ||
	    effective_bits > 1024)
		return -1;

	memcpy(l, key, keylen);
	/* Expand to 128 bytes. */
	for (i = keylen; i < sizeof(l); i++)
		l[i] = pitable[(l[i - 1] + l[i - keylen]) & 0xffu];

	/* Reduce the effective key to effective_bits (the export-grade hack). */
	t8 = (effective_bits + 7u) / 8u;
	tm = 0xffu >> (8u * (unsigned)t8 - effective_bits);
	l[128 - t8] = pitable[l[128 - t8] & tm];
	for (i = 128 - t8; i > 0; i--)
		l[i - 1] = pitable[l[i] ^ l[i - 1 + t8]];

	for (i = 0; i < 64; i++)
		ctx->k[i] = (uint16_t)(l[2 * i] | ((unsigned)l[2 * i + 1] << 8));

	mx_wipe(l, sizeof(l));
	return 0;
}

static void load_block(const uint8_t in[8], unsigned r[4])
{
	size_t i;

	for (i = 0; i < 4; i++)
		r[i] = (unsigned)in[2 * i] | ((unsigned)in[2 * i + 1] << 8);
}

static void store_block(const unsigned r[4], uint8_t out[8])
{
	size_t i;

	for (i = 0; i < 4; i++) {
		out[2 * i] = (uint8_t)(r[i] & 0xffu);
		out[2 * i + 1] = (uint8_t)((r[i] >> 8) & 0xffu);
	}
}

/* One MIX round; *j indexes the next subkey. */
static void mix(const mx_rc2 *ctx, unsigned r[4], size_t *j)
{
	size_t i;

	for (i = 0; i < 4; i++) {
		unsigned a = r[(i + 3) & 3], b = r[(i + 2) & 3], c = r[(i + 1) & 3];

		r[i] = r[i] + ctx->k[*j] + (a & b) + (~a & c);
		r[i] = rol16(r[i], rot[i]);
		(*j)++;
	}
}

static void mash(const mx_rc2 *ctx, unsigned r[4])
{
	size_t i;

	for (i = 0; i < 4; i++)
		r[i] = (r[i] + ctx->k[r[(i + 3) & 3] & 63u]) & 0xffffu;
}

/*
 * The inverse steps subtract mod 2^16. A 2^17 bias keeps the unsigned intermediate from
 * wrapping (not UB, but it keeps -fsanitize=integer quiet): the subtrahend is at most
 * 0xffff + 0xffff, because (a & b) and (~a & c) never share a bit.
 */

/* Inverse MIX; *j is one past the last subkey still to use. */
static void r_mix(const mx_rc2 *ctx, unsigned r[4], size_t *j)
{
	size_t n;

	for (n = 4; n > 0; n--) {
		size_t i = n - 1;
		unsigned a = r[(i + 3) & 3], b = r[(i + 2) & 3], c = r[(i + 1) & 3];

		(*j)--;
		r[i] = ror16(r[i], rot[i]);
		r[i] = (r[i] + 0x20000u - ctx->k[*j] - ((a & b) | (~a & c))) & 0xffffu;
	}
}

static void r_mash(const mx_rc2 *ctx, unsigned r[4])
{
	size_t n;

	for (n = 4; n > 0; n--) {
		size_t i = n - 1;

		r[i] = (r[i] + 0x20000u - ctx->k[r[(i + 3) & 3] & 63u]) & 0xffffu;
	}
}

void mx_rc2_encrypt_block(const mx_rc2 *ctx, const uint8_t in[8], uint8_t out[8])
{
	unsigned r[4];
	size_t j = 0, n;

	if (ctx == NULL || in == NULL || out == NULL)
		return;
	load_block(in, r);
	/* 5 MIX, MASH, 6 MIX, MASH, 5 MIX = 16 MIX rounds using all 64 subkeys. */
	for (n = 0; n < 16; n++) {
		mix(ctx, r, &j);
		if (n == 4 || n == 10)
			mash(ctx, r);
	}
	store_block(r, out);
	mx_wipe(r, sizeof(r));
}

void mx_rc2_decrypt_block(const mx_rc2 *ctx, const uint8_t in[8], uint8_t out[8])
{
	unsigned r[4];
	size_t j = 64, n;

	if (ctx == NULL || in == NULL || out == NULL)
		return;
	load_block(in, r);
	/* Exact mirror of encryption: undo rounds 15..0, unmashing before rounds 10 and 4. */
	for (n = 16; n > 0; n--) {
		r_mix(ctx, r, &j);
		if (n - 1 == 11 || n - 1 == 5)
			r_mash(ctx, r);
	}
	store_block(r, out);
	mx_wipe(r, sizeof(r));
}

int mx_rc2_cbc_decrypt(const mx_rc2 *ctx, uint8_t iv[8], const uint8_t *in, size_t len,
                       uint8_t *out)
{
	uint8_t c[8], p[8];
	size_t off, i;

	if (ctx == NULL || iv == NULL || len % 8 != 0)
		return -1;
	if (len == 0)
		return 0;
	if (in == NULL || out == NULL)
		return -1;

	for (off = 0; off < len; off += 8) {
		/* Keep the ciphertext: with in==out the output overwrites it. */
		memcpy(c, in + off, sizeof(c));
		mx_rc2_decrypt_block(ctx, c, p);
		for (i = 0; i < 8; i++)
			out[off + i] = (uint8_t)(p[i] ^ iv[i]);
		memcpy(iv, c, sizeof(c));
	}
	mx_wipe(p, sizeof(p));
	mx_wipe(c, sizeof(c));
	return 0;
}

void mx_rc2_free(mx_rc2 *ctx)
{
	mx_wipe(ctx, sizeof(*ctx));
}
