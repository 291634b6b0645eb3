/*
 * libFuzzer target: mxtls_pkcs12_load_mem() and every getter of what it returns.
 *
 * Input layout (make-seeds.sh writes seeds this way):
 *
 *   byte 0     selector: bit 0 set = MXTLS_LOAD_REQUIRE_MAC;
 *              bits 1-7 (sel >> 1) = index into passwords[] (taken modulo its size),
 *              except PW_INLINE (127): the password is in the input, see below
 *   [PW_INLINE only] byte 1 = password length n, then n password bytes
 *   rest       the container
 *
 * The inline form lets seeds carry any real-world vector's password and lets
 * the fuzzer mutate passwords (UTF-8 decoding, BMP and Latin-1 forms).
 *
 * On success every getter is called and every returned byte is read, so ASan
 * sees any out-of-bounds or freed memory behind them. A broken API contract
 * (see check()) prints what broke and abort()s, which libFuzzer reports as a crash.
 */
#define FUZZ_NAME "fuzz_pkcs12"
#include "fuzz_util.h"

#define PW_INLINE 127

struct pw {
	const char *s;
	int secret; /* 1: checked never to show up in an error message */
};

/* Order is part of the seed format: make-seeds.sh has the same table. Append only. */
static const struct pw passwords[] = {
    {"", 0},
    {NULL, 0},
    {"1234", 0},
    {"cryptography", 1},
    {"password", 0},
    {"test", 0},
    {"M\xc3\xb6tley Cr\xc3\xbc"
     "e",
     1}, /* "Motley Crue" with diaereses: non-ASCII UTF-8, Latin-1 representable */
};
#define NPASSWORDS (sizeof(passwords) / sizeof(passwords[0]))

static void check_identity(const mxtls_identity *id)
{
	const char *name, *curve;
	size_t i, n, bits;
	int type;

	check(id != NULL, "NULL identity in range");
	check_cert(mxtls_identity_leaf(id));
	n = mxtls_identity_chain_count(id);
	for (i = 0; i < n; i++) {
		check(mxtls_identity_chain_cert(id, i) != mxtls_identity_leaf(id),
		      "leaf is its own issuer %zu", i);
		check_cert(mxtls_identity_chain_cert(id, i));
	}
	check(mxtls_identity_chain_cert(id, n) == NULL, "chain_cert(count) is not NULL");
	name = mxtls_identity_friendly_name(id);
	if (name) {
		touch_str(name);
		check(valid_utf8(name, 1), "friendly name is not UTF-8");
	}
	type = mxtls_identity_key_type(id);
	bits = mxtls_identity_key_bits(id);
	curve = mxtls_identity_key_curve(id);
	if (type == MXTLS_KEY_RSA) {
		check(bits >= 1024 && bits <= 8192, "RSA key of %zu bits", bits);
		check(curve == NULL, "RSA key with curve %s", curve);
	} else {
		check(type == MXTLS_KEY_EC, "key type %d", type);
		check(curve != NULL, "EC key (%zu bits) without a curve name", bits);
		touch_str(curve);
		check((bits == 256 && strcmp(curve, "P-256") == 0) ||
		          (bits == 384 && strcmp(curve, "P-384") == 0) ||
		          (bits == 521 && strcmp(curve, "P-521") == 0),
		      "EC key of %zu bits on %s", bits, curve);
	}
}

static void check_container(const mxtls_pkcs12 *p)
{
	const char *s;
	size_t i, n;
	int kind;

	n = mxtls_pkcs12_identity_count(p);
	check(n >= 1, "a loaded container has no identity");
	for (i = 0; i < n; i++)
		check_identity(mxtls_pkcs12_identity(p, i));
	check(mxtls_pkcs12_identity(p, n) == NULL, "identity(count) is not NULL");

	n = mxtls_pkcs12_extra_cert_count(p);
	for (i = 0; i < n; i++)
		check_cert(mxtls_pkcs12_extra_cert(p, i));
	check(mxtls_pkcs12_extra_cert(p, n) == NULL, "extra_cert(count) is not NULL");

	s = mxtls_pkcs12_mac_algorithm(p);
	check(s != NULL && touch_str(s) > 0, "empty MAC algorithm");

	n = mxtls_pkcs12_encryption_count(p);
	for (i = 0; i < n; i++) {
		s = mxtls_pkcs12_encryption(p, i);
		check(s != NULL && touch_str(s) > 0, "encryption %zu is NULL or empty", i);
	}
	check(mxtls_pkcs12_encryption(p, n) == NULL, "encryption(count) is not NULL");

	n = mxtls_pkcs12_warning_count(p);
	for (i = 0; i < n; i++) {
		kind = mxtls_pkcs12_warning_kind(p, i);
		check(strcmp(mxtls_warning_name(kind), "unknown") != 0, "warning %zu of kind %d", i,
		      kind);
		s = mxtls_pkcs12_warning(p, i);
		check(s != NULL && touch_str(s) > 0, "warning %zu is NULL or empty", i);
	}
	check(mxtls_pkcs12_warning(p, n) == NULL, "warning(count) is not NULL");
	check(mxtls_pkcs12_warning_kind(p, n) == 0, "warning_kind(count) is not 0");
}

/* A failed load: what every failed call promises, and never the password. */
static void check_load_error(const mxtls_error *err, const struct pw *pw)
{
	check_error(err);
	check(strcmp(mxtls_strerror(err->code), "unknown error") != 0, "error code %d has no text",
	      err->code);
	check(mxtls_error_code(err) == err->code, "mxtls_error_code differs");
	check(mxtls_error_message(err) == err->message, "mxtls_error_message differs");
	if (pw && pw->secret)
		check(strstr(err->message, pw->s) == NULL, "the password is in the message: %s",
		      err->message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct pw *pw = NULL;
	char *inline_pw = NULL;
	const char *password;
	mxtls_pkcs12 *p;
	mxtls_error err;
	unsigned flags;
	uint8_t sel;

	if (size < 1)
		return 0;
	sel = data[0];
	data++, size--;
	flags = (sel & 1) ? MXTLS_LOAD_REQUIRE_MAC : 0;
	if ((sel >> 1) == PW_INLINE) {
		size_t n;
		if (size < 1)
			return 0;
		n = data[0];
		data++, size--;
		if (n > size)
			return 0;
		/* Exact-size heap copy: a read past the NUL is an ASan report. */
		inline_pw = malloc(n + 1);
		if (inline_pw == NULL)
			return 0;
		memcpy(inline_pw, data, n);
		inline_pw[n] = '\0';
		password = inline_pw;
		data += n, size -= n;
	} else {
		pw = &passwords[(size_t)(sel >> 1) % NPASSWORDS];
		password = pw->s;
	}

	/* Garbage in err: the loader must reset it. */
	memset(&err, 0xa5, sizeof(err));
	/* data + size is the end of libFuzzer's exact-size heap copy: overreads are caught. */
	p = mxtls_pkcs12_load_mem(size ? data : NULL, size, password, flags, &err);
	if (p == NULL) {
		check_load_error(&err, pw);
	} else {
		check(err.code == MXTLS_OK, "container returned with code %d (%s)", err.code,
		      mxtls_error_name(err.code));
		check(err.message[0] == '\0', "container returned with a message: %.*s",
		      MXTLS_ERROR_MESSAGE_MAX - 1, err.message);
		check_container(p);
		if (flags & MXTLS_LOAD_REQUIRE_MAC)
			check(strcmp(mxtls_pkcs12_mac_algorithm(p), "none") != 0,
			      "loaded without a MAC although one was required");
		mxtls_pkcs12_free(p);
	}
	free(inline_pw);
	return 0;
}
