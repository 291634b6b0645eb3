/*
 * How the tool reports an outcome: text on stderr, or with --json exactly one
 * JSON object on stdout, whatever happened (scripts parse stdout and read the
 * exit code; they never have to scrape stderr).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mxtls_cli.h"

static int json_mode;

void cli_set_json(int on)
{
	json_mode = on;
}

int cli_json(void)
{
	return json_mode;
}

int cli_wants_json(int argc, char **argv)
{
	int i;

	/* Stop at "--": what follows is an operand, even if it reads "--json". */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			return 1;
	return 0;
}

json_t *cli_json_text(const char *s)
{
	json_t *j;
	char *copy;
	size_t i;

	if (s == NULL)
		return json_null();
	j = json_string(s);
	if (j != NULL || (copy = strdup(s)) == NULL)
		return j ? j : json_string("?");
	for (i = 0; copy[i]; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	j = json_string(copy);
	free(copy);
	return j ? j : json_string("?");
}

void cli_json_print(const char *code, const char *message, json_t *data)
{
	json_t *o = json_object();

	json_object_set_new(o, "code", json_string(code));
	json_object_set_new(o, "message", cli_json_text(message));
	if (strcmp(code, "ok") != 0)
		/* The shape inspect --json always had on failure; kept for existing scripts. */
		json_object_set_new(
		    o, "error",
		    json_pack("{s:s, s:o}", "code", code, "message", cli_json_text(message)));
	if (data)
		json_object_update_missing(o, data);
	json_decref(data);
	if (json_dumpf(o, stdout, JSON_INDENT(2)) != 0)
		/* Still one object, if a poorer one. */
		printf("{\"code\": \"%s\", \"message\": null}", code);
	putchar('\n');
	fflush(stdout);
	json_decref(o);
}

int cli_fail(const char *cmd, int exit_code, const char *code, json_t *data, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (json_mode) {
		cli_json_print(code, msg, data);
	} else {
		fprintf(stderr, "mxtls%s%s: %s (%s)\n", cmd ? " " : "", cmd ? cmd : "", msg, code);
		json_decref(data);
	}
	return exit_code;
}

void cli_utc(int64_t t, int with_time, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, size, with_time ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d", &tm) == 0)
		snprintf(buf, size, "%lld", (long long)t);
}

void cli_hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}
