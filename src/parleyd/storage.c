/*
 * parleyd's store (storage.h): which backend, opened on what, handed to the server at
 * start, and the --backup command over the same backend.
 *
 * A single server keeps its store in SQLite, on the configured file.  A node of a
 * cluster keeps it in NATS JetStream (store_jetstream.h), shared by every node of the
 * network, with its history index in memory, rebuilt from the stream at each start.
 * --store nats://HOST:PORT[/NETWORK] makes parleyd such a node.
 */
#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <nats/nats.h>

#include "net/log.h"
#include "net/nats_conf.h"
#include "net/net.h"
#include "parleyd/config.h"
#include "parleyd/storage.h"
#include "store/store.h"
#include "store/store_jetstream.h"

static const struct store_ops	*storage_ops = &store_sqlite;

/*
 * Whether cfg makes this node a cluster's, and how it reaches NATS (into *nc): a node
 * of [cluster] (unless the store is "none"), whose [store] path then names the local
 * history index (PATH.history-index, so a single server's SQLite file at PATH is never
 * taken for one); or the store nats://HOST:PORT, or nats://HOST:PORT/NETWORK for the
 * store of NETWORK rather than [server] network's, whose index is in memory.
 */
static bool
storage_cluster(const struct config *cfg, struct nats_conf *nc)
{
	const char	*url = cfg->store_path, *slash;
	size_t		 len;

	memset(nc, 0, sizeof(*nc));
	if (cfg->net.cluster.nurls > 0 && url[0] != '\0' &&
	    strncmp(url, "nats://", 7) != 0) {
		*nc = cfg->net.cluster;
		return true;
	}
	if (strncmp(url, "nats://", 7) != 0)
		return false;
	slash = strchr(url + 7, '/');
	len = slash != NULL ? (size_t)(slash - url) : strlen(url);
	snprintf(nc->urls[0], sizeof(nc->urls[0]), "%.*s",
	    (int)(len < sizeof(nc->urls[0]) ? len : sizeof(nc->urls[0]) - 1), url);
	nc->nurls = 1;
	snprintf(nc->node, sizeof(nc->node), "%s", cfg->core.server_name);
	snprintf(nc->network, sizeof(nc->network), "%.*s", (int)sizeof(nc->network) - 1,
	    slash != NULL && slash[1] != '\0' ? slash + 1 : cfg->core.network);
	return true;
}

/* Names keyed under the core's casemapping (store.h's casemap), or the store closed
 * with the reason: one written under another, or a backend that cannot. */
static int
storage_casemap(const struct config *cfg, struct store **st, char *err, size_t errlen)
{
	enum casemapping	cm = cfg->core.casemapping;
	char			why[256];

	if (storage_ops->casemap == NULL ? cm == CASEMAP_RFC1459 :
	    storage_ops->casemap(*st, cm, why, sizeof(why)) == 0)
		return 0;
	if (storage_ops->casemap == NULL)
		snprintf(why, sizeof(why), "the %s backend keys names under rfc1459 only",
		    storage_ops->name);
	snprintf(err, errlen, "store %s: %s", cfg->store_path, why);
	storage_ops->close(*st);
	*st = NULL;
	return -1;
}

static int
storage_open_jetstream(const struct config *cfg, const struct nats_conf *nc,
    struct store **st, char *err, size_t errlen)
{
	struct store_jetstream_conf	c;
	char				name[NATS_NAME_MAX + 16], why[512];
	char				index[PATH_MAX + 16];
	sigset_t			all, old;
	int				rc;

	memset(&c, 0, sizeof(c));
	snprintf(name, sizeof(name), "parleyd %s store", nc->node);
	/* The NATS client's threads start here: signals are the loop's (signalfd),
	 * so none of them takes any (store_jetstream.h). */
	sigfillset(&all);
	if ((rc = pthread_sigmask(SIG_SETMASK, &all, &old)) != 0) {
		snprintf(err, errlen, "store %s: %s", nc->urls[0], strerror(rc));
		return -1;
	}
	if ((c.nats = nats_conf_options(nc, name, err, errlen)) == NULL) {
		(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	c.network = nc->network;
	c.node = nc->node;
	index[0] = '\0';
	if (strncmp(cfg->store_path, "nats://", 7) != 0 &&
	    snprintf(index, sizeof(index), "%s.history-index", cfg->store_path) >=
	    (int)sizeof(index)) {
		(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
		natsOptions_Destroy(c.nats);
		snprintf(err, errlen, "store %s: path too long", cfg->store_path);
		return -1;
	}
	c.index = index;
	c.history_max_age = cfg->core.history_max_age;
	*st = store_jetstream_open(&c, why, sizeof(why));
	natsOptions_Destroy(c.nats);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (*st == NULL) {
		snprintf(err, errlen, "store %s: %s", nc->urls[0], why);
		return -1;
	}
	storage_ops = &store_jetstream;
	return storage_casemap(cfg, st, err, errlen);
}

bool
storage_shared(const struct config *cfg)
{
	struct nats_conf	nc;

	return storage_cluster(cfg, &nc);
}

int
storage_open(const struct config *cfg, struct store **st, char *err, size_t errlen)
{
	struct nats_conf	nc;

	*st = NULL;
	if (storage_cluster(cfg, &nc))
		return storage_open_jetstream(cfg, &nc, st, err, errlen);
	storage_ops = &store_sqlite;
	if (cfg->store_path[0] == '\0')
		return 0;
	if ((*st = storage_ops->open(cfg->store_path, err, errlen)) == NULL)
		return -1;
	return storage_casemap(cfg, st, err, errlen);
}

int
storage_start(struct net_server *srv, struct store *st, const char *path, char *err,
    size_t errlen)
{
	if (st == NULL) {
		log_info("store: none: accounts and registered channels are unavailable");
		return 0;
	}
	log_info("store: %s (%s)", path, storage_ops->name);
	return net_server_store(srv, storage_ops, st, err, errlen);
}

void
storage_close(struct store *st)
{
	if (st != NULL)
		storage_ops->close(st);
}

int
storage_backup(const struct config *cfg, const char *file, char *err, size_t errlen)
{
	const char		*path = cfg->store_path;
	struct nats_conf	 nc;
	struct store		*st;
	struct stat		 sb;
	int			 rc;

	if (*path == '\0') {
		snprintf(err, errlen, "--backup: no store configured");
		return -1;
	}
	/* JetStream keeps the store on the NATS servers, replicated by them: their own
	 * tools copy it consistently, which a node cannot. */
	if (storage_cluster(cfg, &nc)) {
		snprintf(err, errlen, "--backup: the store is NATS JetStream (%s): back up "
		    "its streams with NATS's tools: nats account backup, or nats stream "
		    "backup for each parley_%s_* stream", nc.urls[0], nc.network);
		return -1;
	}
	/* A copy of a store that is not there would create one: say so instead. */
	if (stat(path, &sb) == -1) {
		snprintf(err, errlen, "store %s: %s", path, strerror(errno));
		return -1;
	}
	if ((st = storage_ops->open(path, err, errlen)) == NULL)
		return -1;
	rc = storage_ops->backup(st, file, err, errlen);
	storage_ops->close(st);
	return rc == 0 ? 0 : -1;
}
