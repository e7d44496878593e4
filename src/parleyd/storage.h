#ifndef PARLEY_PARLEYD_STORAGE_H
#define PARLEY_PARLEYD_STORAGE_H

#include <stddef.h>

#include "core/casemap.h"

/*
 * parleyd's store (store/store.h): which backend, opened where, and the --backup
 * command.  The path comes from [store] path or --store; "" means no store.
 */
struct net_server;
struct store;

/* Open the store at path (creating it and its directory on first start) into *st,
 * its names keyed under cm; *st is NULL when path is "" (no store).  Returns 0, or -1
 * with a one-line reason in err, such as a file newer than this parleyd or one
 * written under another casemapping. */
int	storage_open(const char *path, enum casemapping cm, struct store **st, char *err,
	    size_t errlen);

/* Give st (NULL: none) to srv, which owns it from now on (net_server_store); logs which
 * store is in use.  Returns 0, or -1 with a one-line reason in err. */
int	storage_start(struct net_server *srv, struct store *st, const char *path,
	    char *err, size_t errlen);

/* Close a store storage_start never got (NULL is fine). */
void	storage_close(struct store *st);

/* --backup: write a consistent copy of the store at path (another parleyd may be
 * running on it) to file.  Returns 0, or -1 with a one-line reason in err. */
int	storage_backup(const char *path, const char *file, char *err, size_t errlen);

#endif
