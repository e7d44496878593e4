/*
 * Several connections, one user (multiclient), byte for byte: connections that log in
 * to one account at registration share its nick and presence; each sees what the user
 * receives, replies go to the connection that asked, what one sends the others see;
 * one connection leaves alone; the account's maximum of connections; DROP.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/config.h"
#include "fixture_core.h"
#include "store/store.h"
#include "store/store_memory.h"

#define S	":irc.localhost "
#define PW	"sesame-open"
#define ALICE	":alice!u@127.0.0.1 "

/* Cheap hashes, no flood control, no timeouts in the way. */
static void
cheap(struct core_config *cfg)
{
	cfg->flood_burst = 0;
	cfg->registration_timeout = 24 * 3600 * 1000;
	cfg->ping_interval = 24 * 3600 * 1000;
	cfg->accounts_argon2_ops = 1;
	cfg->accounts_argon2_mem = 8192;
	cfg->accounts_scram_iterations = 16;
}

static void
two_at_most(struct core_config *cfg)
{
	cheap(cfg);
	cfg->accounts_max_connections = 2;
}

static void
always_on(struct core_config *cfg)
{
	cheap(cfg);
	cfg->accounts_always_on = true;
	cfg->history_join_replay = 10;
}

/* alice may be an operator, with her account alone. */
static const struct core_oper alice_oper[] = {
	{ "aliceop", "", "", "", "alice" },
};

static void
with_oper(struct core_config *cfg)
{
	cheap(cfg);
	cfg->opers = alice_oper;
	cfg->nopers = 1;
}

static void
multiclient_off(struct core_config *cfg)
{
	cheap(cfg);
	cfg->accounts_multiclient = false;
}

/* Register account alice (PW) from a connection that then goes. */
static void
make_alice(struct fx *fx)
{
	unsigned	c = fx_client(fx, "alice");

	fx_line(fx, c, "REGISTER * * :" PW);
	assert_non_null(strstr(fx_take(fx, c), "REGISTER SUCCESS alice "));
	fx_drop(fx, c, "done");
}

/* A connection that logs in to alice with SASL PLAIN as nick, asking for caps too,
 * then ends CAP; what it was sent up to CAP END is dropped, the rest left to take. */
static unsigned
login(struct fx *fx, const char *nick, const char *caps)
{
	unsigned	c = fx_connect(fx);
	char		line[256];

	fx_line(fx, c, "CAP LS 302");
	snprintf(line, sizeof(line), "CAP REQ :sasl%s%s", caps[0] ? " " : "", caps);
	fx_line(fx, c, line);
	snprintf(line, sizeof(line), "NICK %s", nick);
	fx_line(fx, c, line);
	fx_line(fx, c, "USER u 0 * :R");
	fx_line(fx, c, "AUTHENTICATE PLAIN");
	strcpy(line, "AUTHENTICATE ");
	assert_true(base64_encode(line + 13, sizeof(line) - 13, "\0alice\0" PW,
	    7 + strlen(PW)) >= 0);
	fx_line(fx, c, line);
	assert_non_null(strstr(fx_take(fx, c), " 903 "));
	fx_line(fx, c, "CAP END");
	return c;
}

/* A second connection takes the user's nick and is shown its channels; the network
 * sees nothing of it. */
static void
attach_shows_the_user(void **state)
{
	struct fx	*fx = fx_new(cheap);
	unsigned	 a, b, bob;
	const char	*out;

	(void)state;
	make_alice(fx);
	a = login(fx, "alice", "");
	assert_non_null(strstr(fx_take(fx, a), S "001 alice "));
	bob = fx_client(fx, "bob");
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, bob, "JOIN #c");
	fx_drain(fx);
	b = login(fx, "alice2", "");
	out = fx_take(fx, b);
	assert_non_null(strstr(out, S "001 alice :Welcome to the parley Network, "
	    "alice!u@127.0.0.1\r\n"));
	assert_non_null(strstr(out, ":alice MODE alice :+r\r\n"
	    ALICE "JOIN #c\r\n"
	    S "353 alice = #c :@alice bob\r\n"
	    S "366 alice #c :End of /NAMES list\r\n"));
	assert_string_equal(fx_take(fx, a), "");
	assert_string_equal(fx_take(fx, bob), "");
	fx_line(fx, bob, "LUSERS");
	assert_non_null(strstr(fx_take(fx, bob), "There are 2 users and 0 invisible"));
	fx_free(fx);
}

/* What the user receives, every connection receives; a reply only the one that asked;
 * what one sends the others see. */
static void
one_conversation(void **state)
{
	struct fx	*fx = fx_new(cheap);
	unsigned	 a, b, bob;

	(void)state;
	make_alice(fx);
	a = login(fx, "alice", "");
	bob = fx_client(fx, "bob");
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, bob, "JOIN #c");
	b = login(fx, "alice", "");
	fx_drain(fx);

	fx_line(fx, bob, "PRIVMSG #c :hello");
	assert_string_equal(fx_take(fx, a), ":bob!u@127.0.0.1 PRIVMSG #c hello\r\n");
	assert_string_equal(fx_take(fx, b), ":bob!u@127.0.0.1 PRIVMSG #c hello\r\n");
	fx_line(fx, bob, "PRIVMSG alice psst");
	assert_string_equal(fx_take(fx, a), ":bob!u@127.0.0.1 PRIVMSG alice psst\r\n");
	assert_string_equal(fx_take(fx, b), ":bob!u@127.0.0.1 PRIVMSG alice psst\r\n");

	fx_line(fx, b, "PRIVMSG #c :from b");
	assert_string_equal(fx_take(fx, bob), ALICE "PRIVMSG #c :from b\r\n");
	assert_string_equal(fx_take(fx, a), ALICE "PRIVMSG #c :from b\r\n");
	assert_string_equal(fx_take(fx, b), "");
	fx_line(fx, a, "PRIVMSG bob :from a");
	assert_string_equal(fx_take(fx, bob), ALICE "PRIVMSG bob :from a\r\n");
	assert_string_equal(fx_take(fx, b), ALICE "PRIVMSG bob :from a\r\n");
	assert_string_equal(fx_take(fx, a), "");

	fx_line(fx, b, "TOPIC #c");
	assert_string_equal(fx_take(fx, b), S "331 alice #c :No topic is set\r\n");
	assert_string_equal(fx_take(fx, a), "");
	/* A job's result (NickServ's store lookup) answers the session that asked. */
	fx_line(fx, b, "NS INFO alice");
	assert_non_null(strstr(fx_take(fx, b), "NOTICE alice :Account alice, registered "));
	assert_string_equal(fx_take(fx, a), "");
	fx_line(fx, b, "PING :x");
	assert_string_equal(fx_take(fx, b), S "PONG irc.localhost x\r\n");
	/* A session's lines wait behind the job it asked for, as a user's do. */
	fx->hold_jobs = true;
	fx_line(fx, b, "NS INFO alice");
	fx_line(fx, b, "PING :y");
	assert_string_equal(fx_take(fx, b), "");
	fx_jobs_run(fx);
	fx->hold_jobs = false;
	assert_non_null(strstr(fx_take(fx, b), "NOTICE alice :Account alice, registered "));

	fx_line(fx, b, "NICK alicia");
	assert_string_equal(fx_take(fx, a), ALICE "NICK alicia\r\n");
	assert_string_equal(fx_take(fx, b), ALICE "NICK alicia\r\n");
	assert_string_equal(fx_take(fx, bob), ALICE "NICK alicia\r\n");
	/* A JOIN from one: every connection sees it, with the channel's names. */
	fx_line(fx, b, "JOIN #d");
	assert_string_equal(fx_take(fx, a), ":alicia!u@127.0.0.1 JOIN #d\r\n"
	    S "353 alicia = #d :@alicia\r\n"
	    S "366 alicia #d :End of /NAMES list\r\n");
	assert_string_equal(fx_take(fx, b), ":alicia!u@127.0.0.1 JOIN #d\r\n"
	    S "353 alicia = #d :@alicia\r\n"
	    S "366 alicia #d :End of /NAMES list\r\n");
	fx_line(fx, a, "PART #c");
	assert_string_equal(fx_take(fx, a), ":alicia!u@127.0.0.1 PART #c\r\n");
	assert_string_equal(fx_take(fx, b), ":alicia!u@127.0.0.1 PART #c\r\n");
	assert_string_equal(fx_take(fx, bob), ":alicia!u@127.0.0.1 PART #c\r\n");
	fx_free(fx);
}

/* A labeled command from a session: the labeled reply is that session's alone. */
static void
labeled_per_connection(void **state)
{
	struct fx	*fx = fx_new(cheap);
	unsigned	 a, b;

	(void)state;
	make_alice(fx);
	a = login(fx, "alice", "batch labeled-response");
	b = login(fx, "alice", "batch labeled-response");
	fx_line(fx, a, "JOIN #c");
	fx_drain(fx);
	fx_line(fx, b, "@label=l1 TOPIC #c");
	assert_string_equal(fx_take(fx, b),
	    "@label=l1 " S "331 alice #c :No topic is set\r\n");
	assert_string_equal(fx_take(fx, a), "");
	fx_free(fx);
}

/* MARKREAD from one device: each other one with read-marker is told, once. */
static void
markread_per_device(void **state)
{
	struct fx	*fx = fx_new(cheap);
	unsigned	 a, b, c;

	(void)state;
	make_alice(fx);
	a = login(fx, "alice", "draft/read-marker");
	b = login(fx, "alice", "draft/read-marker");
	c = login(fx, "alice", "");
	fx_drain(fx);
	fx_line(fx, b, "MARKREAD #c timestamp=2023-11-14T22:13:20.000Z");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost MARKREAD #c timestamp=2023-11-14T22:13:20.000Z\r\n");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost MARKREAD #c timestamp=2023-11-14T22:13:20.000Z\r\n");
	assert_string_equal(fx_take(fx, c), "");
	fx_free(fx);
}

/* AWAY from one connection: the others with away-notify see it. */
static void
away_everywhere(void **state)
{
	struct fx	*fx = fx_new(cheap);
	unsigned	 a, b;

	(void)state;
	make_alice(fx);
	a = login(fx, "alice", "away-notify");
	b = login(fx, "alice", "");
	fx_drain(fx);
	fx_line(fx, b, "AWAY :lunch");
	assert_string_equal(fx_take(fx, b), S "306 alice :You have been marked as being "
	    "away\r\n");
	assert_string_equal(fx_take(fx, a), ALICE "AWAY lunch\r\n");
	fx_free(fx);
}

/* echo-message where the sending connection negotiated it; tags per connection. */
static void
echo_per_connection(void **state)
{
	struct fx	*fx = fx_new(cheap);
	unsigned	 a, b, bob;

	(void)state;
	make_alice(fx);
	a = login(fx, "alice", "");
	bob = fx_client(fx, "bob");
	b = login(fx, "alice", "echo-message");
	fx_drain(fx);
	fx_line(fx, b, "PRIVMSG bob :hi");
	assert_string_equal(fx_take(fx, b), ALICE "PRIVMSG bob hi\r\n");
	assert_string_equal(fx_take(fx, a), ALICE "PRIVMSG bob hi\r\n");
	assert_string_equal(fx_take(fx, bob), ALICE "PRIVMSG bob hi\r\n");
	fx_line(fx, a, "PRIVMSG bob :ho");
	assert_string_equal(fx_take(fx, a), "");
	assert_string_equal(fx_take(fx, b), ALICE "PRIVMSG bob ho\r\n");
	fx_free(fx);
}

/* QUIT, or the connection going, closes that connection only; the last one takes the
 * user away. */
static void
one_connection_leaves(void **state)
{
	struct fx	*fx = fx_new(cheap);
	unsigned	 a, b, bob;

	(void)state;
	make_alice(fx);
	a = login(fx, "alice", "");
	bob = fx_client(fx, "bob");
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, bob, "JOIN #c");
	b = login(fx, "alice", "");
	fx_drain(fx);
	fx_line(fx, a, "QUIT :phone off");
	assert_string_equal(fx_take(fx, a),
	    "ERROR :Closing Link: 127.0.0.1 (Quit: phone off)\r\n");
	assert_true(fx->conns[a].closed);
	assert_string_equal(fx_take(fx, bob), "");
	assert_string_equal(fx_take(fx, b), "");
	fx_line(fx, b, "PRIVMSG #c :still here");
	assert_string_equal(fx_take(fx, bob), ALICE "PRIVMSG #c :still here\r\n");
	fx_line(fx, bob, "PRIVMSG alice :good");
	assert_string_equal(fx_take(fx, b), ":bob!u@127.0.0.1 PRIVMSG alice good\r\n");
	fx_drop(fx, b, "Connection reset");
	assert_string_equal(fx_take(fx, bob), ALICE "QUIT :Connection reset\r\n");
	fx_line(fx, bob, "PRIVMSG alice :gone?");
	assert_string_equal(fx_take(fx, bob), S "401 bob alice :No such nick/channel\r\n");
	fx_free(fx);
}

/* WHOIS lists the connections to the user itself, not to others. */
static void
whois_connections(void **state)
{
	struct fx	*fx = fx_new(cheap);
	unsigned	 a, b, bob;
	const char	*out;

	(void)state;
	make_alice(fx);
	a = login(fx, "alice", "");
	b = login(fx, "alice", "");
	bob = fx_client(fx, "bob");
	fx_drain(fx);
	fx_line(fx, b, "WHOIS alice");
	out = fx_take(fx, b);
	assert_non_null(strstr(out, S "320 alice alice :is connected from 127.0.0.1 "
	    "(connection 2, since "));
	assert_non_null(strstr(out, S "320 alice alice :is connected from 127.0.0.1 "
	    "(connection 3, since "));
	assert_string_equal(fx_take(fx, a), "");
	fx_line(fx, bob, "WHOIS alice");
	assert_null(strstr(fx_take(fx, bob), " 320 "));
	fx_free(fx);
}

/* The account's maximum of connections; its nick for others; with multiclient off,
 * users of their own. */
static void
limits_and_off(void **state)
{
	struct fx	*fx = fx_new(two_at_most);
	unsigned	 c;

	(void)state;
	make_alice(fx);
	login(fx, "alice", "");
	login(fx, "alice", "");
	fx_drain(fx);
	c = login(fx, "alice", "");
	assert_string_equal(fx_take(fx, c), "ERROR :Closing Link: 127.0.0.1 "
	    "(Too many connections for this account)\r\n");
	assert_true(fx->conns[c].closed);
	/* The user's nick, for a connection that did not log in to its account. */
	c = fx_connect(fx);
	fx_line(fx, c, "NICK alice");
	fx_line(fx, c, "USER u 0 * :R");
	assert_string_equal(fx_take(fx, c), S "433 * alice :Nickname is already in use\r\n");
	fx_line(fx, c, "NICK alice3");
	assert_non_null(strstr(fx_take(fx, c), S "001 alice3 "));
	fx_free(fx);

	fx = fx_new(multiclient_off);
	make_alice(fx);
	login(fx, "alice", "");
	c = login(fx, "alice2", "");
	assert_non_null(strstr(fx_take(fx, c), S "001 alice2 "));
	fx_free(fx);
}

/* DROP closes the account's other connections; the one that asked stays, logged out. */
static void
drop_ends_sessions(void **state)
{
	struct fx	*fx = fx_new(cheap);
	unsigned	 a, b;

	(void)state;
	make_alice(fx);
	a = login(fx, "alice", "");
	b = login(fx, "alice", "");
	fx_drain(fx);
	fx_line(fx, a, "NS DROP alice " PW);
	assert_non_null(strstr(fx_take(fx, a), "Account alice is dropped"));
	assert_true(strstr(fx_take(fx, b), "ERROR :Closing Link: 127.0.0.1 "
	    "(Account dropped)\r\n") != NULL);
	assert_true(fx->conns[b].closed);
	assert_false(fx->conns[a].closed);
	fx_free(fx);
}

/* Always-on: the user stays, away, when its last connection goes; the next one gets it
 * back with what was said meanwhile; QUIT from the last one keeps it too. */
static void
always_on_stays(void **state)
{
	struct fx	*fx = fx_new(always_on);
	unsigned	 a, b, bob;
	const char	*out;

	(void)state;
	make_alice(fx);
	a = login(fx, "alice", "");
	bob = fx_client(fx, "bob");
	fx_line(fx, bob, "CAP REQ away-notify");
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, bob, "JOIN #c");
	fx_drain(fx);
	fx_drop(fx, a, "Connection reset");
	assert_string_equal(fx_take(fx, bob), ALICE "AWAY :Not connected\r\n");
	fx_line(fx, bob, "PRIVMSG #c :while you were out");
	fx_line(fx, bob, "PRIVMSG alice :ping me");
	assert_string_equal(fx_take(fx, bob), S "301 bob alice :Not connected\r\n");

	b = login(fx, "laptop", "");
	out = fx_take(fx, b);
	assert_non_null(strstr(out, S "001 alice "));
	assert_non_null(strstr(out, ALICE "JOIN #c\r\n"));
	assert_non_null(strstr(out, ":bob!u@127.0.0.1 PRIVMSG #c :while you were out\r\n"));
	/* And the private conversation, after the burst. */
	assert_non_null(strstr(out, ":bob!u@127.0.0.1 PRIVMSG alice :ping me\r\n"));
	assert_null(strstr(out, " 306 "));
	assert_string_equal(fx_take(fx, bob), ALICE "AWAY\r\n");

	/* QUIT from the last connection keeps it too. */
	fx_line(fx, b, "QUIT");
	assert_string_equal(fx_take(fx, bob), ALICE "AWAY :Not connected\r\n");
	fx_line(fx, bob, "WHOIS alice");
	assert_non_null(strstr(fx_take(fx, bob), S "311 bob alice u 127.0.0.1 "));
	fx_free(fx);
}

static int
restore_account(void *arg, const char *name)
{
	return core_restore_account(arg, name);
}

static int
restore_channel(void *arg, const struct chanreg_rec *rec)
{
	return core_restore_channel(arg, rec);
}

static int
restore_entry(void *arg, const struct chanreg_entry *entry)
{
	return core_restore_entry(arg, entry);
}

static int
restore_presence(void *arg, const struct presence_rec *rec)
{
	return core_restore_presence(arg, rec);
}

static int
restore_opts(void *arg, const struct account_opts *o)
{
	return core_restore_account_opts(arg, o);
}

/* The server stops (its last jobs done) and starts again on the same store. */
static void
restart(struct fx *fx)
{
	static const struct store_visitor v = {
		restore_account, restore_channel, restore_entry, NULL, restore_presence,
		restore_opts
	};

	core_shutdown(fx->core, "Restarting");
	fx_jobs_run(fx);
	core_free(fx->core);
	for (unsigned i = 1; i <= fx->nconns; i++)
		fx->conns[i].client = NULL;
	if ((fx->core = core_new(&fx->cfg, &fx->out)) == NULL)
		abort();
	core_clock(fx->core, fx->now, 1700000100000LL);
	assert_int_equal(store_memory.load(fx->store, &v, fx->core), 0);
}

/* An always-on user is back after a restart, connected or not when it stopped: in its
 * channels, away as it was, its nick its own; a connection logging in takes it up. */
static void
always_on_restart(void **state)
{
	struct fx	*fx = fx_new(always_on);
	unsigned	 a, b, bob;
	const char	*out;

	(void)state;
	make_alice(fx);
	a = login(fx, "alice", "");
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, a, "JOIN #d");
	fx_drop(fx, a, "Connection reset");
	restart(fx);
	bob = fx_client(fx, "bob");
	fx_line(fx, bob, "JOIN #c");
	assert_non_null(strstr(fx_take(fx, bob), S "353 bob = #c :@alice bob\r\n"));
	fx_line(fx, bob, "PRIVMSG alice :are you there");
	assert_string_equal(fx_take(fx, bob), S "301 bob alice :Not connected\r\n");
	fx_line(fx, bob, "PRIVMSG #c :said while down");
	b = login(fx, "alice", "");
	out = fx_take(fx, b);
	assert_non_null(strstr(out, S "001 alice "));
	assert_non_null(strstr(out, ALICE "JOIN #c\r\n"));
	assert_non_null(strstr(out, ALICE "JOIN #d\r\n"));
	assert_non_null(strstr(out, ":bob!u@127.0.0.1 PRIVMSG #c :said while down\r\n"));

	/* Connected when the server stops: back too, as it was then. */
	fx_line(fx, b, "JOIN #e");
	restart(fx);
	bob = fx_client(fx, "bob");
	fx_line(fx, bob, "WHOIS alice");
	assert_non_null(strstr(fx_take(fx, bob), S "319 bob alice :@#c @#d @#e\r\n"));
	fx_free(fx);
}

/* KILL of a connection's number closes that one; KILL of the nick, every one. */
static void
kill_one_or_all(void **state)
{
	struct fx	*fx = fx_new(with_oper);
	unsigned	 a, b, c, bob;

	(void)state;
	make_alice(fx);
	a = login(fx, "alice", "");
	b = login(fx, "alice", "");
	c = login(fx, "alice", "");
	bob = fx_client(fx, "bob");
	fx_line(fx, bob, "JOIN #c");
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, a, "OPER aliceop x");
	fx_drain(fx);
	fx_line(fx, a, "KILL 3 :that laptop");
	assert_string_equal(fx_take(fx, b), ":alice!u@127.0.0.1 KILL alice :that laptop\r\n"
	    "ERROR :Closing Link: 127.0.0.1 (Killed (alice (that laptop)))\r\n");
	assert_true(fx->conns[b].closed);
	assert_string_equal(fx_take(fx, a), "");
	assert_string_equal(fx_take(fx, bob), "");
	fx_line(fx, a, "KILL 99 :none");
	assert_string_equal(fx_take(fx, a), S "401 alice 99 :No such nick/channel\r\n");
	fx_line(fx, a, "KILL alice :all of them");
	assert_true(fx->conns[a].closed);
	assert_true(fx->conns[c].closed);
	assert_non_null(strstr(fx_take(fx, c), "ERROR :Closing Link: 127.0.0.1 (Killed "
	    "(alice (all of them)))\r\n"));
	assert_string_equal(fx_take(fx, bob),
	    ALICE "QUIT :Killed (alice (all of them))\r\n");
	fx_free(fx);
}

#define NSP	":NickServ!NickServ@services.irc.localhost NOTICE "

/* NickServ SET MULTICLIENT and SET ALWAYS-ON: the account's own choice over the
 * server's, kept over a restart. */
static void
account_choices(void **state)
{
	struct fx	*fx = fx_new(cheap);
	unsigned	 a, b, bob;

	(void)state;
	make_alice(fx);
	bob = fx_client(fx, "bob");
	fx_line(fx, bob, "NS SET MULTICLIENT ON");
	assert_string_equal(fx_take(fx, bob), NSP "bob :You are not logged in. Type "
	    "/msg NickServ HELP IDENTIFY\r\n");
	a = login(fx, "alice", "");
	fx_drain(fx);
	fx_line(fx, a, "NS SET ALWAYS-ON maybe");
	assert_string_equal(fx_take(fx, a), NSP "alice :Syntax: SET ALWAYS-ON "
	    "ON|OFF|DEFAULT\r\n");
	fx_line(fx, a, "NS SET MULTICLIENT OFF");
	assert_string_equal(fx_take(fx, a), NSP "alice :alice: MULTICLIENT OFF, "
	    "ALWAYS-ON DEFAULT (the server's)\r\n");
	b = login(fx, "alice2", "");
	assert_non_null(strstr(fx_take(fx, b), S "001 alice2 "));
	fx_drop(fx, b, "done");
	fx_line(fx, a, "NS SET ALWAYS-ON ON");
	assert_string_equal(fx_take(fx, a), NSP "alice :alice: MULTICLIENT OFF, "
	    "ALWAYS-ON ON\r\n");
	fx_line(fx, a, "JOIN #c");
	fx_drop(fx, a, "Connection reset");
	restart(fx);
	bob = fx_client(fx, "bob");
	fx_line(fx, bob, "JOIN #c");
	assert_non_null(strstr(fx_take(fx, bob), S "353 bob = #c :@alice bob\r\n"));
	/* Still its own choice after the restart: this one is a user of its own. */
	b = login(fx, "alice2", "");
	assert_non_null(strstr(fx_take(fx, b), S "001 alice2 "));
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(attach_shows_the_user),
		cmocka_unit_test(one_conversation),
		cmocka_unit_test(echo_per_connection),
		cmocka_unit_test(away_everywhere),
		cmocka_unit_test(labeled_per_connection),
		cmocka_unit_test(markread_per_device),
		cmocka_unit_test(one_connection_leaves),
		cmocka_unit_test(whois_connections),
		cmocka_unit_test(limits_and_off),
		cmocka_unit_test(drop_ends_sessions),
		cmocka_unit_test(always_on_stays),
		cmocka_unit_test(always_on_restart),
		cmocka_unit_test(account_choices),
		cmocka_unit_test(kill_one_or_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
