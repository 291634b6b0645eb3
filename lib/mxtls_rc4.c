/* RC4 (ARC4) stream cipher: key scheduling and keystream XOR. */
#include "mxtls_rc4.h"

#include "mxtls_util.h"

void mx_rc4_setkey(mx_rc4 *ctx, const uint8_t *key, size_t keylen)
{
	static const uint8_t zero_key[1] = {0};
	unsigned i, j = 0;
	uint8_t t;

	if (ctx == NULL)
		return;
	/* The interface cannot report errors; see the header for these fallbacks. */
	if (key == NULL || keylen == 0) {
		key = zero_key;
		keylen = sizeof(zero_key);
	}

	for (i = 0; i < 256; i++)
		ctx->s[i] = (uint8_t)i;
	for (i = 0; i < 256; i++) {
		j = (j + ctx->s[i] + key[i % keylen]) & 0xffu;
		t = ctx->s[i];
		ctx->s[i] = ctx->s[j];
		ctx->s[j] = t;
	}
	ctx->i = 0;
	ctx->j = 0;
	/* j and t carry key-derived state. */
	mx_wipe(&j, sizeof(j));
	mx_wipe(&t, sizeof(t));
}

void mx_rc4_crypt(mx_rc4 *ctx, const uint8_t *in, uint8_t *out, size_t len)
{
	unsigned i, j;
	size_t n;

	if (ctx == NULL || in == NULL || out == NULL || len == 0)
		return;
	i = ctx->i;
	j = ctx->j;
	for (n = 0; n < len; n++) {
		uint8_t t;

		i = (i + 1) & 0xffu;
		j = (j + ctx->s[i]) & 0xffu;
		t = ctx->s[i];
		ctx->s[i] = ctx->s[j];
		ctx->s[j] = t;
		out[n] = (uint8_t)(in[n] ^ ctx->s[(ctx->s[i] + t) & 0xffu]);
	}
	ctx->i = (uint8_t)i;
	ctx->j = (uint8_t)j;
}

void mx_rc4_free(mx_rc4 *ctx)
{
	mx_wipe(ctx, sizeof(*ctx));
}
