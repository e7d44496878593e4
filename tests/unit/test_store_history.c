/*
 * The history jobs held to one table of cases on both backends, the memory store and
 * SQLite on a file (fixture_store.h): appends, every selector with msgid and timestamp
 * references, private conversations seen from each end only, events, TARGETS, REDACT,
 * RENAME, retention by age and by lines, read markers and their load.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_store.h"

#define T(s)	(1000000LL + (s) * 1000)	/* wall ms of second s */

/* Line i (1..n): to #a when odd, #b when even, at second i; i = 7 and 8 are private
 * between x (identity s:x) and y (s:y); i = 9 is an event of #a. */
static void
line_fill(struct history_rec *r, int i)
{
	memset(r, 0, sizeof(*r));
	r->time = T(i);
	snprintf(r->msgid, sizeof(r->msgid), "m%d", i);
	snprintf(r->line, sizeof(r->line), ":n!u@h PRIVMSG t :line %d", i);
	if (i == 7 || i == 8) {
		strcpy(r->from_nick, i == 7 ? "x" : "y");
		strcpy(r->to_nick, i == 7 ? "y" : "x");
		strcpy(r->from_ident, i == 7 ? "s:x" : "s:y");
		strcpy(r->to_ident, i == 7 ? "s:y" : "s:x");
		return;
	}
	strcpy(r->channel, i % 2 ? "#a" : "#b");
	strcpy(r->from_nick, "n");
	strcpy(r->from_ident, i == 4 ? "s:z" : "s:n");
	r->event = i == 9;
}

/* Append lines 1..n in one job. */
static void
append(struct fs_backend *b, int n)
{
	struct job		*job = fs_job_of(JOB_HISTORY_APPEND);
	struct history_rec	*v = calloc((size_t)n, sizeof(*v));

	assert_non_null(v);
	for (int i = 0; i < n; i++)
		line_fill(&v[i], i + 1);
	job->in.append.v = v;
	job->in.append.n = (size_t)n;
	assert_int_equal(fs_run(b, job), 0);
	free(v);
}

static struct history_point
at(int s)
{
	struct history_point	p = { T(s), "" };

	return p;
}

static struct history_point
id(const char *msgid)
{
	struct history_point	p = { 0, "" };

	snprintf(p.msgid, sizeof(p.msgid), "%s", msgid);
	return p;
}

/* Run a query on #a (or the private conversation of ident with peer) and return the
 * msgids found, space-separated, or "ENOENT". */
static const char *
query(struct fs_backend *b, const char *channel, const char *ident, const char *peer,
    enum history_sel sel, struct history_point a, struct history_point pb,
    unsigned limit, bool events)
{
	static char		 out[512];
	struct job		*job = fs_job_of(JOB_HISTORY_QUERY);
	struct history_query	*q = &job->in.query;
	size_t			 off = 0;

	q->sel = sel;
	snprintf(q->channel, sizeof(q->channel), "%s", channel);
	snprintf(q->ident, sizeof(q->ident), "%s", ident);
	snprintf(q->peer, sizeof(q->peer), "%s", peer);
	q->a = a;
	q->b = pb;
	q->limit = limit;
	q->events = events;
	out[0] = '\0';
	if (fs_run(b, job) != 0)
		snprintf(out, sizeof(out), "status %d", job->status);
	for (size_t i = 0; i < job->result.lines.n; i++)
		off += (size_t)snprintf(out + off, sizeof(out) - off, "%s%s",
		    i ? " " : "", job->result.lines.v[i].msgid);
	free(job->result.lines.v);
	return out;
}

#define CHAN(sel, a, b, n)	query(bk, "#a", "", "", sel, a, b, n, false)
#define ANY			at(0)

static void
test_selectors(void **state)
{
	struct fs_backend	*bk = *state;
	struct history_point	 star = { INT64_MIN, "" };

	append(bk, 11);
	assert_string_equal(CHAN(HISTORY_LATEST, star, ANY, 2), "m5 m11");
	assert_string_equal(CHAN(HISTORY_LATEST, star, ANY, 100), "m1 m3 m5 m11");
	assert_string_equal(CHAN(HISTORY_LATEST, id("m3"), ANY, 100), "m5 m11");
	assert_string_equal(CHAN(HISTORY_LATEST, at(3), ANY, 100), "m5 m11");
	assert_string_equal(CHAN(HISTORY_BEFORE, id("m11"), ANY, 2), "m3 m5");
	assert_string_equal(CHAN(HISTORY_BEFORE, at(5), ANY, 9), "m1 m3");
	assert_string_equal(CHAN(HISTORY_AFTER, id("m1"), ANY, 2), "m3 m5");
	assert_string_equal(CHAN(HISTORY_AFTER, at(5), ANY, 9), "m11");
	assert_string_equal(CHAN(HISTORY_AROUND, id("m5"), ANY, 3), "m3 m5 m11");
	assert_string_equal(CHAN(HISTORY_AROUND, at(4), ANY, 2), "m3 m5");
	assert_string_equal(CHAN(HISTORY_BETWEEN, id("m1"), id("m11"), 9), "m3 m5");
	assert_string_equal(CHAN(HISTORY_BETWEEN, id("m11"), at(0), 2), "m3 m5");
	assert_string_equal(CHAN(HISTORY_BETWEEN, at(0), id("m11"), 2), "m1 m3");
	/* A msgid of another conversation is no msgid here. */
	assert_string_equal(CHAN(HISTORY_BEFORE, id("m2"), ANY, 9), "status -2");
	/* Events only when asked. */
	assert_string_equal(query(bk, "#a", "", "", HISTORY_LATEST, star, ANY, 2, true),
	    "m9 m11");
}

static void
test_private_ends(void **state)
{
	struct fs_backend	*bk = *state;
	struct history_point	 star = { INT64_MIN, "" };

	append(bk, 11);
	assert_string_equal(query(bk, "", "s:x", "y", HISTORY_LATEST, star, ANY, 9,
	    false), "m7 m8");
	assert_string_equal(query(bk, "", "s:y", "x", HISTORY_LATEST, star, ANY, 9,
	    false), "m7 m8");
	/* Another identity under the same nick, or another peer: nothing. */
	assert_string_equal(query(bk, "", "s:x2", "y", HISTORY_LATEST, star, ANY, 9,
	    false), "");
	assert_string_equal(query(bk, "", "s:x", "n", HISTORY_LATEST, star, ANY, 9,
	    false), "");
	assert_string_equal(query(bk, "", "s:x", "y", HISTORY_BEFORE, id("m8"), ANY, 9,
	    false), "m7");
}

static void
test_targets(void **state)
{
	struct fs_backend	*bk = *state;
	struct job		*job;
	struct history_targets	*t;

	append(bk, 11);
	job = fs_job_of(JOB_HISTORY_TARGETS);
	t = &job->in.targets;
	strcpy(t->ident, "s:x");
	t->from = T(0);
	t->to = T(100);
	t->limit = 10;
	t->nchannels = 2;
	strcpy(t->channels[0], "#a");
	strcpy(t->channels[1], "#b");
	assert_int_equal(fs_run(bk, job), 0);
	assert_int_equal(job->result.lines.n, 3);
	/* Latest first; the event at second 9 does not count for #a. */
	assert_string_equal(job->result.lines.v[0].channel, "#a");
	assert_int_equal(job->result.lines.v[0].time, T(11));
	assert_string_equal(job->result.lines.v[1].channel, "#b");
	assert_int_equal(job->result.lines.v[1].time, T(10));
	assert_string_equal(job->result.lines.v[2].from_nick, "y");
	assert_int_equal(job->result.lines.v[2].time, T(8));
	free(job->result.lines.v);
}

static int
redact(struct fs_backend *bk, const char *channel, const char *author, const char *msgid)
{
	struct job	*job = fs_job_of(JOB_HISTORY_REDACT);

	strcpy(job->in.redact.channel, channel);
	strcpy(job->in.redact.author, author);
	strcpy(job->in.redact.msgid, msgid);
	return fs_run(bk, job);
}

static void
test_redact(void **state)
{
	struct fs_backend	*bk = *state;
	struct history_point	 star = { INT64_MIN, "" };

	append(bk, 11);
	assert_int_equal(redact(bk, "#b", "s:n", "m4"), -EPERM);
	assert_int_equal(redact(bk, "#b", "s:z", "m4"), 0);
	assert_int_equal(redact(bk, "#b", "", "m6"), 0);
	assert_int_equal(redact(bk, "#b", "", "m6"), -ENOENT);
	assert_int_equal(redact(bk, "#a", "", "m2"), -ENOENT);
	assert_string_equal(query(bk, "#b", "", "", HISTORY_LATEST, star, ANY, 9, false),
	    "m2 m10");
}

static void
test_rename(void **state)
{
	struct fs_backend	*bk = *state;
	struct history_point	 star = { INT64_MIN, "" };
	struct job		*job;

	append(bk, 11);
	job = fs_job_of(JOB_HISTORY_RENAME);
	strcpy(job->in.rename.from, "#b");
	strcpy(job->in.rename.to, "#z");
	assert_int_equal(fs_run(bk, job), 0);
	assert_string_equal(query(bk, "#z", "", "", HISTORY_LATEST, star, ANY, 9, false),
	    "m2 m4 m6 m10");
	assert_string_equal(query(bk, "#b", "", "", HISTORY_LATEST, star, ANY, 9, false),
	    "");
}

static size_t
prune(struct fs_backend *bk, int64_t before, unsigned limit, unsigned max_lines,
    const char *channel)
{
	struct job	*job = fs_job_of(JOB_HISTORY_PRUNE);
	history_name	 chans[1];

	job->in.prune.before = before;
	job->in.prune.limit = limit;
	job->in.prune.max_lines = max_lines;
	if (channel != NULL) {
		strcpy(chans[0], channel);
		job->in.prune.channels = chans;
		job->in.prune.nchannels = 1;
	}
	assert_int_equal(fs_run(bk, job), 0);
	return job->result.count;
}

static void
test_retention(void **state)
{
	struct fs_backend	*bk = *state;
	struct history_point	 star = { INT64_MIN, "" };

	append(bk, 11);
	/* By age, in batches of at most limit. */
	assert_int_equal(prune(bk, T(4), 2, 0, NULL), 2);
	assert_int_equal(prune(bk, T(4), 2, 0, NULL), 1);
	assert_int_equal(prune(bk, T(4), 2, 0, NULL), 0);
	assert_string_equal(CHAN(HISTORY_LATEST, star, ANY, 100), "m5 m11");
	/* By lines: #a keeps its newest two rows, events included (m9, m11). */
	assert_int_equal(prune(bk, INT64_MIN, 100, 2, "#a"), 1);
	assert_string_equal(query(bk, "#a", "", "", HISTORY_LATEST, star, ANY, 9, true),
	    "m9 m11");
	assert_string_equal(query(bk, "#b", "", "", HISTORY_LATEST, star, ANY, 9, false),
	    "m4 m6 m10");
}

static int64_t	loaded_time;

static int
visit_marker(void *arg, const struct history_marker *m)
{
	(void)arg;
	if (strcmp(m->account, "acc") == 0 && strcmp(m->target, "#a") == 0)
		loaded_time = m->time;
	return 0;
}

static int64_t
marker_set(struct fs_backend *bk, int64_t time)
{
	struct job	*job = fs_job_of(JOB_MARKER_SET);

	strcpy(job->in.marker.account, "acc");
	strcpy(job->in.marker.target, "#a");
	job->in.marker.time = time;
	assert_int_equal(fs_run(bk, job), 0);
	return job->result.marker.time;
}

static void
test_markers(void **state)
{
	struct fs_backend		*bk = *state;
	const struct store_visitor	 v = { NULL, NULL, NULL, visit_marker, NULL,
	    NULL };

	assert_int_equal(marker_set(bk, T(5)), T(5));
	/* Never back. */
	assert_int_equal(marker_set(bk, T(3)), T(5));
	assert_int_equal(marker_set(bk, T(8)), T(8));
	loaded_time = 0;
	assert_int_equal(bk->ops->load(bk->st, &v, NULL), 0);
	assert_int_equal(loaded_time, T(8));
}

#define CASES(backend) \
	cmocka_unit_test_prestate_setup_teardown(test_selectors, fs_setup, fs_teardown, \
	    backend), \
	cmocka_unit_test_prestate_setup_teardown(test_private_ends, fs_setup, \
	    fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_targets, fs_setup, fs_teardown, \
	    backend), \
	cmocka_unit_test_prestate_setup_teardown(test_redact, fs_setup, fs_teardown, \
	    backend), \
	cmocka_unit_test_prestate_setup_teardown(test_retention, fs_setup, fs_teardown, \
	    backend), \
	cmocka_unit_test_prestate_setup_teardown(test_rename, fs_setup, fs_teardown, \
	    backend), \
	cmocka_unit_test_prestate_setup_teardown(test_markers, fs_setup, fs_teardown, \
	    backend)

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		CASES(&fs_memory),
		CASES(&fs_sqlite),
		CASES(&fs_jetstream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
