/*
 * The SQLite store's statements (sqlite_stmt.h): the text of every query, the cache of
 * their prepared forms, and the mapping of result codes to job statuses.
 */
#include <errno.h>
#include <stddef.h>

#include "store/sqlite_stmt.h"

#define ACCOUNT_COLUMNS	"id, name, email, pwhash, scram_salt, scram_iter, " \
			"scram_stored, scram_server, registered, verify_code"

static const char *const sqlite_sql[Q_COUNT] = {
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_SAVEPOINT] = "SAVEPOINT job",
	[Q_RELEASE] = "RELEASE job",
	[Q_ROLLBACK_TO] = "ROLLBACK TO job",
	[Q_ACCOUNT_GET] = "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE folded = ?1",
	[Q_ACCOUNT_BY_CERT] = "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = "
	    "(SELECT account FROM certs WHERE certfp = ?1)",
	[Q_CERTS_OF] = "SELECT certfp FROM certs WHERE account = ?1 ORDER BY id",
	[Q_ACCOUNT_ID] = "SELECT id FROM accounts WHERE folded = ?1",
	[Q_ACCOUNT_INSERT] = "INSERT INTO accounts (name, folded, email, pwhash, "
	    "scram_salt, scram_iter, scram_stored, scram_server, registered, verify_code) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[Q_SET_PASSWORD] = "UPDATE accounts SET pwhash = ?2, scram_salt = ?3, "
	    "scram_iter = ?4, scram_stored = ?5, scram_server = ?6 WHERE folded = ?1",
	[Q_SET_EMAIL] = "UPDATE accounts SET email = ?2 WHERE folded = ?1",
	[Q_VERIFIED] = "UPDATE accounts SET verify_code = '' WHERE folded = ?1",
	[Q_ACCOUNT_DELETE] = "DELETE FROM accounts WHERE folded = ?1",
	[Q_CERT_COUNT] = "SELECT count(*) FROM certs WHERE account = ?1",
	[Q_CERT_INSERT] = "INSERT INTO certs (account, certfp) VALUES (?1, ?2)",
	[Q_CERT_DELETE] = "DELETE FROM certs WHERE certfp = ?2 AND account = "
	    "(SELECT id FROM accounts WHERE folded = ?1)",
	[Q_CHANNEL_ID] = "SELECT id FROM channels WHERE folded = ?1",
	[Q_CHANNEL_INSERT] = "INSERT INTO channels (folded, topic, topic_setter, "
	    "topic_time, modes, key, lim, name, founder, registered) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[Q_CHANNEL_UPDATE] = "UPDATE channels SET topic = ?2, topic_setter = ?3, "
	    "topic_time = ?4, modes = ?5, key = ?6, lim = ?7 WHERE folded = ?1",
	[Q_CHANNEL_DELETE] = "DELETE FROM channels WHERE folded = ?1",
	[Q_ENTRY_INSERT] = "INSERT INTO entries (channel, kind, folded, mask, setter, "
	    "time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[Q_ENTRY_DELETE] = "DELETE FROM entries WHERE channel = ?1 AND kind = ?2 AND "
	    "folded = ?3",
	[Q_LOAD_ACCOUNTS] = "SELECT name FROM accounts ORDER BY id",
	[Q_LOAD_CHANNELS] = "SELECT c.name, a.name, c.registered, c.topic, "
	    "c.topic_setter, c.topic_time, c.modes, c.key, c.lim FROM channels c "
	    "JOIN accounts a ON a.id = c.founder ORDER BY c.id",
	[Q_LOAD_ENTRIES] = "SELECT c.name, e.kind, e.mask, e.setter, e.time "
	    "FROM entries e JOIN channels c ON c.id = e.channel ORDER BY e.id",
};

void
sqlite_stmt_init(struct sqlite_stmts *c, sqlite3 *db)
{
	c->db = db;
	for (size_t i = 0; i < Q_COUNT; i++)
		c->q[i] = NULL;
}

void
sqlite_stmt_close(struct sqlite_stmts *c)
{
	for (size_t i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(c->q[i]);
	sqlite3_close(c->db);
	c->db = NULL;
}

sqlite3_stmt *
sqlite_stmt(struct sqlite_stmts *c, enum sqlite_q q)
{
	if (c->q[q] != NULL) {
		(void)sqlite3_reset(c->q[q]);
		(void)sqlite3_clear_bindings(c->q[q]);
		return c->q[q];
	}
	/* Persistent: it stays for the life of the connection, outside the lookaside. */
	if (sqlite3_prepare_v3(c->db, sqlite_sql[q], -1, SQLITE_PREPARE_PERSISTENT,
	    &c->q[q], NULL) != SQLITE_OK) {
		sqlite3_finalize(c->q[q]);
		c->q[q] = NULL;
	}
	return c->q[q];
}

int
sqlite_status(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	case SQLITE_FULL:
		return -ENOSPC;
	default:	/* IOERR, READONLY, CANTOPEN, BUSY, CORRUPT, NOMEM, ... */
		return -EIO;
	}
}

int
sqlite_stmt_end(sqlite3_stmt *s, int rc)
{
	/* reset() repeats the step's error: the step's code is the one to keep. */
	(void)sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sqlite_status(rc);
}

int
sqlite_stmt_run(struct sqlite_stmts *c, enum sqlite_q q)
{
	sqlite3_stmt	*s;

	if ((s = sqlite_stmt(c, q)) == NULL)
		return sqlite_status(sqlite3_errcode(c->db));
	return sqlite_stmt_end(s, sqlite3_step(s));
}

sqlite3 *
sqlite_stmt_db(const struct sqlite_stmts *c)
{
	return c->db;
}
