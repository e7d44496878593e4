/*
 * The memory backend's history (history_store.h): every line in one array in the order
 * stored, read markers in another.  Slow and exact, for the unit tests: each range
 * scans the whole array.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/history_store.h"
#include "store/store.h"

struct history_memory {
	struct history_rec	*lines;
	size_t			 n;
	size_t			 cap;
	int64_t			 serial;	/* the last id given */
	struct history_marker	*markers;
	size_t			 nmarkers;
};

struct history_memory *
history_memory_new(void)
{
	return calloc(1, sizeof(struct history_memory));
}

void
history_memory_free(struct history_memory *h)
{
	if (h == NULL)
		return;
	free(h->lines);
	free(h->markers);
	free(h);
}

static int
key_cmp(struct history_key a, struct history_key b)
{
	if (a.time != b.time)
		return a.time < b.time ? -1 : 1;
	return a.id < b.id ? -1 : a.id > b.id;
}

static struct history_key
rec_key(const struct history_rec *r)
{
	struct history_key	k = { r->time, r->id };

	return k;
}

static int
memory_append(struct history_memory *h, const struct job_lines *in)
{
	struct history_rec	*v;
	size_t			 cap;

	if (h->n + in->n > h->cap) {
		for (cap = h->cap == 0 ? 64 : h->cap; cap < h->n + in->n; cap *= 2)
			;
		if ((v = reallocarray(h->lines, cap, sizeof(*v))) == NULL)
			return -ENOMEM;
		h->lines = v;
		h->cap = cap;
	}
	for (size_t i = 0; i < in->n; i++) {
		h->lines[h->n] = in->v[i];
		h->lines[h->n++].id = ++h->serial;
	}
	return 0;
}

static int
memory_find(void *arg, const struct history_query *q, const char *msgid,
    struct history_key *key)
{
	struct history_memory	*h = arg;

	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->lines[i].msgid, msgid) == 0 &&
		    history_sel_match(q, &h->lines[i])) {
			*key = rec_key(&h->lines[i]);
			return 0;
		}
	return -ENOENT;
}

static int
ptr_cmp(const void *a, const void *b)
{
	const struct history_rec	*x = *(const struct history_rec *const *)a;
	const struct history_rec	*y = *(const struct history_rec *const *)b;

	return key_cmp(rec_key(x), rec_key(y));
}

static int
memory_range(void *arg, const struct history_query *q, struct history_key lo,
    struct history_key hi, unsigned limit, bool backward, struct job_lines *out)
{
	struct history_memory	 *h = arg;
	const struct history_rec **hit;
	size_t			  n = 0, from;

	if (limit == 0 || h->n == 0)
		return 0;
	if ((hit = calloc(h->n, sizeof(*hit))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < h->n; i++) {
		struct history_key	k = rec_key(&h->lines[i]);

		if (history_sel_match(q, &h->lines[i]) && key_cmp(lo, k) < 0 &&
		    key_cmp(k, hi) < 0 && (q->events || !h->lines[i].event))
			hit[n++] = &h->lines[i];
	}
	qsort(hit, n, sizeof(*hit), ptr_cmp);
	from = backward && n > limit ? n - limit : 0;
	for (size_t i = from; i < n && i - from < limit; i++)
		out->v[out->n++] = *hit[i];
	free(hit);
	return 0;
}

static const struct history_backend memory_backend = { memory_find, memory_range };

/* The latest line of a target among those matching, into out as a TARGETS row. */
static int
memory_targets(struct history_memory *h, const struct history_targets *in,
    struct job_lines *out)
{
	size_t	cap = in->nchannels + h->n + 1;

	out->n = 0;
	if ((out->v = calloc(cap, sizeof(*out->v))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < h->n; i++) {
		const struct history_rec	*r = &h->lines[i];
		const char			*peer = NULL, *chan = NULL;
		size_t				 j;

		if (r->time <= in->from || r->time >= in->to || r->event)
			continue;
		if (r->channel[0] != '\0') {
			for (j = 0; j < in->nchannels; j++)
				if (strcmp(in->channels[j], r->channel) == 0)
					chan = r->channel;
		} else if (strcmp(r->from_ident, in->ident) == 0)
			peer = r->to_nick;
		else if (strcmp(r->to_ident, in->ident) == 0)
			peer = r->from_nick;
		if (peer == NULL && chan == NULL)
			continue;
		for (j = 0; j < out->n; j++)
			if (chan != NULL ? strcmp(out->v[j].channel, chan) == 0 :
			    out->v[j].channel[0] == '\0' &&
			    strcmp(out->v[j].from_nick, peer) == 0)
				break;
		if (j == out->n) {
			memset(&out->v[j], 0, sizeof(out->v[j]));
			strcpy(chan != NULL ? out->v[j].channel : out->v[j].from_nick,
			    chan != NULL ? chan : peer);
			out->n++;
		}
		if (r->time > out->v[j].time)
			out->v[j].time = r->time;
	}
	history_sel_targets_sort(out, in->limit);
	return 0;
}

static int
memory_redact(struct history_memory *h, const struct history_redact *in)
{
	struct history_query	q;

	memset(&q, 0, sizeof(q));
	strcpy(q.channel, in->channel);
	strcpy(q.ident, in->ident);
	strcpy(q.peer, in->peer);
	for (size_t i = 0; i < h->n; i++) {
		if (strcmp(h->lines[i].msgid, in->msgid) != 0 ||
		    !history_sel_match(&q, &h->lines[i]))
			continue;
		if (in->author[0] != '\0' && strcmp(h->lines[i].from_ident, in->author) != 0)
			return -EPERM;
		memmove(&h->lines[i], &h->lines[i + 1], (h->n - i - 1) * sizeof(*h->lines));
		h->n--;
		return 0;
	}
	return -ENOENT;
}

/* Whether line i goes: older than before, or beyond its channel's newest max_lines
 * (over[] counts, per listed channel, the lines still to drop). */
static bool
prune_this(const struct history_memory *h, const struct history_prune *in, size_t i,
    size_t *over)
{
	for (size_t c = 0; c < in->nchannels; c++)
		if (strcmp(h->lines[i].channel, in->channels[c]) == 0 && over[c] > 0) {
			over[c]--;
			return true;
		}
	return h->lines[i].time < in->before;
}

static size_t
memory_prune(struct history_memory *h, const struct history_prune *in)
{
	size_t	kept = 0, gone = 0, *over;

	if ((over = calloc(in->nchannels + 1, sizeof(*over))) == NULL)
		return 0;
	for (size_t c = 0; c < in->nchannels && in->max_lines > 0; c++) {
		for (size_t i = 0; i < h->n; i++)
			over[c] += strcmp(h->lines[i].channel, in->channels[c]) == 0;
		over[c] = over[c] > in->max_lines ? over[c] - in->max_lines : 0;
	}
	/* Lines are stored oldest first: the first of a channel's are its oldest. */
	for (size_t i = 0; i < h->n; i++) {
		if (gone < in->limit && prune_this(h, in, i, over)) {
			gone++;
			continue;
		}
		h->lines[kept++] = h->lines[i];
	}
	h->n = kept;
	free(over);
	return gone;
}

static struct history_marker *
marker_find(struct history_memory *h, const struct history_marker *m)
{
	for (size_t i = 0; i < h->nmarkers; i++)
		if (strcmp(h->markers[i].account, m->account) == 0 &&
		    strcmp(h->markers[i].target, m->target) == 0)
			return &h->markers[i];
	return NULL;
}

static int
memory_marker(struct history_memory *h, struct job *job)
{
	struct history_marker	*m = marker_find(h, &job->in.marker), *v;

	if (m == NULL) {
		v = reallocarray(h->markers, h->nmarkers + 1, sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		h->markers = v;
		m = &h->markers[h->nmarkers++];
		*m = job->in.marker;
	} else if (job->in.marker.time > m->time)
		m->time = job->in.marker.time;
	job->result.marker = *m;
	return 0;
}

int
history_memory_load(struct history_memory *h, const struct store_visitor *v,
    void *arg)
{
	int	rc;

	for (size_t i = 0; v->marker != NULL && i < h->nmarkers; i++)
		if ((rc = v->marker(arg, &h->markers[i])) != 0)
			return rc;
	return 0;
}

int
history_memory_job(struct history_memory *h, struct job *job)
{
	switch (job->kind) {
	case JOB_HISTORY_APPEND:
		return memory_append(h, &job->in.append);
	case JOB_HISTORY_QUERY:
		return history_sel_query(&job->in.query, &memory_backend, h,
		    &job->result.lines);
	case JOB_HISTORY_TARGETS:
		return memory_targets(h, &job->in.targets, &job->result.lines);
	case JOB_HISTORY_REDACT:
		return memory_redact(h, &job->in.redact);
	case JOB_HISTORY_PRUNE:
		job->result.count = memory_prune(h, &job->in.prune);
		return 0;
	case JOB_HISTORY_RENAME:
		for (size_t i = 0; i < h->n; i++)
			if (strcmp(h->lines[i].channel, job->in.rename.from) == 0)
				strcpy(h->lines[i].channel, job->in.rename.to);
		return 0;
	case JOB_MARKER_SET:
		return memory_marker(h, job);
	default:
		return -ENOSYS;
	}
}
