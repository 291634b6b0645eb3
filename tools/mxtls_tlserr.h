/* `mxtls get`'s explanations of a failed TLS connection (mxtls_tlserr.c). */
#ifndef MXTLS_TLSERR_H
#define MXTLS_TLSERR_H

#include "mxtls/mxtls.h"
#include "mxtls/mxtls_curl.h"

/* After CURLE_PEER_FAILED_VERIFICATION: which certificate, and what is wrong with it. Looks
 * at the server once more (at most budget_ms; 0: no look). Lines on stderr. */
void cli_explain_verify_failure(CURL *h, const mxtls_ctx *ctx, const char *url, const char *host,
                                int port, long budget_ms, const char *errbuf);
/* The server wanted a client certificate, or refused ours (sent: its subject, NULL for none),
 * from curl's error text or an HTTP answer (status, body). 1 if it printed a line. */
int cli_explain_client_cert(const char *host, int port, const char *errbuf, const char *sent,
                            long status, const char *body);

#endif
