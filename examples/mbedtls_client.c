/*
 * Example: an application that drives mbedTLS itself takes libmxtls's ready
 * client configuration (identity + private authorities + system roots) and
 * makes one HTTPS GET over a plain socket.
 *
 * usage: mbedtls_client HOST PORT IDENTITY.p12 PASSWORD [AUTHORITIES.pem]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>

#include <mxtls/mxtls.h>

static mxtls_ctx *make_context(const char *p12_path, const char *password, const char *ca_path)
{
	mxtls_config *cfg = mxtls_config_new();
	mxtls_pkcs12 *p12 = NULL;
	mxtls_trust *trust = NULL;
	mxtls_ctx *ctx = NULL;
	mxtls_error err;

	p12 = mxtls_pkcs12_load_file(p12_path, password, 0, &err);
	if (p12 == NULL || mxtls_config_add_identity(cfg, p12, 0, &err) != 0)
		goto fail;
	if (ca_path) {
		trust = mxtls_trust_load_file(ca_path, &err);
		if (trust == NULL || mxtls_config_add_trust(cfg, trust, &err) != 0)
			goto fail;
	}
	ctx = mxtls_ctx_new(cfg, &err);
	if (ctx == NULL)
		goto fail;
	goto out;
fail:
	fprintf(stderr, "mbedtls_client: %s (%s)\n", err.message, mxtls_error_name(err.code));
out:
	mxtls_pkcs12_free(p12); /* the context keeps its own copy */
	mxtls_trust_free(trust);
	mxtls_config_free(cfg);
	return ctx;
}

int main(int argc, char **argv)
{
	mbedtls_net_context net;
	mbedtls_ssl_context ssl;
	mxtls_ctx *ctx;
	char req[512], buf[4096], msg[128], why[512];
	int ret, n, status = 1, handshake_failed = 0;

	if (argc < 5) {
		fprintf(stderr, "usage: %s HOST PORT IDENTITY.p12 PASSWORD [AUTHORITIES.pem]\n", argv[0]);
		return 2;
	}
	ctx = make_context(argv[3], argv[4], argc > 5 ? argv[5] : NULL);
	if (ctx == NULL)
		return 1;
	mbedtls_net_init(&net);
	mbedtls_ssl_init(&ssl);
	/* One shared, read-only configuration serves every connection and thread. */
	ret = mbedtls_ssl_setup(&ssl, mxtls_ctx_mbedtls_config(ctx, 0));
	/* The name to verify the server against (and to send as SNI): never skip it. */
	if (ret == 0)
		ret = mbedtls_ssl_set_hostname(&ssl, argv[1]);
	if (ret == 0)
		ret = mbedtls_net_connect(&net, argv[1], argv[2], MBEDTLS_NET_PROTO_TCP);
	if (ret != 0)
		goto done;
	mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, mbedtls_net_recv, NULL);
	while ((ret = mbedtls_ssl_handshake(&ssl)) != 0)
		if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE) {
			handshake_failed = ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE;
			goto done;
		}
	fprintf(stderr, "mbedtls_client: %s, %s\n", mbedtls_ssl_get_version(&ssl),
		mbedtls_ssl_get_ciphersuite(&ssl));
	n = snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
		     argv[1]);
	ret = mbedtls_ssl_write(&ssl, (const unsigned char *)req, (size_t)n);
	if (ret < 0)
		goto done;
	for (;;) {
		ret = mbedtls_ssl_read(&ssl, (unsigned char *)buf, sizeof(buf));
		if (ret > 0) {
			fwrite(buf, 1, (size_t)ret, stdout);
			continue;
		}
		/* TLS 1.3 tickets arrive after the handshake; a client could keep them for resumption. */
		if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE ||
		    ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
			continue;
		break;
	}
	if (ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
		status = 0;
done:
	if (status != 0) {
		mbedtls_strerror(ret, msg, sizeof(msg));
		fprintf(stderr, "mbedtls_client: -0x%04x %s\n", (unsigned)-ret, msg);
	}
	/* The server aborted: perhaps its key is one mbedTLS cannot verify. Ask it what it has. */
	if (handshake_failed &&
	    mxtls_server_key_explain(argv[1], atoi(argv[2]), 10000, why, sizeof(why)) > 0)
		fprintf(stderr, "mbedtls_client: %s\n", why);
	mbedtls_ssl_close_notify(&ssl);
	mbedtls_ssl_free(&ssl);
	mbedtls_net_free(&net);
	mxtls_ctx_free(ctx);
	return status;
}
