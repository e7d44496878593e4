#ifndef PARLEY_NET_NATS_CONF_H
#define PARLEY_NET_NATS_CONF_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/*
 * How to reach the NATS servers of a cluster ([cluster] in parleyd.conf), shared by the
 * cluster driver (net/cluster.c) and the JetStream store (store/store_jetstream.c),
 * each of which makes its own connection from it.
 */
#define NATS_URLS_MAX	8
#define NATS_URL_MAX	256
#define NATS_NAME_MAX	64	/* node and network names, NUL included */
#define NATS_SECRET_MAX	256

struct nats_conf {
	char		 urls[NATS_URLS_MAX][NATS_URL_MAX];	/* "nats://host:port" */
	unsigned	 nurls;		/* 0: not a cluster */
	char		 node[NATS_NAME_MAX];	/* this node, its server name */
	char		 network[NATS_NAME_MAX];	/* [server] network: the subjects' and
						   buckets' prefix */
	char		 user[NATS_SECRET_MAX];		/* "": none */
	char		 password[NATS_SECRET_MAX];
	char		 token[NATS_SECRET_MAX];
	char		 creds[PATH_MAX];	/* a .creds file (JWT and seed); "": none */
	char		 tls_ca[PATH_MAX];	/* "": NATS without TLS, unless the URL says */
	char		 tls_cert[PATH_MAX];	/* client certificate and key; "": none */
	char		 tls_key[PATH_MAX];
	int64_t		 heartbeat;	/* ms between a node's heartbeats */
	int64_t		 timeout;	/* ms without one before a node is gone */
	int64_t		 sync_timeout;	/* ms a starting node waits for the bursts */
	size_t		 queue;		/* bytes of node lines that may wait for the loop
					   (and for NATS while it is unreachable) */
};

struct __natsOptions;

/*
 * Fresh NATS client options from c, named name ("parleyd <node>", for the NATS server's
 * monitoring): servers, credentials, TLS, reconnecting forever.  Returns the options
 * (the caller destroys them) or NULL with one line in err naming what failed.
 */
struct __natsOptions	*nats_conf_options(const struct nats_conf *c, const char *name,
			    char *err, size_t errlen);

#endif
