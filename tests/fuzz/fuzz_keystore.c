/*
 * libFuzzer target: the Java keystore readers (lib/read/keystore_reader.c,
 * keystore_protect.c, java_serial.c), directly and through
 * mxtls_bundle_add_keystore_mem() / mxtls_bundle_add_mem().
 *
 * Input: one selector byte, then the file.
 *   bits 0-1: passwords: 0 none; 1 those of make-inputs.sh's store.jks; 2 those
 *             of its store.jceks; 3 "wrong" for both
 *   bit 2:    the public call is mxtls_bundle_add_mem() (the store password only)
 *   bit 3:    the file is a Java serialization stream: mx_java_skip_object() only
 * Invariants:
 *   - mx_keystore_read(): 0, or a named code with a clean message; each entry
 *     handed out has a known kind, a valid UTF-8 alias, certificates and an
 *     offset inside the input, and a private key's plaintext;
 *   - the bundle: failure leaves it empty; success gives keys with an alias,
 *     a source naming it and a keystore form, and certificates that check;
 *   - mx_java_skip_object() never reads past the input.
 * PBEWithMD5AndTripleDES takes up to MXTLS_MAX_KDF_ITERATIONS MD5 rounds per
 * key, seconds under the sanitizers: the direct call gets a small budget, and
 * the public call is skipped for files whose PBE parameters are not plainly
 * cheap (see cheap_pbe).
 */
#define _GNU_SOURCE /* memmem */
#define FUZZ_NAME "fuzz_keystore"
#include "fuzz_util.h"

#include "read/read_int.h"

#define DIRECT_BUDGET 100000u
#define PUBLIC_MAX_ITERATIONS 100000u /* all PBE keys of one file, through the public call */

static const char *const pws[4][2] = {
    {NULL, NULL},
    {"st\xc3\xb6re-pass\xe2\x82\xac\xf0\x9f\x94\x91", "k\xc3\xa9y-pass"},
    {"store-pass", "key-pass"},
    {"wrong", "wrong"},
};

struct seen {
	const uint8_t *base;
	size_t len, entries;
};

static int on_entry(void *arg, const struct mx_ks_entry *e)
{
	struct seen *s = arg;
	size_t i;

	check(e->kind >= MX_KS_PRIVATE_KEY && e->kind <= MX_KS_SECRET_KEY, "kind %d", e->kind);
	check(e->alias != NULL && valid_utf8(e->alias, 1), "alias is not UTF-8");
	touch_str(e->alias);
	check(e->offset < s->len, "offset %zu past %zu", e->offset, s->len);
	for (i = 0; i < e->ncerts; i++) {
		const struct mx_ks_cert *c = &e->certs[i];
		check(c->der >= s->base && c->len <= s->len &&
		          (size_t)(c->der - s->base) <= s->len - c->len,
		      "certificate outside the input");
		check(c->offset == (size_t)(c->der - s->base), "certificate offset");
		touch(c->der, c->len);
	}
	if (e->kind == MX_KS_PRIVATE_KEY) {
		check(e->key != NULL && e->key_len > 0, "private key without plaintext");
		touch(e->key, e->key_len);
		touch_str(e->protection);
	} else {
		check(e->key == NULL, "a key on a %d entry", e->kind);
	}
	s->entries++;
	return 0;
}

/* 1 if every PBEWithMD5AndTripleDES OID has plain DER parameters after it, with few iterations. */
static int cheap_pbe(const uint8_t *p, size_t n)
{
	static const uint8_t oid[] = {0x06, 0x09, 0x2b, 0x06, 0x01, 0x04,
	                              0x01, 0x2a, 0x02, 0x13, 0x01};
	const uint8_t *q = p, *end = p + n;
	uint64_t total = 0;

	while ((q = memmem(q, (size_t)(end - q), oid, sizeof(oid))) != NULL) {
		const uint8_t *a = q + sizeof(oid);
		uint64_t it = 0;
		size_t k;
		/* SEQUENCE (short) { OCTET STRING (8), INTEGER (1 to 3 bytes) } */
		if (end - a < 14 || a[0] != 0x30 || a[2] != 0x04 || a[3] != 0x08 || a[12] != 0x02 ||
		    a[13] < 1 || a[13] > 3 || (size_t)(end - a) < 14u + a[13])
			return 0;
		for (k = 0; k < a[13]; k++)
			it = it << 8 | a[14 + k];
		total += it;
		if (total > PUBLIC_MAX_ITERATIONS)
			return 0;
		q = a;
	}
	return 1;
}

static void via_bundle(const uint8_t *p, size_t n, const char *sp, const char *kp, int plain)
{
	mxtls_bundle *b;
	mxtls_error err;
	size_t i;
	int r;

	b = mxtls_bundle_new(&err);
	check(b != NULL, "bundle_new");
	memset(&err, 0xa5, sizeof(err));
	if (plain)
		r = mxtls_bundle_add_mem(b, p, n, "fuzz.jks", sp, sp ? strlen(sp) : 0, &err);
	else
		r = mxtls_bundle_add_keystore_mem(b, p, n, "fuzz.jks", sp, sp ? strlen(sp) : 0, kp,
		                                  kp ? strlen(kp) : 0, &err);
	if (r != 0) {
		check(r == -1, "returned %d", r);
		check_error(&err);
		check(mxtls_bundle_cert_count(b) == 0 && mxtls_bundle_key_count(b) == 0 &&
		          mxtls_bundle_warning_count(b) == 0,
		      "a failed add left something behind");
		mxtls_bundle_free(b);
		return;
	}
	check_ok(&err);
	for (i = 0; i < mxtls_bundle_cert_count(b); i++)
		check_cert(mxtls_bundle_cert(b, i));
	for (i = 0; i < mxtls_bundle_key_count(b); i++) {
		const mxtls_key *k = mxtls_bundle_key(b, i);
		if (!mx_keystore_format(p, n))
			continue; /* add_mem read it as PEM or DER */
		check(mxtls_key_alias(k) != NULL, "a keystore key without alias");
		touch_str(mxtls_key_alias(k));
		check(strstr(mxtls_key_source(k), "alias \"") != NULL, "source %s",
		      mxtls_key_source(k));
		check(strncmp(mxtls_key_form(k), "JKS, ", 5) == 0 ||
		          strncmp(mxtls_key_form(k), "JCEKS, ", 7) == 0,
		      "form %s", mxtls_key_form(k));
		check(mxtls_key_kind(k) == MXTLS_KEY_RSA || mxtls_key_kind(k) == MXTLS_KEY_EC,
		      "kind");
	}
	for (i = 0; i < mxtls_bundle_warning_count(b); i++)
		check_text(mxtls_bundle_warning(b, i), "warning", i);
	mxtls_bundle_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *sp, *kp, *why = NULL;
	struct seen s;
	mxtls_error err;
	size_t used = 0;
	int verified = 0, r;
	uint8_t sel;

	if (size < 1)
		return 0;
	sel = data[0];
	data++;
	size--;
	if (sel & 8) {
		r = mx_java_skip_object(data, size, &used, &why);
		check(r == 0 || r == -1, "skip returned %d", r);
		check(used <= size, "used %zu of %zu", used, size);
		check(why != NULL, "no reason");
		check(r != 0 || used >= 5, "an object of %zu bytes", used);
		return 0;
	}
	sp = pws[sel & 3][0];
	kp = pws[sel & 3][1];
	s.base = data;
	s.len = size;
	s.entries = 0;
	memset(&err, 0, sizeof(err));
	r = mx_keystore_read(data, size, sp, sp ? strlen(sp) : 0, kp, kp ? strlen(kp) : 0,
	                     DIRECT_BUDGET, on_entry, &s, &verified, &err);
	if (r != 0)
		check_error(&err);
	else
		check(verified == 0 || verified == 1, "verified %d", verified);
	if (cheap_pbe(data, size))
		via_bundle(data, size, sp, kp, sel & 4);
	return 0;
}
