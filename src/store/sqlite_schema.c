/*
 * The SQLite store's file: opening it with the settings every connection needs (WAL,
 * synchronous=FULL, foreign keys, a busy timeout) and bringing its schema up to date.
 * The schema is versioned by PRAGMA user_version; each migration step runs in a
 * transaction of its own, in order, and a file newer than the steps below is refused.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/sqlite_schema.h"

#define SQLITE_BUSY_MS	5000	/* another connection's write (a --backup) in the way */

/*
 * The migrations: step i takes a file of version i to version i + 1.  Append only:
 * a released step never changes.  Names are kept as registered and, folded under the
 * rfc1459 casemapping, as the keys they are looked up by.
 */
static const char *const schema_steps[] = {
	/* 1: accounts, their certificates, registered channels and their lists. */
	"CREATE TABLE accounts ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  folded TEXT NOT NULL UNIQUE,"
	"  email TEXT NOT NULL,"
	"  pwhash TEXT NOT NULL,"
	"  scram_salt BLOB NOT NULL,"
	"  scram_iter INTEGER NOT NULL,"
	"  scram_stored BLOB NOT NULL,"
	"  scram_server BLOB NOT NULL,"
	"  registered INTEGER NOT NULL,"
	"  verify_code TEXT NOT NULL);"
	"CREATE TABLE certs ("
	"  id INTEGER PRIMARY KEY,"
	"  account INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
	"  certfp TEXT NOT NULL UNIQUE);"
	"CREATE INDEX certs_account ON certs(account);"
	"CREATE TABLE channels ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  folded TEXT NOT NULL UNIQUE,"
	"  founder INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
	"  registered INTEGER NOT NULL,"
	"  topic TEXT NOT NULL,"
	"  topic_setter TEXT NOT NULL,"
	"  topic_time INTEGER NOT NULL,"
	"  modes INTEGER NOT NULL,"
	"  key TEXT NOT NULL,"
	"  lim INTEGER NOT NULL);"
	"CREATE INDEX channels_founder ON channels(founder);"
	"CREATE TABLE entries ("
	"  id INTEGER PRIMARY KEY,"
	"  channel INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL,"
	"  mask TEXT NOT NULL,"
	"  folded TEXT NOT NULL,"
	"  setter TEXT NOT NULL,"
	"  time INTEGER NOT NULL,"
	"  UNIQUE (channel, kind, folded));",
	/*
	 * 2: history (history_sqlite.c): one row a message.  Channel lines are found by
	 * channel, private ones from either end (identity, the other's nick); each
	 * index holds only the rows it serves.
	 */
	"CREATE TABLE history ("
	"  id INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  msgid TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  from_nick TEXT NOT NULL,"
	"  to_nick TEXT NOT NULL,"
	"  from_ident TEXT NOT NULL,"
	"  to_ident TEXT NOT NULL,"
	"  account TEXT NOT NULL,"
	"  tags TEXT NOT NULL,"
	"  line TEXT NOT NULL,"
	"  event INTEGER NOT NULL);"
	"CREATE INDEX history_channel ON history(channel, time) WHERE channel <> '';"
	"CREATE INDEX history_from ON history(from_ident, to_nick, time)"
	"  WHERE to_nick <> '';"
	"CREATE INDEX history_to ON history(to_ident, from_nick, time)"
	"  WHERE to_ident <> '';"
	"CREATE INDEX history_msgid ON history(msgid);"
	"CREATE TABLE markers ("
	"  account TEXT NOT NULL,"
	"  target TEXT NOT NULL,"
	"  time INTEGER NOT NULL,"
	"  PRIMARY KEY (account, target)) WITHOUT ROWID;",
	/* 3: always-on users (core/session.h), put back at start */
	"CREATE TABLE presence ("
	"  account TEXT PRIMARY KEY,"
	"  nick TEXT NOT NULL,"
	"  user TEXT NOT NULL,"
	"  host TEXT NOT NULL,"
	"  realname TEXT NOT NULL,"
	"  away TEXT NOT NULL,"
	"  signon INTEGER NOT NULL,"
	"  gone INTEGER NOT NULL,"
	"  channels TEXT NOT NULL) WITHOUT ROWID;",
	/* 4: an account's own multiclient and always-on choices (ACCOUNT_OPT_*) */
	"CREATE TABLE account_opts ("
	"  account INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,"
	"  multiclient INTEGER NOT NULL,"
	"  always_on INTEGER NOT NULL);",
};

#define SCHEMA_VERSION	(int)(sizeof(schema_steps) / sizeof(schema_steps[0]))

int
sqlite_schema_version(void)
{
	return SCHEMA_VERSION;
}

/* Run sql (no rows wanted); on failure a reason in err. */
static int
schema_exec(sqlite3 *db, const char *sql, const char *path, char *err, size_t errlen)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store %s: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* The file's schema version (PRAGMA user_version) into *v: 0, or -1 with err set. */
static int
schema_version_of(sqlite3 *db, int *v, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt	*stmt;
	int		 rc = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store %s: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		*v = sqlite3_column_int(stmt, 0);
		rc = 0;
	} else
		snprintf(err, errlen, "store %s: %s", path, sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

/* One step, or none when the file is up to date: 1 a step ran, 0 none was due, -1. */
static int
schema_step(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	char	sql[64];
	int	v;

	/* Read the version inside the write transaction: two servers starting on one
	 * file at once cannot both run a step. */
	if (schema_exec(db, "BEGIN IMMEDIATE", path, err, errlen) == -1)
		return -1;
	if (schema_version_of(db, &v, path, err, errlen) == -1)
		goto fail;
	/* Newer than this binary, or no version parleyd ever wrote. */
	if (v > SCHEMA_VERSION || v < 0) {
		snprintf(err, errlen,
		    "store %s has schema version %d; this parleyd knows up to %d", path, v,
		    SCHEMA_VERSION);
		goto fail;
	}
	if (v == SCHEMA_VERSION) {
		(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
	if (schema_exec(db, schema_steps[v], path, err, errlen) == -1 ||
	    schema_exec(db, sql, path, err, errlen) == -1 ||
	    schema_exec(db, "COMMIT", path, err, errlen) == -1)
		goto fail;
	return 1;
fail:
	(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* The file and its directory, created if need be, for the owner alone: it holds
 * password hashes.  A file already there keeps its mode. */
static int
schema_create(const char *path, char *err, size_t errlen)
{
	char	dir[PATH_MAX];
	int	fd;

	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "store %s: %s", dir, strerror(errno));
		return -1;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		snprintf(err, errlen, "store %s: %s", path, strerror(errno));
		return -1;
	}
	(void)close(fd);
	return 0;
}

/* Write-ahead logging: readers (a --backup) never wait on the writer, and a commit
 * is one append and one fsync.  The pragma answers the mode it put in force. */
static int
schema_wal(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt	*stmt;
	const char	*mode;
	int		 rc = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "store %s: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(stmt) != SQLITE_ROW)
		snprintf(err, errlen, "store %s: %s", path, sqlite3_errmsg(db));
	else if ((mode = (const char *)sqlite3_column_text(stmt, 0)) == NULL ||
	    strcmp(mode, "wal") != 0)
		snprintf(err, errlen, "store %s: cannot use write-ahead logging", path);
	else
		rc = 0;
	sqlite3_finalize(stmt);
	return rc;
}

sqlite3 *
sqlite_schema_open(const char *path, char *err, size_t errlen)
{
	sqlite3	*db = NULL;
	bool	 memory = strcmp(path, ":memory:") == 0;
	int	 rc;

	if (!memory && schema_create(path, err, errlen) == -1)
		return NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | (memory ?
	    SQLITE_OPEN_MEMORY : 0), NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store %s: %s", path,
		    db != NULL ? sqlite3_errmsg(db) : strerror(ENOMEM));
		goto fail;
	}
	(void)sqlite3_extended_result_codes(db, 1);
	(void)sqlite3_busy_timeout(db, SQLITE_BUSY_MS);
	/* A file that is not a database fails here, on its first read. */
	if ((!memory && schema_wal(db, path, err, errlen) == -1) ||
	    schema_exec(db, "PRAGMA synchronous = FULL", path, err, errlen) == -1 ||
	    schema_exec(db, "PRAGMA foreign_keys = ON", path, err, errlen) == -1)
		goto fail;
	while ((rc = schema_step(db, path, err, errlen)) == 1)
		;
	if (rc == -1)
		goto fail;
	return db;
fail:
	sqlite3_close(db);
	return NULL;
}
