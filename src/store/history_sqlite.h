#ifndef PARLEY_STORE_HISTORY_SQLITE_H
#define PARLEY_STORE_HISTORY_SQLITE_H

#include <sqlite3.h>

#include "core/job.h"

/*
 * The SQLite backend's history (history_sqlite.c): the history jobs over the tables of
 * schema step 2, with statements of their own, prepared on first use, on the store's
 * connection and inside its batch's transaction.
 */
struct history_sqlite;

/* A statement cache over db (which stays the caller's); NULL out of memory. */
struct history_sqlite	*history_sqlite_new(sqlite3 *db);
/* Finalize the statements (before db is closed). */
void			 history_sqlite_free(struct history_sqlite *h);
/* Run a history job (JOB_HISTORY_*, JOB_MARKER_SET): its status; -ENOSYS for others. */
int			 history_sqlite_job(struct history_sqlite *h, struct job *job);
/* Visit every read marker (v->marker; NULL: none).  0, -EIO, or the visitor's stop. */
struct store_visitor;
int			 history_sqlite_load(struct history_sqlite *h,
			    const struct store_visitor *v, void *arg);

#endif
