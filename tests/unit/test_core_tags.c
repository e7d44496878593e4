/*
 * IRCv3 message tags on the wire: server-time, message-tags (client-only tags, msgid,
 * TAGMSG), echo-message, labeled-response with batch, account-tag, tag limits and bad
 * tags.  Each behaviour with and without its capability; exact bytes throughout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tags.h"
#include "fixture_core.h"

/* The fixture's wall clock at its start (fx_new: 1700000000000 ms). */
#define T0	"2023-11-14T22:13:20.000Z"
#define SRC	":a!u@127.0.0.1"

/* Connect and register nick with the capabilities in caps ("" for none), then drop
 * everything received. */
static unsigned
client_caps(struct fx *fx, const char *nick, const char *caps)
{
	unsigned	c = fx_connect(fx);
	char		line[256];

	if (caps[0] != '\0') {
		snprintf(line, sizeof(line), "CAP REQ :%s", caps);
		fx_line(fx, c, line);
	}
	snprintf(line, sizeof(line), "NICK %s", nick);
	fx_line(fx, c, line);
	fx_line(fx, c, "USER u 0 * :Real Name");
	if (caps[0] != '\0')
		fx_line(fx, c, "CAP END");
	if (strstr(fx_take(fx, c), " 001 ") == NULL)
		abort();
	return c;
}

/* Every client joins #c in turn; then all output is dropped. */
static void
join_all(struct fx *fx, const unsigned *cs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fx_line(fx, cs[i], "JOIN #c");
	fx_drain(fx);
}

static void
test_plain_client_gets_plain_lines(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a",
			    "message-tags server-time echo-message batch labeled-response");
	unsigned	 b = client_caps(fx, "b", "");
	unsigned	 cs[] = { a, b };

	(void)state;
	join_all(fx, cs, 2);
	fx_line(fx, a, "@+draft/react=x;label=1 PRIVMSG #c :hi");
	assert_string_equal(fx_take(fx, b), SRC " PRIVMSG #c hi\r\n");
	fx_line(fx, a, "@+draft/typing=active TAGMSG #c");
	assert_string_equal(fx_take(fx, b), "");
	fx_free(fx);
}

static void
test_plain_registration_has_no_tags(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);
	const char	*out;

	(void)state;
	fx_line(fx, c, "NICK a");
	fx_line(fx, c, "USER u 0 * :Real Name");
	out = fx_take(fx, c);
	assert_non_null(strstr(out, " 001 a "));
	assert_int_equal(out[0], ':');
	assert_null(strstr(out, "\n@"));
	fx_line(fx, c, "PING x");
	assert_string_equal(fx_take(fx, c), ":irc.localhost PONG irc.localhost x\r\n");
	fx_free(fx);
}

static void
test_server_time_on_every_line(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", "");
	unsigned	 b = client_caps(fx, "b", "server-time");
	unsigned	 cs[] = { a, b };

	(void)state;
	join_all(fx, cs, 2);
	fx_line(fx, a, "PRIVMSG #c :hi");
	assert_string_equal(fx_take(fx, b), "@time=" T0 " " SRC " PRIVMSG #c hi\r\n");
	/* Milliseconds, and numerics too. */
	fx->now += 1234;
	fx_line(fx, b, "PING x");
	assert_string_equal(fx_take(fx, b),
	    "@time=2023-11-14T22:13:21.234Z :irc.localhost PONG irc.localhost x\r\n");
	fx_free(fx);
}

static void
test_server_time_on_timer_lines(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 b = client_caps(fx, "b", "server-time");

	(void)state;
	/* Idle past ping_interval: the server's PING carries the tick's time. */
	fx_advance(fx, fx->cfg.ping_interval + 1);
	assert_string_equal(fx_take(fx, b),
	    "@time=2023-11-14T22:15:20.001Z PING :irc.localhost\r\n");
	fx_free(fx);
}

static void
test_message_tags_relay_client_tags_and_msgid(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", "message-tags");
	unsigned	 b = client_caps(fx, "b", "message-tags");
	unsigned	 cs[] = { a, b };

	(void)state;
	join_all(fx, cs, 2);
	/* Server tags from a client are not relayed; client-only ones are. */
	fx_line(fx, a, "@+draft/react=lol;msgid=fake;time=1 PRIVMSG #c :hi");
	assert_string_equal(fx_take(fx, b),
	    "@msgid=0-1;+draft/react=lol " SRC " PRIVMSG #c hi\r\n");
	assert_string_equal(fx_take(fx, a), "");
	/* Each message its own msgid; a private one too. */
	fx_line(fx, a, "NOTICE b :yo");
	assert_string_equal(fx_take(fx, b), "@msgid=0-2 " SRC " NOTICE b yo\r\n");
	fx_free(fx);
}

static void
test_msgid_uses_the_seed(void **state)
{
	struct fx	*fx;
	unsigned	 a, b, cs[2];

	(void)state;
	/* The fixture's config has seed 0; a configured one shows in every msgid. */
	fx = fx_new(NULL);
	fx->cfg.msgid_seed = 0xabc;
	core_free(fx->core);
	fx->core = core_new(&fx->cfg, &fx->out);
	a = client_caps(fx, "a", "");
	b = client_caps(fx, "b", "message-tags");
	cs[0] = a;
	cs[1] = b;
	join_all(fx, cs, 2);
	fx_line(fx, a, "PRIVMSG #c :hi");
	assert_string_equal(fx_take(fx, b), "@msgid=abc-1 " SRC " PRIVMSG #c hi\r\n");
	fx_free(fx);
}

static void
test_client_tags_need_message_tags_on_the_sender(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", "");
	unsigned	 b = client_caps(fx, "b", "message-tags");
	unsigned	 cs[] = { a, b };

	(void)state;
	join_all(fx, cs, 2);
	fx_line(fx, a, "@+draft/react=x PRIVMSG #c :hi");
	assert_string_equal(fx_take(fx, b), "@msgid=0-1 " SRC " PRIVMSG #c hi\r\n");
	fx_free(fx);
}

static void
test_tag_values_are_normalised(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", "message-tags");
	unsigned	 b = client_caps(fx, "b", "message-tags");

	(void)state;
	fx_drain(fx);
	/* Valid escapes kept, an unknown one stands for its letter, a lone trailing
	 * backslash is dropped, an empty value is no value, the last of a key counts. */
	fx_line(fx, a, "@+x=a\\sb\\:c\\\\d\\q;+y=;+z=1;+t=end\\;+z=2 PRIVMSG b :hi");
	assert_string_equal(fx_take(fx, b),
	    "@msgid=0-1;+x=a\\sb\\:c\\\\dq;+y;+t=end;+z=2 " SRC " PRIVMSG b hi\r\n");
	fx_free(fx);
}

static void
test_echo_message(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", "echo-message");
	unsigned	 b = client_caps(fx, "b", "");
	unsigned	 cs[] = { a, b };

	(void)state;
	join_all(fx, cs, 2);
	fx_line(fx, a, "PRIVMSG #c :hi");
	assert_string_equal(fx_take(fx, a), SRC " PRIVMSG #c hi\r\n");
	assert_string_equal(fx_take(fx, b), SRC " PRIVMSG #c hi\r\n");
	fx_line(fx, a, "NOTICE b :yo");
	assert_string_equal(fx_take(fx, a), SRC " NOTICE b yo\r\n");
	assert_string_equal(fx_take(fx, b), SRC " NOTICE b yo\r\n");
	/* Without echo-message: no copy back. */
	fx_line(fx, b, "PRIVMSG #c :back");
	assert_string_equal(fx_take(fx, b), "");
	fx_take(fx, a);
	/* No echo of what was refused. */
	fx_line(fx, a, "PRIVMSG nobody :x");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 401 a nobody :No such nick/channel\r\n");
	fx_free(fx);
}

static void
test_echo_carries_the_same_msgid(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", "echo-message message-tags server-time");
	unsigned	 b = client_caps(fx, "b", "message-tags");
	unsigned	 cs[] = { a, b };

	(void)state;
	join_all(fx, cs, 2);
	fx_line(fx, a, "@+draft/reply=0-9 PRIVMSG #c :hi");
	assert_string_equal(fx_take(fx, b),
	    "@msgid=0-1;+draft/reply=0-9 " SRC " PRIVMSG #c hi\r\n");
	assert_string_equal(fx_take(fx, a),
	    "@time=" T0 ";msgid=0-1;+draft/reply=0-9 " SRC " PRIVMSG #c hi\r\n");
	fx_free(fx);
}

static void
test_message_to_self(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", "");
	unsigned	 e = client_caps(fx, "e", "echo-message");

	(void)state;
	fx_line(fx, a, "PRIVMSG a :me");
	assert_string_equal(fx_take(fx, a), SRC " PRIVMSG a me\r\n");
	/* With echo-message, the delivered copy and the echo. */
	fx_line(fx, e, "PRIVMSG e :me");
	assert_string_equal(fx_take(fx, e),
	    ":e!u@127.0.0.1 PRIVMSG e me\r\n:e!u@127.0.0.1 PRIVMSG e me\r\n");
	fx_free(fx);
}

static void
test_tagmsg(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", "message-tags echo-message");
	unsigned	 b = client_caps(fx, "b", "message-tags");
	unsigned	 p = client_caps(fx, "p", "");
	unsigned	 cs[] = { a, b, p };

	(void)state;
	join_all(fx, cs, 3);
	fx_line(fx, a, "@+typing=active TAGMSG #c");
	assert_string_equal(fx_take(fx, b),
	    "@msgid=0-1;+typing=active " SRC " TAGMSG #c\r\n");
	assert_string_equal(fx_take(fx, a),
	    "@msgid=0-1;+typing=active " SRC " TAGMSG #c\r\n");
	assert_string_equal(fx_take(fx, p), "");
	/* To a user: only one with message-tags gets it. */
	fx_line(fx, a, "@+typing=done TAGMSG b,p");
	assert_string_equal(fx_take(fx, b), "@msgid=0-2;+typing=done " SRC " TAGMSG b\r\n");
	assert_string_equal(fx_take(fx, p), "");
	fx_drain(fx);
	fx_line(fx, a, "TAGMSG");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 411 a :No recipient given (TAGMSG)\r\n");
	fx_line(fx, a, "TAGMSG nobody");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 401 a nobody :No such nick/channel\r\n");
	fx_free(fx);
}

static void
test_tagmsg_needs_message_tags(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 p = client_caps(fx, "p", "");
	unsigned	 b = client_caps(fx, "b", "message-tags");
	unsigned	 cs[] = { p, b };

	(void)state;
	join_all(fx, cs, 2);
	fx_line(fx, p, "@+typing=active TAGMSG #c");
	assert_string_equal(fx_take(fx, p),
	    ":irc.localhost 421 p TAGMSG :Unknown command\r\n");
	assert_string_equal(fx_take(fx, b), "");
	fx_free(fx);
}

static void
test_tagmsg_honours_channel_modes(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", "message-tags");
	unsigned	 b = client_caps(fx, "b", "message-tags");

	(void)state;
	fx_line(fx, b, "JOIN #c");
	fx_drain(fx);
	fx_line(fx, a, "TAGMSG #c");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 404 a #c :Cannot send to channel\r\n");
	assert_string_equal(fx_take(fx, b), "");
	fx_free(fx);
}

/* One sender, recipients with every combination of the tag capabilities: each gets its
 * own variant, and the two with the same set get the same bytes. */
static void
test_fanout_variants(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", "message-tags");
	unsigned	 p = client_caps(fx, "p", "");
	unsigned	 t = client_caps(fx, "t", "server-time");
	unsigned	 m = client_caps(fx, "m", "message-tags");
	unsigned	 tm = client_caps(fx, "tm", "server-time message-tags");
	unsigned	 tm2 = client_caps(fx, "tm2", "message-tags server-time account-tag");
	unsigned	 cs[] = { a, p, t, m, tm, tm2 };

	(void)state;
	join_all(fx, cs, 6);
	fx_line(fx, a, "@+k=v PRIVMSG #c :hi");
	assert_string_equal(fx_take(fx, p), SRC " PRIVMSG #c hi\r\n");
	assert_string_equal(fx_take(fx, t), "@time=" T0 " " SRC " PRIVMSG #c hi\r\n");
	assert_string_equal(fx_take(fx, m), "@msgid=0-1;+k=v " SRC " PRIVMSG #c hi\r\n");
	assert_string_equal(fx_take(fx, tm),
	    "@time=" T0 ";msgid=0-1;+k=v " SRC " PRIVMSG #c hi\r\n");
	/* account-tag: nobody is logged in (no accounts yet), so no account tag. */
	assert_string_equal(fx_take(fx, tm2),
	    "@time=" T0 ";msgid=0-1;+k=v " SRC " PRIVMSG #c hi\r\n");
	/* Other fanouts (PART to peers) carry only time: no msgid outside messages. */
	fx_line(fx, a, "PART #c");
	assert_string_equal(fx_take(fx, m), SRC " PART #c\r\n");
	assert_string_equal(fx_take(fx, tm), "@time=" T0 " " SRC " PART #c\r\n");
	fx_free(fx);
}

#define LR	"labeled-response batch"

static void
test_label_single_reply(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", LR);

	(void)state;
	fx_line(fx, a, "@label=abc PING x");
	assert_string_equal(fx_take(fx, a),
	    "@label=abc :irc.localhost PONG irc.localhost x\r\n");
	fx_line(fx, a, "@label=e1 PRIVMSG nobody :x");
	assert_string_equal(fx_take(fx, a),
	    "@label=e1 :irc.localhost 401 a nobody :No such nick/channel\r\n");
	fx_free(fx);
}

static void
test_label_no_reply_is_ack(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", LR " server-time");
	unsigned	 b = client_caps(fx, "b", "");
	unsigned	 cs[] = { a, b };

	(void)state;
	join_all(fx, cs, 2);
	fx_line(fx, a, "@label=q1 PRIVMSG #c :hi");
	assert_string_equal(fx_take(fx, a),
	    "@label=q1;time=" T0 " :irc.localhost ACK\r\n");
	assert_string_equal(fx_take(fx, b), SRC " PRIVMSG #c hi\r\n");
	fx_free(fx);
}

static void
test_label_many_replies_batch(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", LR);

	(void)state;
	fx_line(fx, a, "@label=w1 ISON a b");
	assert_string_equal(fx_take(fx, a), "@label=w1 :irc.localhost 303 a :a\r\n");
	fx_line(fx, a, "@label=j1 JOIN #c");
	assert_string_equal(fx_take(fx, a),
	    "@label=j1 :irc.localhost BATCH +1 labeled-response\r\n"
	    "@batch=1 " SRC " JOIN #c\r\n"
	    "@batch=1 :irc.localhost 353 a = #c :@a\r\n"
	    "@batch=1 :irc.localhost 366 a #c :End of /NAMES list\r\n"
	    ":irc.localhost BATCH -1\r\n");
	/* The next labeled command has a batch of its own. */
	fx_line(fx, a, "@label=j2 JOIN #d");
	assert_non_null(strstr(fx_take(fx, a), "BATCH +2 labeled-response\r\n"));
	fx_free(fx);
}

static void
test_label_only_affects_the_requester(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", LR);
	unsigned	 b = client_caps(fx, "b", LR);

	(void)state;
	fx_line(fx, b, "JOIN #c");
	fx_drain(fx);
	fx_line(fx, a, "@label=x JOIN #c");
	assert_string_equal(fx_take(fx, b), SRC " JOIN #c\r\n");
	fx_free(fx);
}

static void
test_label_needs_batch(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", "labeled-response");
	unsigned	 b = client_caps(fx, "b", "batch");

	(void)state;
	fx_line(fx, a, "@label=abc PING x");
	assert_string_equal(fx_take(fx, a), ":irc.localhost PONG irc.localhost x\r\n");
	fx_line(fx, b, "@label=abc PING x");
	assert_string_equal(fx_take(fx, b), ":irc.localhost PONG irc.localhost x\r\n");
	fx_free(fx);
}

static void
test_label_limits(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", LR);
	unsigned	 s = client_caps(fx, "s", LR " standard-replies");
	char		 line[256];

	(void)state;
	/* 64 bytes: used; escaped on the way back as it came. */
	snprintf(line, sizeof(line), "@label=%064d PING x", 7);
	fx_line(fx, a, line);
	snprintf(line, sizeof(line), "@label=%064d :irc.localhost PONG irc.localhost x\r\n",
	    7);
	assert_string_equal(fx_take(fx, a), line);
	fx_line(fx, a, "@label=a\\sb PING x");
	assert_string_equal(fx_take(fx, a),
	    "@label=a\\sb :irc.localhost PONG irc.localhost x\r\n");
	/* 65 bytes, or empty: ignored, the command still runs. */
	snprintf(line, sizeof(line), "@label=%065d PING x", 7);
	fx_line(fx, a, line);
	assert_string_equal(fx_take(fx, a), ":irc.localhost PONG irc.localhost x\r\n");
	fx_line(fx, a, "@label= PING x");
	assert_string_equal(fx_take(fx, a), ":irc.localhost PONG irc.localhost x\r\n");
	/* With standard-replies, a WARN says why. */
	fx_line(fx, s, "@label PING x");
	assert_string_equal(fx_take(fx, s),
	    ":irc.localhost WARN PING INVALID_LABEL :Labels are 1 to 64 bytes; this one "
	    "was ignored\r\n:irc.localhost PONG irc.localhost x\r\n");
	fx_free(fx);
}

static void
test_label_with_echo(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", LR " echo-message message-tags");
	unsigned	 b = client_caps(fx, "b", "message-tags");
	unsigned	 cs[] = { a, b };

	(void)state;
	join_all(fx, cs, 2);
	fx_line(fx, a, "@label=123;+example=v TAGMSG #c");
	assert_string_equal(fx_take(fx, a),
	    "@label=123;msgid=0-1;+example=v " SRC " TAGMSG #c\r\n");
	assert_string_equal(fx_take(fx, b), "@msgid=0-1;+example=v " SRC " TAGMSG #c\r\n");
	/* To itself: the delivered copy without the label, the echo with it. */
	fx_line(fx, a, "@label=s PRIVMSG a :me");
	assert_string_equal(fx_take(fx, a),
	    "@msgid=0-2 " SRC " PRIVMSG a me\r\n"
	    "@label=s;msgid=0-2 " SRC " PRIVMSG a me\r\n");
	fx_free(fx);
}

static void
test_label_batch_with_error_and_echo(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", LR " echo-message message-tags");
	unsigned	 b = client_caps(fx, "b", "");
	unsigned	 cs[] = { a, b };

	(void)state;
	join_all(fx, cs, 2);
	fx_line(fx, a, "@label=m PRIVMSG nobody,#c :x");
	assert_string_equal(fx_take(fx, a),
	    "@label=m :irc.localhost BATCH +1 labeled-response\r\n"
	    "@batch=1 :irc.localhost 401 a nobody :No such nick/channel\r\n"
	    "@batch=1;msgid=0-1 " SRC " PRIVMSG #c x\r\n"
	    ":irc.localhost BATCH -1\r\n");
	assert_string_equal(fx_take(fx, b), SRC " PRIVMSG #c x\r\n");
	fx_free(fx);
}

static void
test_label_on_quit(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", LR);

	(void)state;
	fx_line(fx, a, "@label=bye QUIT :done");
	assert_string_equal(fx_take(fx, a),
	    "@label=bye ERROR :Closing Link: 127.0.0.1 (Quit: done)\r\n");
	assert_true(fx->conns[a].closed);
	fx_free(fx);
}

static void
test_client_tag_data_limit(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", "message-tags");
	unsigned	 b = client_caps(fx, "b", "message-tags");
	char		*line;
	size_t		 n;

	(void)state;
	/* "@+t=" then value bytes, so the tag data is exactly 4094 bytes. */
	line = malloc(8192);
	assert_non_null(line);
	memcpy(line, "@+t=", 4);
	memset(line + 4, 'v', 4094 - 3);
	n = 4 + 4094 - 3;
	memcpy(line + n, " PRIVMSG b :hi", 15);
	fx_line(fx, a, line);
	assert_non_null(strstr(fx_take(fx, b), " PRIVMSG b hi\r\n"));
	assert_string_equal(fx_take(fx, a), "");
	/* One byte more, counting server tags too: 417, line dropped, still connected. */
	memcpy(line, "@a;+t=", 6);
	memset(line + 6, 'v', 4094 - 4);
	n = 6 + 4094 - 4;
	memcpy(line + n, " PRIVMSG b :hi", 15);
	fx_line(fx, a, line);
	assert_string_equal(fx_take(fx, a), ":irc.localhost 417 a :Input line was too long\r\n");
	assert_string_equal(fx_take(fx, b), "");
	assert_false(fx->conns[a].closed);
	fx_line(fx, a, "PING x");
	assert_string_equal(fx_take(fx, a), ":irc.localhost PONG irc.localhost x\r\n");
	free(line);
	fx_free(fx);
}

static void
test_too_many_tags(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", "message-tags");
	char		 line[1024];
	size_t		 n = 0;

	(void)state;
	line[n++] = '@';
	for (int i = 0; i < 65; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s+t%d", i ? ";" : "", i);
	snprintf(line + n, sizeof(line) - n, " PING x");
	fx_line(fx, a, line);
	assert_string_equal(fx_take(fx, a), ":irc.localhost 417 a :Input line was too long\r\n");
	assert_false(fx->conns[a].closed);
	fx_free(fx);
}

static void
test_malformed_tags(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", "");
	unsigned	 s = client_caps(fx, "s", "standard-replies");

	(void)state;
	fx_line(fx, a, "@=x PING x");
	assert_string_equal(fx_take(fx, a), "");
	fx_line(fx, a, "@a b;c PING x");
	assert_string_equal(fx_take(fx, a), ":irc.localhost 421 a b;c :Unknown command\r\n");
	fx_line(fx, s, "@+a$=1 PING x");
	assert_string_equal(fx_take(fx, s),
	    ":irc.localhost FAIL * INVALID_TAGS :Malformed message tags; the line was "
	    "dropped\r\n");
	fx_line(fx, s, "PING x");
	assert_string_equal(fx_take(fx, s), ":irc.localhost PONG irc.localhost x\r\n");
	assert_false(fx->conns[a].closed);
	fx_free(fx);
}

static void
test_bad_cap_subcommand_keeps_connection(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "a", "");

	(void)state;
	fx_line(fx, a, "CAP FROB");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 410 a FROB :Invalid CAP command\r\n");
	fx_line(fx, a, "CAP REQ :message-tags bogus");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost CAP a NAK :message-tags bogus\r\n");
	fx_line(fx, a, "@+x=1 TAGMSG a");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 421 a TAGMSG :Unknown command\r\n");
	fx_free(fx);
}

static void
test_time_format(void **state)
{
	char	buf[32];

	(void)state;
	assert_int_equal(tags_time_format(buf, sizeof(buf), 0), 24);
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	tags_time_format(buf, sizeof(buf), 1700000000999LL);
	assert_string_equal(buf, "2023-11-14T22:13:20.999Z");
	tags_time_format(buf, sizeof(buf), 1709210096789LL);
	assert_string_equal(buf, "2024-02-29T12:34:56.789Z");
	assert_int_equal(tags_time_format(buf, 10, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_client_gets_plain_lines),
		cmocka_unit_test(test_plain_registration_has_no_tags),
		cmocka_unit_test(test_server_time_on_every_line),
		cmocka_unit_test(test_server_time_on_timer_lines),
		cmocka_unit_test(test_message_tags_relay_client_tags_and_msgid),
		cmocka_unit_test(test_msgid_uses_the_seed),
		cmocka_unit_test(test_client_tags_need_message_tags_on_the_sender),
		cmocka_unit_test(test_tag_values_are_normalised),
		cmocka_unit_test(test_echo_message),
		cmocka_unit_test(test_echo_carries_the_same_msgid),
		cmocka_unit_test(test_message_to_self),
		cmocka_unit_test(test_tagmsg),
		cmocka_unit_test(test_tagmsg_needs_message_tags),
		cmocka_unit_test(test_tagmsg_honours_channel_modes),
		cmocka_unit_test(test_fanout_variants),
		cmocka_unit_test(test_label_single_reply),
		cmocka_unit_test(test_label_no_reply_is_ack),
		cmocka_unit_test(test_label_many_replies_batch),
		cmocka_unit_test(test_label_only_affects_the_requester),
		cmocka_unit_test(test_label_needs_batch),
		cmocka_unit_test(test_label_limits),
		cmocka_unit_test(test_label_with_echo),
		cmocka_unit_test(test_label_batch_with_error_and_echo),
		cmocka_unit_test(test_label_on_quit),
		cmocka_unit_test(test_client_tag_data_limit),
		cmocka_unit_test(test_too_many_tags),
		cmocka_unit_test(test_malformed_tags),
		cmocka_unit_test(test_bad_cap_subcommand_keeps_connection),
		cmocka_unit_test(test_time_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
