/* The PKCS#12 integrity MAC: classic HMAC with the RFC 7292 KDF, and PBMAC1 (RFC 9579). */
#ifndef MXTLS_MAC_H
#define MXTLS_MAC_H

#include "mxtls_pbe.h"

struct mx_mac {
	int pbmac1;
	int md;                        /* HMAC hash */
	const uint8_t *digest;
	size_t digest_len;
	const uint8_t *salt;           /* classic: macSalt */
	size_t salt_len;
	uint64_t iterations;           /* classic: iterations */
	struct mx_pbkdf2_params kdf;   /* PBMAC1 */
	const char *hmac_name;
};

/* Check MacData's structure (no crypto): done before the MAC so damage is `corrupt`. */
int mx_mac_parse(struct mx_load *ld, const struct mx_tlv *macdata, struct mx_mac *mac);
/* Verify the MAC over the authSafe content octets; sets ld->mac_verified and ld->out->mac_alg. */
int mx_mac_verify(struct mx_load *ld, const struct mx_mac *mac, const uint8_t *data, size_t len);

#endif
