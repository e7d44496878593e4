/*
 * The JetStream store's history (jetstream.h, docs/store-jetstream.md).
 *
 * The stream is the truth: each line one message, a channel's on a subject of its own
 * (STREAM.c.HEX, so that retention can cap one channel), private lines on STREAM.p,
 * and the changes every node must make to its copy (a redaction, a rename, a cap) on
 * STREAM.x.  JetStream reads forward only, and CHATHISTORY asks for the latest lines
 * first, so each node answers from an index of its own: a SQLite database of
 * history_sqlite.c's schema, fed in stream order by an ordered consumer (it re-creates
 * itself from the last sequence it delivered after any gap or reconnection), each row
 * keyed by its stream sequence.  The index records the last sequence it holds and the
 * stream's creation time: a missing or foreign index is rebuilt from the stream.
 *
 * Before a query, the index catches up with everything the consumer has delivered or
 * has pending at that moment, so a client sees every line any node had stored when it
 * asked: its own included.  Appends are published asynchronously, a batch's together,
 * and acknowledged together (group commit); JetStream acknowledges a line once its
 * file storage has it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/history_sqlite.h"
#include "store/jetstream.h"
#include "store/jetstream_codec.h"
#include "store/sqlite_schema.h"

#define JH_DRAIN_MAX	4096	/* lines a batch takes in before its jobs, unasked */

static const struct jc_field line_fields[] = {
	JC_FIELD(struct history_rec, time, JC_I64),
	JC_FIELD(struct history_rec, msgid, JC_STR),
	JC_FIELD(struct history_rec, channel, JC_STR),
	JC_FIELD(struct history_rec, from_nick, JC_STR),
	JC_FIELD(struct history_rec, to_nick, JC_STR),
	JC_FIELD(struct history_rec, from_ident, JC_STR),
	JC_FIELD(struct history_rec, to_ident, JC_STR),
	JC_FIELD(struct history_rec, account, JC_STR),
	JC_FIELD(struct history_rec, event, JC_BOOL),
	JC_FIELD(struct history_rec, tags, JC_STR),
	JC_FIELD(struct history_rec, line, JC_STR),
};

struct jetstream_history {
	struct store		*st;
	char			 stream[JS_NAME_MAX];
	char			 control[JS_NAME_MAX + 4];	/* STREAM.x */
	sqlite3			*db;
	struct history_sqlite	*idx;
	natsSubscription	*sub;
	uint64_t		 applied;	/* the last sequence the index holds */
	int64_t			 created;	/* the stream's, ns */
	struct job		*scratch;	/* the index's own jobs */
	struct job		**acks;		/* appends waiting for their acks */
	size_t			 nacks;
	size_t			 capacks;
};

/* A line's subject. */
static void
line_subject(const struct jetstream_history *h, const struct history_rec *r, char *dst,
    size_t cap)
{
	char	hex[2 * CONFIG_CHANNELLEN_MAX + 1];

	if (r->channel[0] == '\0') {
		snprintf(dst, cap, "%s.p", h->stream);
		return;
	}
	jc_hex(hex, sizeof(hex), r->channel);
	snprintf(dst, cap, "%s.c.%s", h->stream, hex);
}

/* Run the index's statement sql (no rows): 0 or -EIO. */
static int
index_exec(struct jetstream_history *h, const char *sql)
{
	return sqlite3_exec(h->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}

/* A history job of the index's own (history_sqlite_job) on the scratch job. */
static int
index_job(struct jetstream_history *h, enum job_kind kind)
{
	h->scratch->kind = kind;
	return history_sqlite_job(h->idx, h->scratch);
}

/* One line into the index, at its sequence. */
static int
apply_line(struct jetstream_history *h, natsMsg *m, uint64_t seq)
{
	struct history_rec	*r;
	struct jc_reader	 rd = { natsMsg_GetData(m),
	    natsMsg_GetData(m) + natsMsg_GetDataLength(m) };
	char			 name[32], *val;
	int			 rc;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (val = malloc(JC_VALUE_MAX)) == NULL) {
		free(r);
		return -ENOMEM;
	}
	while (jc_next(&rd, name, sizeof(name), val, JC_VALUE_MAX) == 1)
		(void)jc_get_field(line_fields, JC_NFIELDS(line_fields), r, name, val);
	free(val);
	r->id = (int64_t)seq;
	h->scratch->in.append.v = r;
	h->scratch->in.append.n = 1;
	rc = index_job(h, JOB_HISTORY_APPEND);
	h->scratch->in.append.v = NULL;
	free(r);
	return rc;
}

/* A change every index makes (STREAM.x): "op" says which. */
static int
apply_control(struct jetstream_history *h, natsMsg *m)
{
	struct jc_reader	 rd = { natsMsg_GetData(m),
	    natsMsg_GetData(m) + natsMsg_GetDataLength(m) };
	char			 name[16], val[2 * CONFIG_CHANNELLEN_MAX + 8];
	char			 op[16] = "", from[CONFIG_CHANNELLEN_MAX + 1] = "";
	char			 to[CONFIG_CHANNELLEN_MAX + 1] = "";
	history_name		 chan;
	int64_t			 n = 0;
	sqlite3_stmt		*s;
	int			 rc;

	while (jc_next(&rd, name, sizeof(name), val, sizeof(val)) == 1) {
		if (strcmp(name, "op") == 0)
			snprintf(op, sizeof(op), "%.*s", (int)sizeof(op) - 1, val);
		else if (strcmp(name, "from") == 0)
			snprintf(from, sizeof(from), "%.*s", (int)sizeof(from) - 1, val);
		else if (strcmp(name, "to") == 0)
			snprintf(to, sizeof(to), "%.*s", (int)sizeof(to) - 1, val);
		else if (strcmp(name, "n") == 0)
			n = jc_i64(val);
	}
	if (strcmp(op, "redact") == 0) {
		if (sqlite3_prepare_v2(h->db, "DELETE FROM history WHERE id = ?", -1, &s,
		    NULL) != SQLITE_OK)
			return -EIO;
		sqlite3_bind_int64(s, 1, n);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -EIO;
		sqlite3_finalize(s);
		return rc;
	}
	if (strcmp(op, "rename") == 0) {
		memcpy(h->scratch->in.rename.from, from, sizeof(from));
		memcpy(h->scratch->in.rename.to, to, sizeof(to));
		return index_job(h, JOB_HISTORY_RENAME);
	}
	if (strcmp(op, "cap") == 0 && n > 0) {
		memcpy(chan, from, sizeof(chan));
		h->scratch->in.prune.before = INT64_MIN;
		h->scratch->in.prune.limit = UINT_MAX;
		h->scratch->in.prune.max_lines = (unsigned)n;
		h->scratch->in.prune.channels = &chan;
		h->scratch->in.prune.nchannels = 1;
		rc = index_job(h, JOB_HISTORY_PRUNE);
		h->scratch->in.prune.channels = NULL;
		return rc;
	}
	return 0;	/* a newer parleyd's: nothing this one knows to do */
}

static int
apply(struct jetstream_history *h, natsMsg *m)
{
	jsMsgMetaData	*md;
	uint64_t	 seq;
	int		 rc;

	if (natsMsg_GetMetaData(&md, m) != NATS_OK)
		return 0;	/* not a stream message (no reply subject): none of ours */
	seq = md->Sequence.Stream;
	jsMsgMetaData_Destroy(md);
	if (seq <= h->applied)
		return 0;
	rc = strcmp(natsMsg_GetSubject(m), h->control) == 0 ? apply_control(h, m) :
	    apply_line(h, m, seq);
	if (rc == 0)
		h->applied = seq;
	return rc;
}

/* The consumer goes: deleted on the server when it is there to ask (else the server
 * drops it once idle: it is ephemeral), rather than waiting for an answer. */
static void
sub_drop(struct jetstream_history *h)
{
	if (h->sub == NULL)
		return;
	if (jetstream_connected(h->st))
		(void)natsSubscription_Unsubscribe(h->sub);
	natsSubscription_Destroy(h->sub);
	h->sub = NULL;
}

/* The ordered consumer, from the line after the index's last (again after a failure:
 * the old one goes).  0 or -EIO; a failed one leaves no consumer, and the next catch
 * up tries again. */
static int
subscribe(struct jetstream_history *h)
{
	char		subject[JS_NAME_MAX + 4];
	jsSubOptions	so;

	sub_drop(h);
	jsSubOptions_Init(&so);
	so.Stream = h->stream;
	so.Ordered = true;
	so.Config.DeliverPolicy = js_DeliverByStartSequence;
	so.Config.OptStartSeq = h->applied + 1;
	snprintf(subject, sizeof(subject), "%s.>", h->stream);
	if (js_SubscribeSync(&h->sub, h->st->js, subject, NULL, &so, NULL) != NATS_OK) {
		h->sub = NULL;
		return -EIO;
	}
	return 0;
}

/* Keep the last sequence applied with the rows, in their transaction. */
static int
index_mark(struct jetstream_history *h)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(h->db, "UPDATE jetstream SET applied = ?", -1, &s, NULL) !=
	    SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)h->applied);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -EIO;
	sqlite3_finalize(s);
	return rc;
}

/*
 * Take in the consumer's messages, in one transaction with the index's last sequence.
 * With wait: until the index holds sequence target (-EIO when a message does not come
 * within the store's wait), then more messages past it (what the consumer had pending
 * when asked; one that does not come was deleted meanwhile, by a redaction or
 * retention, and ends it).  Without: what has arrived, JH_DRAIN_MAX at most.
 */
static int
drain(struct jetstream_history *h, uint64_t target, uint64_t more, bool wait)
{
	natsMsg		*m;
	natsStatus	 s;
	uint64_t	 from = h->applied, last;
	size_t		 n = 0;
	bool		 before;
	int		 rc = 0;

	if (h->sub == NULL)
		return wait ? -EIO : 0;
	if (index_exec(h, "BEGIN") != 0)
		return -EIO;
	for (;;) {
		before = h->applied < target;
		if (wait ? !before && more == 0 : n >= JH_DRAIN_MAX)
			break;
		s = natsSubscription_NextMsg(&m, h->sub, wait ? h->st->wait : 0);
		if (s == NATS_TIMEOUT && (!wait || !before))
			break;
		if (s != NATS_OK) {
			rc = -EIO;
			break;
		}
		last = h->applied;
		rc = apply(h, m);
		natsMsg_Destroy(m);
		if (rc != 0)
			break;
		n++;
		if (h->applied > last && h->applied > target && more > 0)
			more--;
	}
	if (rc == 0 && n > 0)
		rc = index_mark(h);
	if (rc == 0)
		return index_exec(h, "COMMIT");
	(void)index_exec(h, "ROLLBACK");
	/* What the rollback took back comes again only if the consumer starts over
	 * from the index's last sequence. */
	h->applied = from;
	(void)subscribe(h);
	return rc;
}

/*
 * Bring the index up to everything stored when asked: what the consumer had
 * delivered then, and what it had still pending.  0 or -EIO.
 */
static int
catch_up(struct jetstream_history *h)
{
	jsConsumerInfo	*ci;
	uint64_t	 target, more;

	/* A consumer the server no longer has (NATS restarted: an ordered consumer is
	 * ephemeral, and the client may not have made it again yet) is made again,
	 * from the index's last line. */
	if ((h->sub == NULL ||
	    natsSubscription_GetConsumerInfo(&ci, h->sub, NULL, NULL) != NATS_OK) &&
	    (subscribe(h) != 0 ||
	    natsSubscription_GetConsumerInfo(&ci, h->sub, NULL, NULL) != NATS_OK))
		return -EIO;
	target = ci->Delivered.Stream;
	more = ci->NumPending;
	jsConsumerInfo_Destroy(ci);
	return drain(h, target, more, true);
}

/* Publish a change for every index (STREAM.x) and wait for its ack. */
static int
publish_control(struct jetstream_history *h, const struct jc_buf *b)
{
	jsPubAck	*ack = NULL;
	natsStatus	 s;

	if (b->oom)
		return -ENOMEM;
	s = js_Publish(&ack, h->st->js, h->control, b->p, (int)b->len, NULL, NULL);
	jsPubAck_Destroy(ack);
	return s == NATS_OK ? 0 : -EIO;
}

/* APPEND: every line published, its ack awaited in jetstream_history_acked. */
static int
append(struct jetstream_history *h, struct job *job)
{
	char		 subject[JS_NAME_MAX + 2 * CONFIG_CHANNELLEN_MAX + 8];
	struct job	**v;
	struct jc_buf	 b = { 0 };
	natsStatus	 s = NATS_OK;

	if (h->nacks == h->capacks) {
		size_t	cap = h->capacks == 0 ? 64 : 2 * h->capacks;

		if ((v = reallocarray(h->acks, cap, sizeof(*v))) == NULL)
			return -ENOMEM;
		h->acks = v;
		h->capacks = cap;
	}
	for (size_t i = 0; i < job->in.append.n && s == NATS_OK; i++) {
		const struct history_rec	*r = &job->in.append.v[i];

		b.len = 0;
		jc_put_fields(&b, line_fields, JC_NFIELDS(line_fields), r);
		line_subject(h, r, subject, sizeof(subject));
		s = b.oom ? NATS_NO_MEMORY : js_PublishAsync(h->st->js, subject, b.p,
		    (int)b.len, NULL);
	}
	free(b.p);
	if (s != NATS_OK)
		return jetstream_status(s);
	h->acks[h->nacks++] = job;
	return 0;
}

void
jetstream_history_acked(struct jetstream_history *h)
{
	jsPubOptions	po;
	natsStatus	s;

	if (h->nacks == 0)
		return;
	jsPubOptions_Init(&po);
	po.MaxWait = h->st->wait;
	s = js_PublishAsyncComplete(h->st->js, &po);
	/* A line the server refused counts in puberr (store_jetstream.c's handler); a
	 * batch with one is reported failed whole. */
	if (s != NATS_OK || atomic_exchange(&h->st->puberr, 0) != 0)
		for (size_t i = 0; i < h->nacks; i++)
			h->acks[i]->status = -EIO;
	h->nacks = 0;
}

/* The line msgid of a redaction's conversation, from the index: 0, -ENOENT. */
static int
redact_find(struct jetstream_history *h, const struct history_redact *in,
    struct history_rec *r)
{
	struct history_query	*q = &h->scratch->in.query;
	int			 rc;

	memset(q, 0, sizeof(*q));
	memcpy(q->channel, in->channel, sizeof(q->channel));
	memcpy(q->ident, in->ident, sizeof(q->ident));
	memcpy(q->peer, in->peer, sizeof(q->peer));
	/* AROUND the msgid, one line: the line itself. */
	q->sel = HISTORY_AROUND;
	memcpy(q->a.msgid, in->msgid, sizeof(q->a.msgid));
	q->limit = 1;
	q->events = true;
	if ((rc = index_job(h, JOB_HISTORY_QUERY)) == 0) {
		if (h->scratch->result.lines.n == 1)
			*r = h->scratch->result.lines.v[0];
		else
			rc = -ENOENT;
	}
	free(h->scratch->result.lines.v);
	h->scratch->result.lines.v = NULL;
	return rc;
}

/*
 * REDACT: found in the index (the author's only, when one is given), then gone from
 * every index (a control message) and from the stream's storage.
 */
static int
redact(struct jetstream_history *h, const struct history_redact *in)
{
	struct history_rec	*r;
	struct jc_buf		 b = { 0 };
	jsErrCode		 jerr = 0;
	natsStatus		 s;
	int			 rc;

	if ((r = malloc(sizeof(*r))) == NULL)
		return -ENOMEM;
	rc = redact_find(h, in, r);
	if (rc == 0 && in->author[0] != '\0' && strcmp(r->from_ident, in->author) != 0)
		rc = -EPERM;
	if (rc == 0) {
		jc_put_str(&b, "op", "redact");
		jc_put_i64(&b, "n", r->id);
		rc = publish_control(h, &b);
		free(b.p);
	}
	if (rc == 0) {
		s = js_DeleteMsg(h->st->js, h->stream, (uint64_t)r->id, NULL, &jerr);
		/* Gone already (retention, another node's redaction): as good. */
		rc = s == NATS_OK || (s == NATS_ERR && jerr != 0) ? catch_up(h) : -EIO;
	}
	free(r);
	return rc;
}

static int
rename_lines(struct jetstream_history *h, const struct history_rename *in)
{
	struct jc_buf	b = { 0 };
	int		rc;

	jc_put_str(&b, "op", "rename");
	jc_put_str(&b, "from", in->from);
	jc_put_str(&b, "to", in->to);
	rc = publish_control(h, &b);
	free(b.p);
	return rc == 0 ? catch_up(h) : rc;
}

/*
 * PRUNE: by age, each node's index alone (the stream's max_age drops the lines from
 * the stream); by lines, a channel's subject purged to its newest max_lines and the
 * cap sent to every index.  The count is this index's.
 */
static int
prune(struct jetstream_history *h, struct job *job)
{
	const struct history_prune	*in = &job->in.prune;
	char				 subject[JS_NAME_MAX + 2 * CONFIG_CHANNELLEN_MAX + 8];
	struct history_rec		*r;
	struct jc_buf			 b = { 0 };
	jsOptions			 o;
	int				 rc;

	if ((rc = history_sqlite_job(h->idx, job)) != 0 || in->max_lines == 0)
		return rc;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < in->nchannels && rc == 0; i++) {
		memcpy(r->channel, in->channels[i], sizeof(r->channel));
		line_subject(h, r, subject, sizeof(subject));
		jsOptions_Init(&o);
		o.Wait = h->st->wait;
		o.Stream.Purge.Subject = subject;
		o.Stream.Purge.Keep = in->max_lines;
		if (js_PurgeStream(h->st->js, h->stream, &o, NULL) != NATS_OK) {
			rc = -EIO;
			break;
		}
		b.len = 0;
		jc_put_str(&b, "op", "cap");
		jc_put_str(&b, "from", in->channels[i]);
		jc_put_i64(&b, "n", in->max_lines);
		rc = publish_control(h, &b);
	}
	free(b.p);
	free(r);
	return rc;
}

int
jetstream_history_job(struct jetstream_history *h, struct job *job)
{
	int	rc;

	if (job->kind == JOB_HISTORY_APPEND)
		return append(h, job);
	/* Everything else reads the index: the batch's lines first, and the others'. */
	jetstream_history_acked(h);
	if ((rc = catch_up(h)) != 0)
		return rc;
	switch (job->kind) {
	case JOB_HISTORY_QUERY:
	case JOB_HISTORY_TARGETS:
		return history_sqlite_job(h->idx, job);
	case JOB_HISTORY_REDACT:
		return redact(h, &job->in.redact);
	case JOB_HISTORY_PRUNE:
		return prune(h, job);
	case JOB_HISTORY_RENAME:
		return rename_lines(h, &job->in.rename);
	default:
		return -ENOSYS;
	}
}

/* Take in, without waiting, what the consumer has: the index keeps up between
 * queries, and the client's buffer stays small. */
void
jetstream_history_poll(struct jetstream_history *h)
{
	(void)drain(h, 0, 0, false);
}

/* The stream, created or brought to max_age (ms; 0 forever): its creation time. */
static int
stream_ensure(struct jetstream_history *h, int64_t max_age, char *err, size_t errlen)
{
	char		 subject[JS_NAME_MAX + 4];
	const char	*subjects[1] = { subject };
	jsStreamConfig	 c;
	jsStreamInfo	*si = NULL;
	jsErrCode	 jerr = 0;
	natsStatus	 s;
	int64_t		 age = max_age * 1000000;

	snprintf(subject, sizeof(subject), "%s.>", h->stream);
	s = js_GetStreamInfo(&si, h->st->js, h->stream, NULL, &jerr);
	if (s == NATS_NOT_FOUND) {
		jsStreamConfig_Init(&c);
		c.Name = h->stream;
		c.Subjects = subjects;
		c.SubjectsLen = 1;
		c.Storage = js_FileStorage;
		c.MaxAge = age;
		s = js_AddStream(&si, h->st->js, &c, NULL, &jerr);
	} else if (s == NATS_OK && si->Config->MaxAge != age) {
		jsStreamInfo	*now = NULL;

		si->Config->MaxAge = age;
		s = js_UpdateStream(&now, h->st->js, si->Config, NULL, &jerr);
		jsStreamInfo_Destroy(si);
		si = now;
	}
	if (s != NATS_OK) {
		snprintf(err, errlen, "stream %s: %s (%d)", h->stream, natsStatus_GetText(s),
		    (int)jerr);
		jsStreamInfo_Destroy(si);
		return -1;
	}
	h->created = si->Created;
	jsStreamInfo_Destroy(si);
	return 0;
}

/* The index's own table: which stream it copies, and how far.  One of another
 * stream (NATS's store started anew) is emptied, to be rebuilt. */
static int
index_prepare(struct jetstream_history *h)
{
	sqlite3_stmt	*s;
	int64_t		 created = -1;
	int		 rc;

	if (index_exec(h, "CREATE TABLE IF NOT EXISTS jetstream (created INTEGER NOT "
	    "NULL, applied INTEGER NOT NULL)") != 0 ||
	    index_exec(h, "PRAGMA synchronous = NORMAL") != 0)
		return -EIO;
	if (sqlite3_prepare_v2(h->db, "SELECT created, applied FROM jetstream", -1, &s,
	    NULL) != SQLITE_OK)
		return -EIO;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		created = sqlite3_column_int64(s, 0);
		h->applied = (uint64_t)sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	if (created == h->created)
		return 0;
	h->applied = 0;
	if (sqlite3_prepare_v2(h->db, "INSERT INTO jetstream (created, applied) VALUES "
	    "(?, 0)", -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(s, 1, h->created);
	rc = index_exec(h, "BEGIN") == 0 && index_exec(h, "DELETE FROM history") == 0 &&
	    index_exec(h, "DELETE FROM jetstream") == 0 && sqlite3_step(s) == SQLITE_DONE &&
	    index_exec(h, "COMMIT") == 0 ? 0 : -EIO;
	sqlite3_finalize(s);
	if (rc != 0)
		(void)index_exec(h, "ROLLBACK");
	return rc;
}

struct jetstream_history *
jetstream_history_open(struct store *st, const char *stream, const char *index,
    int64_t max_age, char *err, size_t errlen)
{
	struct jetstream_history	*h;

	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->scratch = calloc(1, sizeof(*h->scratch))) == NULL) {
		free(h);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	h->st = st;
	snprintf(h->stream, sizeof(h->stream), "%s", stream);
	snprintf(h->control, sizeof(h->control), "%s.x", stream);
	if (stream_ensure(h, max_age, err, errlen) == -1)
		goto fail;
	if ((h->db = sqlite_schema_open(*index == '\0' ? ":memory:" : index, err,
	    errlen)) == NULL)
		goto fail;
	if ((h->idx = history_sqlite_new(h->db)) == NULL ||
	    index_prepare(h) != 0) {
		snprintf(err, errlen, "history index %s: %s", *index ? index : "in memory",
		    sqlite3_errmsg(h->db));
		goto fail;
	}
	if (subscribe(h) != 0 || catch_up(h) != 0) {
		snprintf(err, errlen, "stream %s: cannot read it into the index", stream);
		goto fail;
	}
	return h;
fail:
	jetstream_history_close(h);
	return NULL;
}

void
jetstream_history_close(struct jetstream_history *h)
{
	if (h == NULL)
		return;
	sub_drop(h);
	history_sqlite_free(h->idx);
	if (h->db != NULL)
		sqlite3_close(h->db);
	free(h->acks);
	free(h->scratch);
	free(h);
}
