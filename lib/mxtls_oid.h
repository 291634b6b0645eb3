/* Object identifiers used by PKCS#12 (RFC 7292), PKCS#5 (RFC 8018) and RFC 9579, as DER content bytes. */
#ifndef MXTLS_OID_H
#define MXTLS_OID_H

#include <stdint.h>

#define MX_PKCS_1_2_840_113549 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d
#define MX_NIST_ALG 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04

/* PKCS#7 content types */
static const uint8_t MX_OID_DATA[] = {MX_PKCS_1_2_840_113549, 0x01, 0x07, 0x01};
static const uint8_t MX_OID_SIGNED_DATA[] = {MX_PKCS_1_2_840_113549, 0x01, 0x07, 0x02};
static const uint8_t MX_OID_ENVELOPED_DATA[] = {MX_PKCS_1_2_840_113549, 0x01, 0x07, 0x03};
static const uint8_t MX_OID_ENCRYPTED_DATA[] = {MX_PKCS_1_2_840_113549, 0x01, 0x07, 0x06};

/* PKCS#12 bag types 1.2.840.113549.1.12.10.1.n */
#define MX_BAG(n) {MX_PKCS_1_2_840_113549, 0x01, 0x0c, 0x0a, 0x01, (n)}
static const uint8_t MX_OID_KEY_BAG[] = MX_BAG(1);
static const uint8_t MX_OID_SHROUDED_KEY_BAG[] = MX_BAG(2);
static const uint8_t MX_OID_CERT_BAG[] = MX_BAG(3);
static const uint8_t MX_OID_CRL_BAG[] = MX_BAG(4);
static const uint8_t MX_OID_SECRET_BAG[] = MX_BAG(5);
static const uint8_t MX_OID_SAFE_CONTENTS_BAG[] = MX_BAG(6);

/* PKCS#9 */
static const uint8_t MX_OID_X509_CERT[] = {MX_PKCS_1_2_840_113549, 0x01, 0x09, 0x16, 0x01};
static const uint8_t MX_OID_FRIENDLY_NAME[] = {MX_PKCS_1_2_840_113549, 0x01, 0x09, 0x14};
static const uint8_t MX_OID_LOCAL_KEY_ID[] = {MX_PKCS_1_2_840_113549, 0x01, 0x09, 0x15};

/* PKCS#12 PBE 1.2.840.113549.1.12.1.n */
#define MX_P12PBE(n) {MX_PKCS_1_2_840_113549, 0x01, 0x0c, 0x01, (n)}
static const uint8_t MX_OID_PBE_SHA1_RC4_128[] = MX_P12PBE(1);
static const uint8_t MX_OID_PBE_SHA1_RC4_40[] = MX_P12PBE(2);
static const uint8_t MX_OID_PBE_SHA1_3DES[] = MX_P12PBE(3);
static const uint8_t MX_OID_PBE_SHA1_2DES[] = MX_P12PBE(4);
static const uint8_t MX_OID_PBE_SHA1_RC2_128[] = MX_P12PBE(5);
static const uint8_t MX_OID_PBE_SHA1_RC2_40[] = MX_P12PBE(6);

/* PKCS#5 v2 */
static const uint8_t MX_OID_PBKDF2[] = {MX_PKCS_1_2_840_113549, 0x01, 0x05, 0x0c};
static const uint8_t MX_OID_PBES2[] = {MX_PKCS_1_2_840_113549, 0x01, 0x05, 0x0d};
static const uint8_t MX_OID_PBMAC1[] = {MX_PKCS_1_2_840_113549, 0x01, 0x05, 0x0e};

/* HMAC PRFs 1.2.840.113549.2.n */
static const uint8_t MX_OID_HMAC_SHA1[] = {MX_PKCS_1_2_840_113549, 0x02, 0x07};
static const uint8_t MX_OID_HMAC_SHA224[] = {MX_PKCS_1_2_840_113549, 0x02, 0x08};
static const uint8_t MX_OID_HMAC_SHA256[] = {MX_PKCS_1_2_840_113549, 0x02, 0x09};
static const uint8_t MX_OID_HMAC_SHA384[] = {MX_PKCS_1_2_840_113549, 0x02, 0x0a};
static const uint8_t MX_OID_HMAC_SHA512[] = {MX_PKCS_1_2_840_113549, 0x02, 0x0b};

/* Digests */
static const uint8_t MX_OID_SHA1[] = {0x2b, 0x0e, 0x03, 0x02, 0x1a};
static const uint8_t MX_OID_SHA256[] = {MX_NIST_ALG, 0x02, 0x01};
static const uint8_t MX_OID_SHA384[] = {MX_NIST_ALG, 0x02, 0x02};
static const uint8_t MX_OID_SHA512[] = {MX_NIST_ALG, 0x02, 0x03};
static const uint8_t MX_OID_SHA224[] = {MX_NIST_ALG, 0x02, 0x04};

/* Ciphers */
static const uint8_t MX_OID_AES128_CBC[] = {MX_NIST_ALG, 0x01, 0x02};
static const uint8_t MX_OID_AES192_CBC[] = {MX_NIST_ALG, 0x01, 0x16};
static const uint8_t MX_OID_AES256_CBC[] = {MX_NIST_ALG, 0x01, 0x2a};
static const uint8_t MX_OID_DES_EDE3_CBC[] = {MX_PKCS_1_2_840_113549, 0x03, 0x07};
static const uint8_t MX_OID_RC2_CBC[] = {MX_PKCS_1_2_840_113549, 0x03, 0x02};

/* Key algorithms and curves */
static const uint8_t MX_OID_RSA[] = {MX_PKCS_1_2_840_113549, 0x01, 0x01, 0x01};
static const uint8_t MX_OID_RSA_PSS[] = {MX_PKCS_1_2_840_113549, 0x01, 0x01, 0x0a};
static const uint8_t MX_OID_EC_PUBLIC_KEY[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
static const uint8_t MX_OID_DSA[] = {0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01};
static const uint8_t MX_OID_ED25519[] = {0x2b, 0x65, 0x70};
static const uint8_t MX_OID_ED448[] = {0x2b, 0x65, 0x71};
static const uint8_t MX_OID_X25519[] = {0x2b, 0x65, 0x6e};
static const uint8_t MX_OID_P256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
static const uint8_t MX_OID_P384[] = {0x2b, 0x81, 0x04, 0x00, 0x22};
static const uint8_t MX_OID_P521[] = {0x2b, 0x81, 0x04, 0x00, 0x23};

#endif
