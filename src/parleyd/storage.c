/*
 * parleyd's store (storage.h): the SQLite backend on the configured file, handed to the
 * server at start, and the --backup command over the same backend.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/log.h"
#include "net/net.h"
#include "parleyd/storage.h"
#include "store/store.h"

static const struct store_ops	*storage_ops = &store_sqlite;

int
storage_open(const char *path, enum casemapping cm, struct store **st, char *err,
    size_t errlen)
{
	char	why[256];

	*st = NULL;
	if (*path == '\0')
		return 0;
	if ((*st = storage_ops->open(path, err, errlen)) == NULL)
		return -1;
	if (storage_ops->casemap == NULL ? cm == CASEMAP_RFC1459 :
	    storage_ops->casemap(*st, cm, why, sizeof(why)) == 0)
		return 0;
	if (storage_ops->casemap == NULL)
		snprintf(why, sizeof(why), "the %s backend keys names under rfc1459 only",
		    storage_ops->name);
	snprintf(err, errlen, "store %s: %s", path, why);
	storage_ops->close(*st);
	*st = NULL;
	return -1;
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
storage_backup(const char *path, const char *file, char *err, size_t errlen)
{
	struct store	*st;
	struct stat	 sb;
	int		 rc;

	if (*path == '\0') {
		snprintf(err, errlen, "--backup: no store configured");
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
