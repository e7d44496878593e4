/*
 * What only the JetStream backend (store_jetstream.h) promises, beyond the cases it
 * shares with the others (test_store.c, test_store_history.c): two nodes on one
 * network see one store, a name can be taken once whichever node asks, every node's
 * history index gets the lines, redactions, renames and caps of every other, an index
 * survives its node's restart and is rebuilt when lost, an always-on user is put back
 * by the node that kept it last alone, a batch fails whole and at once when NATS does
 * not answer, and the store fails its jobs
 * while NATS is away and serves them again once it is back.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture_store.h"

#define T(s)	(1000000LL + (s) * 1000)	/* wall ms of second s */

/* Another node, on the test's network, as a backend the helpers run jobs on. */
static void
peer_open(struct fs_backend *peer, const char *index)
{
	char	err[256];

	memset(peer, 0, sizeof(*peer));
	peer->ops = fs_jetstream.ops;
	peer->st = fs_jetstream_peer("b", index, err, sizeof(err));
	if (peer->st == NULL)
		fail_msg("peer: %s", err);
}

static void
peer_close(struct fs_backend *peer)
{
	peer->ops->close(peer->st);
	peer->st = NULL;
}

/* The test's own node stopped and started again, on its index file. */
static void
node_restart(struct fs_backend *b)
{
	char	err[256];

	b->ops->close(b->st);
	if ((b->st = fs_jetstream_peer("a", b->path, err, sizeof(err))) == NULL)
		fail_msg("restart: %s", err);
}

/* Lines 1..n of #a, at second i, msgid "m<i>", said by s:n; on node b. */
static void
append(struct fs_backend *b, int from, int n)
{
	struct job		*job = fs_job_of(JOB_HISTORY_APPEND);
	struct history_rec	*v = calloc((size_t)n, sizeof(*v));

	assert_non_null(v);
	for (int i = 0; i < n; i++) {
		v[i].time = T(from + i);
		snprintf(v[i].msgid, sizeof(v[i].msgid), "m%d", from + i);
		snprintf(v[i].line, sizeof(v[i].line), ":n!u@h PRIVMSG #a :%d", from + i);
		strcpy(v[i].channel, "#a");
		strcpy(v[i].from_nick, "n");
		strcpy(v[i].from_ident, "s:n");
	}
	job->in.append.v = v;
	job->in.append.n = (size_t)n;
	assert_int_equal(fs_run(b, job), 0);
	free(v);
}

/* #a's latest lines, as msgids, on node b. */
static const char *
latest(struct fs_backend *b, const char *channel)
{
	static char		 out[512];
	struct job		*job = fs_job_of(JOB_HISTORY_QUERY);
	size_t			 off = 0;

	job->in.query.sel = HISTORY_LATEST;
	snprintf(job->in.query.channel, sizeof(job->in.query.channel), "%s", channel);
	job->in.query.a.time = INT64_MIN;
	job->in.query.limit = 20;
	out[0] = '\0';
	if (fs_run(b, job) != 0)
		snprintf(out, sizeof(out), "status %d", job->status);
	for (size_t i = 0; i < job->result.lines.n; i++)
		off += (size_t)snprintf(out + off, sizeof(out) - off, "%s%s",
		    i ? " " : "", job->result.lines.v[i].msgid);
	free(job->result.lines.v);
	return out;
}

/* An account or a channel registered through one node is the other's too, and
 * cannot be registered again through it; a change through either is seen by both. */
static void
test_two_nodes_share_names(void **state)
{
	struct fs_backend	*a = *state, b;
	struct job		*job;

	peer_open(&b, "");
	assert_int_equal(fs_create(a, "Alice"), 0);
	assert_int_equal(fs_create(&b, "alice"), -EEXIST);
	assert_int_equal(fs_by_name(&b, JOB_ACCOUNT_GET, "ALICE"), 0);
	assert_string_equal(fs_job.result.account.name, "Alice");
	assert_int_equal(fs_chan_register(&b, "#Room", "alice"), 0);
	assert_int_equal(fs_chan_register(a, "#room", "Alice"), -EEXIST);
	job = fs_job_of(JOB_ACCOUNT_SET_EMAIL);
	strcpy(job->in.account.name, "alice");
	strcpy(job->in.account.email, "new@example.org");
	assert_int_equal(fs_run(&b, job), 0);
	assert_int_equal(fs_by_name(a, JOB_ACCOUNT_GET, "alice"), 0);
	assert_string_equal(fs_job.result.account.email, "new@example.org");
	/* A fingerprint added through one node finds the account through the other. */
	assert_int_equal(fs_cert(a, JOB_CERT_ADD, "alice", "CAFE01"), 0);
	assert_int_equal(fs_by_name(&b, JOB_ACCOUNT_BY_CERT, "cafe01"), 0);
	assert_string_equal(fs_job.result.account.name, "Alice");
	assert_string_equal(fs_load(&b), "a Alice\nc #Room Alice 10 the topic of #Room\n");
	peer_close(&b);
}

/* A fingerprint's claim that its account does not list (a node stopped between
 * claiming it and writing the account) holds nothing: another account takes it. */
static void
test_stale_claim_is_taken(void **state)
{
	struct fs_backend	*a = *state;

	assert_int_equal(fs_create(a, "alice"), 0);
	/* "ab12" in hex claimed for "ghost" (hex 67686f7374), which does not exist. */
	assert_int_equal(fs_nats_put("certs", "61623132", "67686f7374"), 0);
	assert_int_equal(fs_by_name(a, JOB_ACCOUNT_BY_CERT, "ab12"), -ENOENT);
	assert_int_equal(fs_cert(a, JOB_CERT_ADD, "alice", "AB12"), 0);
	assert_int_equal(fs_by_name(a, JOB_ACCOUNT_BY_CERT, "ab12"), 0);
	assert_string_equal(fs_job.result.account.name, "alice");
	/* A claim its account lists is held. */
	assert_int_equal(fs_create(a, "bob"), 0);
	assert_int_equal(fs_cert(a, JOB_CERT_ADD, "bob", "ab12"), -EEXIST);
}

/* A line stored through one node is in the other's CHATHISTORY at once; a redaction,
 * a rename and a cap made through one reach the other's index. */
static void
test_two_nodes_share_history(void **state)
{
	struct fs_backend	*a = *state, b;
	struct job		*job;
	history_name		 chans[1] = { "#z" };

	peer_open(&b, "");
	append(a, 1, 4);
	assert_string_equal(latest(&b, "#a"), "m1 m2 m3 m4");
	job = fs_job_of(JOB_HISTORY_REDACT);
	strcpy(job->in.redact.channel, "#a");
	strcpy(job->in.redact.msgid, "m2");
	strcpy(job->in.redact.author, "s:n");
	assert_int_equal(fs_run(&b, job), 0);
	assert_string_equal(latest(a, "#a"), "m1 m3 m4");
	job = fs_job_of(JOB_HISTORY_RENAME);
	strcpy(job->in.rename.from, "#a");
	strcpy(job->in.rename.to, "#z");
	assert_int_equal(fs_run(a, job), 0);
	assert_string_equal(latest(&b, "#z"), "m1 m3 m4");
	assert_string_equal(latest(&b, "#a"), "");
	job = fs_job_of(JOB_HISTORY_PRUNE);
	job->in.prune.before = INT64_MIN;
	job->in.prune.limit = 100;
	job->in.prune.max_lines = 1;
	job->in.prune.channels = chans;
	job->in.prune.nchannels = 1;
	assert_int_equal(fs_run(&b, job), 0);
	assert_int_equal(job->result.count, 2);
	assert_string_equal(latest(a, "#z"), "m4");
	peer_close(&b);
}

/* A node that has taken in nothing yet of 2,000 lines just stored elsewhere (most
 * still on the server, none asked for) answers with the newest of them. */
static void
test_catch_up_takes_all(void **state)
{
	struct fs_backend	*a = *state, b;
	char			 want[256];
	size_t			 off = 0;

	peer_open(&b, "");
	for (int i = 0; i < 20; i++)
		append(a, 1 + 100 * i, 100);
	for (int i = 1981; i <= 2000; i++)
		off += (size_t)snprintf(want + off, sizeof(want) - off, "%sm%d",
		    i > 1981 ? " " : "", i);
	assert_string_equal(latest(&b, "#a"), want);
	peer_close(&b);
}

/* A node's index file keeps its place in the stream across the node's restart (no
 * line twice); a node without its file builds it again from the stream. */
static void
test_index_restart_and_rebuild(void **state)
{
	struct fs_backend	*a = *state, b;
	char			 path[128];

	append(a, 1, 3);
	assert_string_equal(latest(a, "#a"), "m1 m2 m3");
	node_restart(a);
	append(a, 4, 1);
	assert_string_equal(latest(a, "#a"), "m1 m2 m3 m4");
	snprintf(path, sizeof(path), "%s/other.db", a->dir);
	peer_open(&b, path);
	assert_string_equal(latest(&b, "#a"), "m1 m2 m3 m4");
	peer_close(&b);
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/other.db%s", a->dir,
		    i == 0 ? "" : i == 1 ? "-wal" : "-shm");
		(void)remove(path);
	}
}

/* An always-on user's presence is loaded by the node that wrote it last, and by no
 * other: a user is put back once in the network. */
static void
test_presence_has_one_node(void **state)
{
	struct fs_backend	*a = *state, b;
	struct job		*job;

	peer_open(&b, "");
	assert_int_equal(fs_create(a, "pia"), 0);
	job = fs_job_of(JOB_PRESENCE_SET);
	strcpy(job->in.presence.account, "pia");
	strcpy(job->in.presence.nick, "pia");
	strcpy(job->in.presence.host, "h");
	assert_int_equal(fs_run(a, job), 0);
	assert_non_null(strstr(fs_load(a), "p pia pia h"));
	assert_null(strstr(fs_load(&b), "p pia"));
	/* Kept by b since: b's alone. */
	job = fs_job_of(JOB_PRESENCE_SET);
	strcpy(job->in.presence.account, "pia");
	strcpy(job->in.presence.nick, "pia_");
	assert_int_equal(fs_run(&b, job), 0);
	assert_non_null(strstr(fs_load(&b), "p pia pia_"));
	assert_null(strstr(fs_load(a), "p pia"));
	peer_close(&b);
}

/* NATS away: jobs fail as a broken disk's do, nothing is written; NATS back: they
 * work again, history included, and nothing stored before was lost. */
static void
test_nats_away_and_back(void **state)
{
	const struct timespec	 tick = { 0, 50 * 1000 * 1000 };
	struct fs_backend	*a = *state;
	int			 rc = -1;

	assert_int_equal(fs_create(a, "kept"), 0);
	append(a, 1, 2);
	assert_int_equal(fs_nats_stop(), 0);
	assert_int_equal(fs_create(a, "lost"), -EIO);
	assert_int_equal(fs_by_name(a, JOB_ACCOUNT_GET, "kept"), -EIO);
	assert_string_equal(latest(a, "#a"), "status -5");
	assert_int_equal(fs_nats_start(), 0);
	/* The client reconnects on its own, within a few of its 50 ms waits. */
	for (int i = 0; i < 200 && rc != 0; i++) {
		if ((rc = fs_create(a, "later")) != 0)
			(void)nanosleep(&tick, NULL);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(fs_by_name(a, JOB_ACCOUNT_GET, "kept"), 0);
	assert_int_equal(fs_by_name(a, JOB_ACCOUNT_GET, "lost"), -ENOENT);
	append(a, 3, 1);
	assert_string_equal(latest(a, "#a"), "m1 m2 m3");
}

/* NATS there but not answering (stopped with SIGSTOP): the first job of a batch
 * fails once its request has waited, and the rest fail without being sent, so that
 * nothing they asked for is written when NATS answers again. */
static void
test_nats_silent_fails_the_batch(void **state)
{
	const struct timespec	 tick = { 0, 50 * 1000 * 1000 };
	struct fs_backend	*a = *state;
	struct job		 jobs[3];
	struct job		*list[3] = { &jobs[0], &jobs[1], &jobs[2] };
	const char		*names[3] = { "first", "second", "third" };
	int			 rc = -1;

	memset(jobs, 0, sizeof(jobs));
	for (int i = 0; i < 3; i++) {
		jobs[i].kind = JOB_ACCOUNT_CREATE;
		jobs[i].status = 1;
		fs_account_fill(&jobs[i].in.account, names[i]);
	}
	assert_int_equal(fs_nats_signal(SIGSTOP), 0);
	a->ops->run(a->st, list, 3);
	assert_int_equal(fs_nats_signal(SIGCONT), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(jobs[i].status, -EIO);
	for (int i = 0; i < 100 && rc != 0; i++)
		if ((rc = fs_create(a, "after")) != 0)
			(void)nanosleep(&tick, NULL);
	assert_int_equal(rc, 0);
	assert_int_equal(fs_by_name(a, JOB_ACCOUNT_GET, "second"), -ENOENT);
	assert_int_equal(fs_by_name(a, JOB_ACCOUNT_GET, "third"), -ENOENT);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_prestate_setup_teardown(test_two_nodes_share_names,
		    fs_setup, fs_teardown, &fs_jetstream),
		cmocka_unit_test_prestate_setup_teardown(test_stale_claim_is_taken,
		    fs_setup, fs_teardown, &fs_jetstream),
		cmocka_unit_test_prestate_setup_teardown(test_two_nodes_share_history,
		    fs_setup, fs_teardown, &fs_jetstream),
		cmocka_unit_test_prestate_setup_teardown(test_catch_up_takes_all,
		    fs_setup, fs_teardown, &fs_jetstream),
		cmocka_unit_test_prestate_setup_teardown(test_index_restart_and_rebuild,
		    fs_setup, fs_teardown, &fs_jetstream),
		cmocka_unit_test_prestate_setup_teardown(test_presence_has_one_node,
		    fs_setup, fs_teardown, &fs_jetstream),
		cmocka_unit_test_prestate_setup_teardown(test_nats_silent_fails_the_batch,
		    fs_setup, fs_teardown, &fs_jetstream),
		cmocka_unit_test_prestate_setup_teardown(test_nats_away_and_back,
		    fs_setup, fs_teardown, &fs_jetstream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
