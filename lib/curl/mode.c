/* Which hand-off the running libcurl gets (see mxtls_curl.h): decided once per process. */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "curl_int.h"

struct dl_find {
	const void *addr;
	int found;
};

/* For the object that contains f->addr (libcurl), look for libmbedtls.so in DT_NEEDED. */
static int needs_mbedtls_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct dl_find *f = arg;
	const ElfW(Dyn) *dyn = NULL;
	const char *strtab = NULL;
	int i, inside = 0;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && (uintptr_t)f->addr >= lo &&
		    (uintptr_t)f->addr < lo + ph->p_memsz)
			inside = 1;
		if (ph->p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(info->dlpi_addr + ph->p_vaddr);
	}
	if (!inside || dyn == NULL)
		return 0;
	for (const ElfW(Dyn) *d = dyn; d->d_tag != DT_NULL; d++)
		if (d->d_tag == DT_STRTAB)
			strtab = (const char *)d->d_un.d_ptr;
	/* glibc relocates these addresses on most targets, not all (MIPS, RISC-V, musl). */
	if (strtab != NULL && (uintptr_t)strtab < info->dlpi_addr)
		strtab += info->dlpi_addr;
	for (const ElfW(Dyn) *d = dyn; strtab && d->d_tag != DT_NULL; d++)
		if (d->d_tag == DT_NEEDED && strncmp(strtab + d->d_un.d_val, "libmbedtls.so", 13) == 0)
			f->found = 1;
	return 1; /* found libcurl: stop */
}

static const char *backend(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	return v && v->ssl_version ? v->ssl_version : "";
}

/* Does the loaded libcurl need a shared libmbedtls (DT_NEEDED)? A libcurl with
 * mbedTLS linked in statically has its own copy: our structures are not its. */
static int curl_needs_shared_mbedtls(void)
{
	struct dl_find f = {(const void *)(uintptr_t)curl_version_info, 0};
	return dl_iterate_phdr(needs_mbedtls_cb, &f) >= 0 && f.found;
}

/*
 * Backends that use CURLOPT_SSLCERT_BLOB and CURLOPT_SSLKEY_BLOB. Others
 * (curl's GnuTLS, NSS, ...) accept both options and then ignore them, so that
 * no certificate is sent: they get files instead.
 */
static int takes_key_blobs(const char *b)
{
	static const char *const family[] = {"OpenSSL/", "LibreSSL/", "BoringSSL", "quictls/",
					     "AWS-LC/"};
	size_t i;

	for (i = 0; i < sizeof(family) / sizeof(family[0]); i++)
		if (strncmp(b, family[i], strlen(family[i])) == 0)
			return 1;
	return 0;
}

static int mode;
static pthread_once_t mode_once_get = PTHREAD_ONCE_INIT;

static void mode_init(void)
{
	char want[48];

	/* Same version and a shared libmbedtls: the one library in this process. */
	snprintf(want, sizeof(want), "mbedTLS/%s", mxtls_mbedtls_version());
	if (strcmp(backend(), want) == 0 && curl_needs_shared_mbedtls())
		mode = MXTLS_CURL_MBEDTLS;
	else
		mode = takes_key_blobs(backend()) ? MXTLS_CURL_BLOB : MXTLS_CURL_FILE;
}

int mxtls_curl_mode_get(void)
{
	pthread_once(&mode_once_get, mode_init);
	return mode;
}

static char mode_name[160];
static pthread_once_t mode_once = PTHREAD_ONCE_INIT;

static void mode_name_init(void)
{
	snprintf(mode_name, sizeof(mode_name), "%s (libcurl %s, %s)",
		 mxtls_curl_mode_get() == MXTLS_CURL_MBEDTLS ? "mbedtls"
		 : mxtls_curl_mode_get() == MXTLS_CURL_BLOB  ? "blob"
							     : "file",
		 curl_version_info(CURLVERSION_NOW)->version, backend());
}

const char *mxtls_curl_mode_name(void)
{
	pthread_once(&mode_once, mode_name_init);
	return mode_name;
}

int mx_curl_mode(void)
{
	return mxtls_curl_mode_get();
}
