#ifndef PARLEY_STORE_PRESENCE_STORE_H
#define PARLEY_STORE_PRESENCE_STORE_H

#include <sqlite3.h>

#include "core/job.h"
#include "store/store.h"

/*
 * Always-on users' presences (core/records.h's presence_rec) in the SQLite file: the
 * presence table of schema step 3.  Both run on the thread that owns db.
 */

/* JOB_PRESENCE_SET or JOB_PRESENCE_DEL: 0, or the job's status (core/job.h). */
int	presence_sqlite_job(sqlite3 *db, struct job *job);
/* v->presence for each row (v->presence NULL: none); 0, its nonzero return, or -EIO. */
int	presence_sqlite_load(sqlite3 *db, const struct store_visitor *v, void *arg);

#endif
