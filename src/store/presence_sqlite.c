/*
 * Multiclient and always-on in the SQLite file (presence_store.h): the accounts' own
 * choices and the always-on users' presences.  Both are written seldom (a NickServ
 * SET, a user left without a connection, the server stopping), so their statements
 * are prepared for each use.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/casemap.h"
#include "core/casemap_utf8.h"
#include "store/presence_store.h"
#include "store/sqlite_stmt.h"

static int
presence_set(sqlite3 *db, const struct presence_rec *p)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO presence (account, nick, user, "
	    "host, realname, away, signon, gone, channels) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	    "?)", -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(s, 1, p->account, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, p->nick, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, p->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, p->host, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, p->realname, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, p->away, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, p->signon);
	sqlite3_bind_int64(s, 8, p->gone);
	sqlite3_bind_text(s, 9, p->channels, -1, SQLITE_STATIC);
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

static int
opts_set(sqlite3 *db, enum casemapping cm, const struct account_opts *o)
{
	char		 folded[CASEMAP_UTF8_FOLD_MAX];
	sqlite3_stmt	*s;
	int		 rc;

	casemap_fold_as(cm, folded, sizeof(folded), o->name);
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO account_opts (account, "
	    "multiclient, always_on) SELECT id, ?, ? FROM accounts WHERE folded = ?", -1,
	    &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int(s, 1, o->multiclient);
	sqlite3_bind_int(s, 2, o->always_on);
	sqlite3_bind_text(s, 3, folded, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sqlite_status(rc);
	return sqlite3_changes(db) > 0 ? 0 : -ENOENT;
}

int
presence_sqlite_job(sqlite3 *db, enum casemapping cm, struct job *job)
{
	if (job->kind == JOB_ACCOUNT_SET_OPTS)
		return opts_set(db, cm, &job->in.opts);
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

static int
opts_load(sqlite3 *db, const struct store_visitor *v, void *arg)
{
	struct account_opts	 o;
	sqlite3_stmt		*s;
	int			 rc, ret = 0;

	if (v->opts == NULL)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT a.name, o.multiclient, o.always_on FROM "
	    "account_opts o JOIN accounts a ON a.id = o.account", -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&o, 0, sizeof(o));
		presence_text(s, 0, o.name, sizeof(o.name));
		o.multiclient = (uint8_t)sqlite3_column_int(s, 1);
		o.always_on = (uint8_t)sqlite3_column_int(s, 2);
		ret = v->opts(arg, &o);
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = -EIO;
	sqlite3_finalize(s);
	return ret;
}

int
presence_sqlite_load(sqlite3 *db, const struct store_visitor *v, void *arg)
{
	struct presence_rec	 p;
	sqlite3_stmt		*s;
	int			 rc, ret;

	if ((ret = opts_load(db, v, arg)) != 0 || v->presence == NULL)
		return ret;
	if (sqlite3_prepare_v2(db, "SELECT account, nick, user, host, realname, away, "
	    "signon, gone, channels FROM presence", -1, &s, NULL) != SQLITE_OK)
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
		p.gone = sqlite3_column_int64(s, 7);
		presence_text(s, 8, p.channels, sizeof(p.channels));
		ret = v->presence(arg, &p);
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = -EIO;
	sqlite3_finalize(s);
	return ret;
}
