/*
 * `mxtls get`: a failed TLS connection explained in our own words: which
 * server, which certificate, what is wrong. curl's own text stays as a
 * second line (scripts and our interop table match it).
 *
 * Where the answer comes from: curl's verify result is an X.509 error number
 * on OpenSSL, GnuTLS status flags on GnuTLS, and nothing on mbedTLS; and
 * OpenSSL verifies inside the handshake, so curl reports no certificate
 * then. So after a failed verification we look once more (curl, the same
 * route, CONNECT_ONLY: no request, no client certificate, verification off)
 * to read the server's chain (CURLINFO_CERTINFO), and verify it with mbedTLS
 * against the context's own authorities: the same verdict on every backend.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/x509_crt.h>

#include "mxtls/mxtls.h"
#include "mxtls/mxtls_curl.h"
#include "mxtls_cli.h"
#include "mxtls_tlserr.h"

/* The server's certificates from CURLINFO_CERTINFO ("Cert:" is PEM on every backend). */
static int server_chain(CURL *look, mbedtls_x509_crt *chain, char *subject, size_t ssize,
                        char *issuer, size_t isize)
{
	struct curl_certinfo *ci = NULL;
	struct curl_slist *s;
	int i, n = 0;

	if (curl_easy_getinfo(look, CURLINFO_CERTINFO, &ci) != CURLE_OK || ci == NULL)
		return 0;
	for (i = 0; i < ci->num_of_certs; i++)
		for (s = ci->certinfo[i]; s; s = s->next) {
			if (i == 0 && strncmp(s->data, "Subject:", 8) == 0)
				snprintf(subject, ssize, "%s", s->data + 8);
			else if (i == 0 && strncmp(s->data, "Issuer:", 7) == 0)
				snprintf(issuer, isize, "%s", s->data + 7);
			else if (strncmp(s->data, "Cert:", 5) == 0 && i == n &&
			         mbedtls_x509_crt_parse(chain, (const unsigned char *)s->data + 5,
			                                strlen(s->data + 5) + 1) == 0)
				n++; /* in order, leaf first; stop at the first one mbedTLS cannot
				        read */
		}
	return n;
}

/* Connect once more without verifying, to read the chain. 0 on a completed handshake. */
static int look_at_server(const char *url, long timeout_ms, mbedtls_x509_crt *chain, char *subject,
                          size_t ssize, char *issuer, size_t isize)
{
	CURL *look = curl_easy_init();
	int n = 0;

	if (look == NULL)
		return 0;
	curl_easy_setopt(look, CURLOPT_URL, url);
	curl_easy_setopt(look, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(look, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(look, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(look, CURLOPT_CERTINFO, 1L);
	curl_easy_setopt(look, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(look, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(look, CURLOPT_TIMEOUT_MS, timeout_ms);
	if (curl_easy_perform(look) == CURLE_OK)
		n = server_chain(look, chain, subject, ssize, issuer, isize);
	curl_easy_cleanup(look);
	return n;
}

static void name_of(const mbedtls_x509_name *dn, char *buf, size_t size)
{
	if (mbedtls_x509_dn_gets(buf, size, dn) < 0)
		snprintf(buf, size, "?");
}

static void day_of(const mbedtls_x509_time *t, char *buf, size_t size)
{
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d UTC", t->year, t->mon, t->day, t->hour,
	         t->min, t->sec);
}

/* The names the certificate is for: its DNS and IP subjectAltNames, else "none". */
static void names_of(const mbedtls_x509_crt *crt, char *buf, size_t size)
{
	const mbedtls_x509_sequence *cur;
	mbedtls_x509_subject_alternative_name san;
	size_t len = 0;

	buf[0] = '\0';
	for (cur = &crt->subject_alt_names; cur && cur->buf.p && len + 1 < size; cur = cur->next) {
		if (mbedtls_x509_parse_subject_alt_name(&cur->buf, &san) != 0)
			continue;
		if (san.type == MBEDTLS_X509_SAN_DNS_NAME)
			len += (size_t)snprintf(buf + len, size - len, "%s%.*s", len ? ", " : "",
			                        (int)san.san.unstructured_name.len,
			                        (const char *)san.san.unstructured_name.p);
		else if (san.type == MBEDTLS_X509_SAN_IP_ADDRESS &&
		         san.san.unstructured_name.len == 4) {
			const unsigned char *a = san.san.unstructured_name.p;
			len += (size_t)snprintf(buf + len, size - len, "%s%u.%u.%u.%u",
			                        len ? ", " : "", a[0], a[1], a[2], a[3]);
		} else if (san.type == MBEDTLS_X509_SAN_IP_ADDRESS) {
			len += (size_t)snprintf(buf + len, size - len, "%san IPv6 address",
			                        len ? ", " : "");
		}
		mbedtls_x509_free_subject_alt_name(&san);
		if (len >= size)
			len = size - 1;
	}
	if (len == 0)
		snprintf(buf, size, "none (no subjectAltName)");
}

/* The context's trusted authorities, parsed by mbedTLS (only after a failure: ~1 ms). */
static int load_trust(const mxtls_ctx *ctx, mbedtls_x509_crt *trust)
{
	char *pem = NULL;
	size_t len = 0;
	mxtls_error err;
	int ret;

	if (mxtls_ctx_export_trust_pem(ctx, &pem, &len, &err) != 0)
		return -1;
	ret = mbedtls_x509_crt_parse(trust, (const unsigned char *)pem, len + 1);
	mxtls_free_secret(pem, len);
	return ret < 0 && trust->raw.p == NULL ? -1 : 0;
}

static const char *backend_name(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

	return v && v->ssl_version ? v->ssl_version : "?";
}

/* What curl's own verdict says, in its backend's terms; 1 if it names the problem. */
static int curl_verdict(long verify, const char *errbuf, uint32_t *flags)
{
	const char *b = backend_name();

	if (strstr(errbuf, "does not match target host name") ||
	    strstr(errbuf, "no alternative certificate subject name matches")) {
		*flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
		return 1;
	}
	if (strncmp(b, "OpenSSL", 7) == 0 && verify != 0) {
		if (verify == 2 || verify == 20 || verify == 21 || verify == 18 || verify == 19)
			*flags |= MBEDTLS_X509_BADCERT_NOT_TRUSTED;
		else if (verify == 10)
			*flags |= MBEDTLS_X509_BADCERT_EXPIRED;
		else if (verify == 9)
			*flags |= MBEDTLS_X509_BADCERT_FUTURE;
		else if (verify == 62 || verify == 64)
			*flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
		else
			return 0;
		return 1;
	}
	if (strncmp(b, "GnuTLS", 6) == 0 && verify > 0) {
		if (verify & ((1 << 6) | (1 << 7))) /* SIGNER_NOT_FOUND, SIGNER_NOT_CA */
			*flags |= MBEDTLS_X509_BADCERT_NOT_TRUSTED;
		if (verify & (1 << 10)) /* EXPIRED */
			*flags |= MBEDTLS_X509_BADCERT_EXPIRED;
		if (verify & (1 << 9)) /* NOT_ACTIVATED */
			*flags |= MBEDTLS_X509_BADCERT_FUTURE;
		return *flags != 0;
	}
	return 0;
}

void cli_explain_verify_failure(CURL *h, const mxtls_ctx *ctx, const char *url, const char *host,
                                int port, long budget_ms, const char *errbuf)
{
	mbedtls_x509_crt chain, trust;
	char subject[512] = "", issuer[512] = "", names[512], from[40], until[40];
	uint32_t flags = 0, curl_flags = 0;
	long verify = 0;
	int n = 0, said = 0;

	mbedtls_x509_crt_init(&chain);
	mbedtls_x509_crt_init(&trust);
	curl_easy_getinfo(h, CURLINFO_SSL_VERIFYRESULT, &verify);
	curl_verdict(verify, errbuf, &curl_flags);
	if (budget_ms > 0)
		n = look_at_server(url, budget_ms, &chain, subject, sizeof(subject), issuer,
		                   sizeof(issuer));
	if (n > 0) {
		name_of(&chain.subject, subject, sizeof(subject));
		name_of(&chain.issuer, issuer, sizeof(issuer));
		if (load_trust(ctx, &trust) == 0)
			mbedtls_x509_crt_verify(&chain, &trust, NULL, host, &flags, NULL, NULL);
	}
	/* curl's verdict first: it is what failed; ours adds what else is wrong. */
	flags |= curl_flags;
	if (subject[0])
		fprintf(stderr, "mxtls get: %s:%d presented a certificate for %s, issued by %s\n",
		        host, port, subject, issuer[0] ? issuer : "?");
	else
		fprintf(stderr,
		        "mxtls get: the certificate of %s:%d did not verify (the server's "
		        "certificate could not be read again to say more)\n",
		        host, port);
	if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) {
		size_t roots = mxtls_ctx_system_root_count(ctx);
		fprintf(
		    stderr,
		    "mxtls get: unknown authority: %s is not among the authorities we trust (%zu "
		    "system roots, %zu added); if you trust it, add its certificate with "
		    "--authorities FILE\n",
		    issuer[0] ? issuer : "its issuer", roots, mxtls_ctx_trust_count(ctx) - roots);
		said = 1;
	}
	if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) {
		if (n > 0) {
			names_of(&chain, names, sizeof(names));
			fprintf(stderr,
			        "mxtls get: host name mismatch: the certificate is for %s, not for "
			        "%s\n",
			        names, host);
		} else {
			fprintf(stderr,
			        "mxtls get: host name mismatch: the certificate is not for %s\n",
			        host);
		}
		said = 1;
	}
	if (flags & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)) {
		if (n > 0) {
			day_of(&chain.valid_from, from, sizeof(from));
			day_of(&chain.valid_to, until, sizeof(until));
		} else {
			snprintf(from, sizeof(from), "?");
			snprintf(until, sizeof(until), "?");
		}
		if (flags & MBEDTLS_X509_BADCERT_EXPIRED)
			fprintf(
			    stderr,
			    "mxtls get: expired: the certificate (or one of its chain) was valid "
			    "until %s\n",
			    until);
		else
			fprintf(
			    stderr,
			    "mxtls get: not yet valid: the certificate (or one of its chain) is "
			    "valid from %s (check this machine's clock)\n",
			    from);
		said = 1;
	}
	if (!said)
		fprintf(stderr, "mxtls get: the server's certificate did not verify against the "
		                "authorities we trust (curl's reason below)\n");
	mbedtls_x509_crt_free(&chain);
	mbedtls_x509_crt_free(&trust);
}

/* The server refused our client certificate, or wanted one: from curl's text or the alert. */
int cli_explain_client_cert(const char *host, int port, const char *errbuf, const char *sent,
                            long status, const char *body)
{
	int required =
	    strstr(errbuf, "alert certificate required") != NULL ||
	    (status == 400 && body && strstr(body, "No required SSL certificate was sent"));
	/* After the handshake (TLS 1.3 checks the client's certificate late), an alert we cannot
	 * name (GnuTLS, mbedTLS), with no certificate sent: most likely one was required. */
	int late_alert =
	    (strstr(errbuf, "fatal alert") != NULL && strstr(errbuf, "recv") != NULL) ||
	    strstr(errbuf, "ssl_read returned") != NULL;
	int hedged =
	    (late_alert || strstr(errbuf, "alert handshake failure") != NULL) && sent == NULL;
	int refused = strstr(errbuf, "alert unknown ca") != NULL ||
	              strstr(errbuf, "alert bad certificate") != NULL ||
	              strstr(errbuf, "alert certificate unknown") != NULL ||
	              strstr(errbuf, "alert certificate expired") != NULL ||
	              strstr(errbuf, "alert certificate revoked") != NULL ||
	              (status == 400 && body && strstr(body, "The SSL certificate error"));

	if (required && sent == NULL) {
		fprintf(
		    stderr,
		    "mxtls get: %s:%d requires a client certificate, and we sent none (give one "
		    "with --identity FILE, or pin one to this host)\n",
		    host, port);
		return 1;
	}
	if (hedged) {
		fprintf(stderr,
		        "mxtls get: %s:%d ended the connection with a TLS alert; we sent no client "
		        "certificate, and it may require one (give one with --identity FILE)\n",
		        host, port);
		return 1;
	}
	if (required || refused) {
		fprintf(stderr, "mxtls get: %s:%d refused our client certificate %s%s%s\n", host,
		        port, sent ? sent : "(none sent)",
		        strstr(errbuf, "unknown ca") ? ": it does not trust its issuer" : "",
		        strstr(errbuf, "certificate expired") ? ": it says it has expired" : "");
		return 1;
	}
	if (late_alert) {
		fprintf(stderr,
		        "mxtls get: %s:%d ended the connection with a TLS alert after the "
		        "handshake; it "
		        "may have refused our client certificate %s\n",
		        host, port, sent);
		return 1;
	}
	return 0;
}
