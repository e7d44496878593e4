/*
 * Users across the nodes of one network (three cores on a fake bus, fixture_cluster.h):
 * introduction and burst, messages with their msgid and time, quits and splits, nick
 * collisions, KILL and WALLOPS, the network-wide queries, registrations, hostile node
 * lines, with the exact bytes each connection receives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cluster.h"
#include "fixture_accounts.h"
#include "fixture_cluster.h"

static void
test_introduction_and_burst(void **state)
{
	struct net	*net = net_new(false);
	unsigned	 a, b, c;

	(void)state;
	/* alice is there before the nodes meet: the burst brings her. */
	a = fx_client(net->fx[0], "alice");
	net_link_all(net);
	assert_true(core_peer_synced(net->fx[0]->core));
	b = net_client(net, 1, "bob");
	c = net_client(net, 2, "carol");
	net_drain(net);
	net_line(net, 1, b, "WHOIS alice");
	assert_string_equal(fx_take(net->fx[1], b),
	    ":n2 311 bob alice u 127.0.0.1 * :Real Name\r\n"
	    ":n2 312 bob alice n1 :parley IRC server\r\n"
	    ":n2 318 bob alice :End of /WHOIS list\r\n");
	net_line(net, 0, a, "ISON bob carol dave");
	assert_string_equal(fx_take(net->fx[0], a), ":n1 303 alice :bob carol\r\n");
	net_line(net, 2, c, "USERHOST alice bob");
	assert_string_equal(fx_take(net->fx[2], c),
	    ":n3 302 carol :alice=+u@127.0.0.1 bob=+u@127.0.0.1\r\n");
	/* A nick taken on another node is taken here. */
	net_line(net, 2, c, "NICK alice");
	assert_string_equal(fx_take(net->fx[2], c),
	    ":n3 433 carol alice :Nickname is already in use\r\n");
	net_free(net);
}

static void
test_privmsg_across_nodes(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a = net_client(net, 0, "alice");
	unsigned	 b = net_client(net, 1, "bob");
	char		 id1[64], id2[64], t1[64], t2[64];
	const char	*got;

	(void)state;
	net_line(net, 0, a, "PRIVMSG bob :hi there");
	assert_string_equal(fx_take(net->fx[1], b),
	    ":alice!u@127.0.0.1 PRIVMSG bob :hi there\r\n");
	net_line(net, 1, b, "NOTICE alice :hello");
	assert_string_equal(fx_take(net->fx[0], a),
	    ":bob!u@127.0.0.1 NOTICE alice hello\r\n");
	/* The msgid and time are the origin's, on every node. */
	net_line(net, 0, a, "CAP REQ :message-tags server-time echo-message");
	net_line(net, 1, b, "CAP REQ :message-tags server-time");
	net_drain(net);
	net->fx[0]->now += 1234;
	net->fx[1]->now += 99999;
	net_line(net, 0, a, "@+draft/react=x PRIVMSG bob :tagged");
	got = fx_take(net->fx[0], a);
	tag_of(got, "msgid", id1, sizeof(id1));
	tag_of(got, "time", t1, sizeof(t1));
	got = fx_take(net->fx[1], b);
	tag_of(got, "msgid", id2, sizeof(id2));
	tag_of(got, "time", t2, sizeof(t2));
	assert_true(id1[0] != '\0' && t1[0] != '\0');
	assert_string_equal(id1, id2);
	assert_string_equal(t1, t2);
	assert_non_null(strstr(got, "+draft/react=x"));
	assert_non_null(strstr(got, " :alice!u@127.0.0.1 PRIVMSG bob tagged\r\n"));
	net_free(net);
}

static void
test_quit_and_split(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a = net_client(net, 0, "alice");
	unsigned	 b = net_client(net, 1, "bob");
	unsigned	 c = net_client(net, 2, "carol");
	unsigned	 a2;

	(void)state;
	net_line(net, 0, a, "JOIN #x");
	net_line(net, 1, b, "JOIN #x");
	net_line(net, 2, c, "JOIN #x");
	net_drain(net);
	net_line(net, 2, c, "QUIT :bye");
	assert_string_equal(fx_take(net->fx[0], a),
	    ":carol!u@127.0.0.1 QUIT :Quit: bye\r\n");
	assert_string_equal(fx_take(net->fx[1], b),
	    ":carol!u@127.0.0.1 QUIT :Quit: bye\r\n");
	/* n2 is gone for n1: bob quits with the netsplit reason, his nick is free. */
	core_peer_down(net->fx[0]->core, "n2", net->fx[0]->now);
	assert_string_equal(fx_take(net->fx[0], a), ":bob!u@127.0.0.1 QUIT :n1 n2\r\n");
	a2 = fx_client(net->fx[0], "bob");
	assert_int_equal(net->fx[0]->conns[a2].closed, false);
	net_run(net);
	net_free(net);
}

static void
test_relink_without_duplicates(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a = net_client(net, 0, "alice");
	unsigned	 b = net_client(net, 1, "bob");

	(void)state;
	net_line(net, 0, a, "JOIN #x");
	net_line(net, 1, b, "JOIN #x");
	net_drain(net);
	/* The bus goes for everyone; each node sees the others split. */
	net->cut[1] = true;
	for (int i = 0; i < NODES; i++)
		for (int j = 0; j < NODES; j++)
			if (i != j)
				core_peer_down(net->fx[i]->core, net_names[j], net->fx[i]->now);
	assert_string_equal(fx_take(net->fx[0], a), ":bob!u@127.0.0.1 QUIT :n1 n2\r\n");
	assert_string_equal(fx_take(net->fx[1], b), ":alice!u@127.0.0.1 QUIT :n2 n1\r\n");
	/* During the split bob leaves and comes back as someone else. */
	net_line(net, 1, b, "QUIT");
	/* Later: n2's #x is younger than n1's, and bobby's op there goes at the join. */
	net->fx[1]->now += 5000;
	b = fx_client(net->fx[1], "bobby");
	fx_line(net->fx[1], b, "JOIN #x");
	net_run(net);
	net->cut[1] = false;
	net_drain(net);
	net_link_all(net);
	assert_true(core_peer_synced(net->fx[0]->core));
	assert_true(core_peer_synced(net->fx[1]->core));
	fx_drain(net->fx[0]);
	net_line(net, 0, a, "NAMES #x");
	assert_string_equal(fx_take(net->fx[0], a),
	    ":n1 353 alice = #x :@alice bobby\r\n"
	    ":n1 366 alice #x :End of /NAMES list\r\n");
	net_line(net, 0, a, "WHOIS bob");
	assert_non_null(strstr(fx_take(net->fx[0], a), " 401 alice bob "));
	/* An extra up (a heartbeat seen twice) sends nothing twice. */
	net_up(net, 0, 1);
	net_run(net);
	net_line(net, 2, fx_client(net->fx[2], "carol"), "NAMES #x");
	net_free(net);
}

/* The nick every node shows for the user that node i's connection c is. */
static void
assert_nick_everywhere(struct net *net, const char *nick, const char *server)
{
	for (int i = 0; i < NODES; i++) {
		unsigned	c = fx_client(net->fx[i], "zzwho");
		char		want[128];

		net_line(net, i, c, "WHOIS x");
		fx_take(net->fx[i], c);
		snprintf(want, sizeof(want), "WHOIS %s", nick);
		net_line(net, i, c, want);
		snprintf(want, sizeof(want), " 312 zzwho %s %s ", nick, server);
		assert_non_null(strstr(fx_take(net->fx[i], c), want));
		net_line(net, i, c, "QUIT");
	}
}

/* The same nick taken on two sides of a split: the older keeps it, on every node. */
static void
test_nick_collision_after_split(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a, b;
	const char	*got;
	char		 loser[32];

	(void)state;
	net_split(net, 1);
	a = fx_client(net->fx[0], "sam");	/* n1's is older */
	net->fx[1]->now += 3000;
	b = fx_client(net->fx[1], "Sam");
	net_heal(net, 1);
	/* bob's node renames him and says why; n1's sam is untouched. */
	got = fx_take(net->fx[1], b);
	assert_non_null(strstr(got, ":Sam!u@127.0.0.1 NICK 0"));
	assert_non_null(strstr(got, " NOTICE 0"));
	assert_non_null(strstr(got, "Nick collision: Sam was taken"));
	assert_string_equal(fx_take(net->fx[0], a), "");
	sscanf(strstr(got, " NICK ") + 6, "%31[^\r]", loser);
	assert_nick_everywhere(net, "sam", "n1");
	assert_nick_everywhere(net, loser, "n2");
	net_free(net);
}

/* The reverse: the newer user is on n1 and loses there. */
static void
test_nick_collision_newer_on_first_node(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a;
	const char	*got;

	(void)state;
	net_split(net, 1);
	(void)fx_client(net->fx[1], "sam");	/* n2's is older */
	net->fx[0]->now += 3000;
	a = fx_client(net->fx[0], "sam");
	net_heal(net, 1);
	got = fx_take(net->fx[0], a);
	assert_non_null(strstr(got, ":sam!u@127.0.0.1 NICK 0"));
	assert_nick_everywhere(net, "sam", "n2");
	net_free(net);
}

/* Two nodes accept one nick at the same second: the node that sorts first keeps it. */
static void
test_nick_collision_same_time(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a = net_client(net, 0, "alice");
	unsigned	 c = net_client(net, 2, "carol");

	(void)state;
	fx_line(net->fx[0], a, "NICK dup");
	fx_line(net->fx[2], c, "NICK dup");
	net_run(net);
	assert_nick_everywhere(net, "dup", "n1");
	assert_non_null(strstr(fx_take(net->fx[2], c), " NOTICE 0"));
	net_free(net);
}

/* crypt(3) SHA-512 of "s3cret". */
static const struct core_oper opers[] = {
	{ "admin", "$6$FhUpg214YVB0DRq5$VXqa2jJY1yo5TUQHiU1r7Dw583Jzs7.SjuqQzxD7jDP3."
	    "Iucbujk/qikiW2MNhFfVwVE1jevt8jLyhxP1JCzy/", "", "", "" },
};

static void
oper_edit(struct core_config *cfg)
{
	cfg->opers = opers;
	cfg->nopers = 1;
}

static void
test_kill_and_wallops(void **state)
{
	struct net	*net = net_new_edit(true, oper_edit);
	unsigned	 o = net_client(net, 0, "oper");
	unsigned	 v = net_client(net, 1, "victim");
	unsigned	 w = net_client(net, 2, "watcher");

	(void)state;
	net_line(net, 0, o, "OPER admin s3cret");
	net_line(net, 1, v, "JOIN #c");
	net_line(net, 2, w, "JOIN #c");
	net_line(net, 2, w, "MODE watcher +w");
	net_drain(net);
	net_line(net, 0, o, "KILL victim :spam");
	assert_true(net->fx[1]->conns[v].closed);
	assert_string_equal(net->fx[1]->conns[v].reason, "Killed (oper (spam))");
	assert_string_equal(fx_take(net->fx[2], w),
	    ":victim!u@127.0.0.1 QUIT :Killed (oper (spam))\r\n");
	net_line(net, 0, o, "WHOIS victim");
	assert_non_null(strstr(fx_take(net->fx[0], o), " 401 oper victim "));
	net_line(net, 0, o, "WALLOPS :hear ye");
	assert_string_equal(fx_take(net->fx[2], w),
	    ":oper!u@127.0.0.1 WALLOPS :hear ye\r\n");
	net_free(net);
}

static void
test_network_queries(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a = net_client(net, 0, "alice");
	unsigned	 b, m;
	const char	*got;

	(void)state;
	(void)net_client(net, 1, "bob");
	(void)net_client(net, 2, "carol");
	net_line(net, 0, a, "LUSERS");
	got = fx_take(net->fx[0], a);
	assert_non_null(strstr(got, ":There are 3 users and 0 invisible on 3 servers\r\n"));
	assert_non_null(strstr(got, ":I have 1 clients and 2 servers\r\n"));
	net_line(net, 0, a, "LINKS");
	assert_string_equal(fx_take(net->fx[0], a),
	    ":n1 364 alice n1 n1 :0 parley IRC server\r\n"
	    ":n1 364 alice n2 n1 :1 parley IRC server\r\n"
	    ":n1 364 alice n3 n1 :1 parley IRC server\r\n"
	    ":n1 365 alice * :End of /LINKS list\r\n");
	net_line(net, 0, a, "MAP");
	assert_string_equal(fx_take(net->fx[0], a),
	    ":n1 006 alice :n1 [1 users]\r\n"
	    ":n1 006 alice :`- n2 [1 users]\r\n"
	    ":n1 006 alice :`- n3 [1 users]\r\n"
	    ":n1 007 alice :End of /MAP\r\n");
	/* A node's name is a server's: WHOIS through it, TIME of it. */
	net_line(net, 0, a, "WHOIS n2 bob");
	assert_non_null(strstr(fx_take(net->fx[0], a), ":n1 312 alice bob n2 "));
	net_line(net, 0, a, "TIME n3");
	assert_non_null(strstr(fx_take(net->fx[0], a), ":n1 391 alice n1 :"));
	net_line(net, 0, a, "WHOIS n9 bob");
	assert_non_null(strstr(fx_take(net->fx[0], a), " 402 alice n9 "));
	/* MONITOR: a user coming and going on another node. */
	net_line(net, 0, a, "MONITOR + dave");
	fx_take(net->fx[0], a);
	b = net_client(net, 1, "dave");
	assert_string_equal(fx_take(net->fx[0], a),
	    ":n1 730 alice :dave!u@127.0.0.1\r\n");
	net_line(net, 1, b, "AWAY :lunch");
	net_line(net, 0, a, "WHOIS dave");
	assert_non_null(strstr(fx_take(net->fx[0], a), " 301 alice dave :lunch\r\n"));
	net_line(net, 1, b, "QUIT");
	assert_string_equal(fx_take(net->fx[0], a), ":n1 731 alice :dave\r\n");
	/* WHOWAS names the node the user was on, not the one asked. */
	net_line(net, 0, a, "WHOWAS dave");
	assert_non_null(strstr(fx_take(net->fx[0], a), ":n1 312 alice dave n2 :"));
	/* KNOCK reaches the operators on other nodes. */
	m = net_client(net, 2, "mallory");
	net_line(net, 0, a, "JOIN #priv");
	net_line(net, 0, a, "MODE #priv +i");
	net_drain(net);
	net_line(net, 2, m, "KNOCK #priv");
	assert_string_equal(fx_take(net->fx[0], a),
	    ":n1 710 alice #priv mallory!u@127.0.0.1 :has asked for an invite.\r\n");
	/* An AWAY set before registration (draft/pre-away) is known everywhere. */
	b = fx_connect(net->fx[1]);
	fx_line(net->fx[1], b, "CAP REQ draft/pre-away");
	fx_line(net->fx[1], b, "AWAY :early");
	fx_line(net->fx[1], b, "NICK erin");
	fx_line(net->fx[1], b, "USER u 0 * :Erin");
	fx_line(net->fx[1], b, "CAP END");
	net_run(net);
	net_line(net, 0, a, "WHOIS erin");
	assert_non_null(strstr(fx_take(net->fx[0], a), " 301 alice erin :early\r\n"));
	/* INVITE across nodes lets the invited user past +i on its own node. */
	net_line(net, 2, m, "JOIN #priv");
	assert_non_null(strstr(fx_take(net->fx[2], m), " 473 mallory #priv "));
	net_line(net, 0, a, "INVITE mallory #priv");
	assert_string_equal(fx_take(net->fx[2], m),
	    ":alice!u@127.0.0.1 INVITE mallory #priv\r\n");
	net_line(net, 2, m, "JOIN #priv");
	assert_non_null(strstr(fx_take(net->fx[0], a), ":mallory!u@127.0.0.1 JOIN #priv\r\n"));
	net_free(net);
}

/* Lines no node would send are dropped: nothing changes, nothing crashes. */
static void
test_hostile_lines(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a = net_client(net, 0, "alice");
	struct core	*core = net->fx[0]->core;
	const char	*bad[] = {
		"", " ", ":", "UID", ":n2 UID", ":n2 UID n3/1 mallory 1 u h 1 + * :x",
		":n2 UID n2/9 alice 0 u h 1 + * :older, but n2/9 claims alice",
		":n2 UID n2/8 bad!nick 1 u h 1 + * :x",
		":n2/1 PRIVMSG alice :no such user",
		":n3/1 QUIT :someone else's user",
		":n2 CHAN #x 1 zz * 0 * 0 0", ":n2 SJOIN #x -5 :@n2/1",
		":n2 TB #nochan 1 1 a :t", ":n2 MODE #x 1 +o",
		"@msgid=;time= :n2/1 PRIVMSG", ":n2 KILL", ":n2 BMASK #x 1 z m s 1",
		":n2 NICK", ":n2 EOB extra params here",
	};
	char		 line[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "%s", bad[i]);
		core_peer_line(core, "n2", line, strlen(line), net->fx[0]->now);
	}
	/* The older claim won alice's nick: ours is renamed, never a duplicate. */
	assert_non_null(strstr(fx_take(net->fx[0], a), ":alice!u@127.0.0.1 NICK 0"));
	net_line(net, 0, a, "ISON alice");
	assert_non_null(strstr(fx_take(net->fx[0], a), " 303 0"));
	net_line(net, 0, a, "WHOIS alice");
	assert_non_null(strstr(fx_take(net->fx[0], a), " 312 0"));
	/* From a node that never said HELLO, or from itself: ignored. */
	snprintf(line, sizeof(line), ":n9 UID n9/1 ghost 1 u h 1 + * :x");
	core_peer_line(core, "n9", line, strlen(line), net->fx[0]->now);
	snprintf(line, sizeof(line), ":n1 HELLO");
	core_peer_line(core, "n1", line, strlen(line), net->fx[0]->now);
	net_line(net, 0, a, "WHOIS ghost");
	assert_non_null(strstr(fx_take(net->fx[0], a), " 401 "));
	net_run(net);
	net_free(net);
}

/* An account registered through n1 is known to n2's core at once; dropped, forgotten.
 * (Each fixture has its own store: only the cores' tables of names are shared here.) */
static void
test_registrations(void **state)
{
	struct net	*net = net_new_edit(true, fxa_cheap);
	unsigned	 a = net_client(net, 0, "alice");
	unsigned	 b = net_client(net, 1, "bob");

	(void)state;
	net_line(net, 0, a, "REGISTER * * :hunter22");
	assert_non_null(strstr(fx_take(net->fx[0], a), " REGISTER SUCCESS alice "));
	net_line(net, 0, a, "NICK alice_");
	net_line(net, 1, b, "NICK alice");
	net_drain(net);
	net_line(net, 1, b, "REGISTER * * :hunter22");
	assert_non_null(strstr(fx_take(net->fx[1], b),
	    "FAIL REGISTER ACCOUNT_EXISTS alice "));
	net_line(net, 1, b, "NICK bob");
	net_line(net, 0, a, "NS DROP alice hunter22");
	assert_non_null(strstr(fx_take(net->fx[0], a), "is dropped"));
	net_line(net, 1, b, "NICK alice");
	net_drain(net);
	net_line(net, 1, b, "REGISTER * * :hunter22");
	assert_non_null(strstr(fx_take(net->fx[1], b), " REGISTER SUCCESS alice "));
	net_free(net);
}

/* Only n1 saw n2 go (its bus was slow), and comes back: its HELLO makes n2 send its
 * state again, and n2 relearns n1's. */
static void
test_one_sided_split(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a = net_client(net, 0, "alice");
	unsigned	 b = net_client(net, 1, "bob");

	(void)state;
	net_line(net, 0, a, "JOIN #x");
	net_line(net, 1, b, "JOIN #x");
	net_drain(net);
	core_peer_down(net->fx[0]->core, "n2", net->fx[0]->now);
	assert_string_equal(fx_take(net->fx[0], a), ":bob!u@127.0.0.1 QUIT :n1 n2\r\n");
	/* n2 talks on; n1 does not count it as up and drops what it says. */
	net_line(net, 1, b, "PRIVMSG #x :anyone?");
	assert_string_equal(fx_take(net->fx[0], a), "");
	net_up(net, 0, 1);
	net_run(net);
	assert_string_equal(fx_take(net->fx[0], a), ":bob!u@127.0.0.1 JOIN #x\r\n");
	/* n2 saw alice leave and come back with n1's HELLO: one alice, in #x. */
	assert_string_equal(fx_take(net->fx[1], b),
	    ":alice!u@127.0.0.1 QUIT :n2 n1\r\n"
	    ":alice!u@127.0.0.1 JOIN #x\r\n"
	    ":n1 MODE #x +o alice\r\n");
	net_line(net, 1, b, "NAMES #x");
	assert_string_equal(fx_take(net->fx[1], b),
	    ":n2 353 bob = #x :bob @alice\r\n"
	    ":n2 366 bob #x :End of /NAMES list\r\n");
	net_free(net);
}

/* Registered while n2 was split off: n2 learns it with n1's burst. */
static void
test_registration_during_split(void **state)
{
	struct net	*net = net_new_edit(true, fxa_cheap);
	unsigned	 a = net_client(net, 0, "alice");
	unsigned	 b = net_client(net, 1, "bob");

	(void)state;
	net_split(net, 1);
	net_line(net, 0, a, "REGISTER * * :hunter22");
	net_line(net, 0, a, "JOIN #reg");
	net_line(net, 0, a, "CS REGISTER #reg");
	net_line(net, 0, a, "PART #reg");
	net_line(net, 0, a, "NICK alice_");
	net_heal(net, 1);
	net_line(net, 1, b, "NICK alice");
	net_drain(net);
	net_line(net, 1, b, "REGISTER * * :hunter22");
	assert_non_null(strstr(fx_take(net->fx[1], b),
	    "FAIL REGISTER ACCOUNT_EXISTS alice "));
	net_line(net, 1, b, "CS INFO #reg");
	assert_non_null(strstr(fx_take(net->fx[1], b), "#reg, founder alice"));
	net_free(net);
}

/* Time passing on a node times out its own idle clients, never another node's users:
 * they have no connection, no PING, no timer. */
static void
test_remote_users_have_no_timers(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a = net_client(net, 0, "alice");
	unsigned	 b = net_client(net, 1, "bob");
	unsigned	 c;

	(void)state;
	(void)a;
	for (int i = 0; i < 10; i++) {
		fx_advance(net->fx[1], 60000);
		net_run(net);
	}
	assert_true(net->fx[1]->conns[b].closed);
	c = net_client(net, 1, "carol");
	net_line(net, 1, c, "WHOIS alice");
	assert_non_null(strstr(fx_take(net->fx[1], c), " 312 carol alice n1 "));
	net_line(net, 0, a, "WHOIS bob");
	assert_non_null(strstr(fx_take(net->fx[0], a), " 401 alice bob "));
	net_free(net);
}

static void
always_on_edit(struct core_config *cfg)
{
	fxa_cheap(cfg);
	cfg->accounts_always_on = true;
}

/* An always-on user stays on its node when its connection goes, away: every node sees
 * it stay, and away; back, when a connection returns. */
static void
test_always_on_across_nodes(void **state)
{
	struct net	*net = net_new_edit(true, always_on_edit);
	unsigned	 a = net_client(net, 0, "alice");
	unsigned	 b = net_client(net, 1, "bob");

	(void)state;
	net_line(net, 1, b, "CAP REQ away-notify");
	net_line(net, 0, a, "REGISTER * * :hunter22");
	net_line(net, 0, a, "JOIN #c");
	net_line(net, 1, b, "JOIN #c");
	net_drain(net);
	fx_drop(net->fx[0], a, "Connection reset");
	net_run(net);
	assert_string_equal(fx_take(net->fx[1], b),
	    ":alice!u@127.0.0.1 AWAY :Not connected\r\n");
	net_line(net, 1, b, "WHOIS alice");
	assert_non_null(strstr(fx_take(net->fx[1], b), " 301 bob alice :Not connected\r\n"));
	net_free(net);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_introduction_and_burst),
		cmocka_unit_test(test_privmsg_across_nodes),
		cmocka_unit_test(test_quit_and_split),
		cmocka_unit_test(test_relink_without_duplicates),
		cmocka_unit_test(test_nick_collision_after_split),
		cmocka_unit_test(test_nick_collision_newer_on_first_node),
		cmocka_unit_test(test_nick_collision_same_time),
		cmocka_unit_test(test_kill_and_wallops),
		cmocka_unit_test(test_network_queries),
		cmocka_unit_test(test_hostile_lines),
		cmocka_unit_test(test_registrations),
		cmocka_unit_test(test_one_sided_split),
		cmocka_unit_test(test_registration_during_split),
		cmocka_unit_test(test_remote_users_have_no_timers),
		cmocka_unit_test(test_always_on_across_nodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
