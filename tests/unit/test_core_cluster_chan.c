/*
 * Channels across the nodes of one network (three cores on a fake bus,
 * fixture_cluster.h): membership, modes, topic and lists on every node, a message once
 * per node with members, creation-time races and netjoin merges, registered channels,
 * multiline batches, metadata and history.
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
test_channel_across_three_nodes(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a = net_client(net, 0, "alice");
	unsigned	 b = net_client(net, 1, "bob");
	unsigned	 c = net_client(net, 2, "carol");
	const char	*got;

	(void)state;
	net_line(net, 0, a, "JOIN #chat");
	net_line(net, 1, b, "JOIN #chat");
	net_line(net, 2, c, "JOIN #chat");
	assert_string_equal(fx_take(net->fx[0], a),
	    ":alice!u@127.0.0.1 JOIN #chat\r\n"
	    ":n1 353 alice = #chat :@alice\r\n"
	    ":n1 366 alice #chat :End of /NAMES list\r\n"
	    ":bob!u@127.0.0.1 JOIN #chat\r\n"
	    ":carol!u@127.0.0.1 JOIN #chat\r\n");
	assert_string_equal(fx_take(net->fx[2], c),
	    ":carol!u@127.0.0.1 JOIN #chat\r\n"
	    ":n3 353 carol = #chat :@alice bob carol\r\n"
	    ":n3 366 carol #chat :End of /NAMES list\r\n");
	net_drain(net);
	net_line(net, 1, b, "PRIVMSG #chat :hello all");
	assert_string_equal(fx_take(net->fx[0], a),
	    ":bob!u@127.0.0.1 PRIVMSG #chat :hello all\r\n");
	assert_string_equal(fx_take(net->fx[2], c),
	    ":bob!u@127.0.0.1 PRIVMSG #chat :hello all\r\n");
	assert_string_equal(fx_take(net->fx[1], b), "");
	/* An op on n1 gives voice to carol on n3, sets a topic and a ban. */
	net_line(net, 0, a, "MODE #chat +vm carol");
	assert_string_equal(fx_take(net->fx[2], c),
	    ":alice!u@127.0.0.1 MODE #chat +vm carol\r\n");
	net_line(net, 0, a, "TOPIC #chat :the topic");
	assert_string_equal(fx_take(net->fx[1], b),
	    ":alice!u@127.0.0.1 MODE #chat +vm carol\r\n"
	    ":alice!u@127.0.0.1 TOPIC #chat :the topic\r\n");
	/* +m holds on every node: bob (no voice) cannot speak; carol can. */
	net_line(net, 1, b, "PRIVMSG #chat :muted?");
	assert_string_equal(fx_take(net->fx[1], b),
	    ":n2 404 bob #chat :Cannot send to channel\r\n");
	net_drain(net);
	for (int i = 0; i < NODES; i++) {
		unsigned	who[NODES] = { a, b, c };
		char		want[512];

		net_line(net, i, who[i], "NAMES #chat");
		snprintf(want, sizeof(want),
		    ":%s 353 %s = #chat :@alice bob +carol\r\n"
		    ":%s 366 %s #chat :End of /NAMES list\r\n", net_names[i],
		    i == 0 ? "alice" : i == 1 ? "bob" : "carol", net_names[i],
		    i == 0 ? "alice" : i == 1 ? "bob" : "carol");
		assert_string_equal(fx_take(net->fx[i], who[i]), want);
		net_line(net, i, who[i], "TOPIC #chat");
		assert_non_null(strstr(fx_take(net->fx[i], who[i]), " :the topic\r\n"));
	}
	net_line(net, 2, c, "WHOIS alice");
	assert_non_null(strstr(fx_take(net->fx[2], c), " 319 carol alice :@#chat\r\n"));
	net_line(net, 1, b, "LIST");
	got = fx_take(net->fx[1], b);
	assert_non_null(strstr(got, " 322 bob #chat 3 :"));
	assert_non_null(strstr(got, "the topic\r\n"));
	net_line(net, 2, c, "WHO #chat");
	assert_non_null(strstr(fx_take(net->fx[2], c), " 352 carol #chat u 127.0.0.1 n1 "
	    "alice H@ :0 Real Name\r\n"));
	/* A kick from n1 of bob (n2), seen everywhere; bob is out on every node. */
	net_line(net, 0, a, "KICK #chat bob :out");
	assert_string_equal(fx_take(net->fx[1], b),
	    ":alice!u@127.0.0.1 KICK #chat bob out\r\n");
	assert_string_equal(fx_take(net->fx[2], c),
	    ":alice!u@127.0.0.1 KICK #chat bob out\r\n");
	net_line(net, 2, c, "PART #chat :later");
	assert_string_equal(fx_take(net->fx[0], a),
	    ":alice!u@127.0.0.1 KICK #chat bob out\r\n"
	    ":carol!u@127.0.0.1 PART #chat later\r\n");
	net_line(net, 1, b, "NAMES #chat");
	assert_string_equal(fx_take(net->fx[1], b),
	    ":n2 353 bob = #chat :@alice\r\n"
	    ":n2 366 bob #chat :End of /NAMES list\r\n");
	net_free(net);
}

/* A message to a channel with 5 members on 2 other nodes crosses the bus twice. */
static void
test_once_per_node(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a = net_client(net, 0, "alice");
	const char	*nicks[] = { "b1", "b2", "b3", "c1", "c2" };

	(void)state;
	net_line(net, 0, a, "JOIN #big");
	for (int i = 0; i < 5; i++)
		net_line(net, i < 3 ? 1 : 2, net_client(net, i < 3 ? 1 : 2, nicks[i]),
		    "JOIN #big");
	snprintf(net->verb, sizeof(net->verb), "PRIVMSG");
	net->counted = 0;
	net_line(net, 0, a, "PRIVMSG #big :to all");
	net_drain(net);
	assert_int_equal(net->counted, 1);	/* every other node: one line to all */
	/* Only n2 has members: one line, to n2. */
	for (int i = 3; i < 5; i++)
		net_line(net, 2, net->fx[2]->nconns - (unsigned)(4 - i), "PART #big");
	net_drain(net);
	net->counted = 0;
	net_line(net, 0, a, "PRIVMSG #big :to n2");
	assert_int_equal(net->counted, 1);
	assert_string_equal(fx_take(net->fx[2], 1), "");
	assert_string_equal(fx_take(net->fx[1], 1),
	    ":alice!u@127.0.0.1 PRIVMSG #big :to n2\r\n");
	/* A channel with no remote member: nothing crosses. */
	net_line(net, 0, a, "JOIN #alone");
	net->counted = 0;
	net_line(net, 0, a, "PRIVMSG #alone :me");
	assert_int_equal(net->counted, 0);
	net_free(net);
}

static void
test_once_per_node_count(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a = net_client(net, 0, "alice");
	const char	*nicks[] = { "b1", "b2", "b3", "c1", "c2" };
	unsigned	 before;

	(void)state;
	/* A fourth node that is up but has no member: one line to each of n2, n3. */
	core_peer_up(net->fx[0]->core, "n4", net->fx[0]->now);
	net_run(net);
	net_line(net, 0, a, "JOIN #big");
	for (int i = 0; i < 5; i++)
		net_line(net, i < 3 ? 1 : 2, net_client(net, i < 3 ? 1 : 2, nicks[i]),
		    "JOIN #big");
	net_drain(net);
	snprintf(net->verb, sizeof(net->verb), "PRIVMSG");
	net->counted = 0;
	before = net->sent[0];
	net_line(net, 0, a, "PRIVMSG #big :to n2 and n3");
	assert_int_equal(net->counted, 2);
	assert_int_equal(net->sent[0] - before, 2);
	assert_string_equal(fx_take(net->fx[1], 1),
	    ":alice!u@127.0.0.1 PRIVMSG #big :to n2 and n3\r\n");
	net_free(net);
}

/* Two nodes create one channel before they hear of each other: the older creation
 * keeps its op on every node, the younger side's creator loses it. */
static void
test_channel_ts_race(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a = net_client(net, 0, "alice");
	unsigned	 c = net_client(net, 2, "carol");
	unsigned	 b = net_client(net, 1, "bob");

	(void)state;
	net->fx[2]->now += 5000;
	fx_line(net->fx[0], a, "JOIN #race");
	fx_line(net->fx[2], c, "JOIN #race");
	net_run(net);
	net_drain(net);
	net_line(net, 2, c, "NAMES #race");
	assert_string_equal(fx_take(net->fx[2], c),
	    ":n3 353 carol = #race :carol @alice\r\n"
	    ":n3 366 carol #race :End of /NAMES list\r\n");
	net_line(net, 1, b, "NAMES #race");
	assert_string_equal(fx_take(net->fx[1], b),
	    ":n2 353 bob = #race :@alice carol\r\n"
	    ":n2 366 bob #race :End of /NAMES list\r\n");
	/* carol's op is gone where it counts: her node refuses her MODE. */
	net_line(net, 2, c, "MODE #race +m");
	assert_non_null(strstr(fx_take(net->fx[2], c), " 482 carol #race "));
	net_free(net);
}

#define HCAPS	"CAP REQ :draft/chathistory draft/event-playback batch server-time " \
		"message-tags"

/* A message or event is kept once, by the node it was said on; the others keep none
 * of it (the store is shared in a real cluster). */
static void
test_history_once(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a = net_client(net, 0, "alice");
	unsigned	 b = net_client(net, 1, "bob");
	const char	*got;

	(void)state;
	net_line(net, 0, a, HCAPS);
	net_line(net, 1, b, HCAPS);
	net_line(net, 0, a, "JOIN #c");
	net_line(net, 1, b, "JOIN #c");
	net_line(net, 0, a, "PRIVMSG #c :kept once");
	for (int i = 0; i < NODES; i++)
		fx_advance(net->fx[i], 2000);
	net_drain(net);
	net_line(net, 0, a, "CHATHISTORY LATEST #c * 10");
	assert_non_null(strstr(fx_take(net->fx[0], a), "PRIVMSG #c :kept once\r\n"));
	net_line(net, 1, b, "CHATHISTORY LATEST #c * 10");
	got = fx_take(net->fx[1], b);
	assert_null(strstr(got, "kept once"));
	assert_null(strstr(got, ":alice!u@127.0.0.1 JOIN"));
	assert_non_null(strstr(got, ":bob!u@127.0.0.1 JOIN #c\r\n"));
	net_free(net);
}

/* A channel registered through n1: every node keeps it, its access list gives op on
 * the node the user joins through, and everyone sees that op. */
static void
test_registered_channel(void **state)
{
	struct net	*net = net_new_edit(true, fxa_cheap);
	unsigned	 a = net_client(net, 0, "alice");
	unsigned	 b = net_client(net, 1, "bob");
	const char	*got;

	(void)state;
	net_line(net, 0, a, "REGISTER * * :hunter22");
	net_line(net, 1, b, "REGISTER * * :hunter22");
	net_line(net, 0, a, "JOIN #reg");
	net_line(net, 0, a, "CS REGISTER #reg");
	net_line(net, 0, a, "CS ACCESS #reg ADD bob op");
	assert_non_null(strstr(fx_take(net->fx[0], a), "bob gets op on #reg"));
	net_line(net, 1, b, "JOIN #reg");
	got = fx_take(net->fx[0], a);
	assert_non_null(strstr(got, ":bob!u@127.0.0.1 JOIN #reg\r\n"
	    ":ChanServ!ChanServ@services.n1 MODE #reg +o bob\r\n"));
	net_line(net, 1, b, "CS INFO #reg");
	assert_non_null(strstr(fx_take(net->fx[1], b), "#reg, founder alice"));
	/* Empty, it stays on every node. */
	net_line(net, 0, a, "PART #reg");
	net_line(net, 1, b, "PART #reg");
	net_drain(net);
	net_line(net, 1, b, "CS INFO #reg");
	assert_non_null(strstr(fx_take(net->fx[1], b), "#reg, founder alice"));
	net_line(net, 0, a, "CS DROP #reg");
	net_line(net, 1, b, "CS INFO #reg");
	assert_non_null(strstr(fx_take(net->fx[1], b), "#reg is not registered"));
	net_free(net);
}

/* A draft/multiline batch crosses whole: a batch where the client takes one, the
 * fallback lines where it does not, on every node. */
static void
test_multiline_across_nodes(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a = net_client(net, 0, "alice");
	unsigned	 b = net_client(net, 1, "bob");
	unsigned	 c = net_client(net, 2, "carol");
	const char	*got;

	(void)state;
	net_line(net, 0, a, "CAP REQ :draft/multiline batch message-tags");
	net_line(net, 1, b, "CAP REQ :draft/multiline batch");
	net_line(net, 0, a, "JOIN #m");
	net_line(net, 1, b, "JOIN #m");
	net_line(net, 2, c, "JOIN #m");
	net_drain(net);
	net_line(net, 0, a, "BATCH +r1 draft/multiline #m");
	net_line(net, 0, a, "@batch=r1 PRIVMSG #m :first");
	net_line(net, 0, a, "@batch=r1;draft/multiline-concat PRIVMSG #m :+more");
	net_line(net, 0, a, "@batch=r1 PRIVMSG #m :second");
	net_line(net, 0, a, "BATCH -r1");
	got = fx_take(net->fx[1], b);
	assert_non_null(strstr(got, ":alice!u@127.0.0.1 BATCH +r1 draft/multiline #m\r\n"));
	assert_non_null(strstr(got, "@batch=r1;draft/multiline-concat :alice!u@127.0.0.1 "
	    "PRIVMSG #m +more\r\n"));
	assert_non_null(strstr(got, " BATCH -r1\r\n"));
	assert_string_equal(fx_take(net->fx[2], c),
	    ":alice!u@127.0.0.1 PRIVMSG #m first\r\n"
	    ":alice!u@127.0.0.1 PRIVMSG #m +more\r\n"
	    ":alice!u@127.0.0.1 PRIVMSG #m second\r\n");
	net_free(net);
}

/* Modes set on each side of a split merge at the netjoin (equal TS), and each side's
 * members see what the other side added. */
static void
test_netjoin_merges_modes(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a = net_client(net, 0, "alice");
	unsigned	 b = net_client(net, 1, "bob");

	(void)state;
	net_line(net, 0, a, "JOIN #x");
	net_line(net, 1, b, "JOIN #x");
	net_line(net, 0, a, "MODE #x +o bob");
	net_split(net, 1);
	net_line(net, 0, a, "MODE #x +s");
	net_line(net, 1, b, "MODE #x +m");
	net_drain(net);
	net_heal(net, 1);
	assert_non_null(strstr(fx_take(net->fx[0], a), ":n2 MODE #x +m\r\n"));
	assert_non_null(strstr(fx_take(net->fx[1], b), ":n1 MODE #x +s\r\n"));
	for (int i = 0; i < 2; i++) {
		net_line(net, i, i == 0 ? a : b, "MODE #x");
		assert_non_null(strstr(fx_take(net->fx[i], i == 0 ? a : b),
		    " #x +mnst\r\n"));
	}
	net_free(net);
}

/* METADATA on a user or a channel is kept on every node; a change reaches the
 * subscribers on each, and a split's other side relearns it with the burst. */
static void
test_metadata_across_nodes(void **state)
{
	struct net	*net = net_new(true);
	unsigned	 a = net_client(net, 0, "alice");
	unsigned	 b = net_client(net, 1, "bob");

	(void)state;
	net_line(net, 0, a, "CAP REQ :batch draft/metadata-2");
	net_line(net, 1, b, "CAP REQ :batch draft/metadata-2");
	net_line(net, 1, b, "METADATA * SUB avatar url");
	net_line(net, 0, a, "JOIN #c");
	net_line(net, 1, b, "JOIN #c");
	net_drain(net);
	net_line(net, 0, a, "METADATA * SET avatar :https://example.com/a.png");
	assert_string_equal(fx_take(net->fx[1], b),
	    ":alice!u@127.0.0.1 METADATA alice avatar * https://example.com/a.png\r\n");
	net_line(net, 0, a, "METADATA #c SET url :https://example.com");
	assert_string_equal(fx_take(net->fx[1], b),
	    ":alice!u@127.0.0.1 METADATA #c url * https://example.com\r\n");
	net_line(net, 1, b, "METADATA alice GET avatar");
	assert_non_null(strstr(fx_take(net->fx[1], b),
	    " 761 bob alice avatar * :https://example.com/a.png\r\n"));
	net_split(net, 1);
	net_heal(net, 1);
	net_drain(net);
	net_line(net, 1, b, "METADATA alice GET avatar");
	assert_non_null(strstr(fx_take(net->fx[1], b),
	    " 761 bob alice avatar * :https://example.com/a.png\r\n"));
	net_line(net, 1, b, "METADATA #c GET url");
	assert_non_null(strstr(fx_take(net->fx[1], b), " 761 bob #c url * "));
	net_free(net);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_channel_across_three_nodes),
		cmocka_unit_test(test_once_per_node),
		cmocka_unit_test(test_once_per_node_count),
		cmocka_unit_test(test_channel_ts_race),
		cmocka_unit_test(test_history_once),
		cmocka_unit_test(test_registered_channel),
		cmocka_unit_test(test_multiline_across_nodes),
		cmocka_unit_test(test_netjoin_merges_modes),
		cmocka_unit_test(test_metadata_across_nodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
