/*
 * The SQLite backend's file (store_sqlite.c, sqlite_schema.c): what it is made as,
 * what survives closing it, and the files it refuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/job.h"
#include "store/sqlite_schema.h"
#include "store/store.h"

#include "fixture_store.h"

/* Close and open again: everything is there, as it was. */
static void
test_sqlite_reopen(void **state)
{
	struct fs_backend	*b = *state;
	char			 err[256];

	assert_int_equal(fs_create(b, "Wes"), 0);
	assert_int_equal(fs_cert(b, JOB_CERT_ADD, "wes", "AB12"), 0);
	assert_int_equal(fs_chan_register(b, "#w", "wes"), 0);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_ADD, "#w", 'I', "*!*@friend"), 0);
	b->ops->close(b->st);
	b->st = b->ops->open(b->path, err, sizeof(err));
	assert_non_null(b->st);
	assert_string_equal(fs_load(b),
	    "a Wes\n"
	    "c #w Wes 10 the topic of #w\n"
	    "e #w I *!*@friend op!u@h\n");
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_BY_CERT, "ab12"), 0);
	assert_string_equal(fs_job.result.account.certs[0], "ab12");
	assert_string_equal(fs_job.result.account.pwhash, "$argon2id$v=19$Wes");
}

/* An integer answer of sql on the file at path, through a connection of the test's. */
static int
file_int(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	int		 v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* A new file: mode 0600, WAL, the schema version of this binary. */
static void
test_sqlite_created(void **state)
{
	struct fs_backend	*b = *state;
	struct stat		 sb;

	assert_int_equal(stat(b->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(file_int(b->path, "PRAGMA user_version"),
	    sqlite_schema_version());
	assert_int_equal(file_int(b->path,
	    "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
}

/* A file from a newer parleyd is refused with one line, and left as it is. */
static void
test_sqlite_newer(void **state)
{
	struct fs_backend	*b = *state;
	char			 err[256], want[256];
	sqlite3			*db;

	b->ops->close(b->st);
	b->st = NULL;
	assert_int_equal(sqlite3_open(b->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_null(b->ops->open(b->path, err, sizeof(err)));
	snprintf(want, sizeof(want),
	    "store %s has schema version 99; this parleyd knows up to %d", b->path,
	    sqlite_schema_version());
	assert_string_equal(err, want);
	assert_int_equal(file_int(b->path, "PRAGMA user_version"), 99);
}

/* A file that is no database is refused, not overwritten. */
static void
test_sqlite_not_a_database(void **state)
{
	struct fs_backend	*b = *state;
	char			 err[256];
	FILE			*f;

	b->ops->close(b->st);
	b->st = NULL;
	fs_remove(b);
	assert_int_equal(mkdir(b->dir, 0700), 0);
	assert_non_null(f = fopen(b->path, "w"));
	for (int i = 0; i < 64; i++)
		fputs("this is not a database\n", f);
	fclose(f);
	assert_null(b->ops->open(b->path, err, sizeof(err)));
	assert_non_null(strstr(err, "file is not a database"));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_prestate_setup_teardown(test_sqlite_reopen,
		    fs_setup, fs_teardown, &fs_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_sqlite_created,
		    fs_setup, fs_teardown, &fs_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_sqlite_newer,
		    fs_setup, fs_teardown, &fs_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_sqlite_not_a_database,
		    fs_setup, fs_teardown, &fs_sqlite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
