#ifndef PARLEY_PARLEYD_CONFIG_CLUSTER_H
#define PARLEY_PARLEYD_CONFIG_CLUSTER_H

#include <stddef.h>

#include "net/nats_conf.h"

/*
 * [cluster] (docs/cluster.md): the values config.c's table does not parse itself.  Each
 * check returns 0, or -1 with a reason that quotes the value in why.
 */
struct config;

/* Append a nats_url ("nats://HOST:PORT", "tls://...", or HOST:PORT) to c->urls; at most
 * NATS_URLS_MAX, none twice. */
int	config_cluster_url_add(struct nats_conf *c, const char *url, char *why,
	    size_t whylen);
/* A node name into node (NATS_NAME_MAX bytes): letters, digits, '-' and '.', which
 * becomes this node's server name. */
int	config_cluster_node_check(const char *name, char node[NATS_NAME_MAX], char *why,
	    size_t whylen);
/* A user, password or token into out (NATS_SECRET_MAX bytes): no control characters. */
int	config_cluster_secret_check(const char *text, char out[NATS_SECRET_MAX],
	    char *why, size_t whylen);

/*
 * Once the file and the flags are applied: the node's name ([server] name unless node
 * says), which then is also the server name, the network's, and the checks across
 * keys (a timeout longer than the heartbeat, a key with its certificate).  Returns 0,
 * or -1 with one line in err.
 */
int	config_cluster_finish(struct config *cfg, char *err, size_t errlen);

#endif
