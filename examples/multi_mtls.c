/*
 * multi_mtls: an event-loop client. It calls several APIs at once on one
 * libcurl multi handle, driven by curl_multi_socket_action() and poll(), as
 * event-loop runtimes do; each host gets the identity the platform's
 * environment pins to it (CLIENT_CERTIFICATES, see README "Environment").
 *
 *   CLIENT_CERTIFICATES='[{"pfx": "...", "password": "...", "pin_to": ["api.a.example"]},
 *                         {"pfx": "...", "password": "...", "pin_to": ["api.b.example"]}]' \
 *   MXTLS_CERTIFICATE_AUTHORITIES_FILE=partner-ca.pem \
 *   examples/multi_mtls https://api.a.example/ https://api.b.example/ ...
 *
 * Prints "URL -> STATUS BODY" for each call. Every call uses a new easy
 * handle: libmxtls keeps TLS sessions and idle connections with the context,
 * so they outlive the handles. Exit 0 if every call got a 2xx answer.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mxtls/mxtls.h>
#include <mxtls/mxtls_curl.h>

#define MAX_SOCKETS 64

struct call {
	const char *url;
	char body[512];
	size_t len;
};

/* The sockets curl wants watched, as the event loop's poll set. */
static struct pollfd fds[MAX_SOCKETS];
static int nfds;
static long timeout_ms = -1;

static int on_socket(CURL *h, curl_socket_t s, int what, void *userp, void *socketp)
{
	int i;

	(void)h, (void)userp, (void)socketp;
	for (i = 0; i < nfds && fds[i].fd != s; i++)
		;
	if (what == CURL_POLL_REMOVE) {
		if (i < nfds)
			fds[i] = fds[--nfds];
		return 0;
	}
	if (i == nfds) {
		if (nfds == MAX_SOCKETS)
			return -1;
		nfds++;
	}
	fds[i].fd = s;
	fds[i].events = (short)((what & CURL_POLL_IN ? POLLIN : 0) | (what & CURL_POLL_OUT ? POLLOUT : 0));
	return 0;
}

static int on_timer(CURLM *m, long ms, void *userp)
{
	(void)m, (void)userp;
	timeout_ms = ms;
	return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
	struct call *c = userp;
	size_t len = size * n, room = sizeof(c->body) - 1 - c->len;

	memcpy(c->body + c->len, p, len < room ? len : room);
	c->len += len < room ? len : room;
	c->body[c->len] = '\0';
	return len;
}

/* Report finished calls and free their handles; returns how many failed. */
static int finish(CURLM *m)
{
	int left, failed = 0;
	CURLMsg *msg;

	while ((msg = curl_multi_info_read(m, &left)) != NULL) {
		CURL *h = msg->easy_handle;
		struct call *c;
		long status = 0;
		mxtls_error err;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&c);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (msg->data.result != CURLE_OK) {
			/* A refused redirect says why through libmxtls. */
			printf("%s -> error: %s%s%s\n", c->url, curl_easy_strerror(msg->data.result),
			       mxtls_curl_last_error(h, &err) ? ": " : "", err.message);
			failed++;
		} else {
			printf("%s -> %ld %s", c->url, status, c->body);
			failed += status < 200 || status > 299;
		}
		curl_multi_remove_handle(m, h);
		mxtls_curl_release(h); /* before curl_easy_cleanup */
		curl_easy_cleanup(h);
	}
	return failed;
}

int main(int argc, char **argv)
{
	struct call *calls;
	mxtls_runtime *rt;
	mxtls_error err;
	int i, running = 0, failed = 0;
	CURLM *m;

	if (argc < 2) {
		fprintf(stderr, "usage: multi_mtls URL...   (identities from the environment)\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rt = mxtls_runtime_new(NULL, NULL, NULL, &err); /* events go to stderr */
	if (rt == NULL) {
		fprintf(stderr, "multi_mtls: %s (%s)\n", err.message, mxtls_error_name(err.code));
		return 1;
	}
	m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, on_timer);
	calls = calloc((size_t)argc, sizeof(*calls));
	for (i = 1; i < argc; i++) {
		CURL *h = curl_easy_init();

		calls[i].url = argv[i];
		/* The identity pinned to this URL's host (or the default, or none). */
		if (h == NULL || mxtls_curl_setup_runtime(h, rt, NULL, argv[i], &err) != 0) {
			fprintf(stderr, "multi_mtls: %s: %s\n", argv[i], err.message);
			return 1;
		}
		curl_easy_setopt(h, CURLOPT_URL, argv[i]);
		curl_easy_setopt(h, CURLOPT_PRIVATE, &calls[i]);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &calls[i]);
		curl_multi_add_handle(m, h);
	}
	/* The event loop: poll what curl asked for, tell curl what happened. */
	curl_multi_socket_action(m, CURL_SOCKET_TIMEOUT, 0, &running);
	while (running > 0) {
		int n = poll(fds, (nfds_t)nfds, timeout_ms < 0 ? 1000 : (int)timeout_ms);

		if (n <= 0) {
			curl_multi_socket_action(m, CURL_SOCKET_TIMEOUT, 0, &running);
		} else {
			struct pollfd ready[MAX_SOCKETS];
			int k, nready = nfds;

			memcpy(ready, fds, sizeof(ready)); /* curl may change fds meanwhile */
			for (k = 0; k < nready; k++) {
				int ev = (ready[k].revents & POLLIN ? CURL_CSELECT_IN : 0) |
					 (ready[k].revents & POLLOUT ? CURL_CSELECT_OUT : 0) |
					 (ready[k].revents & (POLLERR | POLLHUP) ? CURL_CSELECT_ERR : 0);
				if (ev)
					curl_multi_socket_action(m, ready[k].fd, ev, &running);
			}
		}
		failed += finish(m);
	}
	failed += finish(m);
	curl_multi_cleanup(m);
	free(calls);
	mxtls_runtime_free(rt);
	curl_global_cleanup();
	return failed ? 1 : 0;
}
