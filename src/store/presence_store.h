#ifndef PARLEY_STORE_PRESENCE_STORE_H
#define PARLEY_STORE_PRESENCE_STORE_H

#include <sqlite3.h>

#include "core/job.h"
#include "store/store.h"

/*
 * Multiclient and always-on in the SQLite file: the accounts' own choices
 * (account_opts, schema step 4) and always-on users' presences (presence_rec, step
 * 3).  Both run on the thread that owns db.
 */

/* JOB_PRESENCE_SET, _DEL or JOB_ACCOUNT_SET_OPTS, account names keyed under cm: 0, or
 * the job's status (job.h). */
int	presence_sqlite_job(sqlite3 *db, enum casemapping cm, struct job *job);
/* v->opts for each account's choices, then v->presence for each presence (a NULL
 * member: none); 0, the first nonzero return, or -EIO. */
int	presence_sqlite_load(sqlite3 *db, const struct store_visitor *v, void *arg);

#endif
