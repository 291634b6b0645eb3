/*
 * Data-driven loader test: every row of a MANIFEST.tsv (the public vectors
 * in ../shared, or the corpus tests/corpus/make-corpus.sh makes with real
 * tools) is loaded with its password and must give exactly the expected
 * outcome: the error code, or the identities, leaf fingerprints and key.
 *
 * usage: test_vectors MANIFEST.tsv   (files are resolved beside the manifest)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtls/mxtls.h"

#define MAX_COLS 16

struct row {
	char name[256];
	char path[2304];
	char *password; /* NULL = <none> */
	char expect[64];
	long identities;
	char leaf_sha256[1024];
	char key[32];
	char note[512];
	char chain_sha256[1024]; /* optional: identity 0's chain, leaf to root */
	char other_sha256[1024]; /* optional: certificates on no identity's path */
};

static int col_index(char **cols, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(cols[i], name) == 0)
			return i;
	return -1;
}

static int split(char *line, char **cols)
{
	int n = 0;
	char *p = line;

	line[strcspn(line, "\r\n")] = '\0';
	cols[n++] = p;
	while ((p = strchr(p, '\t')) != NULL && n < MAX_COLS) {
		*p++ = '\0';
		cols[n++] = p;
	}
	return n;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* "a|b" accepts either code. */
static int code_matches(const char *expect, const char *name)
{
	char buf[64], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", expect);
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save))
		if (strcmp(tok, name) == 0)
			return 1;
	return 0;
}

static int has_warning(const mxtls_pkcs12 *p, int kind)
{
	size_t i;

	for (i = 0; i < mxtls_pkcs12_warning_count(p); i++)
		if (mxtls_pkcs12_warning_kind(p, i) == kind)
			return 1;
	return 0;
}

static void key_label(const mxtls_identity *id, char *buf, size_t size)
{
	if (mxtls_identity_key_type(id) == MXTLS_KEY_RSA)
		snprintf(buf, size, "rsa%zu", mxtls_identity_key_bits(id));
	else
		snprintf(buf, size, "ec-p%zu", mxtls_identity_key_bits(id));
}

/* The key column is one label for every identity, or one per identity, comma-separated. */
static const char *nth_key(const char *keys, size_t n, char *buf, size_t size)
{
	const char *p = keys, *comma;
	size_t i;

	if (strchr(keys, ',') == NULL)
		return keys;
	for (i = 0; i < n && p; i++) {
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (p == NULL)
		return "(missing)";
	comma = strchr(p, ',');
	snprintf(buf, size, "%.*s", comma ? (int)(comma - p) : (int)strlen(p), p);
	return buf;
}

static void run_row(void **state)
{
	const struct row *r = *state;
	mxtls_error err;
	mxtls_pkcs12 *p = mxtls_pkcs12_load_file(r->path, r->password, 0, &err);
	char fps[1024] = "", fp[65], key[32], want[32];
	size_t i;

	if (strcmp(r->expect, "ok") != 0) {
		if (p != NULL)
			fail_msg("%s: loaded, expected %s", r->name, r->expect);
		if (!code_matches(r->expect, mxtls_error_name(err.code)))
			fail_msg("%s: got %s (%s), expected %s", r->name, mxtls_error_name(err.code),
				 err.message, r->expect);
		/* Messages name the context and never the password. */
		assert_true(strlen(err.message) > 0);
		if (r->password && strlen(r->password) >= 4) {
			const char *msg = err.message; /* after the file name, which may echo it */
			if (strncmp(msg, r->path, strlen(r->path)) == 0)
				msg += strlen(r->path);
			assert_null(strstr(msg, r->password));
		}
		return;
	}
	if (p == NULL)
		fail_msg("%s: expected ok, got %s: %s", r->name, mxtls_error_name(err.code),
			 err.message);
	assert_int_equal(err.code, MXTLS_OK);
	if ((long)mxtls_pkcs12_identity_count(p) != r->identities)
		fail_msg("%s: %zu identities, expected %ld", r->name,
			 mxtls_pkcs12_identity_count(p), r->identities);
	for (i = 0; i < mxtls_pkcs12_identity_count(p); i++) {
		const mxtls_identity *id = mxtls_pkcs12_identity(p, i);
		hex(mxtls_cert_sha256(mxtls_identity_leaf(id)), 32, fp);
		if (i)
			strcat(fps, ",");
		strcat(fps, fp);
		key_label(id, key, sizeof(key));
		if (strcmp(r->key, "-") != 0 && strcmp(key, nth_key(r->key, i, want, sizeof(want))) != 0)
			fail_msg("%s: identity %zu key %s, expected %s", r->name, i, key, want);
	}
	if (strcmp(r->leaf_sha256, "-") != 0 && strcmp(fps, r->leaf_sha256) != 0)
		fail_msg("%s: leaf fingerprints\n  got      %s\n  expected %s", r->name, fps,
			 r->leaf_sha256);
	if (r->chain_sha256[0] && strcmp(r->chain_sha256, "-") != 0) {
		const mxtls_identity *id = mxtls_pkcs12_identity(p, 0);
		fps[0] = '\0';
		for (i = 0; i < mxtls_identity_chain_count(id); i++) {
			hex(mxtls_cert_sha256(mxtls_identity_chain_cert(id, i)), 32, fp);
			if (i)
				strcat(fps, ",");
			strcat(fps, fp);
		}
		if (strcmp(fps, r->chain_sha256) != 0)
			fail_msg("%s: chain\n  got      %s\n  expected %s", r->name, fps,
				 r->chain_sha256);
	}
	if (r->other_sha256[0] && strcmp(r->other_sha256, "-") != 0) {
		fps[0] = '\0';
		for (i = 0; i < mxtls_pkcs12_extra_cert_count(p); i++) {
			hex(mxtls_cert_sha256(mxtls_pkcs12_extra_cert(p, i)), 32, fp);
			if (i)
				strcat(fps, ",");
			strcat(fps, fp);
		}
		if (strcmp(fps, r->other_sha256) != 0)
			fail_msg("%s: other certificates\n  got      %s\n  expected %s", r->name, fps,
				 r->other_sha256);
	}
	if (strstr(r->note, "weak-key warning") || strncmp(r->key, "rsa1024", 7) == 0)
		assert_true(has_warning(p, MXTLS_WARN_WEAK_KEY));
	if (strstr(r->note, "quirk"))
		assert_true(has_warning(p, MXTLS_WARN_EXPORTER_QUIRK));
	mxtls_pkcs12_free(p);
}

int main(int argc, char **argv)
{
	char line[16384], *cols[MAX_COLS], dir[1024];
	struct CMUnitTest *tests = NULL;
	struct row *rows = NULL;
	size_t n = 0, cap = 0, i;
	int ncols, c_file, c_pw, c_exp, c_ids, c_fp, c_key, c_note, c_chain, c_other, ret;
	const char *slash;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MANIFEST.tsv\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "r");
	if (f == NULL) {
		perror(argv[1]);
		return 2;
	}
	slash = strrchr(argv[1], '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - argv[1]) : 1,
		 slash ? argv[1] : ".");
	if (fgets(line, sizeof(line), f) == NULL)
		return 2;
	ncols = split(line, cols);
	c_file = col_index(cols, ncols, "file");
	c_pw = col_index(cols, ncols, "password");
	c_exp = col_index(cols, ncols, "mxtls_expect");
	c_ids = col_index(cols, ncols, "identities");
	c_fp = col_index(cols, ncols, "leaf_sha256");
	c_key = col_index(cols, ncols, "key");
	c_note = col_index(cols, ncols, "mxtls_note");
	if (c_note < 0)
		c_note = col_index(cols, ncols, "note");
	c_chain = col_index(cols, ncols, "chain_sha256");
	c_other = col_index(cols, ncols, "other_sha256");
	if (c_file < 0 || c_pw < 0 || c_exp < 0 || c_ids < 0 || c_fp < 0 || c_key < 0) {
		fprintf(stderr, "%s: missing columns\n", argv[1]);
		return 2;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		struct row *r;
		int nc = split(line, cols);
		if (nc < ncols || strcmp(cols[c_exp], "-") == 0)
			continue; /* companion files that are not PKCS#12 inputs */
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			rows = realloc(rows, cap * sizeof(*rows));
			tests = realloc(tests, cap * sizeof(*tests));
			if (rows == NULL || tests == NULL)
				return 2;
		}
		r = &rows[n];
		memset(r, 0, sizeof(*r));
		snprintf(r->name, sizeof(r->name), "%s", cols[c_file]);
		snprintf(r->path, sizeof(r->path), "%s/%s", dir, cols[c_file]);
		if (strcmp(cols[c_pw], "<none>") == 0)
			r->password = NULL;
		else if (strcmp(cols[c_pw], "<empty>") == 0)
			r->password = strdup("");
		else
			r->password = strdup(cols[c_pw]);
		snprintf(r->expect, sizeof(r->expect), "%s", cols[c_exp]);
		r->identities = strtol(cols[c_ids], NULL, 10);
		snprintf(r->leaf_sha256, sizeof(r->leaf_sha256), "%s", cols[c_fp]);
		snprintf(r->key, sizeof(r->key), "%s", cols[c_key]);
		if (c_note >= 0)
			snprintf(r->note, sizeof(r->note), "%s", cols[c_note]);
		if (c_chain >= 0)
			snprintf(r->chain_sha256, sizeof(r->chain_sha256), "%s", cols[c_chain]);
		if (c_other >= 0)
			snprintf(r->other_sha256, sizeof(r->other_sha256), "%s", cols[c_other]);
		n++;
	}
	fclose(f);
	if (n == 0) {
		fprintf(stderr, "%s: no rows\n", argv[1]);
		return 2;
	}
	for (i = 0; i < n; i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = rows[i].name;
		tests[i].test_func = run_row;
		tests[i].initial_state = &rows[i];
	}
	ret = _cmocka_run_group_tests(argv[1], tests, n, NULL, NULL);
	for (i = 0; i < n; i++)
		free(rows[i].password);
	free(rows);
	free(tests);
	return ret;
}
