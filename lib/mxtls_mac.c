/* PKCS#12 MacData parsing and verification (see mxtls_mac.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/constant_time.h>
#include <mbedtls/md.h>

#include "mxtls_kdf.h"
#include "mxtls_mac.h"
#include "mxtls_oid.h"
#include "mxtls_util.h"

static const char *where = "MAC";

static int corrupt(struct mx_load *ld, const char *detail)
{
	return mx_err(ld->err, MXTLS_ERR_CORRUPT, "MAC: %s", detail);
}

/* PBMAC1-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, messageAuthScheme AlgorithmIdentifier } */
static int parse_pbmac1(struct mx_load *ld, const struct mx_tlv *params, struct mx_mac *mac)
{
	struct mx_asn1 c, kdf, scheme;
	struct mx_tlv oid, kdf_params, t;
	char s[96];
	int ret;

	if (params->tag != MX_TAG_SEQUENCE)
		return corrupt(ld, "malformed PBMAC1 parameters");
	mx_asn1_open(params, &c);
	if (mx_asn1_enter(&c, MX_TAG_SEQUENCE, &kdf) != 0 ||
	    mx_asn1_expect(&kdf, MX_TAG_OID, &oid) != 0)
		return corrupt(ld, "malformed PBMAC1 key derivation function");
	if (!MX_OID_EQ(&oid, MX_OID_PBKDF2)) {
		mx_asn1_oid_str(&oid, s, sizeof(s));
		return mx_err(ld->err, MXTLS_ERR_UNSUPPORTED_ALGORITHM,
			      "MAC: unsupported PBMAC1 key derivation function %s", s);
	}
	if (mx_asn1_next(&kdf, &kdf_params) != 0 || mx_asn1_done(&kdf) != 0)
		return corrupt(ld, "malformed PBMAC1 key derivation function");
	ret = mx_pbkdf2_params_parse(ld, &kdf_params, &mac->kdf, where);
	if (ret < 0)
		return ret;
	/* RFC 9579: keyLength is required; a short key would let a forger guess it. */
	if (mac->kdf.keylen == 0)
		return corrupt(ld, "PBMAC1 requires a PBKDF2 keyLength");
	if (mac->kdf.keylen < 20)
		return corrupt(ld, "PBMAC1 key shorter than 20 bytes");
	/* Longer than any HMAC output buys nothing and multiplies the PBKDF2 cost. */
	if (mac->kdf.keylen > 64)
		return mx_err(ld->err, MXTLS_ERR_LIMIT_EXCEEDED,
			      "MAC: PBMAC1 keyLength %llu is over 64 bytes",
			      (unsigned long long)mac->kdf.keylen);
	if (mx_asn1_enter(&c, MX_TAG_SEQUENCE, &scheme) != 0 ||
	    mx_asn1_expect(&scheme, MX_TAG_OID, &oid) != 0)
		return corrupt(ld, "malformed PBMAC1 message authentication scheme");
	if (mx_asn1_more(&scheme) && (mx_asn1_expect(&scheme, MX_TAG_NULL, &t) != 0 || t.len))
		return corrupt(ld, "malformed PBMAC1 HMAC parameters");
	if (mx_asn1_done(&scheme) != 0 || mx_asn1_done(&c) != 0)
		return corrupt(ld, "malformed PBMAC1 parameters");
	mac->md = mx_md_from_hmac_oid(&oid, &mac->hmac_name);
	if (mac->md == 0) {
		mx_asn1_oid_str(&oid, s, sizeof(s));
		return mx_err(ld->err, MXTLS_ERR_UNSUPPORTED_ALGORITHM,
			      "MAC: unsupported PBMAC1 message authentication scheme %s", s);
	}
	mac->pbmac1 = 1;
	return 0;
}

int mx_mac_parse(struct mx_load *ld, const struct mx_tlv *macdata, struct mx_mac *mac)
{
	struct mx_asn1 c, di, alg;
	struct mx_tlv oid, params, digest, salt;
	char s[96];
	int ret;

	/*
	 * MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
	 * DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest OCTET STRING }
	 */
	memset(mac, 0, sizeof(*mac));
	if (macdata->tag != MX_TAG_SEQUENCE)
		return corrupt(ld, "malformed MacData");
	mx_asn1_open(macdata, &c);
	if (mx_asn1_enter(&c, MX_TAG_SEQUENCE, &di) != 0 ||
	    mx_asn1_enter(&di, MX_TAG_SEQUENCE, &alg) != 0 ||
	    mx_asn1_expect(&alg, MX_TAG_OID, &oid) != 0)
		return corrupt(ld, "malformed DigestInfo");
	memset(&params, 0, sizeof(params));
	if (mx_asn1_more(&alg) && mx_asn1_next(&alg, &params) != 0)
		return corrupt(ld, "malformed digest parameters");
	if (mx_asn1_done(&alg) != 0 || mx_asn1_next(&di, &digest) != 0 || mx_asn1_done(&di) != 0)
		return corrupt(ld, "malformed DigestInfo");
	ret = mx_octets(ld, &digest, &mac->digest, &mac->digest_len, "MAC value");
	if (ret < 0)
		return ret;
	if (mx_asn1_next(&c, &salt) != 0)
		return corrupt(ld, "malformed macSalt");
	ret = mx_octets(ld, &salt, &mac->salt, &mac->salt_len, "MAC salt");
	if (ret < 0)
		return ret;
	mac->iterations = 1;
	if (mx_asn1_more(&c) && mx_asn1_get_uint(&c, UINT64_MAX >> 1, &mac->iterations) != 0)
		return corrupt(ld, "malformed MAC iteration count");
	if (mx_asn1_done(&c) != 0)
		return corrupt(ld, "trailing data in MacData");

	if (MX_OID_EQ(&oid, MX_OID_PBMAC1)) {
		ret = parse_pbmac1(ld, &params, mac);
		if (ret < 0)
			return ret;
	} else {
		if (params.raw && (params.tag != MX_TAG_NULL || params.len != 0))
			return corrupt(ld, "malformed digest parameters");
		mac->md = mx_md_from_digest_oid(&oid, &mac->hmac_name);
		if (mac->md == 0) {
			mx_asn1_oid_str(&oid, s, sizeof(s));
			return mx_err(ld->err, MXTLS_ERR_UNSUPPORTED_ALGORITHM,
				      "MAC: unsupported digest algorithm %s", s);
		}
		if (mac->iterations == 0)
			return corrupt(ld, "MAC iteration count is zero");
		if (mac->iterations > MXTLS_MAX_KDF_ITERATIONS)
			return mx_err(ld->err, MXTLS_ERR_LIMIT_EXCEEDED,
				      "MAC: %llu key-derivation iterations exceed the limit of %u",
				      (unsigned long long)mac->iterations,
				      MXTLS_MAX_KDF_ITERATIONS);
	}
	if (mac->digest_len != mbedtls_md_get_size(mbedtls_md_info_from_type(mac->md)))
		return corrupt(ld, "MAC value has the wrong length for its algorithm");
	return 0;
}

static char *describe(const struct mx_mac *mac)
{
	char buf[128];

	if (mac->pbmac1)
		snprintf(buf, sizeof(buf), "PBMAC1 %s (PBKDF2-%s, %llu iterations)",
			 mac->hmac_name, mac->kdf.prf_name,
			 (unsigned long long)mac->kdf.iterations);
	else
		snprintf(buf, sizeof(buf), "HMAC-%s (PKCS#12 KDF, %llu iterations)", mac->hmac_name,
			 (unsigned long long)mac->iterations);
	return strdup(buf);
}

/* Compute the MAC with one password form; 0 if it matches, 1 if not, <0 error. */
static int try_key(struct mx_load *ld, const struct mx_mac *mac, const uint8_t *pw, size_t pwlen,
		   const uint8_t *data, size_t len)
{
	uint8_t key[1024], out[MBEDTLS_MD_MAX_SIZE];
	size_t keylen = mac->digest_len;
	int ret;

	if (mac->pbmac1) {
		keylen = (size_t)mac->kdf.keylen;
		ret = mx_kdf_charge(ld, mac->kdf.iterations * mx_kdf_blocks(mac->kdf.md, keylen),
				    where);
		if (ret < 0)
			return ret;
		ret = mx_pbkdf2_hmac((mbedtls_md_type_t)mac->kdf.md, pw, pwlen, mac->kdf.salt,
				     mac->kdf.salt_len, (uint32_t)mac->kdf.iterations, key, keylen);
	} else {
		ret = mx_kdf_charge(ld, mac->iterations, where);
		if (ret < 0)
			return ret;
		ret = mx_pkcs12_kdf((mbedtls_md_type_t)mac->md, 3, pw, pwlen, mac->salt,
				    mac->salt_len, (uint32_t)mac->iterations, key, keylen);
	}
	if (ret == 0)
		ret = mx_hmac((mbedtls_md_type_t)mac->md, key, keylen, data, len, out);
	if (ret != 0)
		ret = mx_err(ld->err, MXTLS_ERR_INTERNAL, "MAC: computation failed");
	else
		ret = mbedtls_ct_memcmp(out, mac->digest, mac->digest_len) == 0 ? 0 : 1;
	mx_wipe(key, sizeof(key));
	mx_wipe(out, sizeof(out));
	return ret;
}

int mx_mac_verify(struct mx_load *ld, const struct mx_mac *mac, const uint8_t *data, size_t len)
{
	static const uint8_t nothing[1];
	int ret;

	ld->out->mac_alg = describe(mac);
	if (ld->out->mac_alg == NULL)
		return mx_err(ld->err, MXTLS_ERR_NOMEM, "out of memory");
	if (mac->md == MBEDTLS_MD_SHA1)
		mx_warn(ld, MXTLS_WARN_LEGACY_ALGORITHM, "legacy MAC %s with SHA-1",
			mac->pbmac1 ? "PBMAC1" : "HMAC");

	if (mac->pbmac1) {
		/* RFC 9579: PBKDF2 takes the password as UTF-8. */
		ret = try_key(ld, mac, ld->pw.utf8.p, ld->pw.utf8.len, data, len);
	} else {
		ret = try_key(ld, mac, ld->pw.bmp.p, ld->pw.bmp.len, data, len);
		/* "No password" is the empty BMPString (00 00) or no bytes at all. */
		if (ret == 1 && ld->pw.empty) {
			ret = try_key(ld, mac, nothing, 0, data, len);
			if (ret == 0)
				ld->empty_pw_zero_len = 1;
		}
	}
	if (ret == 1)
		return mx_err(ld->err, MXTLS_ERR_WRONG_PASSWORD,
			      "MAC verification failed: wrong password%s",
			      ld->pw.empty ? " (none was given)" : "");
	if (ret == 0)
		ld->mac_verified = 1;
	return ret;
}
