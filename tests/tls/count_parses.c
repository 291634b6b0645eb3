/*
 * LD_PRELOAD shim for the tests: counts what mbedTLS is asked to parse from
 * configuration (CA files and directories, PEM blobs, private keys), so a
 * test can prove that libcurl parses nothing of the sort per connection when
 * libmxtls hands it pre-parsed material. Server certificates, which every
 * handshake must parse, arrive through mbedtls_x509_crt_parse_der and are
 * not counted. tls_probe reads the counter with dlsym().
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stddef.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

static atomic_long parses;

long mxtls_test_config_parses(void);
long mxtls_test_config_parses(void)
{
	return atomic_load(&parses);
}

static size_t chain_len(const mbedtls_x509_crt *c)
{
	size_t n = 0;

	for (; c != NULL && c->raw.len > 0; c = c->next)
		n++;
	return n;
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

/* CA files and directories count the certificates they add: an empty directory adds none. */
int mbedtls_x509_crt_parse_file(mbedtls_x509_crt *chain, const char *path)
{
	size_t before = chain_len(chain);
	int ret = NEXT(mbedtls_x509_crt_parse_file)(chain, path);

	atomic_fetch_add(&parses, (long)(chain_len(chain) - before));
	return ret;
}

int mbedtls_x509_crt_parse_path(mbedtls_x509_crt *chain, const char *path)
{
	size_t before = chain_len(chain);
	int ret = NEXT(mbedtls_x509_crt_parse_path)(chain, path);

	atomic_fetch_add(&parses, (long)(chain_len(chain) - before));
	return ret;
}

int mbedtls_x509_crt_parse(mbedtls_x509_crt *chain, const unsigned char *buf, size_t len)
{
	atomic_fetch_add(&parses, 1);
	return NEXT(mbedtls_x509_crt_parse)(chain, buf, len);
}

int mbedtls_pk_parse_key(mbedtls_pk_context *ctx, const unsigned char *key, size_t keylen,
			 const unsigned char *pwd, size_t pwdlen, mbedtls_f_rng_t *f_rng, void *p_rng)
{
	atomic_fetch_add(&parses, 1);
	return NEXT(mbedtls_pk_parse_key)(ctx, key, keylen, pwd, pwdlen, f_rng, p_rng);
}

int mbedtls_pk_parse_keyfile(mbedtls_pk_context *ctx, const char *path, const char *password,
			     mbedtls_f_rng_t *f_rng, void *p_rng)
{
	atomic_fetch_add(&parses, 1);
	return NEXT(mbedtls_pk_parse_keyfile)(ctx, path, password, f_rng, p_rng);
}
