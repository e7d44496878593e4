/*
 * The SQLite backend's history (history_sqlite.h): appends as one INSERT a line inside
 * the batch's transaction, CHATHISTORY's ranges over the partial indexes of schema
 * step 2 (history_sel.c turns selectors into ranges), TARGETS, REDACT, retention and
 * read markers.  Ranges bound time first, so that the index's time column narrows the
 * scan, then the id within the bounding milliseconds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/history_sqlite.h"
#include "store/history_store.h"
#include "store/sqlite_stmt.h"
#include "store/store.h"

#define H_COLS	"id, time, msgid, channel, from_nick, to_nick, from_ident, to_ident, " \
		"account, tags, line, event"
/* ?2, ?3: the lower key; ?4, ?5: the upper key; both exclusive. */
#define H_RANGE	"time >= ?2 AND time <= ?4 AND (time > ?2 OR id > ?3) AND " \
		"(time < ?4 OR id < ?5)"
/* ?9: events too (draft/event-playback); private lines are never events. */
#define H_CHAN	"SELECT " H_COLS " FROM history WHERE channel = ?1 AND channel <> '' " \
		"AND " H_RANGE " AND (?9 OR event = 0)"
#define H_PRIV	"SELECT * FROM (SELECT " H_COLS " FROM history WHERE from_ident = ?7 " \
		"AND to_nick = ?8 AND to_nick <> '' AND " H_RANGE " UNION SELECT " H_COLS \
		" FROM history WHERE to_ident = ?7 AND from_nick = ?8 AND " \
		"to_ident <> '' AND " H_RANGE ")"

enum history_q {
	H_INSERT, H_FIND, H_CHAN_ASC, H_CHAN_DESC, H_PRIV_ASC, H_PRIV_DESC,
	H_TARGETS_PRIV, H_TARGETS_CHAN, H_DELETE, H_PRUNE, H_CAP_CUTOFF, H_CAP_DELETE,
	H_RENAME, H_MARKER_SET, H_MARKER_GET, H_MARKER_ALL,
	H_COUNT
};

static const char *const history_sql[H_COUNT] = {
	/* ?12: the id, when the line has one already (a JetStream index's sequence);
	 * NULL, a new one. */
	[H_INSERT] = "INSERT INTO history (time, msgid, channel, from_nick, to_nick, "
	    "from_ident, to_ident, account, tags, line, event, id) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[H_FIND] = "SELECT " H_COLS " FROM history WHERE msgid = ?1",
	[H_CHAN_ASC] = H_CHAN " ORDER BY time, id LIMIT ?6",
	[H_CHAN_DESC] = H_CHAN " ORDER BY time DESC, id DESC LIMIT ?6",
	[H_PRIV_ASC] = H_PRIV " ORDER BY time, id LIMIT ?6",
	[H_PRIV_DESC] = H_PRIV " ORDER BY time DESC, id DESC LIMIT ?6",
	[H_TARGETS_PRIV] = "SELECT peer, max(time) FROM (SELECT to_nick AS peer, time "
	    "FROM history WHERE from_ident = ?1 AND to_nick <> '' AND time > ?2 AND "
	    "time < ?3 UNION ALL SELECT from_nick, time FROM history WHERE "
	    "to_ident = ?1 AND to_ident <> '' AND time > ?2 AND time < ?3) "
	    "GROUP BY peer ORDER BY 2 DESC LIMIT ?4",
	[H_TARGETS_CHAN] = "SELECT max(time) FROM history WHERE channel = ?1 AND "
	    "channel <> '' AND time > ?2 AND time < ?3 AND event = 0",
	[H_DELETE] = "DELETE FROM history WHERE id = ?1",
	[H_PRUNE] = "DELETE FROM history WHERE id IN (SELECT id FROM (SELECT id, time "
	    "FROM history ORDER BY id LIMIT ?2) WHERE time < ?1)",
	/* max_lines: the newest line past the cap, then it and what is older. */
	[H_CAP_CUTOFF] = "SELECT time, id FROM history WHERE channel = ?1 AND "
	    "channel <> '' ORDER BY time DESC, id DESC LIMIT 1 OFFSET ?2",
	[H_CAP_DELETE] = "DELETE FROM history WHERE id IN (SELECT id FROM history WHERE "
	    "channel = ?1 AND channel <> '' AND time <= ?2 AND (time < ?2 OR id <= ?3) "
	    "ORDER BY time LIMIT ?4)",
	[H_RENAME] = "UPDATE history SET channel = ?2 WHERE channel = ?1 AND channel <> ''",
	[H_MARKER_SET] = "INSERT INTO markers (account, target, time) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT (account, target) DO UPDATE SET time = max(time, excluded.time)",
	[H_MARKER_GET] = "SELECT time FROM markers WHERE account = ?1 AND target = ?2",
	[H_MARKER_ALL] = "SELECT account, target, time FROM markers",
};

struct history_sqlite {
	sqlite3		*db;
	sqlite3_stmt	*q[H_COUNT];
};

struct history_sqlite *
history_sqlite_new(sqlite3 *db)
{
	struct history_sqlite	*h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->db = db;
	return h;
}

void
history_sqlite_free(struct history_sqlite *h)
{
	if (h == NULL)
		return;
	for (int i = 0; i < H_COUNT; i++)
		sqlite3_finalize(h->q[i]);
	free(h);
}

/* Statement q, prepared if need be, reset and unbound; NULL if it cannot be. */
static sqlite3_stmt *
stmt(struct history_sqlite *h, enum history_q q)
{
	if (h->q[q] == NULL) {
		if (sqlite3_prepare_v3(h->db, history_sql[q], -1, SQLITE_PREPARE_PERSISTENT,
		    &h->q[q], NULL) != SQLITE_OK)
			return NULL;
		return h->q[q];
	}
	sqlite3_reset(h->q[q]);
	sqlite3_clear_bindings(h->q[q]);
	return h->q[q];
}

static void
text(sqlite3_stmt *s, int col, char *dst, size_t cap)
{
	const unsigned char	*t = sqlite3_column_text(s, col);

	snprintf(dst, cap, "%s", t != NULL ? (const char *)t : "");
}

static void
bind(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* A row of H_COLS into r. */
static void
row_read(sqlite3_stmt *s, struct history_rec *r)
{
	r->id = sqlite3_column_int64(s, 0);
	r->time = sqlite3_column_int64(s, 1);
	text(s, 2, r->msgid, sizeof(r->msgid));
	text(s, 3, r->channel, sizeof(r->channel));
	text(s, 4, r->from_nick, sizeof(r->from_nick));
	text(s, 5, r->to_nick, sizeof(r->to_nick));
	text(s, 6, r->from_ident, sizeof(r->from_ident));
	text(s, 7, r->to_ident, sizeof(r->to_ident));
	text(s, 8, r->account, sizeof(r->account));
	text(s, 9, r->tags, sizeof(r->tags));
	text(s, 10, r->line, sizeof(r->line));
	r->event = sqlite3_column_int(s, 11) != 0;
}

static int
sqlite_append(struct history_sqlite *h, const struct job_lines *in)
{
	sqlite3_stmt	*s;
	int		 rc;

	for (size_t i = 0; i < in->n; i++) {
		const struct history_rec	*r = &in->v[i];

		if ((s = stmt(h, H_INSERT)) == NULL)
			return -EIO;
		sqlite3_bind_int64(s, 1, r->time);
		bind(s, 2, r->msgid);
		bind(s, 3, r->channel);
		bind(s, 4, r->from_nick);
		bind(s, 5, r->to_nick);
		bind(s, 6, r->from_ident);
		bind(s, 7, r->to_ident);
		bind(s, 8, r->account);
		bind(s, 9, r->tags);
		bind(s, 10, r->line);
		sqlite3_bind_int(s, 11, r->event);
		if (r->id != 0)
			sqlite3_bind_int64(s, 12, r->id);
		if ((rc = sqlite_stmt_end(s, sqlite3_step(s))) != 0)
			return rc;
	}
	return 0;
}

/* The line msgid of q's conversation into *r: 0, -ENOENT or -EIO. */
static int
sqlite_find_rec(struct history_sqlite *h, const struct history_query *q,
    const char *msgid, struct history_rec *r)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = stmt(h, H_FIND)) == NULL)
		return -EIO;
	bind(s, 1, msgid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_read(s, r);
		if (history_sel_match(q, r)) {
			sqlite3_reset(s);
			return 0;
		}
	}
	return (rc = sqlite_stmt_end(s, rc)) == 0 ? -ENOENT : rc;
}

static int
sqlite_find(void *arg, const struct history_query *q, const char *msgid,
    struct history_key *key)
{
	struct history_rec	*r;
	int			 rc;

	/* A record is too big for the store thread's stack many times over. */
	if ((r = malloc(sizeof(*r))) == NULL)
		return -ENOMEM;
	if ((rc = sqlite_find_rec(arg, q, msgid, r)) == 0) {
		key->time = r->time;
		key->id = r->id;
	}
	free(r);
	return rc;
}

static int
sqlite_range(void *arg, const struct history_query *q, struct history_key lo,
    struct history_key hi, unsigned limit, bool backward, struct job_lines *out)
{
	struct history_sqlite	*h = arg;
	bool			 chan = q->channel[0] != '\0';
	enum history_q		 which;
	sqlite3_stmt		*s;
	size_t			 first = out->n;
	int			 rc;

	if (limit == 0)
		return 0;
	which = chan ? (backward ? H_CHAN_DESC : H_CHAN_ASC) :
	    (backward ? H_PRIV_DESC : H_PRIV_ASC);
	if ((s = stmt(h, which)) == NULL)
		return -EIO;
	if (chan) {
		bind(s, 1, q->channel);
		sqlite3_bind_int(s, 9, q->events);
	} else {
		bind(s, 7, q->ident);
		bind(s, 8, q->peer);
	}
	sqlite3_bind_int64(s, 2, lo.time);
	sqlite3_bind_int64(s, 3, lo.id);
	sqlite3_bind_int64(s, 4, hi.time);
	sqlite3_bind_int64(s, 5, hi.id);
	sqlite3_bind_int64(s, 6, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && out->n - first < limit)
		row_read(s, &out->v[out->n++]);
	if ((rc = sqlite_stmt_end(s, rc == SQLITE_ROW ? SQLITE_DONE : rc)) != 0)
		return rc;
	/* Newest first from the index: oldest first for the reply. */
	if (backward && out->n > first)
		for (size_t i = first, j = out->n - 1; i < j; i++, j--) {
			struct history_rec	t = out->v[i];

			out->v[i] = out->v[j];
			out->v[j] = t;
		}
	return 0;
}

static const struct history_backend sqlite_backend = { sqlite_find, sqlite_range };

static int
sqlite_targets(struct history_sqlite *h, const struct history_targets *in,
    struct job_lines *out)
{
	sqlite3_stmt	*s;
	int		 rc;

	out->n = 0;
	if ((out->v = calloc(in->limit + in->nchannels + 1, sizeof(*out->v))) == NULL)
		return -ENOMEM;
	if ((s = stmt(h, H_TARGETS_PRIV)) == NULL)
		return -EIO;
	bind(s, 1, in->ident);
	sqlite3_bind_int64(s, 2, in->from);
	sqlite3_bind_int64(s, 3, in->to);
	sqlite3_bind_int64(s, 4, in->limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && out->n < in->limit) {
		text(s, 0, out->v[out->n].from_nick, sizeof(out->v[0].from_nick));
		out->v[out->n++].time = sqlite3_column_int64(s, 1);
	}
	if ((rc = sqlite_stmt_end(s, rc == SQLITE_ROW ? SQLITE_DONE : rc)) != 0)
		return rc;
	for (unsigned i = 0; i < in->nchannels; i++) {
		if ((s = stmt(h, H_TARGETS_CHAN)) == NULL)
			return -EIO;
		bind(s, 1, in->channels[i]);
		sqlite3_bind_int64(s, 2, in->from);
		sqlite3_bind_int64(s, 3, in->to);
		if ((rc = sqlite3_step(s)) == SQLITE_ROW &&
		    sqlite3_column_type(s, 0) != SQLITE_NULL) {
			snprintf(out->v[out->n].channel, sizeof(out->v[0].channel), "%s",
			    in->channels[i]);
			out->v[out->n++].time = sqlite3_column_int64(s, 0);
		}
		if ((rc = sqlite_stmt_end(s, rc == SQLITE_ROW ? SQLITE_DONE : rc)) != 0)
			return rc;
	}
	history_sel_targets_sort(out, in->limit);
	return 0;
}

static int
sqlite_redact(struct history_sqlite *h, const struct history_redact *in)
{
	struct history_query	 q;
	struct history_rec	*r;
	sqlite3_stmt		*s;
	int			 rc;

	memset(&q, 0, sizeof(q));
	memcpy(q.channel, in->channel, sizeof(q.channel));
	memcpy(q.ident, in->ident, sizeof(q.ident));
	memcpy(q.peer, in->peer, sizeof(q.peer));
	if ((r = malloc(sizeof(*r))) == NULL)
		return -ENOMEM;
	rc = sqlite_find_rec(h, &q, in->msgid, r);
	if (rc == 0 && in->author[0] != '\0' && strcmp(r->from_ident, in->author) != 0)
		rc = -EPERM;
	if (rc == 0 && (s = stmt(h, H_DELETE)) == NULL)
		rc = -EIO;
	else if (rc == 0) {
		sqlite3_bind_int64(s, 1, r->id);
		rc = sqlite_stmt_end(s, sqlite3_step(s));
	}
	free(r);
	return rc;
}

/* A channel's lines beyond its newest max, at most limit of them; *count grows. */
static int
sqlite_cap(struct history_sqlite *h, const char *channel, unsigned max, size_t limit,
    size_t *count)
{
	sqlite3_stmt	*s;
	int64_t		 time, id;
	int		 rc;

	if ((s = stmt(h, H_CAP_CUTOFF)) == NULL)
		return -EIO;
	bind(s, 1, channel);
	sqlite3_bind_int64(s, 2, max);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW)
		return sqlite_stmt_end(s, rc);
	time = sqlite3_column_int64(s, 0);
	id = sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	if ((s = stmt(h, H_CAP_DELETE)) == NULL)
		return -EIO;
	bind(s, 1, channel);
	sqlite3_bind_int64(s, 2, time);
	sqlite3_bind_int64(s, 3, id);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)limit);
	if ((rc = sqlite_stmt_end(s, sqlite3_step(s))) != 0)
		return rc;
	*count += (size_t)sqlite3_changes(h->db);
	return 0;
}

static int
sqlite_prune(struct history_sqlite *h, const struct history_prune *in, size_t *count)
{
	sqlite3_stmt	*s;
	int		 rc;

	*count = 0;
	for (size_t i = 0; i < in->nchannels && in->max_lines > 0; i++)
		if (*count < in->limit && (rc = sqlite_cap(h, in->channels[i],
		    in->max_lines, in->limit - *count, count)) != 0)
			return rc;
	if (in->before == INT64_MIN || *count >= in->limit)
		return 0;
	if ((s = stmt(h, H_PRUNE)) == NULL)
		return -EIO;
	sqlite3_bind_int64(s, 1, in->before);
	sqlite3_bind_int64(s, 2, in->limit - *count);
	if ((rc = sqlite_stmt_end(s, sqlite3_step(s))) != 0)
		return rc;
	*count += (size_t)sqlite3_changes(h->db);
	return 0;
}

static int
sqlite_rename(struct history_sqlite *h, const struct history_rename *in)
{
	sqlite3_stmt	*s;

	if ((s = stmt(h, H_RENAME)) == NULL)
		return -EIO;
	bind(s, 1, in->from);
	bind(s, 2, in->to);
	return sqlite_stmt_end(s, sqlite3_step(s));
}

static int
sqlite_marker(struct history_sqlite *h, struct job *job)
{
	const struct history_marker	*m = &job->in.marker;
	sqlite3_stmt			*s;
	int				 rc;

	if ((s = stmt(h, H_MARKER_SET)) == NULL)
		return -EIO;
	bind(s, 1, m->account);
	bind(s, 2, m->target);
	sqlite3_bind_int64(s, 3, m->time);
	if ((rc = sqlite_stmt_end(s, sqlite3_step(s))) != 0)
		return rc;
	job->result.marker = *m;
	job->result.marker.time = 0;
	if ((s = stmt(h, H_MARKER_GET)) == NULL)
		return -EIO;
	bind(s, 1, m->account);
	bind(s, 2, m->target);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		job->result.marker.time = sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	return sqlite_stmt_end(s, rc);
}

int
history_sqlite_job(struct history_sqlite *h, struct job *job)
{
	switch (job->kind) {
	case JOB_HISTORY_APPEND:
		return sqlite_append(h, &job->in.append);
	case JOB_HISTORY_QUERY:
		return history_sel_query(&job->in.query, &sqlite_backend, h,
		    &job->result.lines);
	case JOB_HISTORY_TARGETS:
		return sqlite_targets(h, &job->in.targets, &job->result.lines);
	case JOB_HISTORY_REDACT:
		return sqlite_redact(h, &job->in.redact);
	case JOB_HISTORY_PRUNE:
		return sqlite_prune(h, &job->in.prune, &job->result.count);
	case JOB_HISTORY_RENAME:
		return sqlite_rename(h, &job->in.rename);
	case JOB_MARKER_SET:
		return sqlite_marker(h, job);
	default:
		return -ENOSYS;
	}
}

int
history_sqlite_load(struct history_sqlite *h, const struct store_visitor *v, void *arg)
{
	struct history_marker	 m;
	sqlite3_stmt		*s;
	int			 rc, stop;

	if (v->marker == NULL)
		return 0;
	if ((s = stmt(h, H_MARKER_ALL)) == NULL)
		return -EIO;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&m, 0, sizeof(m));
		text(s, 0, m.account, sizeof(m.account));
		text(s, 1, m.target, sizeof(m.target));
		m.time = sqlite3_column_int64(s, 2);
		if ((stop = v->marker(arg, &m)) != 0) {
			sqlite3_reset(s);
			return stop;
		}
	}
	return sqlite_stmt_end(s, rc);
}
