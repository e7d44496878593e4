/*
 * Three cores in one process as nodes n1, n2, n3 of one network, joined by a fake bus:
 * each out->peer line is queued as (from, to) and delivered in order by net_run, as
 * the cluster driver would carry it.  Users on different nodes meet, talk, share
 * channels, collide and split, with the exact bytes each connection receives.
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
#include "fixture_core.h"

#define NODES	3
#define QMAX	4096

struct bus_line {
	int	 from, to;	/* to -1: every other node */
	char	*line;
	size_t	 len;
};

struct net {
	struct fx	*fx[NODES];
	struct bus_line	 q[QMAX];
	size_t		 head, n;
	bool		 cut[NODES];	/* the node is off the bus: nothing in or out */
	unsigned	 sent[NODES];	/* lines each node gave out->peer */
	char		 verb[16];	/* counted: lines with this verb */
	unsigned	 counted;
};

static const char *names[NODES] = { "n1", "n2", "n3" };

static int
node_index(const char *name)
{
	for (int i = 0; i < NODES; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return NODES;	/* a node outside the test: the line goes nowhere */
}

static void
bus_peer(struct fx *fx, const char *node, const char *line, size_t len)
{
	struct net	*net = fx->peer_ctx;
	struct bus_line	*l;
	int		 from = -1;
	const char	*verb;

	for (int i = 0; i < NODES; i++)
		if (net->fx[i] == fx)
			from = i;
	assert_true(from >= 0 && net->n < QMAX);
	/* No line ever carries CR, LF or NUL: the bus frames nothing. */
	assert_null(memchr(line, '\r', len));
	assert_null(memchr(line, '\n', len));
	assert_null(memchr(line, '\0', len));
	net->sent[from]++;
	verb = line[0] == '@' ? strchr(line, ' ') + 1 : line;
	verb = strchr(verb, ' ') + 1;
	if (net->verb[0] != '\0' && strncmp(verb, net->verb, strlen(net->verb)) == 0 &&
	    verb[strlen(net->verb)] == ' ')
		net->counted++;
	if (net->cut[from])
		return;
	l = &net->q[net->n++];
	l->from = from;
	l->to = node != NULL ? node_index(node) : -1;
	l->line = strndup(line, len);
	l->len = len;
	assert_non_null(l->line);
}

/* Deliver every queued line, and those they cause, in order. */
static void
net_run(struct net *net)
{
	while (net->head < net->n) {
		struct bus_line	*l = &net->q[net->head++];

		for (int i = 0; i < NODES; i++) {
			char	*copy;

			if (i == l->from || (l->to >= 0 && l->to != i) || net->cut[i])
				continue;
			copy = strndup(l->line, l->len);
			assert_non_null(copy);
			core_peer_line(net->fx[i]->core, names[l->from], copy, l->len,
			    net->fx[i]->now);
			free(copy);
		}
		free(l->line);
		l->line = NULL;
	}
	/* Reuse the queue from the start once it is drained. */
	net->head = net->n = 0;
}

/* Node i learns that node j is up (as the driver does on j's first heartbeat). */
static void
net_up(struct net *net, int i, int j)
{
	core_peer_up(net->fx[i]->core, names[j], net->fx[i]->now);
}

static void
net_link_all(struct net *net)
{
	for (int i = 0; i < NODES; i++)
		for (int j = 0; j < NODES; j++)
			if (i != j)
				net_up(net, i, j);
	net_run(net);
}

static struct net *
net_new(bool link)
{
	struct net	*net = calloc(1, sizeof(*net));

	assert_non_null(net);
	for (int i = 0; i < NODES; i++) {
		net->fx[i] = fx_new(NULL);
		net->fx[i]->peer = bus_peer;
		net->fx[i]->peer_ctx = net;
		assert_int_equal(core_cluster_start(net->fx[i]->core, names[i]), 0);
	}
	if (link)
		net_link_all(net);
	return net;
}

static void
net_free(struct net *net)
{
	for (size_t i = net->head; i < net->n; i++)
		free(net->q[i].line);
	for (int i = 0; i < NODES; i++) {
		/* Nothing is ever queued for a remote user: conn 0 is theirs. */
		assert_int_equal(net->fx[i]->conns[0].len, 0);
		fx_free(net->fx[i]);
	}
	free(net);
}

/* Node i's connection c sends line; the bus then carries what follows. */
static void
net_line(struct net *net, int i, unsigned c, const char *line)
{
	fx_line(net->fx[i], c, line);
	net_run(net);
}

static unsigned
net_client(struct net *net, int i, const char *nick)
{
	unsigned	c = fx_client(net->fx[i], nick);

	net_run(net);
	return c;
}

static void
net_drain(struct net *net)
{
	for (int i = 0; i < NODES; i++)
		fx_drain(net->fx[i]);
}

/* The value of tag key in the first line of s (into buf), or "" when absent. */
static const char *
tag_of(const char *s, const char *key, char *buf, size_t cap)
{
	char		 pat[32];
	const char	*p, *end = strchr(s, ' ');

	snprintf(pat, sizeof(pat), "%s=", key);
	buf[0] = '\0';
	if (s[0] != '@' || (p = strstr(s, pat)) == NULL || p > end)
		return buf;
	p += strlen(pat);
	snprintf(buf, cap, "%.*s", (int)strcspn(p, "; "), p);
	return buf;
}

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
				core_peer_down(net->fx[i]->core, names[j], net->fx[i]->now);
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
		    ":%s 366 %s #chat :End of /NAMES list\r\n", names[i],
		    i == 0 ? "alice" : i == 1 ? "bob" : "carol", names[i],
		    i == 0 ? "alice" : i == 1 ? "bob" : "carol");
		assert_string_equal(fx_take(net->fx[i], who[i]), want);
		net_line(net, i, who[i], "TOPIC #chat");
		assert_non_null(strstr(fx_take(net->fx[i], who[i]), " :the topic\r\n"));
	}
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_introduction_and_burst),
		cmocka_unit_test(test_privmsg_across_nodes),
		cmocka_unit_test(test_quit_and_split),
		cmocka_unit_test(test_relink_without_duplicates),
		cmocka_unit_test(test_channel_across_three_nodes),
		cmocka_unit_test(test_once_per_node),
		cmocka_unit_test(test_once_per_node_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
