/* The certificates of a PKCS#7 SignedData (.p7b/.p7c), as CAs and `openssl crl2pkcs7` make them. */
#include <string.h>

#include "mxtls_asn1.h"
#include "mxtls_error.h"
#include "mxtls_oid.h"
#include "read_int.h"

static int bad(mxtls_error *err, const uint8_t *base, const uint8_t *at, const char *what)
{
	return mx_err(err, MXTLS_ERR_CORRUPT, "offset %zu: malformed PKCS#7 %s",
		      (size_t)(at - base), what);
}

int mx_pkcs7_looks_like(const uint8_t *der, size_t len)
{
	struct mx_asn1 c, ci;
	struct mx_tlv oid;

	mx_asn1_init(&c, der, len);
	return mx_asn1_enter(&c, MX_TAG_SEQUENCE, &ci) == 0 &&
	       mx_asn1_expect(&ci, MX_TAG_OID, &oid) == 0 && MX_OID_EQ(&oid, MX_OID_SIGNED_DATA);
}

int mx_pkcs7_each_cert(const uint8_t *der, size_t len, mx_p7_cert_cb cb, void *arg,
		       mxtls_error *err)
{
	struct mx_asn1 c, ci, expl, sd, certs;
	struct mx_tlv oid, t;
	const uint8_t *at;
	char s[96];
	int n = 0, ret;

	mx_asn1_init(&c, der, len);
	/* ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY } */
	if (mx_asn1_enter(&c, MX_TAG_SEQUENCE, &ci) != 0)
		return bad(err, der, der, "ContentInfo");
	if (mx_asn1_done(&c) != 0)
		return bad(err, der, c.p, "ContentInfo (trailing data)");
	at = ci.p;
	if (mx_asn1_expect(&ci, MX_TAG_OID, &oid) != 0)
		return bad(err, der, at, "content type");
	if (!MX_OID_EQ(&oid, MX_OID_SIGNED_DATA)) {
		mx_asn1_oid_str(&oid, s, sizeof(s));
		return mx_err(err, MXTLS_ERR_UNSUPPORTED_ALGORITHM,
			      "offset %zu: PKCS#7 content type %s (signedData 1.2.840.113549.1.7.2 "
			      "holds certificates)",
			      (size_t)(at - der), s);
	}
	at = ci.p;
	if (mx_asn1_enter(&ci, MX_TAG_CTX_CONS(0), &expl) != 0 ||
	    mx_asn1_enter(&expl, MX_TAG_SEQUENCE, &sd) != 0)
		return bad(err, der, at, "SignedData");
	/* SignedData ::= SEQUENCE { version, digestAlgorithms SET, contentInfo, [0] certificates, [1] crls, signerInfos } */
	at = sd.p;
	if (mx_asn1_expect(&sd, MX_TAG_INTEGER, &t) != 0)
		return bad(err, der, at, "SignedData version");
	at = sd.p;
	if (mx_asn1_expect(&sd, MX_TAG_SET, &t) != 0)
		return bad(err, der, at, "digestAlgorithms");
	at = sd.p;
	if (mx_asn1_expect(&sd, MX_TAG_SEQUENCE, &t) != 0)
		return bad(err, der, at, "encapsulated contentInfo");
	if (mx_asn1_peek(&sd) != MX_TAG_CTX_CONS(0))
		return 0; /* no certificates */
	at = sd.p;
	if (mx_asn1_enter(&sd, MX_TAG_CTX_CONS(0), &certs) != 0)
		return bad(err, der, at, "certificates");
	while (mx_asn1_more(&certs)) {
		at = certs.p;
		if (mx_asn1_next(&certs, &t) != 0)
			return bad(err, der, at, "certificate");
		if (t.tag != MX_TAG_SEQUENCE)
			continue; /* [1] extendedCertificate, [2] attribute certificates... */
		if ((size_t)n >= MX_READ_MAX_CERTS)
			return mx_err(err, MXTLS_ERR_LIMIT_EXCEEDED,
				      "more than %u certificates in a PKCS#7 bundle", MX_READ_MAX_CERTS);
		ret = cb(arg, t.raw, t.raw_len, (size_t)(at - der));
		if (ret < 0)
			return ret;
		n++;
	}
	return n;
}
