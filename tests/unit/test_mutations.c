/*
 * Damaged copies of a good container, each with its exact outcome:
 *   - every truncation is `corrupt`;
 *   - every single-bit flip fails, never loads, never crashes;
 *   - a flip inside the MAC value or inside encrypted content (bytes only the
 *     MAC and the cipher see) is exactly `wrong_password`: the file is intact
 *     in structure, so the MAC is what catches it;
 *   - the right password loads, wrong or missing ones are `wrong_password`;
 *   - MXTLS_LOAD_REQUIRE_MAC turns a MAC-less file into `no_mac`.
 *
 * usage: test_mutations GOOD.p12 PASSWORD NOMAC.p12
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtls/mxtls.h"
#include "mxtls_asn1.h"

static const char *good_path, *password, *nomac_path;
static uint8_t *good;
static size_t good_len;

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int load_code(const uint8_t *p, size_t len, const char *pw, unsigned flags)
{
	mxtls_error err;
	mxtls_pkcs12 *c = mxtls_pkcs12_load_mem(p, len, pw, flags, &err);

	if (c != NULL) {
		mxtls_pkcs12_free(c);
		return MXTLS_OK;
	}
	assert_int_not_equal(err.code, MXTLS_OK);
	assert_true(err.message[0] != '\0');
	return err.code;
}

/* Byte ranges [a, b) that only the MAC or the cipher read. */
struct range {
	size_t a, b;
};

static size_t off(const uint8_t *p)
{
	return (size_t)(p - good);
}

/* MAC value, and the encryptedContent of each encryptedData in the authSafe (DER input). */
static size_t mac_only_ranges(struct range *r, size_t max)
{
	struct mx_asn1 top, pfx, ci, ex, as, seq, c2, ex2, ed, eci;
	struct mx_tlv t, content, oid, alg, enc;
	size_t n = 0;

	mx_asn1_init(&top, good, good_len);
	assert_int_equal(mx_asn1_enter(&top, MX_TAG_SEQUENCE, &pfx), 0);
	assert_int_equal(mx_asn1_next(&pfx, &t), 0); /* version */
	assert_int_equal(mx_asn1_enter(&pfx, MX_TAG_SEQUENCE, &ci), 0);
	assert_int_equal(mx_asn1_next(&ci, &t), 0); /* data */
	assert_int_equal(mx_asn1_enter(&ci, MX_TAG_CTX_CONS(0), &ex), 0);
	assert_int_equal(mx_asn1_expect(&ex, MX_TAG_OCTET_STRING, &content), 0);
	/* macData: DigestInfo.digest */
	{
		struct mx_asn1 md, di;
		struct mx_tlv d;
		assert_int_equal(mx_asn1_enter(&pfx, MX_TAG_SEQUENCE, &md), 0);
		assert_int_equal(mx_asn1_enter(&md, MX_TAG_SEQUENCE, &di), 0);
		assert_int_equal(mx_asn1_next(&di, &d), 0);
		assert_int_equal(mx_asn1_expect(&di, MX_TAG_OCTET_STRING, &d), 0);
		r[n++] = (struct range){off(d.val), off(d.val) + d.len};
	}
	mx_asn1_open(&content, &as);
	assert_int_equal(mx_asn1_enter(&as, MX_TAG_SEQUENCE, &seq), 0);
	while (mx_asn1_more(&seq) && n < max) {
		assert_int_equal(mx_asn1_enter(&seq, MX_TAG_SEQUENCE, &c2), 0);
		assert_int_equal(mx_asn1_expect(&c2, MX_TAG_OID, &oid), 0);
		if (oid.len != 9 || oid.val[8] != 6)
			continue; /* not encryptedData */
		assert_int_equal(mx_asn1_enter(&c2, MX_TAG_CTX_CONS(0), &ex2), 0);
		assert_int_equal(mx_asn1_enter(&ex2, MX_TAG_SEQUENCE, &ed), 0);
		assert_int_equal(mx_asn1_next(&ed, &t), 0);
		assert_int_equal(mx_asn1_enter(&ed, MX_TAG_SEQUENCE, &eci), 0);
		assert_int_equal(mx_asn1_next(&eci, &t), 0);
		assert_int_equal(mx_asn1_next(&eci, &alg), 0);
		assert_int_equal(mx_asn1_next(&eci, &enc), 0);
		r[n++] = (struct range){off(enc.val), off(enc.val) + enc.len};
	}
	return n;
}

static void test_good_loads(void **state)
{
	(void)state;
	assert_int_equal(load_code(good, good_len, password, 0), MXTLS_OK);
	assert_int_equal(load_code(good, good_len, password, MXTLS_LOAD_REQUIRE_MAC), MXTLS_OK);
}

static void test_wrong_passwords(void **state)
{
	(void)state;
	assert_int_equal(load_code(good, good_len, "wrong", 0), MXTLS_ERR_WRONG_PASSWORD);
	assert_int_equal(load_code(good, good_len, "", 0), MXTLS_ERR_WRONG_PASSWORD);
	assert_int_equal(load_code(good, good_len, NULL, 0), MXTLS_ERR_WRONG_PASSWORD);
}

static void test_truncations(void **state)
{
	size_t len;

	(void)state;
	for (len = 0; len < good_len; len++) {
		int code = load_code(good, len, password, 0);
		if (code != MXTLS_ERR_CORRUPT)
			fail_msg("truncated to %zu of %zu bytes: %s, expected corrupt", len, good_len,
				 mxtls_error_name(code));
	}
}

static void test_bit_flips(void **state)
{
	struct range r[8];
	size_t nr = mac_only_ranges(r, 8), i, k, mac_only_hits = 0;
	uint8_t *copy = malloc(good_len);

	(void)state;
	assert_non_null(copy);
	assert_true(nr >= 2); /* the MAC value and at least one encrypted content */
	for (i = 0; i < good_len; i++) {
		int code, in_mac_only = 0;
		memcpy(copy, good, good_len);
		copy[i] ^= (uint8_t)(1u << (i % 8));
		code = load_code(copy, good_len, password, 0);
		for (k = 0; k < nr; k++)
			in_mac_only |= i >= r[k].a && i < r[k].b;
		if (code == MXTLS_OK)
			fail_msg("flipping bit %zu of byte %zu still loads", i % 8, i);
		if (in_mac_only) {
			mac_only_hits++;
			if (code != MXTLS_ERR_WRONG_PASSWORD)
				fail_msg("flip in MAC-covered byte %zu: %s, expected wrong_password", i,
					 mxtls_error_name(code));
		} else if (code != MXTLS_ERR_CORRUPT && code != MXTLS_ERR_WRONG_PASSWORD &&
			   code != MXTLS_ERR_UNSUPPORTED_ALGORITHM &&
			   code != MXTLS_ERR_LIMIT_EXCEEDED) {
			fail_msg("flip at byte %zu: unexpected %s", i, mxtls_error_name(code));
		}
	}
	assert_true(mac_only_hits > 32);
	free(copy);
}

static void test_require_mac(void **state)
{
	size_t len;
	uint8_t *nomac = slurp(nomac_path, &len);

	(void)state;
	assert_non_null(nomac);
	assert_int_equal(load_code(nomac, len, password, 0), MXTLS_OK);
	assert_int_equal(load_code(nomac, len, password, MXTLS_LOAD_REQUIRE_MAC), MXTLS_ERR_NO_MAC);
	/* Without a MAC the cipher padding and structure must catch a wrong password. */
	assert_int_equal(load_code(nomac, len, "wrong", 0), MXTLS_ERR_WRONG_PASSWORD);
	free(nomac);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_loads),  cmocka_unit_test(test_wrong_passwords),
		cmocka_unit_test(test_truncations), cmocka_unit_test(test_bit_flips),
		cmocka_unit_test(test_require_mac),
	};
	int ret;

	if (argc != 4) {
		fprintf(stderr, "usage: %s GOOD.p12 PASSWORD NOMAC.p12\n", argv[0]);
		return 2;
	}
	good_path = argv[1];
	password = argv[2];
	nomac_path = argv[3];
	good = slurp(good_path, &good_len);
	if (good == NULL) {
		perror(good_path);
		return 2;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	free(good);
	return ret;
}
