/*
 * Runtime events: made while the runtime holds its locks, handed out after.
 * A callback never runs under a lock of ours, so it may call
 * mxtls_runtime_reload(); in queue mode nothing calls out at all, and the
 * application polls a descriptor (what event-loop languages need).
 */
#ifndef MXTLS_EVENTS_H
#define MXTLS_EVENTS_H

#include <pthread.h>
#include <stddef.h>

#include "mxtls/mxtls.h"

#define MX_EVENTS_MAX 256 /* queue mode: waiting events; older ones are dropped, and counted */

struct mx_event {
	int kind;
	char message[512];
	struct mx_event *next;
};

struct mx_events {
	pthread_mutex_t lock;
	mxtls_event_fn fn; /* NULL: stderr; mxtls_event_queue: the queue */
	void *arg;
	struct mx_event *head, *tail;
	size_t count;
	unsigned long dropped;
	int delivering; /* one thread calls out at a time, in order */
	int fd[2];      /* queue mode: fd[0] is readable while events wait */
};

/* Returns 0, or -1 (errno) if the queue's pipe cannot be made. */
int mx_events_init(struct mx_events *ev, mxtls_event_fn fn, void *arg);
/* Record an event; never calls out, so any lock may be held. */
void mx_events_add(struct mx_events *ev, int kind, const char *message);
/* Hand recorded events to the callback (or stderr). Call with none of the runtime's locks held. */
void mx_events_deliver(struct mx_events *ev);
/* Queue mode: the oldest waiting event; 1 if there was one, else 0. */
int mx_events_next(struct mx_events *ev, int *kind, char *message, size_t size);
void mx_events_free(struct mx_events *ev);

#endif
