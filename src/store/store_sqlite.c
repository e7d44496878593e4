/*
 * The SQLite backend (store.h): each store job as prepared statements over the schema
 * of sqlite_schema.c, a batch as one transaction (group commit: one fsync for every
 * write in it), each write in a savepoint of its own so that a failed one takes
 * nothing from the others.  Names are looked up by their folded form (under the
 * core's casemapping: sqlite_casemap); fingerprints are kept in lowercase.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/casemap.h"
#include "core/casemap_utf8.h"
#include "core/job.h"
#include "store/history_sqlite.h"
#include "store/presence_store.h"
#include "store/sqlite_schema.h"
#include "store/sqlite_stmt.h"
#include "store/store.h"
#include "store/store_kind.h"

struct store {
	struct sqlite_stmts	 q;
	struct history_sqlite	*history;	/* history_sqlite.c */
	enum casemapping	 cm;		/* how names are keyed */
};

/* A name's key: its folded form.  The longest names are channels' and masks', and
 * rfc8265 may fold a name longer. */
struct folded {
	char	s[CASEMAP_UTF8_FOLD_MAX];
};

static const char *
fold(const struct store *st, struct folded *f, const char *name)
{
	casemap_fold_as(st->cm, f->s, sizeof(f->s), name);
	return f->s;
}

/* A fingerprint's key: lowercase hex. */
static const char *
fold_certfp(struct folded *f, const char *certfp)
{
	size_t	i;

	for (i = 0; certfp[i] != '\0' && i < sizeof(f->s) - 1; i++)
		f->s[i] = (certfp[i] >= 'A' && certfp[i] <= 'Z') ? certfp[i] + 32 :
		    certfp[i];
	f->s[i] = '\0';
	return f->s;
}

/* Copy a text column into dst of size cap (truncated, NUL-terminated). */
static void
column_text(sqlite3_stmt *s, int col, char *dst, size_t cap)
{
	const unsigned char	*t = sqlite3_column_text(s, col);

	snprintf(dst, cap, "%s", t != NULL ? (const char *)t : "");
}

/* Copy a blob column of exactly len bytes into dst; a blob of another size is zeros. */
static void
column_blob(sqlite3_stmt *s, int col, void *dst, size_t len)
{
	const void	*b = sqlite3_column_blob(s, col);

	if (b != NULL && (size_t)sqlite3_column_bytes(s, col) == len)
		memcpy(dst, b, len);
	else
		memset(dst, 0, len);
}

/* The account in s's current row (ACCOUNT_COLUMNS) into *a, with its certificates. */
static int
account_read(struct store *st, sqlite3_stmt *s, struct account_rec *a)
{
	sqlite3_stmt	*c;
	int64_t		 id;
	int		 rc;

	memset(a, 0, sizeof(*a));
	id = sqlite3_column_int64(s, 0);
	column_text(s, 1, a->name, sizeof(a->name));
	column_text(s, 2, a->email, sizeof(a->email));
	column_text(s, 3, a->pwhash, sizeof(a->pwhash));
	column_blob(s, 4, a->scram_salt, sizeof(a->scram_salt));
	a->scram_iter = (uint32_t)sqlite3_column_int64(s, 5);
	column_blob(s, 6, a->scram_stored, sizeof(a->scram_stored));
	column_blob(s, 7, a->scram_server, sizeof(a->scram_server));
	a->registered = sqlite3_column_int64(s, 8);
	column_text(s, 9, a->verify_code, sizeof(a->verify_code));
	if ((c = sqlite_stmt(&st->q, Q_CERTS_OF)) == NULL)
		return -EIO;
	sqlite3_bind_int64(c, 1, id);
	while ((rc = sqlite3_step(c)) == SQLITE_ROW && a->ncerts < ACCOUNT_CERTS_MAX)
		column_text(c, 0, a->certs[a->ncerts++], sizeof(a->certs[0]));
	return sqlite_stmt_end(c, rc == SQLITE_ROW ? SQLITE_DONE : rc);
}

/* ACCOUNT_GET by folded name, or ACCOUNT_BY_CERT by fingerprint. */
static int
account_get(struct store *st, struct job *job)
{
	struct folded	 f;
	sqlite3_stmt	*s;
	int		 rc;

	if (job->kind == JOB_ACCOUNT_GET) {
		if ((s = sqlite_stmt(&st->q, Q_ACCOUNT_GET)) == NULL)
			return -EIO;
		sqlite3_bind_text(s, 1, fold(st, &f, job->in.name), -1, SQLITE_STATIC);
	} else {
		if ((s = sqlite_stmt(&st->q, Q_ACCOUNT_BY_CERT)) == NULL)
			return -EIO;
		sqlite3_bind_text(s, 1, fold_certfp(&f, job->in.name), -1, SQLITE_STATIC);
	}
	if ((rc = sqlite3_step(s)) != SQLITE_ROW)
		return (rc = sqlite_stmt_end(s, rc)) == 0 ? -ENOENT : rc;
	rc = account_read(st, s, &job->result.account);
	sqlite3_reset(s);
	return rc;
}

/* The id of the row that folded key names in a table (Q_ACCOUNT_ID, Q_CHANNEL_ID):
 * 0 with *id set, -ENOENT, or -EIO. */
static int
row_id(struct store *st, enum sqlite_q q, const char *key, int64_t *id)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = sqlite_stmt(&st->q, q)) == NULL)
		return -EIO;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	} else if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return -ENOENT;
	}
	return sqlite_stmt_end(s, rc);
}

static int
cert_insert(struct store *st, int64_t account, const char *certfp)
{
	struct folded	 f;
	sqlite3_stmt	*s;

	if ((s = sqlite_stmt(&st->q, Q_CERT_INSERT)) == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, account);
	sqlite3_bind_text(s, 2, fold_certfp(&f, certfp), -1, SQLITE_STATIC);
	return sqlite_stmt_end(s, sqlite3_step(s));
}

static int
account_create(struct store *st, const struct account_rec *a)
{
	struct folded	 f;
	sqlite3_stmt	*s;
	int64_t		 id;
	int		 rc;

	if ((s = sqlite_stmt(&st->q, Q_ACCOUNT_INSERT)) == NULL)
		return -EIO;
	sqlite3_bind_text(s, 1, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, fold(st, &f, a->name), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, a->email, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, a->pwhash, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 5, a->scram_salt, sizeof(a->scram_salt), SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, a->scram_iter);
	sqlite3_bind_blob(s, 7, a->scram_stored, sizeof(a->scram_stored), SQLITE_STATIC);
	sqlite3_bind_blob(s, 8, a->scram_server, sizeof(a->scram_server), SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, a->registered);
	sqlite3_bind_text(s, 10, a->verify_code, -1, SQLITE_STATIC);
	if ((rc = sqlite_stmt_end(s, sqlite3_step(s))) != 0)
		return rc;
	id = sqlite3_last_insert_rowid(sqlite_stmt_db(&st->q));
	for (unsigned i = 0; i < a->ncerts && i < ACCOUNT_CERTS_MAX; i++)
		if ((rc = cert_insert(st, id, a->certs[i])) != 0)
			return rc;
	return 0;
}

/* An UPDATE or DELETE by folded key whose other parameters are bound: -ENOENT when it
 * touched no row. */
static int
change(struct store *st, sqlite3_stmt *s)
{
	int	rc;

	if ((rc = sqlite_stmt_end(s, sqlite3_step(s))) != 0)
		return rc;
	return sqlite3_changes(sqlite_stmt_db(&st->q)) > 0 ? 0 : -ENOENT;
}

static int
account_set(struct store *st, const struct job *job)
{
	const struct account_rec	*a = &job->in.account;
	struct folded			 f;
	sqlite3_stmt			*s;
	enum sqlite_q			 q;

	q = job->kind == JOB_ACCOUNT_SET_PASSWORD ? Q_SET_PASSWORD :
	    job->kind == JOB_ACCOUNT_SET_EMAIL ? Q_SET_EMAIL : Q_VERIFIED;
	if ((s = sqlite_stmt(&st->q, q)) == NULL)
		return -EIO;
	sqlite3_bind_text(s, 1, fold(st, &f, a->name), -1, SQLITE_STATIC);
	if (q == Q_SET_PASSWORD) {
		sqlite3_bind_text(s, 2, a->pwhash, -1, SQLITE_STATIC);
		sqlite3_bind_blob(s, 3, a->scram_salt, sizeof(a->scram_salt),
		    SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, a->scram_iter);
		sqlite3_bind_blob(s, 5, a->scram_stored, sizeof(a->scram_stored),
		    SQLITE_STATIC);
		sqlite3_bind_blob(s, 6, a->scram_server, sizeof(a->scram_server),
		    SQLITE_STATIC);
	} else if (q == Q_SET_EMAIL)
		sqlite3_bind_text(s, 2, a->email, -1, SQLITE_STATIC);
	return change(st, s);
}

/* DELETE by folded name (accounts, channels: the schema cascades the rest). */
static int
delete_by_name(struct store *st, enum sqlite_q q, const char *name)
{
	struct folded	 f;
	sqlite3_stmt	*s;

	if ((s = sqlite_stmt(&st->q, q)) == NULL)
		return -EIO;
	sqlite3_bind_text(s, 1, fold(st, &f, name), -1, SQLITE_STATIC);
	return change(st, s);
}

static int
cert_add(struct store *st, const struct job_cert *in)
{
	struct folded	 f;
	sqlite3_stmt	*s;
	int64_t		 id, n = 0;
	int		 rc;

	if ((rc = row_id(st, Q_ACCOUNT_ID, fold(st, &f, in->account), &id)) != 0)
		return rc;
	if ((s = sqlite_stmt(&st->q, Q_CERT_COUNT)) == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		n = sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	if ((rc = sqlite_stmt_end(s, rc)) != 0)
		return rc;
	/* A fingerprint on any account is taken, even when this one is full. */
	if ((rc = cert_insert(st, id, in->certfp)) != 0)
		return rc;
	return n >= ACCOUNT_CERTS_MAX ? -ENOSPC : 0;
}

static int
cert_del(struct store *st, const struct job_cert *in)
{
	struct folded	 f, g;
	sqlite3_stmt	*s;

	if ((s = sqlite_stmt(&st->q, Q_CERT_DELETE)) == NULL)
		return -EIO;
	sqlite3_bind_text(s, 1, fold(st, &f, in->account), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, fold_certfp(&g, in->certfp), -1, SQLITE_STATIC);
	return change(st, s);
}

/* Bind a channel's changing fields, from parameter 2 on. */
static void
bind_chanreg(sqlite3_stmt *s, const struct chanreg_rec *c)
{
	sqlite3_bind_text(s, 2, c->topic, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c->topic_setter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, c->topic_time);
	sqlite3_bind_int64(s, 5, c->modes);
	sqlite3_bind_text(s, 6, c->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, c->limit);
}

static int
channel_register(struct store *st, const struct chanreg_rec *c)
{
	struct folded	 f;
	sqlite3_stmt	*s;
	int64_t		 founder, channel;
	int		 rc;

	if ((rc = row_id(st, Q_CHANNEL_ID, fold(st, &f, c->name), &channel)) != -ENOENT)
		return rc == 0 ? -EEXIST : rc;
	if ((rc = row_id(st, Q_ACCOUNT_ID, fold(st, &f, c->founder), &founder)) != 0)
		return rc;
	if ((s = sqlite_stmt(&st->q, Q_CHANNEL_INSERT)) == NULL)
		return -EIO;
	sqlite3_bind_text(s, 1, fold(st, &f, c->name), -1, SQLITE_STATIC);
	bind_chanreg(s, c);
	sqlite3_bind_text(s, 8, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, founder);
	sqlite3_bind_int64(s, 10, c->registered);
	return sqlite_stmt_end(s, sqlite3_step(s));
}

static int
channel_update(struct store *st, const struct chanreg_rec *c)
{
	struct folded	 f;
	sqlite3_stmt	*s;

	if ((s = sqlite_stmt(&st->q, Q_CHANNEL_UPDATE)) == NULL)
		return -EIO;
	sqlite3_bind_text(s, 1, fold(st, &f, c->name), -1, SQLITE_STATIC);
	bind_chanreg(s, c);
	return change(st, s);
}

/* ENTRY_ADD (Q_ENTRY_INSERT) or ENTRY_DEL (Q_ENTRY_DELETE). */
static int
entry_change(struct store *st, const struct chanreg_entry *e, enum sqlite_q q)
{
	struct folded	 f, m;
	sqlite3_stmt	*s;
	int64_t		 channel;
	int		 rc;

	if ((rc = row_id(st, Q_CHANNEL_ID, fold(st, &f, e->channel), &channel)) != 0)
		return rc;
	if ((s = sqlite_stmt(&st->q, q)) == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, channel);
	sqlite3_bind_text(s, 2, &e->kind, 1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, fold(st, &m, e->mask), -1, SQLITE_STATIC);
	if (q == Q_ENTRY_DELETE)
		return change(st, s);
	sqlite3_bind_text(s, 4, e->mask, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, e->setter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, e->time);
	return sqlite_stmt_end(s, sqlite3_step(s));
}

/* One job's work, inside the batch's transaction. */
static int
sqlite_job(struct store *st, struct job *job)
{
	switch (job->kind) {
	case JOB_ACCOUNT_GET:
	case JOB_ACCOUNT_BY_CERT:
		return account_get(st, job);
	case JOB_ACCOUNT_CREATE:
		return account_create(st, &job->in.account);
	case JOB_ACCOUNT_SET_PASSWORD:
	case JOB_ACCOUNT_SET_EMAIL:
	case JOB_ACCOUNT_VERIFIED:
		return account_set(st, job);
	case JOB_ACCOUNT_DROP:
		return delete_by_name(st, Q_ACCOUNT_DELETE, job->in.name);
	case JOB_CERT_ADD:
		return cert_add(st, &job->in.cert);
	case JOB_CERT_DEL:
		return cert_del(st, &job->in.cert);
	case JOB_CHANNEL_REGISTER:
		return channel_register(st, &job->in.chanreg);
	case JOB_CHANNEL_UPDATE:
		return channel_update(st, &job->in.chanreg);
	case JOB_CHANNEL_DROP:
		return delete_by_name(st, Q_CHANNEL_DELETE, job->in.name);
	case JOB_CHANNEL_ENTRY_ADD:
		return entry_change(st, &job->in.entry, Q_ENTRY_INSERT);
	case JOB_CHANNEL_ENTRY_DEL:
		return entry_change(st, &job->in.entry, Q_ENTRY_DELETE);
	case JOB_PRESENCE_SET:
	case JOB_PRESENCE_DEL:
	case JOB_ACCOUNT_SET_OPTS:
		return presence_sqlite_job(sqlite_stmt_db(&st->q), st->cm, job);
	default:
		return history_sqlite_job(st->history, job);
	}
}

/* A write in a savepoint of its own: on failure it is undone, alone. */
static int
sqlite_write(struct store *st, struct job *job)
{
	int	rc;

	if ((rc = sqlite_stmt_run(&st->q, Q_SAVEPOINT)) != 0)
		return rc;
	if ((rc = sqlite_job(st, job)) == 0)
		return sqlite_stmt_run(&st->q, Q_RELEASE);
	(void)sqlite_stmt_run(&st->q, Q_ROLLBACK_TO);
	(void)sqlite_stmt_run(&st->q, Q_RELEASE);
	return rc;
}

/* The batch's writes that had succeeded so far were not kept after all. */
static void
sqlite_lost(struct job **jobs, size_t n, int status)
{
	for (size_t i = 0; i < n; i++)
		if (store_kind_writes(jobs[i]->kind) && jobs[i]->status == 0)
			jobs[i]->status = status;
}

static void
sqlite_run(struct store *st, struct job **jobs, size_t n)
{
	int	rc;

	if ((rc = sqlite_stmt_run(&st->q, Q_BEGIN)) != 0) {
		for (size_t i = 0; i < n; i++)
			jobs[i]->status = rc;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		jobs[i]->status = store_kind_writes(jobs[i]->kind) ?
		    sqlite_write(st, jobs[i]) : sqlite_job(st, jobs[i]);
		/* A disk error may have ended the whole transaction: what it held is
		 * gone, and the rest of the batch goes in a new one. */
		if (jobs[i]->status != 0 &&
		    sqlite3_get_autocommit(sqlite_stmt_db(&st->q))) {
			sqlite_lost(jobs, i, jobs[i]->status);
			if ((rc = sqlite_stmt_run(&st->q, Q_BEGIN)) != 0) {
				while (++i < n)
					jobs[i]->status = rc;
				return;
			}
		}
	}
	if ((rc = sqlite_stmt_run(&st->q, Q_COMMIT)) != 0) {
		(void)sqlite_stmt_run(&st->q, Q_ROLLBACK);
		sqlite_lost(jobs, n, rc);
	}
}

static struct store *
sqlite_open(const char *path, char *err, size_t errlen)
{
	struct store	*st;
	sqlite3		*db;

	if ((db = sqlite_schema_open(path, err, errlen)) == NULL)
		return NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		sqlite3_close(db);
		return NULL;
	}
	sqlite_stmt_init(&st->q, db);
	if ((st->history = history_sqlite_new(db)) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		sqlite_stmt_close(&st->q);
		free(st);
		return NULL;
	}
	return st;
}

/* Step s to its end, calling visit(arg, s) on each row: load's loop.  The first
 * nonzero visit stops it and is returned; else 0 or a status. */
static int
load_rows(sqlite3_stmt *s, int (*visit)(const struct store_visitor *, void *,
    sqlite3_stmt *), const struct store_visitor *v, void *arg)
{
	int	rc, stop = 0;

	if (s == NULL)
		return -EIO;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((stop = visit(v, arg, s)) != 0) {
			sqlite3_reset(s);
			return stop;
		}
	return sqlite_stmt_end(s, rc);
}

static int
load_account(const struct store_visitor *v, void *arg, sqlite3_stmt *s)
{
	char	name[ACCOUNT_NAME_MAX + 1];

	column_text(s, 0, name, sizeof(name));
	return v->account(arg, name);
}

static int
load_channel(const struct store_visitor *v, void *arg, sqlite3_stmt *s)
{
	struct chanreg_rec	c;

	memset(&c, 0, sizeof(c));
	column_text(s, 0, c.name, sizeof(c.name));
	column_text(s, 1, c.founder, sizeof(c.founder));
	c.registered = sqlite3_column_int64(s, 2);
	column_text(s, 3, c.topic, sizeof(c.topic));
	column_text(s, 4, c.topic_setter, sizeof(c.topic_setter));
	c.topic_time = sqlite3_column_int64(s, 5);
	c.modes = (unsigned)sqlite3_column_int64(s, 6);
	column_text(s, 7, c.key, sizeof(c.key));
	c.limit = (unsigned)sqlite3_column_int64(s, 8);
	return v->channel(arg, &c);
}

static int
load_entry(const struct store_visitor *v, void *arg, sqlite3_stmt *s)
{
	struct chanreg_entry	e;
	char			kind[2];

	memset(&e, 0, sizeof(e));
	column_text(s, 0, e.channel, sizeof(e.channel));
	column_text(s, 1, kind, sizeof(kind));
	e.kind = kind[0];
	column_text(s, 2, e.mask, sizeof(e.mask));
	column_text(s, 3, e.setter, sizeof(e.setter));
	e.time = sqlite3_column_int64(s, 4);
	return v->entry(arg, &e);
}

static int
sqlite_load(struct store *st, const struct store_visitor *v, void *arg)
{
	int	rc;

	if ((rc = load_rows(sqlite_stmt(&st->q, Q_LOAD_ACCOUNTS), load_account, v,
	    arg)) != 0)
		return rc;
	if (v->channel != NULL && (rc = load_rows(sqlite_stmt(&st->q, Q_LOAD_CHANNELS),
	    load_channel, v, arg)) != 0)
		return rc;
	if (v->entry != NULL && (rc = load_rows(sqlite_stmt(&st->q, Q_LOAD_ENTRIES),
	    load_entry, v, arg)) != 0)
		return rc;
	if ((rc = presence_sqlite_load(sqlite_stmt_db(&st->q), v, arg)) != 0)
		return rc;
	return history_sqlite_load(st->history, v, arg);
}

static int
sqlite_backup(struct store *st, const char *file, char *err, size_t errlen)
{
	return sqlite_backup_db(sqlite_stmt_db(&st->q), file, err, errlen);
}

static void
sqlite_close(struct store *st)
{
	if (st == NULL)
		return;
	history_sqlite_free(st->history);
	sqlite_stmt_close(&st->q);
	free(st);
}

/* Whether every key of table (its name column and folded column in sql) is what cm
 * folds its name to: a file written under the other casemapping is refused. */
static int
keys_check(struct store *st, enum casemapping cm, const char *sql, char *err,
    size_t errlen)
{
	sqlite3_stmt	*s;
	struct folded	 f;
	int		 rc;

	if (sqlite3_prepare_v2(sqlite_stmt_db(&st->q), sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(sqlite_stmt_db(&st->q)));
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char	*name = (const char *)sqlite3_column_text(s, 0);
		const char	*key = (const char *)sqlite3_column_text(s, 1);

		casemap_fold_as(cm, f.s, sizeof(f.s), name != NULL ? name : "");
		if (key == NULL || strcmp(f.s, key) != 0) {
			snprintf(err, errlen, "%s was kept under another casemapping than "
			    "%s: keep the casemapping it was written with",
			    name != NULL ? name : "a name",
			    cm == CASEMAP_RFC8265 ? "rfc8265" : "rfc1459");
			sqlite3_finalize(s);
			return -1;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s", sqlite3_errstr(rc));
		return -1;
	}
	return 0;
}

static int
sqlite_casemap(struct store *st, enum casemapping cm, char *err, size_t errlen)
{
	static const char *const keyed[] = { "SELECT name, folded FROM accounts",
	    "SELECT name, folded FROM channels", "SELECT mask, folded FROM entries" };

	for (size_t i = 0; i < sizeof(keyed) / sizeof(keyed[0]); i++)
		if (keys_check(st, cm, keyed[i], err, errlen) == -1)
			return -1;
	st->cm = cm;
	return 0;
}

const struct store_ops store_sqlite = {
	"sqlite", sqlite_open, sqlite_run, sqlite_load, sqlite_backup, sqlite_close,
	sqlite_casemap
};
