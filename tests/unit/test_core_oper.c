/*
 * IRC operators through the core: OPER, user modes o and s, server notices, KILL,
 * WALLOPS, and the REHASH/DIE/RESTART requests handed to the driver.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "fixture_core.h"

/* crypt(3) hashes of "s3cret": yescrypt, SHA-512. */
#define HASH_Y	"$y$j9T$p3q3GEAif3thzMIBFOJng/$O/jX6xivikQq30VtskiE7ZwISoD3.tuLWTHdNk70KVC"
#define HASH_6	"$6$FhUpg214YVB0DRq5$VXqa2jJY1yo5TUQHiU1r7Dw583Jzs7.SjuqQzxD7jDP3.Iucbujk/" \
		"qikiW2MNhFfVwVE1jevt8jLyhxP1JCzy/"

#define FP_A	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define FP_B	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static const struct core_oper opers[] = {
	{ "admin", HASH_Y, "", "", "" },
	{ "sha", HASH_6, "*@127.0.0.*", "", "" },
	{ "faraway", HASH_Y, "*@10.*", "", "" },
	{ "broken", "*", "", "", "" },
	{ "certonly", "", "", FP_A, "" },
	{ "both", HASH_Y, "", FP_A, "" },
};

static void
with_opers(struct core_config *cfg)
{
	cfg->opers = opers;
	cfg->nopers = sizeof(opers) / sizeof(opers[0]);
}

/* The same without flood control: failed OPERs cost more (test_core_flood.c). */
static void
with_opers_unlimited(struct core_config *cfg)
{
	with_opers(cfg);
	cfg->flood_burst = 0;
}

static void
no_die(struct core_config *cfg)
{
	with_opers(cfg);
	cfg->allow_die = false;
	cfg->allow_restart = false;
}

/* A registered client made operator through the "admin" block. */
static unsigned
oper_client(struct fx *fx, const char *nick)
{
	unsigned	c = fx_client(fx, nick);

	fx_line(fx, c, "OPER admin s3cret");
	fx_take(fx, c);
	return c;
}

/* Registered as nick on a TLS connection with client certificate certfp (or none). */
static unsigned
cert_client(struct fx *fx, const char *nick, const char *certfp)
{
	unsigned	c = fx_connect(fx);
	char		line[64];

	core_secure(fx->core, fx->conns[c].client, certfp);
	snprintf(line, sizeof(line), "NICK %s", nick);
	fx_line(fx, c, line);
	fx_line(fx, c, "USER u 0 * :Real Name");
	fx_take(fx, c);
	return c;
}

#define OPER_OK		":irc.localhost 381 %s :You are now an IRC operator\r\n"
#define OPER_BAD	":irc.localhost 464 %s :Password incorrect\r\n"

static void
expect_oper(struct fx *fx, unsigned c, const char *nick, const char *line, bool ok)
{
	char	want[128];

	snprintf(want, sizeof(want), ok ? OPER_OK : OPER_BAD, nick);
	fx_line(fx, c, line);
	assert_true(strncmp(fx_take(fx, c), want, strlen(want)) == 0);
}

/* A block with a certfp and no password: the certificate alone, any password. */
static void
test_oper_certfp_alone(void **state)
{
	struct fx	*fx = fx_new(with_opers);

	(void)state;
	expect_oper(fx, cert_client(fx, "good", FP_A), "good", "OPER certonly x", true);
	expect_oper(fx, cert_client(fx, "wrong", FP_B), "wrong", "OPER certonly x", false);
	expect_oper(fx, cert_client(fx, "none", NULL), "none", "OPER certonly x", false);
	expect_oper(fx, fx_client(fx, "plain"), "plain", "OPER certonly x", false);
	fx_free(fx);
}

/* A block with both: the certificate and the password. */
static void
test_oper_certfp_and_password(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = cert_client(fx, "alice", FP_A);

	(void)state;
	expect_oper(fx, a, "alice", "OPER both wrong", false);
	expect_oper(fx, a, "alice", "OPER both s3cret", true);
	expect_oper(fx, cert_client(fx, "bob", FP_B), "bob", "OPER both s3cret", false);
	expect_oper(fx, fx_client(fx, "carol"), "carol", "OPER both s3cret", false);
	/* A password block takes no notice of certificates. */
	expect_oper(fx, cert_client(fx, "dave", FP_B), "dave", "OPER admin s3cret", true);
	fx_free(fx);
}

static void
test_oper_success(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "OPER admin s3cret");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 381 alice :You are now an IRC operator\r\n"
	    ":alice MODE alice :+os\r\n");
	fx_line(fx, a, "MODE alice");
	assert_string_equal(fx_take(fx, a), ":irc.localhost 221 alice +os\r\n");
	fx_free(fx);
}

static void
test_oper_sha512_and_host_mask(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "OPER sha s3cret");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 381 alice :You are now an IRC operator\r\n"
	    ":alice MODE alice :+os\r\n");
	fx_free(fx);
}

static void
test_oper_failures(void **state)
{
	struct fx	*fx = fx_new(with_opers_unlimited);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "OPER admin wrong");
	assert_string_equal(fx_take(fx, a), ":irc.localhost 464 alice :Password incorrect\r\n");
	fx_line(fx, a, "OPER admin S3CRET");
	assert_string_equal(fx_take(fx, a), ":irc.localhost 464 alice :Password incorrect\r\n");
	fx_line(fx, a, "OPER admin");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 461 alice OPER :Not enough parameters\r\n");
	/* Right password, wrong host. */
	fx_line(fx, a, "OPER faraway s3cret");
	assert_string_equal(fx_take(fx, a), ":irc.localhost 464 alice :Password incorrect\r\n");
	fx_line(fx, a, "OPER nobody s3cret");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 491 alice :No O-lines for your host\r\n");
	/* Block names are exact. */
	fx_line(fx, a, "OPER ADMIN s3cret");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 491 alice :No O-lines for your host\r\n");
	/* A hash crypt(3) cannot use matches no password, not even an empty one. */
	fx_line(fx, a, "OPER broken :");
	assert_string_equal(fx_take(fx, a), ":irc.localhost 464 alice :Password incorrect\r\n");
	fx_line(fx, a, "OPER broken *");
	assert_string_equal(fx_take(fx, a), ":irc.localhost 464 alice :Password incorrect\r\n");
	fx_line(fx, a, "MODE alice");
	assert_string_equal(fx_take(fx, a), ":irc.localhost 221 alice +\r\n");
	fx_free(fx);
}

static void
test_oper_without_blocks(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "OPER admin s3cret");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 491 alice :No O-lines for your host\r\n");
	fx_free(fx);
}

static void
test_oper_before_registration(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "OPER admin s3cret");
	assert_string_equal(fx_take(fx, c), ":irc.localhost 451 * :You have not registered\r\n");
	fx_free(fx);
}

static void
test_oper_twice(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = oper_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "OPER admin s3cret");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 381 alice :You are now an IRC operator\r\n");
	fx_free(fx);
}

static void
test_mode_deoper(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = oper_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "MODE alice -o");
	assert_string_equal(fx_take(fx, a), ":alice MODE alice :-os\r\n");
	fx_line(fx, a, "MODE alice +o");
	assert_string_equal(fx_take(fx, a), "");
	fx_line(fx, a, "MODE alice +s");
	assert_string_equal(fx_take(fx, a), "");
	fx_line(fx, a, "MODE alice");
	assert_string_equal(fx_take(fx, a), ":irc.localhost 221 alice +\r\n");
	fx_line(fx, a, "WALLOPS :hi");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 481 alice :Permission Denied- You're not an IRC operator\r\n");
	fx_free(fx);
}

static void
test_mode_snotice_toggle(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = oper_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "MODE alice -s");
	assert_string_equal(fx_take(fx, a), ":alice MODE alice :-s\r\n");
	fx_client(fx, "bob");
	assert_string_equal(fx_take(fx, a), "");
	fx_line(fx, a, "MODE alice +sw");
	assert_string_equal(fx_take(fx, a), ":alice MODE alice :+sw\r\n");
	fx_line(fx, a, "MODE alice");
	assert_string_equal(fx_take(fx, a), ":irc.localhost 221 alice +osw\r\n");
	fx_free(fx);
}

static void
test_snotice_connect_exit_oper(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = oper_client(fx, "alice");
	unsigned	 b, c;

	(void)state;
	b = fx_client(fx, "bob");
	assert_string_equal(fx_take(fx, a), ":irc.localhost NOTICE alice :*** Notice -- "
	    "Client connecting: bob (u@127.0.0.1)\r\n");
	c = fx_client(fx, "carol");
	fx_take(fx, a);
	fx_line(fx, b, "OPER admin s3cret");
	assert_string_equal(fx_take(fx, a), ":irc.localhost NOTICE alice :*** Notice -- "
	    "bob (u@127.0.0.1) is now an operator\r\n");
	fx_take(fx, b);
	fx_line(fx, c, "QUIT :bye now");
	assert_string_equal(fx_take(fx, a), ":irc.localhost NOTICE alice :*** Notice -- "
	    "Client exiting: carol (u@127.0.0.1) [Quit: bye now]\r\n");
	assert_string_equal(fx_take(fx, b), ":irc.localhost NOTICE bob :*** Notice -- "
	    "Client exiting: carol (u@127.0.0.1) [Quit: bye now]\r\n");
	fx_drop(fx, b, "Connection reset by peer");
	assert_string_equal(fx_take(fx, a), ":irc.localhost NOTICE alice :*** Notice -- "
	    "Client exiting: bob (u@127.0.0.1) [Connection reset by peer]\r\n");
	fx_free(fx);
}

static void
test_snotice_not_for_unregistered(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = oper_client(fx, "alice");
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "NICK half");
	fx_drop(fx, c, "EOF");
	assert_string_equal(fx_take(fx, a), "");
	fx_free(fx);
}

static void
test_kill(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = oper_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");
	unsigned	 c = fx_client(fx, "carol");

	(void)state;
	fx_line(fx, b, "JOIN #x");
	fx_line(fx, c, "JOIN #x");
	fx_drain(fx);
	fx_line(fx, a, "KILL Bob :go away");
	assert_string_equal(fx_take(fx, b),
	    ":alice!u@127.0.0.1 KILL bob :go away\r\n"
	    "ERROR :Closing Link: 127.0.0.1 (Killed (alice (go away)))\r\n");
	assert_true(fx->conns[b].closed);
	assert_string_equal(fx->conns[b].reason, "Killed (alice (go away))");
	assert_string_equal(fx_take(fx, c),
	    ":bob!u@127.0.0.1 QUIT :Killed (alice (go away))\r\n");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost NOTICE alice :*** Notice -- Received KILL message for bob from "
	    "alice (go away)\r\n"
	    ":irc.localhost NOTICE alice :*** Notice -- Client exiting: bob (u@127.0.0.1) "
	    "[Killed (alice (go away))]\r\n");
	fx_line(fx, a, "WHO bob");
	assert_string_equal(fx_take(fx, a), ":irc.localhost 315 alice bob :End of /WHO list\r\n");
	fx_free(fx);
}

static void
test_kill_errors(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = oper_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_drain(fx);
	fx_line(fx, b, "KILL alice :no");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 481 bob :Permission Denied- You're not an IRC operator\r\n");
	assert_false(fx->conns[a].closed);
	fx_line(fx, a, "KILL nobody :why");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 401 alice nobody :No such nick/channel\r\n");
	fx_line(fx, a, "KILL bob");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 461 alice KILL :Not enough parameters\r\n");
	assert_false(fx->conns[b].closed);
	fx_free(fx);
}

static void
test_kill_one_word_reason(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = oper_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, a, "KILL bob flood");
	assert_string_equal(fx_take(fx, b),
	    ":alice!u@127.0.0.1 KILL bob :flood\r\n"
	    "ERROR :Closing Link: 127.0.0.1 (Killed (alice (flood)))\r\n");
	fx_free(fx);
}

static void
test_kill_self(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = oper_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "KILL alice :");
	assert_string_equal(fx_take(fx, a),
	    ":alice!u@127.0.0.1 KILL alice :No reason\r\n"
	    ":irc.localhost NOTICE alice :*** Notice -- Received KILL message for alice from "
	    "alice (No reason)\r\n"
	    "ERROR :Closing Link: 127.0.0.1 (Killed (alice (No reason)))\r\n");
	assert_true(fx->conns[a].closed);
	fx_free(fx);
}

static void
test_wallops(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = oper_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");
	unsigned	 c = fx_client(fx, "carol");

	(void)state;
	fx_line(fx, b, "MODE bob +w");
	fx_drain(fx);
	fx_line(fx, a, "WALLOPS hi");
	assert_string_equal(fx_take(fx, b), ":alice!u@127.0.0.1 WALLOPS :hi\r\n");
	fx_line(fx, a, "WALLOPS :maintenance at noon");
	assert_string_equal(fx_take(fx, b),
	    ":alice!u@127.0.0.1 WALLOPS :maintenance at noon\r\n");
	assert_string_equal(fx_take(fx, c), "");
	assert_string_equal(fx_take(fx, a), "");
	fx_line(fx, b, "WALLOPS :me too");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 481 bob :Permission Denied- You're not an IRC operator\r\n");
	fx_line(fx, a, "WALLOPS");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 461 alice WALLOPS :Not enough parameters\r\n");
	fx_free(fx);
}

static void
test_rehash(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = oper_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_take(fx, a);
	fx_line(fx, b, "REHASH");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 481 bob :Permission Denied- You're not an IRC operator\r\n");
	assert_int_equal(fx->nrequests, 0);
	fx_line(fx, a, "REHASH");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 382 alice parleyd.conf :Rehashing\r\n"
	    ":irc.localhost NOTICE alice :*** Notice -- alice is rehashing the server "
	    "configuration\r\n");
	assert_int_equal(fx->nrequests, 1);
	assert_int_equal(fx->request, CORE_REQUEST_REHASH);
	assert_string_equal(fx->request_reason, "REHASH by alice");
	fx_free(fx);
}

static void
test_die_and_restart(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = oper_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, b, "DIE");
	fx_line(fx, b, "RESTART");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 481 bob :Permission Denied- You're not an IRC operator\r\n"
	    ":irc.localhost 481 bob :Permission Denied- You're not an IRC operator\r\n");
	assert_int_equal(fx->nrequests, 0);
	fx_line(fx, a, "DIE");
	assert_int_equal(fx->nrequests, 1);
	assert_int_equal(fx->request, CORE_REQUEST_DIE);
	assert_string_equal(fx->request_reason, "DIE by alice");
	fx_line(fx, a, "RESTART");
	assert_int_equal(fx->nrequests, 2);
	assert_int_equal(fx->request, CORE_REQUEST_RESTART);
	assert_string_equal(fx->request_reason, "RESTART by alice");
	/* The core only asks; the driver decides when. */
	assert_false(fx->conns[a].closed);
	assert_false(fx->conns[b].closed);
	fx_free(fx);
}

static void
test_die_disabled(void **state)
{
	struct fx	*fx = fx_new(no_die);
	unsigned	 a = oper_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "DIE");
	fx_line(fx, a, "RESTART");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 723 alice die :Insufficient oper privileges.\r\n"
	    ":irc.localhost 723 alice restart :Insufficient oper privileges.\r\n");
	assert_int_equal(fx->nrequests, 0);
	fx_free(fx);
}

static void
test_reconfigure_drops_blocks(void **state)
{
	struct fx		*fx = fx_new(with_opers);
	unsigned		 a = fx_client(fx, "alice");
	struct core_config	 cfg = fx->cfg;

	(void)state;
	cfg.opers = NULL;
	cfg.nopers = 0;
	assert_int_equal(core_configure(fx->core, &cfg), 0);
	fx_line(fx, a, "OPER admin s3cret");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 491 alice :No O-lines for your host\r\n");
	fx_free(fx);
}

static void
test_oper_check_is_a_job(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx->hold_jobs = true;
	fx_line(fx, a, "OPER admin s3cret");
	assert_int_equal(fx->njobs, 1);
	assert_string_equal(fx_take(fx, a), "");
	/* Nobody else waits for it. */
	fx_line(fx, b, "PING b");
	assert_string_equal(fx_take(fx, b), ":irc.localhost PONG irc.localhost b\r\n");
	assert_int_equal(fx_jobs_run(fx), 1);
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 381 alice :You are now an IRC operator\r\n"
	    ":alice MODE alice :+os\r\n");
	fx_free(fx);
}

static void
test_lines_wait_behind_oper_check(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx->hold_jobs = true;
	/* KILL runs after OPER's result, as if the check had taken no time. */
	fx_line(fx, a, "OPER admin s3cret");
	fx_line(fx, a, "KILL bob :bye");
	fx_line(fx, a, "PING a");
	assert_string_equal(fx_take(fx, a), "");
	assert_false(fx->conns[b].closed);
	fx_jobs_run(fx);
	assert_true(fx->conns[b].closed);
	const char *out = fx_take(fx, a);
	assert_non_null(strstr(out, " 381 alice "));
	assert_non_null(strstr(out, ":irc.localhost PONG irc.localhost a\r\n"));
	assert_true(strstr(out, " 381 alice ") < strstr(out, " PONG "));
	assert_null(strstr(out, " 481 "));
	fx_free(fx);
}

static void
test_oper_result_after_client_quit(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx->hold_jobs = true;
	fx_line(fx, a, "OPER admin s3cret");
	fx_line(fx, b, "OPER admin wrong");
	fx_line(fx, a, "QUIT :gone");
	fx_drop(fx, b, "Connection closed");
	assert_int_equal(fx->njobs, 2);
	/* Both results are dropped: nothing is sent to either (the fixture aborts on a
	 * send to a closed connection), and nobody became an operator. */
	fx_drop(fx, a, "Connection closed");
	assert_int_equal(fx_jobs_run(fx), 2);
	assert_int_equal(core_client_count(fx->core), 0);
	fx_free(fx);
}

static void
test_job_left_at_free(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	/* The server goes with a check in flight: the driver frees the job (ASan). */
	fx->hold_jobs = true;
	fx_line(fx, a, "OPER admin s3cret");
	assert_int_equal(fx->njobs, 1);
	fx_free(fx);
}

static void
test_labeled_oper_reply_comes_with_the_result(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = fx_connect(fx);

	(void)state;
	fx_line(fx, a, "CAP REQ :labeled-response batch");
	fx_line(fx, a, "NICK alice");
	fx_line(fx, a, "USER u 0 * :R");
	fx_line(fx, a, "CAP END");
	fx_take(fx, a);
	fx->hold_jobs = true;
	fx_line(fx, a, "@label=op1 OPER admin s3cret");
	/* No empty ACK while the check runs: the reply is the result's. */
	assert_string_equal(fx_take(fx, a), "");
	fx_jobs_run(fx);
	assert_string_equal(fx_take(fx, a),
	    "@label=op1 :irc.localhost BATCH +1 labeled-response\r\n"
	    "@batch=1 :irc.localhost 381 alice :You are now an IRC operator\r\n"
	    "@batch=1 :alice MODE alice :+os\r\n"
	    ":irc.localhost BATCH -1\r\n");
	fx_line(fx, a, "@label=op2 OPER admin wrong");
	fx_jobs_run(fx);
	assert_string_equal(fx_take(fx, a),
	    "@label=op2 :irc.localhost 464 alice :Password incorrect\r\n");
	fx_free(fx);
}

static void
test_rehash_during_oper_check(void **state)
{
	struct fx		*fx = fx_new(with_opers);
	unsigned		 a = fx_client(fx, "alice");
	struct core_config	 cfg = fx->cfg;
	struct core_oper	 changed[1] = { { "admin", HASH_6, "", "", "" } };

	(void)state;
	fx->hold_jobs = true;
	fx_line(fx, a, "OPER admin s3cret");
	/* The password changed meanwhile (to the same one, another hash): the check was
	 * against the old one and no longer counts. */
	cfg.opers = changed;
	cfg.nopers = 1;
	assert_int_equal(core_configure(fx->core, &cfg), 0);
	fx_jobs_run(fx);
	assert_string_equal(fx_take(fx, a), ":irc.localhost 464 alice :Password incorrect\r\n");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oper_success),
		cmocka_unit_test(test_oper_certfp_alone),
		cmocka_unit_test(test_oper_certfp_and_password),
		cmocka_unit_test(test_oper_sha512_and_host_mask),
		cmocka_unit_test(test_oper_failures),
		cmocka_unit_test(test_oper_without_blocks),
		cmocka_unit_test(test_oper_before_registration),
		cmocka_unit_test(test_oper_twice),
		cmocka_unit_test(test_mode_deoper),
		cmocka_unit_test(test_mode_snotice_toggle),
		cmocka_unit_test(test_snotice_connect_exit_oper),
		cmocka_unit_test(test_snotice_not_for_unregistered),
		cmocka_unit_test(test_kill),
		cmocka_unit_test(test_kill_errors),
		cmocka_unit_test(test_kill_one_word_reason),
		cmocka_unit_test(test_kill_self),
		cmocka_unit_test(test_wallops),
		cmocka_unit_test(test_rehash),
		cmocka_unit_test(test_die_and_restart),
		cmocka_unit_test(test_die_disabled),
		cmocka_unit_test(test_reconfigure_drops_blocks),
		cmocka_unit_test(test_oper_check_is_a_job),
		cmocka_unit_test(test_lines_wait_behind_oper_check),
		cmocka_unit_test(test_oper_result_after_client_quit),
		cmocka_unit_test(test_job_left_at_free),
		cmocka_unit_test(test_rehash_during_oper_check),
		cmocka_unit_test(test_labeled_oper_reply_comes_with_the_result),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
