/*
 * History through the core and the fixture's memory store: what is kept (one record a
 * message, one append job a turn), CHATHISTORY's selectors and batches, privacy of
 * private lines, the replay on JOIN, +W, REDACT, MARKREAD and every FAIL for bad
 * input.  Exact bytes throughout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/job.h"
#include "core/tags.h"
#include "fixture_core.h"

/* The fixture's wall clock at its start, and a second on (fx_advance(1000)). */
#define T0	"2023-11-14T22:13:20.000Z"
#define T1	"2023-11-14T22:13:21.000Z"
#define T2	"2023-11-14T22:13:22.000Z"
#define T3	"2023-11-14T22:13:23.000Z"
#define HCAPS	"draft/chathistory batch server-time message-tags"
#define BOB	":bob!u@127.0.0.1"

static unsigned
client_caps(struct fx *fx, const char *nick, const char *caps)
{
	unsigned	c = fx_connect(fx);
	char		line[256];

	snprintf(line, sizeof(line), "CAP REQ :%s", caps);
	fx_line(fx, c, line);
	snprintf(line, sizeof(line), "NICK %s", nick);
	fx_line(fx, c, line);
	fx_line(fx, c, "USER u 0 * :Real Name");
	fx_line(fx, c, "CAP END");
	if (strstr(fx_take(fx, c), " 001 ") == NULL)
		abort();
	return c;
}

/* alice (with HCAPS) and bob (plain) in #c; bob says one, two, three a second apart,
 * from T1 on. */
static struct fx *
three_lines(unsigned *a, unsigned *b, void (*edit)(struct core_config *))
{
	struct fx	*fx = fx_new(edit);

	*a = client_caps(fx, "alice", HCAPS);
	*b = fx_client(fx, "bob");
	fx_line(fx, *a, "JOIN #c");
	fx_line(fx, *b, "JOIN #c");
	fx_advance(fx, 1000);
	fx_line(fx, *b, "PRIVMSG #c :one");
	fx_advance(fx, 1000);
	fx_line(fx, *b, "PRIVMSG #c :two");
	fx_advance(fx, 1000);
	fx_line(fx, *b, "PRIVMSG #c :three");
	fx_advance(fx, 0);
	fx_drain(fx);
	return fx;
}

static void
test_latest_and_before(void **state)
{
	unsigned	 a, b;
	struct fx	*fx = three_lines(&a, &b, NULL);

	(void)state;
	fx_line(fx, a, "CHATHISTORY LATEST #C * 2");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T3 " :irc.localhost BATCH +h1 chathistory #c\r\n"
	    "@batch=h1;time=" T2 ";msgid=0-2 " BOB " PRIVMSG #c two\r\n"
	    "@batch=h1;time=" T3 ";msgid=0-3 " BOB " PRIVMSG #c three\r\n"
	    "@time=" T3 " :irc.localhost BATCH -h1\r\n");
	/* labeled-response: the batch itself carries the label. */
	fx_line(fx, a, "CAP REQ labeled-response");
	fx_drain(fx);
	fx_line(fx, a, "@label=q1 CHATHISTORY LATEST #c * 1");
	assert_string_equal(fx_take(fx, a),
	    "@label=q1;time=" T3 " :irc.localhost BATCH +h2 chathistory #c\r\n"
	    "@batch=h2;time=" T3 ";msgid=0-3 " BOB " PRIVMSG #c three\r\n"
	    "@time=" T3 " :irc.localhost BATCH -h2\r\n");
	fx_line(fx, a, "CHATHISTORY BEFORE #c msgid=0-3 5");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T3 " :irc.localhost BATCH +h3 chathistory #c\r\n"
	    "@batch=h3;time=" T1 ";msgid=0-1 " BOB " PRIVMSG #c one\r\n"
	    "@batch=h3;time=" T2 ";msgid=0-2 " BOB " PRIVMSG #c two\r\n"
	    "@time=" T3 " :irc.localhost BATCH -h3\r\n");
	fx_free(fx);
}

static void
test_after_around_between(void **state)
{
	unsigned	 a, b;
	struct fx	*fx = three_lines(&a, &b, NULL);

	(void)state;
	fx_line(fx, a, "CHATHISTORY AFTER #c timestamp=" T1 " 1");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T3 " :irc.localhost BATCH +h1 chathistory #c\r\n"
	    "@batch=h1;time=" T2 ";msgid=0-2 " BOB " PRIVMSG #c two\r\n"
	    "@time=" T3 " :irc.localhost BATCH -h1\r\n");
	fx_line(fx, a, "CHATHISTORY AROUND #c msgid=0-2 2");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T3 " :irc.localhost BATCH +h2 chathistory #c\r\n"
	    "@batch=h2;time=" T1 ";msgid=0-1 " BOB " PRIVMSG #c one\r\n"
	    "@batch=h2;time=" T2 ";msgid=0-2 " BOB " PRIVMSG #c two\r\n"
	    "@time=" T3 " :irc.localhost BATCH -h2\r\n");
	/* From the later end backwards: the line next to it. */
	fx_line(fx, a, "CHATHISTORY BETWEEN #c msgid=0-3 timestamp=" T0 " 1");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T3 " :irc.localhost BATCH +h3 chathistory #c\r\n"
	    "@batch=h3;time=" T2 ";msgid=0-2 " BOB " PRIVMSG #c two\r\n"
	    "@time=" T3 " :irc.localhost BATCH -h3\r\n");
	fx_line(fx, a, "CHATHISTORY BETWEEN #c timestamp=" T0 " msgid=0-3 5");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T3 " :irc.localhost BATCH +h4 chathistory #c\r\n"
	    "@batch=h4;time=" T1 ";msgid=0-1 " BOB " PRIVMSG #c one\r\n"
	    "@batch=h4;time=" T2 ";msgid=0-2 " BOB " PRIVMSG #c two\r\n"
	    "@time=" T3 " :irc.localhost BATCH -h4\r\n");
	fx_free(fx);
}

/* The lines of a turn go to the store as one job, one record a message. */
static void
test_one_append_a_turn(void **state)
{
	unsigned	 a, b;
	struct fx	*fx = three_lines(&a, &b, NULL);

	(void)state;
	fx->hold_jobs = true;
	fx_line(fx, b, "PRIVMSG #c :four");
	fx_line(fx, b, "PRIVMSG #c,alice :five");
	assert_int_equal(fx->njobs, 0);
	fx_advance(fx, 0);
	assert_int_equal(fx->njobs, 1);
	assert_int_equal(fx->jobs[0]->kind, JOB_HISTORY_APPEND);
	assert_int_equal(fx->jobs[0]->in.append.n, 3);
	assert_string_equal(fx->jobs[0]->in.append.v[2].line,
	    BOB " PRIVMSG alice five");
	assert_int_equal(fx_jobs_run(fx), 1);
	fx_free(fx);
}

static void
no_flood(struct core_config *cfg)
{
	cfg->flood_burst = 0;
}

/* While an append is in flight, the next turns' lines gather into one batch, sent when
 * it is done; past a full buffer they are not kept, so a store that falls behind
 * cannot make the server grow. */
static void
test_store_behind(void **state)
{
	unsigned	 a, b;
	struct fx	*fx = three_lines(&a, &b, no_flood);
	char		 line[64];

	(void)state;
	fx->hold_jobs = true;
	fx_line(fx, b, "PRIVMSG #c :four");
	fx_advance(fx, 0);
	assert_int_equal(fx->njobs, 1);
	for (int i = 0; i < 4096 + 5; i++) {
		snprintf(line, sizeof(line), "PRIVMSG #c :l%d", i);
		fx_line(fx, b, line);
	}
	fx_advance(fx, 0);
	assert_int_equal(fx->njobs, 1);
	assert_int_equal(fx->jobs[0]->in.append.n, 1);
	fx_take(fx, a);
	/* The first append, then the gathered batch: a full buffer, l4096 on not kept. */
	assert_int_equal(fx_jobs_run(fx), 2);
	fx->hold_jobs = false;
	fx_line(fx, a, "CHATHISTORY LATEST #c * 1");
	assert_non_null(strstr(fx_take(fx, a), BOB " PRIVMSG #c l4095\r\n"));
	fx_free(fx);
}

static void
test_private_is_private(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "alice", HCAPS);
	unsigned	 b = fx_client(fx, "bob");
	unsigned	 c, e;

	(void)state;
	fx_line(fx, b, "PRIVMSG alice :psst");
	fx_line(fx, a, "PRIVMSG bob :hush");
	fx_drain(fx);
	fx_line(fx, a, "CHATHISTORY LATEST Bob * 10");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T0 " :irc.localhost BATCH +h1 chathistory bob\r\n"
	    "@batch=h1;time=" T0 ";msgid=0-1 " BOB " PRIVMSG alice psst\r\n"
	    "@batch=h1;time=" T0 ";msgid=0-2 :alice!u@127.0.0.1 PRIVMSG bob hush\r\n"
	    "@time=" T0 " :irc.localhost BATCH -h1\r\n");
	/* bob leaves; a stranger takes the nick and asks for the same conversation. */
	fx_drop(fx, b, "gone");
	c = client_caps(fx, "bob", HCAPS);
	fx_line(fx, c, "CHATHISTORY LATEST alice * 10");
	assert_string_equal(fx_take(fx, c),
	    "@time=" T0 " :irc.localhost BATCH +h2 chathistory alice\r\n"
	    "@time=" T0 " :irc.localhost BATCH -h2\r\n");
	/* Nor does a third party read it, whichever end it names. */
	e = client_caps(fx, "eve", HCAPS);
	fx_line(fx, e, "CHATHISTORY LATEST bob * 10");
	assert_string_equal(fx_take(fx, e),
	    "@time=" T0 " :irc.localhost BATCH +h3 chathistory bob\r\n"
	    "@time=" T0 " :irc.localhost BATCH -h3\r\n");
	fx_free(fx);
}

static void
test_channel_needs_membership(void **state)
{
	unsigned	 a, b;
	struct fx	*fx = three_lines(&a, &b, NULL);
	unsigned	 o = client_caps(fx, "outsider", HCAPS);

	(void)state;
	fx_line(fx, o, "CHATHISTORY LATEST #c * 10");
	assert_string_equal(fx_take(fx, o),
	    "@time=" T3 " :irc.localhost FAIL CHATHISTORY INVALID_TARGET LATEST #c "
	    ":Messages could not be retrieved\r\n");
	fx_free(fx);
}

static void
test_bad_input(void **state)
{
	unsigned	 a, b;
	struct fx	*fx = three_lines(&a, &b, NULL);
	static const struct {
		const char	*line;
		const char	*reply;
	} cases[] = {
		{ "CHATHISTORY", "NEED_MORE_PARAMS * :Missing parameters" },
		{ "CHATHISTORY LATEST #c *", "NEED_MORE_PARAMS LATEST :Missing parameters" },
		{ "CHATHISTORY SIDEWAYS #c * 1", "UNKNOWN_COMMAND SIDEWAYS :Unknown subcommand" },
		{ "CHATHISTORY BEFORE #c * 1", "INVALID_PARAMS BEFORE :Bad message reference "
		    "or limit" },
		{ "CHATHISTORY LATEST #c * 0", "INVALID_PARAMS LATEST :Bad message reference "
		    "or limit" },
		{ "CHATHISTORY LATEST #c * 99999999999", "INVALID_PARAMS LATEST :Bad message "
		    "reference or limit" },
		{ "CHATHISTORY AFTER #c timestamp=2023-13-01T00:00:00.000Z 5",
		    "INVALID_PARAMS AFTER :Bad message reference or limit" },
		{ "CHATHISTORY AFTER #c msgid= 5", "INVALID_PARAMS AFTER :Bad message "
		    "reference or limit" },
		{ "CHATHISTORY LATEST #nowhere * 5", "INVALID_TARGET LATEST #nowhere "
		    ":Messages could not be retrieved" },
		{ "CHATHISTORY LATEST bad,nick * 5", "INVALID_TARGET LATEST bad,nick "
		    ":Messages could not be retrieved" },
		{ "CHATHISTORY TARGETS * * 5", "INVALID_PARAMS TARGETS :TARGETS takes two "
		    "timestamps and a limit" },
		{ "CHATHISTORY TARGETS msgid=0-1 timestamp=" T0 " 5", "INVALID_PARAMS "
		    "TARGETS :TARGETS takes two timestamps and a limit" },
	};
	char		 want[512], when[32];
	int64_t		 wall = 1700000000000LL + 3000 - fx->now;	/* at T3 */

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fx_advance(fx, 10000);	/* past the flood cost of the last one */
		fx_line(fx, a, cases[i].line);
		tags_time_format(when, sizeof(when), wall + fx->now);
		snprintf(want, sizeof(want),
		    "@time=%s :irc.localhost FAIL CHATHISTORY %s\r\n", when, cases[i].reply);
		assert_string_equal(fx_take(fx, a), want);
	}
	fx_free(fx);
}

/* A limit above CHATHISTORY=n is cut to n; an unknown msgid is an empty batch. */
static void
set_query_max(struct core_config *cfg)
{
	cfg->history_query_max = 1;
}

static void
test_limits(void **state)
{
	unsigned	 a, b;
	struct fx	*fx = three_lines(&a, &b, set_query_max);

	(void)state;
	fx_line(fx, a, "CHATHISTORY LATEST #c * 1000");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T3 " :irc.localhost BATCH +h1 chathistory #c\r\n"
	    "@batch=h1;time=" T3 ";msgid=0-3 " BOB " PRIVMSG #c three\r\n"
	    "@time=" T3 " :irc.localhost BATCH -h1\r\n");
	fx_line(fx, a, "CHATHISTORY BEFORE #c msgid=nope 1");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T3 " :irc.localhost BATCH +h2 chathistory #c\r\n"
	    "@time=" T3 " :irc.localhost BATCH -h2\r\n");
	fx_free(fx);
}

static void
set_join_replay(struct core_config *cfg)
{
	cfg->history_join_replay = 2;
}

static void
test_join_replay(void **state)
{
	unsigned	 a, b, c, d;
	struct fx	*fx = three_lines(&a, &b, set_join_replay);

	(void)state;
	c = client_caps(fx, "carol", "server-time");
	fx_line(fx, c, "JOIN #c");
	assert_string_equal(fx_take(fx, c),
	    "@time=" T3 " :carol!u@127.0.0.1 JOIN #c\r\n"
	    "@time=" T3 " :irc.localhost 353 carol = #c :@alice bob carol\r\n"
	    "@time=" T3 " :irc.localhost 366 carol #c :End of /NAMES list\r\n"
	    "@time=" T2 " " BOB " PRIVMSG #c two\r\n"
	    "@time=" T3 " " BOB " PRIVMSG #c three\r\n");
	d = client_caps(fx, "dave", "batch");
	fx_line(fx, d, "JOIN #c");
	assert_string_equal(fx_take(fx, d),
	    ":dave!u@127.0.0.1 JOIN #c\r\n"
	    ":irc.localhost 353 dave = #c :@alice bob carol dave\r\n"
	    ":irc.localhost 366 dave #c :End of /NAMES list\r\n"
	    ":irc.localhost BATCH +h1 chathistory #c\r\n"
	    "@batch=h1 " BOB " PRIVMSG #c two\r\n"
	    "@batch=h1 " BOB " PRIVMSG #c three\r\n"
	    ":irc.localhost BATCH -h1\r\n");
	/* A chathistory client asks for itself: no replay. */
	fx_line(fx, a, "PART #c");
	fx_drain(fx);
	fx_line(fx, a, "JOIN #c");
	assert_null(strstr(fx_take(fx, a), "PRIVMSG"));
	fx_free(fx);
}

/* A message to a channel's operators alone (STATUSMSG) is not the channel's history. */
static void
test_statusmsg_not_kept(void **state)
{
	unsigned	 a, b;
	struct fx	*fx = three_lines(&a, &b, NULL);

	(void)state;
	fx_line(fx, b, "PRIVMSG @#c :ops only");
	fx_advance(fx, 0);
	fx_drain(fx);
	fx_line(fx, b, "JOIN #d");
	fx_drain(fx);
	fx_line(fx, a, "CHATHISTORY LATEST #c * 1");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T3 " :irc.localhost BATCH +h1 chathistory #c\r\n"
	    "@batch=h1;time=" T3 ";msgid=0-3 " BOB " PRIVMSG #c three\r\n"
	    "@time=" T3 " :irc.localhost BATCH -h1\r\n");
	fx_free(fx);
}

/* A draft/multiline message is kept as its fallback lines, blank ones left out. */
static void
test_multiline_kept(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "alice", HCAPS " draft/multiline");

	(void)state;
	fx_line(fx, a, "JOIN #m");
	fx_line(fx, a, "BATCH +x1 draft/multiline #m");
	fx_line(fx, a, "@batch=x1 PRIVMSG #m hello");
	fx_line(fx, a, "@batch=x1 PRIVMSG #m :");
	fx_line(fx, a, "@batch=x1 PRIVMSG #m :world");
	fx_line(fx, a, "BATCH -x1");
	fx_drain(fx);
	fx_line(fx, a, "CHATHISTORY LATEST #m * 10");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T0 " :irc.localhost BATCH +h1 chathistory #m\r\n"
	    "@batch=h1;time=" T0 ";msgid=0-1 :alice!u@127.0.0.1 PRIVMSG #m hello\r\n"
	    "@batch=h1;time=" T0 ";msgid=0-1-1 :alice!u@127.0.0.1 PRIVMSG #m world\r\n"
	    "@time=" T0 " :irc.localhost BATCH -h1\r\n");
	fx_free(fx);
}

/* RENAME: the channel's history follows it to its new name. */
static void
test_rename(void **state)
{
	unsigned	 a, b;
	struct fx	*fx = three_lines(&a, &b, NULL);

	(void)state;
	fx_line(fx, a, "RENAME #c #new :moving");
	fx_drain(fx);
	fx_line(fx, a, "CHATHISTORY LATEST #new * 1");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T3 " :irc.localhost BATCH +h1 chathistory #new\r\n"
	    "@batch=h1;time=" T3 ";msgid=0-3 " BOB " PRIVMSG #c three\r\n"
	    "@time=" T3 " :irc.localhost BATCH -h1\r\n");
	fx_free(fx);
}

/* +W: nothing said in the channel is kept. */
static void
test_no_history_mode(void **state)
{
	unsigned	 a, b;
	struct fx	*fx = three_lines(&a, &b, NULL);

	(void)state;
	fx_line(fx, a, "MODE #c +W");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T3 " :alice!u@127.0.0.1 MODE #c +W\r\n");
	fx_line(fx, b, "PRIVMSG #c :off the record");
	fx_advance(fx, 0);
	fx_drain(fx);
	fx_line(fx, a, "CHATHISTORY LATEST #c * 1");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T3 " :irc.localhost BATCH +h1 chathistory #c\r\n"
	    "@batch=h1;time=" T3 ";msgid=0-3 " BOB " PRIVMSG #c three\r\n"
	    "@time=" T3 " :irc.localhost BATCH -h1\r\n");
	fx_free(fx);
}

static void
test_redact(void **state)
{
	unsigned	 a, b;
	struct fx	*fx = three_lines(&a, &b, NULL);
	unsigned	 c = client_caps(fx, "carol", "draft/message-redaction");

	(void)state;
	fx_line(fx, c, "JOIN #c");
	fx_drain(fx);
	/* carol is no operator, and the line is bob's. */
	fx_line(fx, c, "REDACT #c 0-2");
	assert_string_equal(fx_take(fx, c), ":irc.localhost FAIL REDACT "
	    "REDACT_FORBIDDEN #c 0-2 :You may not redact that message\r\n");
	fx_line(fx, b, "REDACT #c 0-2 :a typo, and a reason longer than sixty-three bytes "
	    "to see it whole");
	assert_string_equal(fx_take(fx, c), BOB " REDACT #c 0-2 :a typo, and a reason "
	    "longer than sixty-three bytes to see it whole\r\n");
	assert_string_equal(fx_take(fx, a), "");
	fx_line(fx, b, "REDACT #c 0-2");
	assert_string_equal(fx_take(fx, b), ":irc.localhost FAIL REDACT "
	    "UNKNOWN_MSGID #c 0-2 :No such message\r\n");
	/* The operator redacts anyone's. */
	fx_line(fx, a, "REDACT #c 0-1");
	assert_string_equal(fx_take(fx, c), ":alice!u@127.0.0.1 REDACT #c 0-1\r\n");
	fx_line(fx, a, "CHATHISTORY LATEST #c * 10");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T3 " :irc.localhost BATCH +h1 chathistory #c\r\n"
	    "@batch=h1;time=" T3 ";msgid=0-3 " BOB " PRIVMSG #c three\r\n"
	    "@time=" T3 " :irc.localhost BATCH -h1\r\n");
	fx_line(fx, c, "REDACT #elsewhere 0-3");
	assert_string_equal(fx_take(fx, c), ":irc.localhost FAIL REDACT "
	    "INVALID_TARGET #elsewhere :You cannot redact messages there\r\n");
	fx_free(fx);
}

static void
test_markread_anonymous_and_bad(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "alice", "draft/read-marker");

	(void)state;
	fx_line(fx, a, "MARKREAD #c");
	assert_string_equal(fx_take(fx, a), ":irc.localhost MARKREAD #c *\r\n");
	fx_line(fx, a, "MARKREAD");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost FAIL MARKREAD NEED_MORE_PARAMS :Missing parameters\r\n");
	fx_line(fx, a, "MARKREAD #c yesterday");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost FAIL MARKREAD INVALID_PARAMS #c :Invalid timestamp\r\n");
	/* A JOIN says the marker (none: not logged in) before the names. */
	fx_line(fx, a, "JOIN #c");
	assert_string_equal(fx_take(fx, a),
	    ":alice!u@127.0.0.1 JOIN #c\r\n"
	    ":irc.localhost MARKREAD #c *\r\n"
	    ":irc.localhost 353 alice = #c :@alice\r\n"
	    ":irc.localhost 366 alice #c :End of /NAMES list\r\n");
	fx_line(fx, a, "MARKREAD a,b");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost FAIL MARKREAD INVALID_PARAMS a,b :Invalid target\r\n");
	fx_free(fx);
}

static void
set_max_lines(struct core_config *cfg)
{
	cfg->history_max_lines = 2;
}

static void
set_max_age(struct core_config *cfg)
{
	cfg->history_max_age = 30 * 1000;
}

/* Retention: a channel keeps its newest max_lines; no line outlives max_age. */
static void
test_retention(void **state)
{
	unsigned	 a, b;
	struct fx	*fx = three_lines(&a, &b, set_max_lines);

	(void)state;
	fx_advance(fx, 60 * 1000);
	fx_line(fx, a, "CHATHISTORY LATEST #c * 10");
	assert_string_equal(fx_take(fx, a),
	    "@time=2023-11-14T22:14:23.000Z :irc.localhost BATCH +h1 chathistory #c\r\n"
	    "@batch=h1;time=" T2 ";msgid=0-2 " BOB " PRIVMSG #c two\r\n"
	    "@batch=h1;time=" T3 ";msgid=0-3 " BOB " PRIVMSG #c three\r\n"
	    "@time=2023-11-14T22:14:23.000Z :irc.localhost BATCH -h1\r\n");
	fx_free(fx);
	fx = three_lines(&a, &b, set_max_age);
	fx_line(fx, b, "PRIVMSG #c :four");
	fx_advance(fx, 59 * 1000);
	fx_line(fx, b, "PRIVMSG #c :five");
	fx_advance(fx, 1000);
	fx_drain(fx);
	fx_line(fx, a, "CHATHISTORY LATEST #c * 10");
	assert_string_equal(fx_take(fx, a),
	    "@time=2023-11-14T22:14:23.000Z :irc.localhost BATCH +h1 chathistory #c\r\n"
	    "@batch=h1;time=2023-11-14T22:14:22.000Z;msgid=0-5 " BOB " PRIVMSG #c five"
	    "\r\n"
	    "@time=2023-11-14T22:14:23.000Z :irc.localhost BATCH -h1\r\n");
	fx_free(fx);
}

/* draft/event-playback: JOIN, TOPIC, MODE, KICK, PART, NICK and QUIT come back too,
 * and only for a client that asked for them. */
static void
test_event_playback(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "alice", HCAPS " draft/event-playback");
	unsigned	 b = fx_client(fx, "bob");
	unsigned	 c = fx_client(fx, "carol");

	(void)state;
	fx_line(fx, a, "JOIN #e");
	fx_line(fx, b, "JOIN #e");
	fx_line(fx, c, "JOIN #e");
	fx_line(fx, a, "TOPIC #e :news");
	fx_line(fx, a, "MODE #e +v bob");
	fx_line(fx, a, "KICK #e carol :out");
	fx_line(fx, b, "NICK robert");
	fx_line(fx, b, "PRIVMSG #e :hi");
	fx_line(fx, b, "PART #e :bye");
	fx_drain(fx);
	fx_line(fx, a, "CHATHISTORY LATEST #e * 20");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T0 " :irc.localhost BATCH +h1 chathistory #e\r\n"
	    "@batch=h1;time=" T0 ";msgid=0-e1 :alice!u@127.0.0.1 JOIN #e\r\n"
	    "@batch=h1;time=" T0 ";msgid=0-e2 " BOB " JOIN #e\r\n"
	    "@batch=h1;time=" T0 ";msgid=0-e3 :carol!u@127.0.0.1 JOIN #e\r\n"
	    "@batch=h1;time=" T0 ";msgid=0-e4 :alice!u@127.0.0.1 TOPIC #e news\r\n"
	    "@batch=h1;time=" T0 ";msgid=0-e5 :alice!u@127.0.0.1 MODE #e +v bob\r\n"
	    "@batch=h1;time=" T0 ";msgid=0-e6 :alice!u@127.0.0.1 KICK #e carol out\r\n"
	    "@batch=h1;time=" T0 ";msgid=0-e7 " BOB " NICK robert\r\n"
	    "@batch=h1;time=" T0 ";msgid=0-1 :robert!u@127.0.0.1 PRIVMSG #e hi\r\n"
	    "@batch=h1;time=" T0 ";msgid=0-e8 :robert!u@127.0.0.1 PART #e bye\r\n"
	    "@time=" T0 " :irc.localhost BATCH -h1\r\n");
	fx_line(fx, a, "CAP REQ :-draft/event-playback");
	fx_drain(fx);
	fx_line(fx, a, "CHATHISTORY LATEST #e * 20");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T0 " :irc.localhost BATCH +h2 chathistory #e\r\n"
	    "@batch=h2;time=" T0 ";msgid=0-1 :robert!u@127.0.0.1 PRIVMSG #e hi\r\n"
	    "@time=" T0 " :irc.localhost BATCH -h2\r\n");
	fx_free(fx);
}

/* Typing notices are never kept; other client tags come back as they were sent. */
static void
test_client_tags(void **state)
{
	unsigned	 a, b;
	struct fx	*fx = three_lines(&a, &b, NULL);

	(void)state;
	fx_line(fx, a, "@+typing=active TAGMSG #c");
	fx_line(fx, a, "@+draft/react=x;+typing=done TAGMSG #c");
	fx_advance(fx, 0);
	fx_line(fx, a, "CHATHISTORY LATEST #c * 1");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T3 " :irc.localhost BATCH +h1 chathistory #c\r\n"
	    "@batch=h1;time=" T3 ";msgid=0-5;+draft/react=x :alice!u@127.0.0.1 TAGMSG #c"
	    "\r\n"
	    "@time=" T3 " :irc.localhost BATCH -h1\r\n");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latest_and_before),
		cmocka_unit_test(test_after_around_between),
		cmocka_unit_test(test_one_append_a_turn),
		cmocka_unit_test(test_store_behind),
		cmocka_unit_test(test_private_is_private),
		cmocka_unit_test(test_channel_needs_membership),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_join_replay),
		cmocka_unit_test(test_no_history_mode),
		cmocka_unit_test(test_statusmsg_not_kept),
		cmocka_unit_test(test_multiline_kept),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_markread_anonymous_and_bad),
		cmocka_unit_test(test_client_tags),
		cmocka_unit_test(test_retention),
		cmocka_unit_test(test_event_playback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
