/*
 * CHATHISTORY's selectors as ranges of a conversation, the same for every backend
 * (history_store.h).  A timestamp bounds by time alone; a msgid by its line's exact
 * (time, id), so that lines of the same millisecond keep their order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/history_store.h"

static const struct history_key	key_min = { INT64_MIN, INT64_MIN };
static const struct history_key	key_max = { INT64_MAX, INT64_MAX };

bool
history_sel_match(const struct history_query *q, const struct history_rec *r)
{
	if (q->channel[0] != '\0')
		return strcmp(r->channel, q->channel) == 0;
	if (r->channel[0] != '\0')
		return false;
	return (strcmp(r->from_ident, q->ident) == 0 && strcmp(r->to_nick, q->peer) == 0) ||
	    (strcmp(r->to_ident, q->ident) == 0 && strcmp(r->from_nick, q->peer) == 0);
}

/*
 * The bound p makes: as a lower end (lines after it) or an upper end (before it).  A
 * timestamp's lines are after a lower end at the same time only if later, so its keys
 * sit at the edges of its millisecond.
 */
static int
sel_bound(const struct history_query *q, const struct history_point *p, bool lower,
    const struct history_backend *b, void *arg, struct history_key *k)
{
	if (p->msgid[0] != '\0')
		return b->find(arg, q, p->msgid, k);
	if (p->time == INT64_MIN || p->time == INT64_MAX) {
		*k = p->time == INT64_MIN ? key_min : key_max;
		return 0;
	}
	k->time = p->time;
	k->id = lower ? INT64_MAX : INT64_MIN;
	return 0;
}

/* AROUND: half the lines before p, the rest from p on (p's own line first). */
static int
sel_around(const struct history_query *q, const struct history_backend *b, void *arg,
    struct job_lines *out)
{
	struct history_key	k, from;
	unsigned		before = q->limit / 2;
	int			rc;

	if ((rc = sel_bound(q, &q->a, false, b, arg, &k)) != 0)
		return rc;
	if (before > 0 && (rc = b->range(arg, q, key_min, k, before, true, out)) != 0)
		return rc;
	/* From p on: just below its key. */
	from = k;
	if (from.id == INT64_MIN) {
		from.time--;
		from.id = INT64_MAX;
	} else
		from.id--;
	return b->range(arg, q, from, key_max, q->limit - (unsigned)out->n, false, out);
}

static bool
key_less(struct history_key a, struct history_key b)
{
	return a.time < b.time || (a.time == b.time && a.id < b.id);
}

/* BETWEEN: from a towards b, whichever of them is the later. */
static int
sel_between(const struct history_query *q, const struct history_backend *b, void *arg,
    struct job_lines *out)
{
	struct history_key	lo, hi;
	int			rc;

	if ((rc = sel_bound(q, &q->a, true, b, arg, &lo)) != 0 ||
	    (rc = sel_bound(q, &q->b, false, b, arg, &hi)) != 0)
		return rc;
	if (!key_less(hi, lo))
		return b->range(arg, q, lo, hi, q->limit, false, out);
	if ((rc = sel_bound(q, &q->b, true, b, arg, &lo)) != 0 ||
	    (rc = sel_bound(q, &q->a, false, b, arg, &hi)) != 0)
		return rc;
	return b->range(arg, q, lo, hi, q->limit, true, out);
}

static int
sel_run(const struct history_query *q, const struct history_backend *b, void *arg,
    struct job_lines *out)
{
	struct history_key	lo, hi;
	int			rc;

	switch (q->sel) {
	case HISTORY_LATEST:
		/* "*" is an open lower end: the newest lines of all. */
		if ((rc = sel_bound(q, &q->a, true, b, arg, &lo)) != 0)
			return rc;
		return b->range(arg, q, lo, key_max, q->limit, true, out);
	case HISTORY_BEFORE:
		if ((rc = sel_bound(q, &q->a, false, b, arg, &hi)) != 0)
			return rc;
		return b->range(arg, q, key_min, hi, q->limit, true, out);
	case HISTORY_AFTER:
		if ((rc = sel_bound(q, &q->a, true, b, arg, &lo)) != 0)
			return rc;
		return b->range(arg, q, lo, key_max, q->limit, false, out);
	case HISTORY_AROUND:
		return sel_around(q, b, arg, out);
	case HISTORY_BETWEEN:
		return sel_between(q, b, arg, out);
	}
	return -EINVAL;
}

int
history_sel_query(const struct history_query *q, const struct history_backend *b,
    void *arg, struct job_lines *out)
{
	int	rc;

	out->n = 0;
	if (q->limit == 0)
		return 0;
	if ((out->v = calloc(q->limit, sizeof(*out->v))) == NULL)
		return -ENOMEM;
	if ((rc = sel_run(q, b, arg, out)) != 0) {
		free(out->v);
		out->v = NULL;
		out->n = 0;
	}
	return rc;
}

static int
targets_cmp(const void *a, const void *b)
{
	const struct history_rec	*x = a, *y = b;

	return x->time < y->time ? 1 : x->time > y->time ? -1 : 0;
}

void
history_sel_targets_sort(struct job_lines *out, unsigned limit)
{
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), targets_cmp);
	if (out->n > limit)
		out->n = limit;
}
