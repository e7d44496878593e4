/*
 * The client's connection helpers: HOST[:PORT] parsing, UTF-8 splitting, nick
 * alternatives, line framing and registration (CAP, 433, PING) over a socketpair.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "parley/irc.h"

static void
assert_target(const char *text, const char *host, const char *port)
{
	char	 h[IRC_HOST_MAX], p[IRC_PORT_MAX];

	assert_int_equal(irc_parse_target(text, "6667", h, sizeof(h), p, sizeof(p)), 0);
	assert_string_equal(h, host);
	assert_string_equal(p, port);
}

static void
test_target_forms(void **state)
{
	(void)state;
	assert_target("irc.example.org", "irc.example.org", "6667");
	assert_target("irc.example.org:6697", "irc.example.org", "6697");
	assert_target("127.0.0.1:1", "127.0.0.1", "1");
	assert_target("[::1]:7000", "::1", "7000");
	assert_target("[::1]", "::1", "6667");
	assert_target("::1", "::1", "6667");
	assert_target("fe80::1:2", "fe80::1:2", "6667");
}

static void
test_target_default_port(void **state)
{
	char	 h[IRC_HOST_MAX], p[IRC_PORT_MAX];

	(void)state;
	assert_int_equal(irc_parse_target("h", "6697", h, sizeof(h), p, sizeof(p)), 0);
	assert_string_equal(p, "6697");
	assert_int_equal(irc_parse_target("h:7000", "6697", h, sizeof(h), p, sizeof(p)), 0);
	assert_string_equal(p, "7000");
}

static void
test_target_bad(void **state)
{
	char	 h[IRC_HOST_MAX], p[IRC_PORT_MAX];

	(void)state;
	assert_int_equal(irc_parse_target("", "6667", h, sizeof(h), p, sizeof(p)), -1);
	assert_int_equal(irc_parse_target(":6667", "6667", h, sizeof(h), p, sizeof(p)), -1);
	assert_int_equal(irc_parse_target("host:", "6667", h, sizeof(h), p, sizeof(p)), -1);
	assert_int_equal(irc_parse_target("host:66x", "6667", h, sizeof(h), p, sizeof(p)), -1);
	assert_int_equal(irc_parse_target("host:123456789", "6667", h, sizeof(h), p, sizeof(p)), -1);
	assert_int_equal(irc_parse_target("[::1", "6667", h, sizeof(h), p, sizeof(p)), -1);
	assert_int_equal(irc_parse_target("[::1]x", "6667", h, sizeof(h), p, sizeof(p)), -1);
	assert_int_equal(irc_parse_target("[]:1", "6667", h, sizeof(h), p, sizeof(p)), -1);
	assert_int_equal(irc_parse_target("longhost", "6667", h, 4, p, sizeof(p)), -1);
}

static void
test_split_fits(void **state)
{
	(void)state;
	assert_int_equal(irc_split_len("hello", 5, 5), 5);
	assert_int_equal(irc_split_len("hello", 5, 100), 5);
}

static void
test_split_utf8_boundary(void **state)
{
	/* "aé€" = 61 c3a9 e282ac: a cut at 2, 4 or 5 would break a character. */
	const char	*s = "a\xc3\xa9\xe2\x82\xac";

	(void)state;
	assert_int_equal(irc_split_len(s, 6, 2), 1);
	assert_int_equal(irc_split_len(s, 6, 3), 3);
	assert_int_equal(irc_split_len(s, 6, 4), 3);
	assert_int_equal(irc_split_len(s, 6, 5), 3);
	assert_int_equal(irc_split_len(s + 3, 3, 1), 3);	/* one char at least */
}

static void
test_split_prefers_space(void **state)
{
	(void)state;
	assert_int_equal(irc_split_len("aaaaaaaaaa bcdef", 16, 12), 11);
	/* A space too far back is not worth it: cut mid-word. */
	assert_int_equal(irc_split_len("a bcdefghijk", 12, 10), 10);
}

static void
test_split_covers_everything(void **state)
{
	char	 text[3000];
	size_t	 i, len = 0, n, total = 0;

	(void)state;
	for (i = 0; len + 3 < sizeof(text); i++) {
		memcpy(text + len, i % 7 == 0 ? " " : "\xe2\x82\xac", i % 7 == 0 ? 1 : 3);
		len += i % 7 == 0 ? 1 : 3;
	}
	while (total < len) {
		n = irc_split_len(text + total, len - total, 400);
		assert_true(n > 0 && n <= 400);
		assert_true(((unsigned char)text[total + n] & 0xC0) != 0x80 ||
		    total + n == len);
		total += n;
	}
	assert_int_equal(total, len);
}

static void
test_budget(void **state)
{
	size_t	 b = irc_text_budget("nick", "#chan");

	(void)state;
	/* :nick!user10chars@63-byte-host PRIVMSG #chan :text CR LF fits 512 */
	assert_true(1 + 4 + 1 + 10 + 1 + 63 + 9 + 5 + 2 + b + 2 <= 512);
	assert_true(b > 400);
	assert_true(irc_text_budget("n", "#a") > b);
	assert_true(irc_text_budget("n", "#averyveryveryveryveryveryveryveryveryveryverylong"
	    "channelnamethatgoesonandonandonandonandonandonandonandonandonandonandonandon"
	    "andonandonandonandonandonandonandonandonandonandonandonandonandonandonandon"
	    "andonandonandonandonandonandonandonandonandonandonandonandonandonandonand")
	    >= 16);
}

static void
test_alt_nick(void **state)
{
	char	 buf[IRC_NICK_MAX + 1];

	(void)state;
	irc_alt_nick("bob", 1, buf, sizeof(buf));
	assert_string_equal(buf, "bob_");
	irc_alt_nick("bob", 2, buf, sizeof(buf));
	assert_string_equal(buf, "bob__");
	irc_alt_nick("bob", 3, buf, sizeof(buf));
	assert_string_equal(buf, "bob1");
	irc_alt_nick("parley123", 1, buf, sizeof(buf));	/* 9 bytes: stays within 9 */
	assert_string_equal(buf, "parley12_");
	irc_alt_nick("averylongnick", 2, buf, sizeof(buf));	/* the server allows long */
	assert_string_equal(buf, "averylongnick__");
}

static void
test_source_nick(void **state)
{
	char	 buf[8];

	(void)state;
	irc_source_nick("bob!b@host", buf, sizeof(buf));
	assert_string_equal(buf, "bob");
	irc_source_nick("irc.example.org", buf, sizeof(buf));
	assert_string_equal(buf, "irc.exa");
	irc_source_nick(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

/* -- over a socketpair: fds[0] is the client's, fds[1] the "server" */

static int	 fds[2];
static struct irc irc;

static int
pair_setup(void **state)
{
	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	irc_init(&irc, fds[0], "bob", IRC_CAP_ECHO_MESSAGE | IRC_CAP_SERVER_TIME);
	return 0;
}

static int
pair_teardown(void **state)
{
	(void)state;
	close(fds[0]);
	close(fds[1]);
	return 0;
}

/* What the client sent, all of it so far. */
static const char *
sent(void)
{
	static char	 buf[4096];
	ssize_t		 n;

	n = recv(fds[1], buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Feed one line to irc_handle as if the server had sent it. */
static enum irc_event
feed(const char *text)
{
	static char	 line[1024];
	static struct msg m;

	snprintf(line, sizeof(line), "%s", text);
	assert_int_equal(msg_parse(&m, line, strlen(line)), MSG_OK);
	return irc_handle(&irc, &m);
}

static void
test_register_sends_cap_nick_user(void **state)
{
	(void)state;
	assert_int_equal(irc_register(&irc), 0);
	assert_string_equal(sent(), "CAP LS 302\r\nNICK bob\r\nUSER parley 0 * :parley user\r\n");
}

static void
test_cap_requests_only_wanted_offered(void **state)
{
	(void)state;
	assert_int_equal(feed(":srv CAP * LS * :sasl=PLAIN multi-prefix"), IRC_EV_NONE);
	assert_string_equal(sent(), "");	/* more to come */
	feed(":srv CAP * LS :echo-message server-time=x away-notify");
	assert_string_equal(sent(), "CAP REQ :echo-message server-time\r\n");
	feed(":srv CAP bob ACK :echo-message server-time");
	assert_string_equal(sent(), "CAP END\r\n");
	assert_int_equal(irc.caps, IRC_CAP_ECHO_MESSAGE | IRC_CAP_SERVER_TIME);
}

static void
test_cap_nothing_wanted_ends(void **state)
{
	(void)state;
	feed(":srv CAP * LS :sasl");
	assert_string_equal(sent(), "CAP END\r\n");
	assert_true(irc.cap_done);
	assert_int_equal(irc.caps, 0);
}

static void
test_cap_nak_ends(void **state)
{
	(void)state;
	feed(":srv CAP * LS :echo-message");
	sent();
	feed(":srv CAP * NAK :echo-message");
	assert_string_equal(sent(), "CAP END\r\n");
	assert_int_equal(irc.caps, 0);
}

static void
test_ping_pong(void **state)
{
	(void)state;
	assert_int_equal(feed("PING :tok 1"), IRC_EV_NONE);
	assert_string_equal(sent(), "PONG :tok 1\r\n");
}

static void
test_nick_taken_tries_alternatives(void **state)
{
	int	 i;

	(void)state;
	assert_int_equal(feed(":srv 433 * bob :Nickname is already in use"), IRC_EV_NONE);
	assert_string_equal(sent(), "NICK bob_\r\n");
	for (i = 1; i < IRC_NICK_TRIES; i++)
		assert_int_equal(feed(":srv 433 * x :in use"), IRC_EV_NONE);
	assert_int_equal(feed(":srv 433 * x :in use"), IRC_EV_NICK_REJECTED);
}

static void
test_erroneous_nick_rejected(void **state)
{
	(void)state;
	assert_int_equal(feed(":srv 432 * b@d :Erroneous nickname"), IRC_EV_NICK_REJECTED);
}

static void
test_welcome_sets_nick(void **state)
{
	(void)state;
	assert_int_equal(feed(":srv 001 bob_ :Welcome"), IRC_EV_WELCOME);
	assert_true(irc.registered);
	assert_string_equal(irc.nick, "bob_");
	/* After registration a taken nick is the caller's business. */
	assert_int_equal(feed(":srv 433 bob_ alice :in use"), IRC_EV_PASS);
	assert_string_equal(sent(), "");
}

static void
test_error_and_pass(void **state)
{
	(void)state;
	assert_int_equal(feed("ERROR :Closing link"), IRC_EV_ERROR);
	assert_int_equal(feed(":a!b@c PRIVMSG #x :hi"), IRC_EV_PASS);
}

static void
test_framing(void **state)
{
	char	 line[16];

	(void)state;
	assert_int_equal(write(fds[1], "one\r\ntwo\nthree-is-long\r\npart", 28), 28);
	assert_int_equal(irc_read(&irc), 28);
	assert_int_equal(irc_next_line(&irc, line, sizeof(line)), 3);
	assert_string_equal(line, "one");
	assert_int_equal(irc_next_line(&irc, line, sizeof(line)), 3);
	assert_string_equal(line, "two");
	assert_int_equal(irc_next_line(&irc, line, 6), 5);	/* cut to fit */
	assert_string_equal(line, "three");
	assert_int_equal(irc_next_line(&irc, line, sizeof(line)), -1);
	assert_int_equal(write(fds[1], "ial\n", 4), 4);
	irc_read(&irc);
	assert_int_equal(irc_next_line(&irc, line, sizeof(line)), 7);
	assert_string_equal(line, "partial");
	close(fds[1]);
	fds[1] = -1;
	assert_int_equal(irc_read(&irc), 0);
}

static void
test_send_refuses_overlong(void **state)
{
	char	 big[600];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(irc_send(&irc, "PRIVMSG #c :%s", big), -1);
	assert_string_equal(sent(), "");
}

static void
test_connect_refused(void **state)
{
	char	 err[256];
	bool	 timed_out;

	(void)state;
	/* Port 1 on loopback: nothing listens there in a test environment. */
	assert_int_equal(irc_connect("127.0.0.1", "1", 2000, err, sizeof(err), &timed_out),
	    -1);
	assert_false(timed_out);
	assert_non_null(strstr(err, "cannot connect"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_forms),
		cmocka_unit_test(test_target_bad),
		cmocka_unit_test(test_target_default_port),
		cmocka_unit_test(test_split_fits),
		cmocka_unit_test(test_split_utf8_boundary),
		cmocka_unit_test(test_split_prefers_space),
		cmocka_unit_test(test_split_covers_everything),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_alt_nick),
		cmocka_unit_test(test_source_nick),
		cmocka_unit_test_setup_teardown(test_register_sends_cap_nick_user, pair_setup,
		    pair_teardown),
		cmocka_unit_test_setup_teardown(test_cap_requests_only_wanted_offered,
		    pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_cap_nothing_wanted_ends, pair_setup,
		    pair_teardown),
		cmocka_unit_test_setup_teardown(test_cap_nak_ends, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_ping_pong, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_nick_taken_tries_alternatives, pair_setup,
		    pair_teardown),
		cmocka_unit_test_setup_teardown(test_erroneous_nick_rejected, pair_setup,
		    pair_teardown),
		cmocka_unit_test_setup_teardown(test_welcome_sets_nick, pair_setup,
		    pair_teardown),
		cmocka_unit_test_setup_teardown(test_error_and_pass, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_framing, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_send_refuses_overlong, pair_setup,
		    pair_teardown),
		cmocka_unit_test(test_connect_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
