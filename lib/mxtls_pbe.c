/* Password-based decryption of PKCS#12 content (see mxtls_pbe.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/cipher.h>
#include <mbedtls/md.h>

#include "mxtls_kdf.h"
#include "mxtls_oid.h"
#include "mxtls_pbe.h"
#include "mxtls_rc2.h"
#include "mxtls_rc4.h"
#include "mxtls_util.h"

enum mx_cipher { C_AES_CBC, C_3DES_CBC, C_2DES_CBC, C_RC2_CBC, C_RC4 };

/* One way to decrypt: cipher, key size, and IV (from params or derived). */
struct scheme {
	enum mx_cipher cipher;
	size_t keylen;
	unsigned rc2_bits;
	const uint8_t *iv; /* PBES2: from the parameters */
	size_t ivlen;
	int legacy;
	char desc[96];
};

struct prf_entry {
	const uint8_t *oid;
	size_t len;
	mbedtls_md_type_t md;
	const char *name;
};

#define PRF(o, m, n) {o, sizeof(o), m, n}
static const struct prf_entry hmacs[] = {
	PRF(MX_OID_HMAC_SHA1, MBEDTLS_MD_SHA1, "HMAC-SHA1"),
	PRF(MX_OID_HMAC_SHA224, MBEDTLS_MD_SHA224, "HMAC-SHA224"),
	PRF(MX_OID_HMAC_SHA256, MBEDTLS_MD_SHA256, "HMAC-SHA256"),
	PRF(MX_OID_HMAC_SHA384, MBEDTLS_MD_SHA384, "HMAC-SHA384"),
	PRF(MX_OID_HMAC_SHA512, MBEDTLS_MD_SHA512, "HMAC-SHA512"),
};
static const struct prf_entry digests[] = {
	PRF(MX_OID_SHA1, MBEDTLS_MD_SHA1, "SHA1"),
	PRF(MX_OID_SHA224, MBEDTLS_MD_SHA224, "SHA224"),
	PRF(MX_OID_SHA256, MBEDTLS_MD_SHA256, "SHA256"),
	PRF(MX_OID_SHA384, MBEDTLS_MD_SHA384, "SHA384"),
	PRF(MX_OID_SHA512, MBEDTLS_MD_SHA512, "SHA512"),
};

static int md_lookup(const struct prf_entry *tab, size_t n, const struct mx_tlv *oid,
		     const char **name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (mx_asn1_oid_eq(oid, tab[i].oid, tab[i].len)) {
			if (name)
				*name = tab[i].name;
			return (int)tab[i].md;
		}
	}
	return 0;
}

int mx_md_from_hmac_oid(const struct mx_tlv *oid, const char **name)
{
	return md_lookup(hmacs, sizeof(hmacs) / sizeof(hmacs[0]), oid, name);
}

int mx_md_from_digest_oid(const struct mx_tlv *oid, const char **name)
{
	return md_lookup(digests, sizeof(digests) / sizeof(digests[0]), oid, name);
}

static int corrupt(struct mx_load *ld, const char *what, const char *detail)
{
	return mx_err(ld->err, MXTLS_ERR_CORRUPT, "%s: %s", what, detail);
}

static int unsupported(struct mx_load *ld, const char *what, const char *kind,
		       const struct mx_tlv *oid)
{
	char s[96];

	mx_asn1_oid_str(oid, s, sizeof(s));
	return mx_err(ld->err, MXTLS_ERR_UNSUPPORTED_ALGORITHM, "%s: unsupported %s %s", what, kind,
		      s);
}

/* PKCS#7 padding check; returns the unpadded length or -1. */
static long unpad(const uint8_t *p, size_t len, size_t block)
{
	size_t n, i;

	if (len == 0)
		return -1;
	n = p[len - 1];
	if (n == 0 || n > block || n > len)
		return -1;
	for (i = len - n; i < len; i++)
		if (p[i] != n)
			return -1;
	return (long)(len - n);
}

/* The plaintext must be exactly one SEQUENCE element: a wrong key yields noise. */
static int plausible(const uint8_t *p, size_t len)
{
	struct mx_asn1 c;
	struct mx_tlv t;

	mx_asn1_init(&c, p, len);
	return mx_asn1_next(&c, &t) == MX_ASN1_OK && t.tag == MX_TAG_SEQUENCE &&
	       mx_asn1_done(&c) == MX_ASN1_OK;
}

static size_t block_size(enum mx_cipher c)
{
	switch (c) {
	case C_AES_CBC:
		return 16;
	case C_RC4:
		return 1;
	default:
		return 8;
	}
}

/* Decrypt with a ready key and IV into out (inlen bytes); returns plaintext length or -1. */
static long run_cipher(const struct scheme *s, const uint8_t *key, const uint8_t *iv,
		       const uint8_t *in, size_t inlen, uint8_t *out)
{
	mbedtls_cipher_type_t type = MBEDTLS_CIPHER_NONE;
	mbedtls_cipher_context_t ctx;
	size_t olen = 0;
	int ret;

	if (s->cipher == C_RC4) {
		mx_rc4 rc4;
		mx_rc4_setkey(&rc4, key, s->keylen);
		mx_rc4_crypt(&rc4, in, out, inlen);
		mx_rc4_free(&rc4);
		return (long)inlen;
	}
	if (s->cipher == C_RC2_CBC) {
		mx_rc2 rc2;
		uint8_t ivc[8];
		memcpy(ivc, iv, 8);
		ret = mx_rc2_setkey(&rc2, key, s->keylen, s->rc2_bits);
		if (ret == 0)
			ret = mx_rc2_cbc_decrypt(&rc2, ivc, in, inlen, out);
		mx_rc2_free(&rc2);
		return ret == 0 ? unpad(out, inlen, 8) : -1;
	}
	switch (s->cipher) {
	case C_AES_CBC:
		type = s->keylen == 16   ? MBEDTLS_CIPHER_AES_128_CBC
		       : s->keylen == 24 ? MBEDTLS_CIPHER_AES_192_CBC
					 : MBEDTLS_CIPHER_AES_256_CBC;
		break;
	case C_3DES_CBC:
		type = MBEDTLS_CIPHER_DES_EDE3_CBC;
		break;
	case C_2DES_CBC:
		type = MBEDTLS_CIPHER_DES_EDE_CBC;
		break;
	default:
		return -1;
	}
	mbedtls_cipher_init(&ctx);
	ret = mbedtls_cipher_setup(&ctx, mbedtls_cipher_info_from_type(type));
	if (ret == 0)
		ret = mbedtls_cipher_setkey(&ctx, key, (int)(s->keylen * 8), MBEDTLS_DECRYPT);
	if (ret == 0)
		ret = mbedtls_cipher_set_padding_mode(&ctx, MBEDTLS_PADDING_NONE);
	if (ret == 0)
		ret = mbedtls_cipher_crypt(&ctx, iv, block_size(s->cipher), in, inlen, out, &olen);
	mbedtls_cipher_free(&ctx);
	if (ret != 0 || olen != inlen)
		return -1;
	return unpad(out, inlen, block_size(s->cipher));
}

/* Try one key (+IV): decrypt into a fresh buffer and accept it only if it looks right. */
static int attempt(const struct scheme *s, const uint8_t *key, const uint8_t *iv,
		   const uint8_t *in, size_t inlen, uint8_t **out, size_t *outlen)
{
	uint8_t *buf = malloc(inlen ? inlen : 1);
	long n;

	if (buf == NULL)
		return -MXTLS_ERR_NOMEM;
	n = run_cipher(s, key, iv, in, inlen, buf);
	if (n < 0 || !plausible(buf, (size_t)n)) {
		mx_freezero(buf, inlen);
		return 1; /* not this key */
	}
	/* Wipe the padding bytes; the caller sees only the plaintext length. */
	mx_wipe(buf + n, inlen - (size_t)n);
	*out = buf;
	*outlen = (size_t)n;
	return 0;
}

static int check_iterations(struct mx_load *ld, uint64_t iter, const char *what)
{
	if (iter == 0)
		return corrupt(ld, what, "iteration count is zero");
	if (iter > MXTLS_MAX_KDF_ITERATIONS)
		return mx_err(ld->err, MXTLS_ERR_LIMIT_EXCEEDED,
			      "%s: %llu key-derivation iterations exceed the limit of %u", what,
			      (unsigned long long)iter, MXTLS_MAX_KDF_ITERATIONS);
	return 0;
}

/* ---- PKCS#12 PBE (RFC 7292 appendix C): SHA-1 KDF for key and IV ---- */

struct p12pbe {
	const uint8_t *oid;
	size_t len;
	enum mx_cipher cipher;
	size_t keylen;
	unsigned rc2_bits;
	const char *name;
};

#define P12(o, c, k, b, n) {o, sizeof(o), c, k, b, n}
static const struct p12pbe p12pbes[] = {
	P12(MX_OID_PBE_SHA1_3DES, C_3DES_CBC, 24, 0, "pbeWithSHA1And3-KeyTripleDES-CBC"),
	P12(MX_OID_PBE_SHA1_2DES, C_2DES_CBC, 16, 0, "pbeWithSHA1And2-KeyTripleDES-CBC"),
	P12(MX_OID_PBE_SHA1_RC2_128, C_RC2_CBC, 16, 128, "pbeWithSHA1And128BitRC2-CBC"),
	P12(MX_OID_PBE_SHA1_RC2_40, C_RC2_CBC, 5, 40, "pbeWithSHA1And40BitRC2-CBC"),
	P12(MX_OID_PBE_SHA1_RC4_128, C_RC4, 16, 0, "pbeWithSHA1And128BitRC4"),
	P12(MX_OID_PBE_SHA1_RC4_40, C_RC4, 5, 0, "pbeWithSHA1And40BitRC4"),
};

static int pkcs12_pbe(struct mx_load *ld, const struct p12pbe *pbe, const struct mx_tlv *params,
		      const uint8_t *in, size_t inlen, uint8_t **out, size_t *outlen,
		      const char *what)
{
	struct mx_asn1 c, seq;
	struct mx_tlv salt;
	uint64_t iter;
	struct scheme s = {.cipher = pbe->cipher, .keylen = pbe->keylen, .rc2_bits = pbe->rc2_bits,
			   .legacy = 1};
	const struct mx_bytes *cands[2];
	struct mx_bytes zero_len = {(uint8_t *)"", 0, 1};
	uint8_t key[24], iv[8];
	size_t ncand = 0, i, blk = block_size(pbe->cipher), salt_len;
	const uint8_t *salt_p;
	int ret = 1;

	/* pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER } */
	mx_asn1_init(&c, params->raw, params->raw_len);
	if (mx_asn1_enter(&c, MX_TAG_SEQUENCE, &seq) != 0 || mx_asn1_next(&seq, &salt) != 0 ||
	    (salt.tag & ~MX_TAG_CONSTRUCTED) != MX_TAG_OCTET_STRING ||
	    mx_asn1_get_uint(&seq, UINT64_MAX >> 1, &iter) != 0 || mx_asn1_done(&seq) != 0)
		return corrupt(ld, what, "malformed PKCS#12 PBE parameters");
	ret = mx_octets(ld, &salt, &salt_p, &salt_len, what);
	if (ret < 0)
		return ret;
	ret = check_iterations(ld, iter, what);
	if (ret < 0)
		return ret;
	if (blk > 1 && (inlen == 0 || inlen % blk != 0))
		return corrupt(ld, what, "encrypted data is not a whole number of cipher blocks");
	if (out == NULL)
		return 0; /* structure check only */

	snprintf(s.desc, sizeof(s.desc), "%s (%llu iterations)", pbe->name,
		 (unsigned long long)iter);
	mx_note_encryption(ld, s.desc);
	mx_warn(ld, MXTLS_WARN_LEGACY_ALGORITHM, "legacy encryption %s", pbe->name);

	/* "No password" is 00 00 or nothing at all, depending on the exporter. */
	if (ld->pw.empty) {
		cands[ncand++] = ld->empty_pw_zero_len ? &zero_len : &ld->pw.bmp;
		cands[ncand++] = ld->empty_pw_zero_len ? &ld->pw.bmp : &zero_len;
	} else {
		cands[ncand++] = &ld->pw.bmp;
	}
	ret = 1;
	for (i = 0; i < ncand && ret == 1; i++) {
		/* One KDF run per digest-sized block of key, and one for the IV. */
		ret = mx_kdf_charge(ld, iter * (mx_kdf_blocks(MBEDTLS_MD_SHA1, pbe->keylen) +
						 (blk > 1 ? 1 : 0)),
				    what);
		if (ret < 0)
			break;
		if (mx_pkcs12_kdf(MBEDTLS_MD_SHA1, 1, cands[i]->p, cands[i]->len, salt_p,
				  salt_len, (uint32_t)iter, key, pbe->keylen) != 0 ||
		    (blk > 1 && mx_pkcs12_kdf(MBEDTLS_MD_SHA1, 2, cands[i]->p, cands[i]->len,
					      salt_p, salt_len, (uint32_t)iter, iv, 8) != 0)) {
			ret = mx_err(ld->err, MXTLS_ERR_INTERNAL, "%s: key derivation failed", what);
			break;
		}
		ret = attempt(&s, key, iv, in, inlen, out, outlen);
	}
	mx_wipe(key, sizeof(key));
	mx_wipe(iv, sizeof(iv));
	if (ret == 1)
		return mx_err(ld->err, MXTLS_ERR_WRONG_PASSWORD, "%s: the password does not decrypt %s",
			      what, pbe->name);
	return ret;
}

/* ---- PBES2 (RFC 8018 6.2) ---- */

int mx_pbkdf2_params_parse(struct mx_load *ld, const struct mx_tlv *params,
			   struct mx_pbkdf2_params *out, const char *what)
{
	struct mx_asn1 seq, prf;
	struct mx_tlv salt, t, oid;
	int ret;

	/*
	 * PBKDF2-params ::= SEQUENCE {
	 *   salt CHOICE { specified OCTET STRING, otherSource AlgorithmIdentifier },
	 *   iterationCount INTEGER (1..MAX), keyLength INTEGER (1..MAX) OPTIONAL,
	 *   prf AlgorithmIdentifier DEFAULT algid-hmacWithSHA1 }
	 */
	memset(out, 0, sizeof(*out));
	if (params->tag != MX_TAG_SEQUENCE)
		return corrupt(ld, what, "malformed PBKDF2 parameters");
	mx_asn1_open(params, &seq);
	if (mx_asn1_next(&seq, &salt) != 0)
		return corrupt(ld, what, "malformed PBKDF2 parameters");
	if (salt.tag == MX_TAG_SEQUENCE)
		return mx_err(ld->err, MXTLS_ERR_UNSUPPORTED_ALGORITHM,
			      "%s: PBKDF2 salt from otherSource is not supported", what);
	if ((salt.tag & ~MX_TAG_CONSTRUCTED) != MX_TAG_OCTET_STRING)
		return corrupt(ld, what, "PBKDF2 salt is not an OCTET STRING");
	ret = mx_octets(ld, &salt, &out->salt, &out->salt_len, what);
	if (ret < 0)
		return ret;
	if (mx_asn1_get_uint(&seq, UINT64_MAX >> 1, &out->iterations) != 0)
		return corrupt(ld, what, "malformed PBKDF2 iteration count");
	ret = check_iterations(ld, out->iterations, what);
	if (ret < 0)
		return ret;
	if (mx_asn1_peek(&seq) == MX_TAG_INTEGER) {
		if (mx_asn1_expect(&seq, MX_TAG_INTEGER, &t) != 0)
			return corrupt(ld, what, "malformed PBKDF2 key length");
		/* A key longer than any cipher or MAC key we use is hostile, not big. */
		if (mx_asn1_tlv_uint(&t, 1024, &out->keylen) != 0)
			return corrupt(ld, what, "PBKDF2 key length out of range");
		if (out->keylen == 0)
			return corrupt(ld, what, "PBKDF2 key length is zero");
	}
	out->md = MBEDTLS_MD_SHA1;
	out->prf_name = "HMAC-SHA1";
	if (mx_asn1_more(&seq)) {
		if (mx_asn1_enter(&seq, MX_TAG_SEQUENCE, &prf) != 0 ||
		    mx_asn1_expect(&prf, MX_TAG_OID, &oid) != 0)
			return corrupt(ld, what, "malformed PBKDF2 PRF");
		if (mx_asn1_more(&prf) &&
		    (mx_asn1_expect(&prf, MX_TAG_NULL, &t) != 0 || t.len != 0))
			return corrupt(ld, what, "malformed PBKDF2 PRF parameters");
		if (mx_asn1_done(&prf) != 0)
			return corrupt(ld, what, "malformed PBKDF2 PRF");
		out->md = mx_md_from_hmac_oid(&oid, &out->prf_name);
		if (out->md == 0)
			return unsupported(ld, what, "PBKDF2 PRF", &oid);
	}
	if (mx_asn1_done(&seq) != 0)
		return corrupt(ld, what, "trailing data in PBKDF2 parameters");
	return 0;
}

/* Parse the PBES2 encryptionScheme into s (cipher, key size, IV). */
static int pbes2_scheme(struct mx_load *ld, const struct mx_tlv *enc, uint64_t keylen,
			struct scheme *s, const char **name, const char *what)
{
	struct mx_asn1 c, rc2;
	struct mx_tlv oid, params, iv;
	size_t ivlen = 0;
	char msg[64];
	uint64_t ver;

	mx_asn1_open(enc, &c);
	if (mx_asn1_expect(&c, MX_TAG_OID, &oid) != 0)
		return corrupt(ld, what, "malformed PBES2 encryption scheme");
	memset(&params, 0, sizeof(params));
	if (mx_asn1_more(&c) && mx_asn1_next(&c, &params) != 0)
		return corrupt(ld, what, "malformed PBES2 encryption parameters");
	if (mx_asn1_done(&c) != 0)
		return corrupt(ld, what, "malformed PBES2 encryption scheme");

	if (MX_OID_EQ(&oid, MX_OID_AES128_CBC) || MX_OID_EQ(&oid, MX_OID_AES192_CBC) ||
	    MX_OID_EQ(&oid, MX_OID_AES256_CBC)) {
		s->cipher = C_AES_CBC;
		s->keylen = MX_OID_EQ(&oid, MX_OID_AES128_CBC)   ? 16
			    : MX_OID_EQ(&oid, MX_OID_AES192_CBC) ? 24
								 : 32;
		*name = s->keylen == 16 ? "AES-128-CBC" : s->keylen == 24 ? "AES-192-CBC" : "AES-256-CBC";
		iv = params;
		ivlen = 16;
	} else if (MX_OID_EQ(&oid, MX_OID_DES_EDE3_CBC)) {
		s->cipher = C_3DES_CBC;
		s->keylen = 24;
		s->legacy = 1;
		*name = "DES-EDE3-CBC";
		iv = params;
		ivlen = 8;
	} else if (MX_OID_EQ(&oid, MX_OID_RC2_CBC)) {
		/* RC2-CBC-Parameter ::= SEQUENCE { rc2ParameterVersion INTEGER OPTIONAL, iv OCTET STRING } */
		s->cipher = C_RC2_CBC;
		s->legacy = 1;
		*name = "RC2-CBC";
		s->keylen = keylen ? (size_t)keylen : 16;
		if (s->keylen > 128)
			return corrupt(ld, what, "RC2 key length out of range");
		s->rc2_bits = 32;
		if (params.tag != MX_TAG_SEQUENCE)
			return corrupt(ld, what, "malformed RC2-CBC parameters");
		mx_asn1_open(&params, &rc2);
		ver = 32; /* RFC 8018 B.2.3: absent version means 32 effective bits */
		if (mx_asn1_peek(&rc2) == MX_TAG_INTEGER &&
		    mx_asn1_get_uint(&rc2, 1u << 16, &ver) != 0)
			return corrupt(ld, what, "malformed RC2 version");
		if (mx_asn1_next(&rc2, &iv) != 0 || mx_asn1_done(&rc2) != 0)
			return corrupt(ld, what, "malformed RC2-CBC parameters");
		ivlen = 8;
		/* RFC 8018 B.2.3 table: 160 -> 40, 120 -> 64, 58 -> 128, >= 256 -> itself */
		if (ver == 160)
			s->rc2_bits = 40;
		else if (ver == 120)
			s->rc2_bits = 64;
		else if (ver == 58)
			s->rc2_bits = 128;
		else if (ver >= 256 && ver <= 1024)
			s->rc2_bits = (unsigned)ver;
		else
			return corrupt(ld, what, "unknown RC2 parameter version");
	} else {
		return unsupported(ld, what, "PBES2 cipher", &oid);
	}
	if (iv.raw == NULL || (iv.tag & ~MX_TAG_CONSTRUCTED) != MX_TAG_OCTET_STRING ||
	    mx_octets(ld, &iv, &s->iv, &s->ivlen, what) != 0 || s->ivlen != ivlen) {
		mx_err_clear(ld->err);
		snprintf(msg, sizeof(msg), "%s IV must be a %zu-byte OCTET STRING", *name, ivlen);
		return corrupt(ld, what, msg);
	}
	return 0;
}

/* PBKDF2 password forms, in the order tried: the standard one, then exporter bugs. */
struct pw_form {
	const struct mx_bytes *b;
	const char *quirk; /* NULL for the standard UTF-8 form */
};

static int pbes2(struct mx_load *ld, const struct mx_tlv *params, const uint8_t *in,
		 size_t inlen, uint8_t **out, size_t *outlen, const char *what)
{
	struct mx_asn1 c, kdf;
	struct mx_tlv kdf_oid, kdf_params, enc_tlv;
	struct mx_pbkdf2_params pb;
	struct scheme s, alt;
	const char *cname = "";
	struct pw_form forms[3];
	uint8_t key[128];
	size_t nforms = 0, i, dklen;
	int ret, have_alt = 0;

	/* PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, encryptionScheme AlgorithmIdentifier } */
	if (params->tag != MX_TAG_SEQUENCE)
		return corrupt(ld, what, "malformed PBES2 parameters");
	mx_asn1_open(params, &c);
	if (mx_asn1_enter(&c, MX_TAG_SEQUENCE, &kdf) != 0 ||
	    mx_asn1_expect(&kdf, MX_TAG_OID, &kdf_oid) != 0 ||
	    mx_asn1_expect(&c, MX_TAG_SEQUENCE, &enc_tlv) != 0 || mx_asn1_done(&c) != 0)
		return corrupt(ld, what, "malformed PBES2 parameters");
	if (!MX_OID_EQ(&kdf_oid, MX_OID_PBKDF2))
		return unsupported(ld, what, "PBES2 key derivation function", &kdf_oid);
	if (mx_asn1_next(&kdf, &kdf_params) != 0 || mx_asn1_done(&kdf) != 0)
		return corrupt(ld, what, "malformed PBKDF2 algorithm");
	ret = mx_pbkdf2_params_parse(ld, &kdf_params, &pb, what);
	if (ret < 0)
		return ret;
	memset(&s, 0, sizeof(s));
	ret = pbes2_scheme(ld, &enc_tlv, pb.keylen, &s, &cname, what);
	if (ret < 0)
		return ret;
	if (inlen == 0 || inlen % block_size(s.cipher) != 0)
		return corrupt(ld, what, "encrypted data is not a whole number of cipher blocks");

	/* NSS 3.29 wrote keyLength 32 with the AES-128 OID: also try the AES size keyLength names. */
	alt = s;
	if (s.cipher == C_AES_CBC && pb.keylen && pb.keylen != s.keylen &&
	    (pb.keylen == 16 || pb.keylen == 24 || pb.keylen == 32)) {
		alt.keylen = (size_t)pb.keylen;
		have_alt = 1;
	} else if (s.cipher != C_RC2_CBC && pb.keylen && pb.keylen != s.keylen) {
		return corrupt(ld, what, "PBKDF2 key length does not match the cipher");
	}
	dklen = s.keylen > alt.keylen ? s.keylen : alt.keylen;
	if (out == NULL)
		return 0; /* structure check only */

	snprintf(s.desc, sizeof(s.desc), "PBES2 PBKDF2-%s %s (%llu iterations)", pb.prf_name, cname,
		 (unsigned long long)pb.iterations);
	mx_note_encryption(ld, s.desc);
	if (s.legacy)
		mx_warn(ld, MXTLS_WARN_LEGACY_ALGORITHM, "legacy encryption PBES2 %s", cname);

	forms[nforms++] = (struct pw_form){&ld->pw.utf8, NULL};
	if (!ld->pw.empty)
		forms[nforms++] = (struct pw_form){&ld->pw.bmp,
						   "PBKDF2 fed the BMPString password (NSS 3.21)"};
	if (ld->pw.latin1.valid)
		forms[nforms++] = (struct pw_form){&ld->pw.latin1,
						   "PBKDF2 fed the ISO-8859-1 password (JSafe)"};

	ret = 1;
	for (i = 0; i < nforms && ret == 1; i++) {
		ret = mx_kdf_charge(ld, pb.iterations * mx_kdf_blocks(pb.md, dklen), what);
		if (ret < 0)
			break;
		if (mx_pbkdf2_hmac((mbedtls_md_type_t)pb.md, forms[i].b->p, forms[i].b->len, pb.salt,
				   pb.salt_len, (uint32_t)pb.iterations, key, dklen) != 0) {
			ret = mx_err(ld->err, MXTLS_ERR_INTERNAL, "%s: PBKDF2 failed", what);
			break;
		}
		ret = attempt(&s, key, s.iv, in, inlen, out, outlen);
		if (ret == 1 && have_alt) {
			ret = attempt(&alt, key, alt.iv, in, inlen, out, outlen);
			if (ret == 0)
				mx_warn(ld, MXTLS_WARN_EXPORTER_QUIRK,
					"%s: PBKDF2 keyLength %llu disagrees with %s; used the "
					"keyLength (NSS 3.29 exporter bug)",
					what, (unsigned long long)pb.keylen, cname);
		}
		if (ret == 0 && forms[i].quirk)
			mx_warn(ld, MXTLS_WARN_EXPORTER_QUIRK, "%s: %s", what, forms[i].quirk);
	}
	mx_wipe(key, sizeof(key));
	if (ret == 1)
		return mx_err(ld->err, MXTLS_ERR_WRONG_PASSWORD,
			      "%s: the password does not decrypt PBES2 %s", what, cname);
	return ret;
}

int mx_pbe_decrypt(struct mx_load *ld, const struct mx_tlv *alg, const uint8_t *in, size_t inlen,
		   uint8_t **out, size_t *outlen, const char *what)
{
	struct mx_asn1 c;
	struct mx_tlv oid, params;
	size_t i;

	/* AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } */
	if (alg->tag != MX_TAG_SEQUENCE)
		return corrupt(ld, what, "malformed encryption AlgorithmIdentifier");
	mx_asn1_open(alg, &c);
	if (mx_asn1_expect(&c, MX_TAG_OID, &oid) != 0)
		return corrupt(ld, what, "malformed encryption AlgorithmIdentifier");
	memset(&params, 0, sizeof(params));
	if (mx_asn1_more(&c) && mx_asn1_next(&c, &params) != 0)
		return corrupt(ld, what, "malformed encryption parameters");
	if (mx_asn1_done(&c) != 0)
		return corrupt(ld, what, "trailing data in encryption AlgorithmIdentifier");

	if (MX_OID_EQ(&oid, MX_OID_PBES2))
		return pbes2(ld, &params, in, inlen, out, outlen, what);
	for (i = 0; i < sizeof(p12pbes) / sizeof(p12pbes[0]); i++) {
		if (!mx_asn1_oid_eq(&oid, p12pbes[i].oid, p12pbes[i].len))
			continue;
		if (params.raw == NULL)
			return corrupt(ld, what, "missing PKCS#12 PBE parameters");
		return pkcs12_pbe(ld, &p12pbes[i], &params, in, inlen, out, outlen, what);
	}
	return unsupported(ld, what, "encryption algorithm", &oid);
}
