/*
 * Always-on users' presences in the SQLite file (presence_store.h).  A presence is
 * written when its user is left without a connection and when the server stops, so
 * its statements are prepared for each use.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store/presence_store.h"
#include "store/sqlite_stmt.h"

static int
presence_set(sqlite3 *db, const struct presence_rec *p)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO presence (account, nick, user, "
	    "host, realname, away, signon, channels) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1,
	    &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(s, 1, p->account, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, p->nick, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, p->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, p->host, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, p->realname, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, p->away, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, p->signon);
	sqlite3_bind_text(s, 8, p->channels, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : sqlite_status(rc);
}

static int
presence_del(sqlite3 *db, const char *account)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(db, "DELETE FROM presence WHERE account = ?", -1, &s,
	    NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : sqlite_status(rc);
}

int
presence_sqlite_job(sqlite3 *db, struct job *job)
{
	if (job->kind == JOB_PRESENCE_SET)
		return presence_set(db, &job->in.presence);
	return presence_del(db, job->in.name);
}

/* Column col's text into dst (cap bytes), cut if it is longer. */
static void
presence_text(sqlite3_stmt *s, int col, char *dst, size_t cap)
{
	const unsigned char	*t = sqlite3_column_text(s, col);

	snprintf(dst, cap, "%s", t != NULL ? (const char *)t : "");
}

int
presence_sqlite_load(sqlite3 *db, const struct store_visitor *v, void *arg)
{
	struct presence_rec	 p;
	sqlite3_stmt		*s;
	int			 rc, ret = 0;

	if (v->presence == NULL)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT account, nick, user, host, realname, away, "
	    "signon, channels FROM presence", -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&p, 0, sizeof(p));
		presence_text(s, 0, p.account, sizeof(p.account));
		presence_text(s, 1, p.nick, sizeof(p.nick));
		presence_text(s, 2, p.user, sizeof(p.user));
		presence_text(s, 3, p.host, sizeof(p.host));
		presence_text(s, 4, p.realname, sizeof(p.realname));
		presence_text(s, 5, p.away, sizeof(p.away));
		p.signon = sqlite3_column_int64(s, 6);
		presence_text(s, 7, p.channels, sizeof(p.channels));
		ret = v->presence(arg, &p);
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = -EIO;
	sqlite3_finalize(s);
	return ret;
}
