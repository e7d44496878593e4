/*
 * A consistent copy of a live SQLite store (sqlite_stmt.h's sqlite_backup_db): the
 * online backup API copies every page inside one read transaction, which in WAL mode
 * never waits on the writer, into FILE.tmp; the copy is synced and renamed over FILE,
 * so FILE is at every moment either the old copy or the whole new one.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/sqlite_stmt.h"

/* fsync path (a file, or a directory for the rename in it).  0 or -errno. */
static int
backup_sync(const char *path, int flags)
{
	int	fd, rc = 0;

	if ((fd = open(path, flags | O_CLOEXEC)) == -1)
		return -errno;
	if (fsync(fd) == -1)
		rc = -errno;
	(void)close(fd);
	return rc;
}

/* Copy db into the new file tmp: 0, or a SQLite result code with err set. */
static int
backup_copy(sqlite3 *db, const char *tmp, char *err, size_t errlen)
{
	sqlite3_backup	*b;
	sqlite3		*dst = NULL;
	int		 rc;

	rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", tmp,
		    dst != NULL ? sqlite3_errmsg(dst) : "out of memory");
		sqlite3_close(dst);
		return rc == SQLITE_OK ? SQLITE_NOMEM : rc;
	}
	if ((b = sqlite3_backup_init(dst, "main", db, "main")) == NULL) {
		rc = sqlite3_errcode(dst);
		snprintf(err, errlen, "%s: %s", tmp, sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return rc;
	}
	/* Every page in one step: one read transaction, so one moment of the store. */
	if ((rc = sqlite3_backup_step(b, -1)) == SQLITE_DONE)
		rc = SQLITE_OK;
	(void)sqlite3_backup_finish(b);
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "%s: %s", tmp, sqlite3_errstr(rc));
	/* No statement is left open on dst: it closes at once. */
	(void)sqlite3_close(dst);
	return rc;
}

int
sqlite_backup_db(sqlite3 *db, const char *file, char *err, size_t errlen)
{
	char	tmp[PATH_MAX], dir[PATH_MAX];
	int	rc;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", file) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: %s", file, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	/* A copy left by an interrupted run is no database to add to. */
	if (unlink(tmp) == -1 && errno != ENOENT) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(-rc));
		return rc;
	}
	if ((rc = backup_copy(db, tmp, err, errlen)) != SQLITE_OK) {
		(void)unlink(tmp);
		return sqlite_status(rc);
	}
	snprintf(dir, sizeof(dir), "%s", file);
	if ((rc = backup_sync(tmp, O_RDONLY)) < 0 ||
	    (rename(tmp, file) == -1 && (rc = -errno) < 0) ||
	    (rc = backup_sync(dirname(dir), O_RDONLY | O_DIRECTORY)) < 0) {
		snprintf(err, errlen, "%s: %s", file, strerror(-rc));
		(void)unlink(tmp);
		return rc;
	}
	return 0;
}
