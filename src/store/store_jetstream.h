#ifndef PARLEY_STORE_STORE_JETSTREAM_H
#define PARLEY_STORE_STORE_JETSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/*
 * The JetStream backend (store_jetstream.c, docs/store-jetstream.md): the store of a
 * cluster, shared by every node of one network through NATS JetStream.  Accounts,
 * registered channels, read markers and always-on presences in key-value buckets,
 * history in a stream with a local index on each node.  Its table has no open (a
 * path is not enough): store_jetstream_open opens it.
 */
struct __natsOptions;

struct store_jetstream_conf {
	struct __natsOptions	*nats;		/* servers, credentials (the caller's) */
	const char		*network;	/* the buckets' and stream's names */
	const char		*node;		/* this server's name, unique in the
						   network */
	const char		*index;		/* the history index's SQLite file; ""
						   or ":memory:": in memory */
	int64_t			 history_max_age;	/* ms the stream keeps a line; 0
							   forever */
	int64_t			 wait;		/* ms a request waits for its answer */
};

/* Connect, create the buckets and the stream if need be, open the index and bring it
 * up to the stream.  NULL with a one-line reason in err (NATS unreachable, JetStream
 * off, an index of another stream that cannot be rebuilt).  The NATS client's threads
 * start with the first call made to it (the options) and with the connection, and
 * take the signal mask of their thread then: a process that reads signals from a
 * signalfd makes both with every signal blocked. */
struct store	*store_jetstream_open(const struct store_jetstream_conf *c, char *err,
		    size_t errlen);

extern const struct store_ops store_jetstream;

#endif
