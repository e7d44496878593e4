#ifndef PARLEY_STORE_SQLITE_STMT_H
#define PARLEY_STORE_SQLITE_STMT_H

#include <stddef.h>

#include <sqlite3.h>

/*
 * The SQLite store's statements (sqlite_stmt.c): every query it runs, prepared once on
 * first use and kept for the life of the connection, and SQLite's result codes as the
 * statuses of core/job.h.
 */
enum sqlite_q {
	Q_BEGIN, Q_COMMIT, Q_ROLLBACK, Q_SAVEPOINT, Q_RELEASE, Q_ROLLBACK_TO,
	Q_ACCOUNT_GET, Q_ACCOUNT_BY_CERT, Q_CERTS_OF, Q_ACCOUNT_ID, Q_ACCOUNT_INSERT,
	Q_SET_PASSWORD, Q_SET_EMAIL, Q_VERIFIED, Q_ACCOUNT_DELETE,
	Q_CERT_COUNT, Q_CERT_INSERT, Q_CERT_DELETE,
	Q_CHANNEL_ID, Q_CHANNEL_INSERT, Q_CHANNEL_UPDATE, Q_CHANNEL_DELETE,
	Q_ENTRY_INSERT, Q_ENTRY_DELETE,
	Q_LOAD_ACCOUNTS, Q_LOAD_CHANNELS, Q_LOAD_ENTRIES,
	Q_COUNT
};

struct sqlite_stmts {
	sqlite3		*db;
	sqlite3_stmt	*q[Q_COUNT];
};

/* Start with no statement prepared; the cache owns db from now on. */
void		 sqlite_stmt_init(struct sqlite_stmts *c, sqlite3 *db);

/* Finalize every statement and close the connection. */
void		 sqlite_stmt_close(struct sqlite_stmts *c);

/* Statement q, prepared if need be, reset and unbound: NULL if it cannot be prepared
 * (the database is unreadable). */
sqlite3_stmt	*sqlite_stmt(struct sqlite_stmts *c, enum sqlite_q q);

/* Reset s after sqlite3_step returned rc: 0 for SQLITE_DONE, else its status. */
int		 sqlite_stmt_end(sqlite3_stmt *s, int rc);

/* Run q, which takes no parameter and returns no row: 0 or a status. */
int		 sqlite_stmt_run(struct sqlite_stmts *c, enum sqlite_q q);

sqlite3		*sqlite_stmt_db(const struct sqlite_stmts *c);

/* A result code as a job's status (core/job.h's): constraint -EEXIST, full -ENOSPC,
 * anything else -EIO (nothing was written). */
int		 sqlite_status(int rc);

/* Write a consistent copy of db (another process may be writing it) to file, through
 * file.tmp, synced, then renamed.  0, or -errno with a one-line reason in err. */
int		 sqlite_backup_db(sqlite3 *db, const char *file, char *err, size_t errlen);

#endif
