#ifndef PARLEY_STORE_SQLITE_SCHEMA_H
#define PARLEY_STORE_SQLITE_SCHEMA_H

#include <stddef.h>

#include <sqlite3.h>

/*
 * The SQLite store's file (sqlite_schema.c): its settings and its versioned schema.
 */

/* The schema version this binary writes (PRAGMA user_version). */
int	 sqlite_schema_version(void);

/*
 * Open the database at path, creating it (mode 0600, its directory 0700) if need be,
 * in WAL mode with synchronous=FULL, foreign keys and a busy timeout, and migrate it to
 * sqlite_schema_version().  Returns NULL with a one-line reason in err, such as "store
 * FILE has schema version N; this parleyd knows up to M".  ":memory:" is a database
 * in memory, without a file or WAL (a JetStream node's history index).
 */
sqlite3	*sqlite_schema_open(const char *path, char *err, size_t errlen);

#endif
