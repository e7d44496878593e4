#ifndef PARLEY_STORE_STORE_H
#define PARLEY_STORE_STORE_H

#include <stddef.h>

#include "core/casemap.h"
#include "core/history_rec.h"
#include "core/records.h"

/*
 * The store: what parleyd keeps on disk, behind the job interface (core/job.h).  The
 * core never includes this header.  A backend is a table of operations; the embedded
 * default is SQLite (store_sqlite.c), and the unit tests use the memory backend
 * (store_memory.c).  A cluster's is NATS JetStream (store_jetstream.h), one more table.
 *
 * Threads: open, load and close run on the loop thread before and after the store
 * thread exists; run and backup on the store thread alone.
 */
struct job;
struct store;

/* What load hands the driver at start: every account name, registered channel and
 * always-on user's presence.  A
 * NULL member: those records are not visited. */
struct store_visitor {
	int	(*account)(void *arg, const char *name);
	int	(*channel)(void *arg, const struct chanreg_rec *rec);
	int	(*entry)(void *arg, const struct chanreg_entry *entry);
	int	(*marker)(void *arg, const struct history_marker *marker);	/* history */
	int	(*presence)(void *arg, const struct presence_rec *rec);	/* after those */
	int	(*opts)(void *arg, const struct account_opts *opts);	/* before it */
};

struct store_ops {
	const char	*name;
	/* Open (creating if need be) the store at path, migrating its schema.  Returns
	 * NULL with a one-line reason in err (a newer schema than this binary knows).
	 * NULL for a backend a path does not name (JetStream: its own opener). */
	struct store	*(*open)(const char *path, char *err, size_t errlen);
	/* Run n store jobs (JOB_IS_STORE) in one transaction, group commit: each job's
	 * status and result are set; a write whose status is 0 is on disk on return. */
	void		 (*run)(struct store *st, struct job **jobs, size_t n);
	/* Call the visitor for every record; stops at the first nonzero return, which it
	 * returns.  Returns 0, or -EIO. */
	int		 (*load)(struct store *st, const struct store_visitor *v, void *arg);
	/* Write a consistent copy of the live store to file.  0, or -errno with a reason. */
	int		 (*backup)(struct store *st, const char *file, char *err, size_t errlen);
	void		 (*close)(struct store *st);
	/* Key names (accounts, channels, list masks) under cm, the core's casemapping,
	 * from now on; until then rfc1459.  Returns 0, or -1 with a reason in err when
	 * the store holds a name keyed otherwise (written under another casemapping).
	 * NULL: the backend keys names under rfc1459 alone. */
	int		 (*casemap)(struct store *st, enum casemapping cm, char *err,
			    size_t errlen);
};

extern const struct store_ops store_sqlite;
extern const struct store_ops store_memory;

#endif
