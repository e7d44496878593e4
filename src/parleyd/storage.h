#ifndef PARLEY_PARLEYD_STORAGE_H
#define PARLEY_PARLEYD_STORAGE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * parleyd's store (store/store.h): which backend, opened where, and the --backup
 * command.  The path comes from [store] path or --store; "" means no store, and
 * nats://HOST:PORT the JetStream store of the network on that NATS server.
 */
struct config;
struct net_server;
struct store;

/* Open cfg's store (a SQLite file and its directory are created on first start) into
 * *st, its names keyed under cfg's casemapping; *st is NULL when there is none.
 * Returns 0, or -1 with a one-line reason in err, such as a file newer than this
 * parleyd, one written under another casemapping, or a NATS server that does not
 * answer. */
int	storage_open(const struct config *cfg, struct store **st, char *err,
	    size_t errlen);

/* Give st (NULL: none) to srv, which owns it from now on (net_server_store); logs which
 * store is in use.  Returns 0, or -1 with a one-line reason in err. */
int	storage_start(struct net_server *srv, struct store *st, const char *path,
	    char *err, size_t errlen);

/* Whether cfg's store is shared with other servers (JetStream): the core asks it
 * about names it does not know (core_config's accounts_shared). */
bool	storage_shared(const struct config *cfg);

/* Close a store storage_start never got (NULL is fine). */
void	storage_close(struct store *st);

/* --backup: write a consistent copy of cfg's SQLite store (another parleyd may be
 * running on it) to file.  Returns 0, or -1 with a one-line reason in err (a JetStream
 * store is refused: NATS's tools back it up). */
int	storage_backup(const struct config *cfg, const char *file, char *err,
	    size_t errlen);

#endif
