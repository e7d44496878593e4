/*
 * libFuzzer target: the whole core, driven like a driver would drive it.  The input is a
 * script of records separated by LF; the first byte of each says what happens:
 *
 *   'o' D       connection D (0-7) opens (from one of two addresses, by D's parity)
 *   'c' D       connection D goes away (EOF)
 *   'l' D       connection D's line was too long for the framer
 *   't' N       the clock moves N ms on (decimal, default 1000) and the timers run
 *   'u' D       node n(2 + D % 3) is up (the core becomes node n1 first: cluster.h)
 *   'd' D       that node is down
 *   'p' D TEXT  that node sends the node line TEXT
 *   D TEXT      connection D (a digit) sends the line TEXT, opening first if needed
 *   any other   the whole record is a line from connection (byte % 8)
 *
 * After every event a checker walks the core's state: clients and counts, the nick
 * table, channel membership from both sides and flood queues; other nodes' users never
 * have a connection, a timer or delayed lines.
 * The fake driver checks the core's side of the contract: every queued buffer is whole
 * CR LF lines with no NUL or stray CR inside, and nothing is queued for, or hung up on,
 * a connection the core has let go.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/channel.h"
#include "core/client.h"
#include "core/cluster.h"
#include "core/core.h"
#include "core/peer.h"
#include "core/server.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)
#define SLOTS		8
#define RECORD_MAX	(MSG_TAGS_MAX + MSG_BODY_MAX)

/* crypt(3) MD5 hash of "s3cret": cheap enough to try many times a second. */
#define OPER_HASH	"$1$t5suEDO9$U.EWxqKDHu31x9DXMJw.K0"

struct slot {
	struct client	*client;	/* NULL: closed */
	uint64_t	 conn;		/* unique for the whole run, never reused */
};

struct driver {
	struct core	*core;
	struct slot	 slots[SLOTS];
	uint64_t	 next_conn;
	int64_t		 now;
};

static struct slot *
slot_of(struct driver *d, uint64_t conn)
{
	for (int i = 0; i < SLOTS; i++)
		if (d->slots[i].client != NULL && d->slots[i].conn == conn)
			return &d->slots[i];
	return NULL;
}

static void
out_queue(void *ctx, uint64_t conn, const char *buf, size_t len)
{
	const char	*p = buf, *end = buf + len, *nl;

	/* Only to a connection the core still has. */
	CHECK(slot_of(ctx, conn) != NULL);
	CHECK(len >= 2);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		CHECK(nl != NULL && nl > p && nl[-1] == '\r');
		CHECK(memchr(p, '\0', (size_t)(nl - p)) == NULL);
		CHECK(memchr(p, '\r', (size_t)(nl - 1 - p)) == NULL);
		CHECK((size_t)(nl + 1 - p) <= MSG_TAGS_MAX + MSG_BODY_MAX);
		p = nl + 1;
	}
}

static void
out_queue_many(void *ctx, const uint64_t *conns, size_t n, const char *buf, size_t len)
{
	CHECK(n > 0);
	for (size_t i = 0; i < n; i++)
		out_queue(ctx, conns[i], buf, len);
}

static void
out_hangup(void *ctx, uint64_t conn, const char *reason)
{
	struct slot	*s = slot_of(ctx, conn);

	CHECK(s != NULL && reason != NULL);
	s->client = NULL;
}

/* A node line: one line, nothing a bus would have to frame. */
static void
out_peer(void *ctx, const char *node, const char *line, size_t len)
{
	(void)ctx;
	CHECK(node == NULL || node[0] == 'n');
	CHECK(len > 0 && len <= PEER_LINE_MAX);
	CHECK(memchr(line, '\0', len) == NULL && memchr(line, '\r', len) == NULL &&
	    memchr(line, '\n', len) == NULL);
}

static void
out_request(void *ctx, enum core_request req, const char *reason)
{
	(void)ctx;
	(void)req;
	CHECK(reason != NULL);
}

/* Small limits, so that short inputs reach them. */
static void
fuzz_config(struct core_config *cfg)
{
	static const struct core_oper	oper = { .name = "admin", .hash = OPER_HASH };

	core_config_defaults(cfg);
	strcpy(cfg->created, "today");
	cfg->motd = "Welcome\nto the fuzzer";
	cfg->opers = &oper;
	cfg->nopers = 1;
	cfg->max_channels = 4;
	cfg->max_list = 3;
	cfg->whowas_history = 4;
	cfg->registration_timeout = 20000;
	cfg->ping_interval = 30000;
	cfg->ping_timeout = 10000;
	cfg->flood_burst = 6;
	cfg->flood_interval = 1000;
	cfg->flood_queue = 600;
	/* accounts: argon2id at its least, so that REGISTER and SASL are cheap to try */
	cfg->accounts_argon2_ops = 1;
	cfg->accounts_argon2_mem = 8192;
	cfg->accounts_scram_iterations = 16;
}

/* Is cl on the core's client list? */
static bool
known_client(struct core *core, const struct client *cl)
{
	for (struct list *n = core->clients.next; n != &core->clients; n = n->next)
		if (list_entry(n, struct client, all) == cl)
			return true;
	return false;
}

static void
check_client(struct core *core, struct client *cl)
{
	CHECK(cl->nick[sizeof(cl->nick) - 1] == '\0' && strlen(cl->host) > 0);
	if (cl->nick[0] != '\0')
		CHECK(map_get(&core->nicks, cl->nick) == cl);
	if (cl->state == CLIENT_REGISTERED)
		CHECK(cl->nick[0] != '\0' && cl->user[0] != '\0');
	else
		CHECK(cl->channels.len == 0);
	/* Another node's user: no connection, nothing of one; its node's limits. */
	if (!cl->local) {
		CHECK(cl->conn == 0 && cl->node != NULL && cl->node->up);
		CHECK(cl->state == CLIENT_REGISTERED && !list_linked(&cl->timer));
		CHECK(cl->sessions.len == 0 && list_empty(&cl->jobs));
		CHECK(map_get(&core->cluster->uids, cl->uid) == cl);
	} else
		CHECK(cl->channels.len <= core->cfg.max_channels);
	/* Every channel it lists holds it, once. */
	for (size_t i = 0; i < cl->channels.len; i++) {
		struct member	*m = cl->channels.items[i];
		struct channel	*ch = m->channel;
		size_t		 seen = 0;

		CHECK(m->client == cl);
		CHECK(map_get(&core->channels, ch->name) == ch);
		for (size_t j = 0; j < ch->members.len; j++)
			seen += ch->members.items[j] == m;
		CHECK(seen == 1);
		for (size_t j = i + 1; j < cl->channels.len; j++)
			CHECK(((struct member *)cl->channels.items[j])->channel != ch);
	}
	/* Delayed lines exactly while it is on the core's list of them. */
	CHECK(list_empty(&cl->flood_queue) == !list_linked(&cl->flood_link));
	CHECK(list_empty(&cl->flood_queue) == (cl->flood_bytes == 0));
	CHECK(cl->flood_bytes <= core->cfg.flood_queue);
}

static void
check_channel(struct channel *ch)
{
	/* A channel exists while someone is in it (or an operator made it +P), and
	 * every member lists it. */
	CHECK(ch->members.len > 0 || (ch->modes & CHANNEL_PERMANENT));
	for (size_t i = 0; i < ch->members.len; i++) {
		struct member	*m = ch->members.items[i];
		size_t		 seen = 0;

		CHECK(m->channel == ch);
		CHECK(m->client->state == CLIENT_REGISTERED);
		for (size_t j = 0; j < m->client->channels.len; j++)
			seen += m->client->channels.items[j] == m;
		CHECK(seen == 1);
	}
}

static void
check_core(struct driver *d)
{
	struct core	*core = d->core;
	size_t		 n = 0, reg = 0, named = 0, open = 0, remote = 0, pos;
	const char	*key;
	void		*value;

	for (struct list *l = core->clients.next; l != &core->clients; l = l->next) {
		struct client	*cl = list_entry(l, struct client, all);

		n += cl->local;
		reg += cl->local && cl->state == CLIENT_REGISTERED;
		remote += !cl->local;
		named += cl->nick[0] != '\0';
		check_client(core, cl);
	}
	CHECK(n == core->nclients && reg == core->nregistered);
	CHECK(remote == (core->cluster != NULL ? core->cluster->nremote : 0));
	CHECK(core->max_registered >= core->nregistered);
	/* The driver's view: exactly its open connections are the core's clients. */
	for (int i = 0; i < SLOTS; i++)
		if (d->slots[i].client != NULL) {
			open++;
			CHECK(known_client(core, d->slots[i].client));
			CHECK(d->slots[i].client->conn == d->slots[i].conn);
		}
	CHECK(open == n);
	/* The nick table holds exactly the clients with a nick, under that nick. */
	CHECK(map_len(&core->nicks) == named);
	pos = 0;
	while (map_next(&core->nicks, &pos, &key, &value))
		CHECK(key == ((struct client *)value)->nick);
	pos = 0;
	while (map_next(&core->channels, &pos, &key, &value)) {
		CHECK(key == ((struct channel *)value)->name);
		check_channel(value);
	}
}

static void
open_slot(struct driver *d, int i)
{
	struct slot	*s = &d->slots[i];

	if (s->client != NULL)
		return;
	s->conn = ++d->next_conn;
	s->client = core_open(d->core, s->conn, i % 2 ? "10.1.2.3" : "::1", d->now);
	CHECK(s->client != NULL);
}

static void
run_record(struct driver *d, const uint8_t *p, size_t len, char *line)
{
	int		 i;
	struct slot	*s;

	if (len >= 2 && strchr("ocl", p[0]) && p[1] >= '0' && p[1] <= '9') {
		i = (p[1] - '0') % SLOTS;
		s = &d->slots[i];
		if (p[0] == 'o')
			open_slot(d, i);
		else if (s->client != NULL && p[0] == 'c') {
			core_closed(d->core, s->client, "Connection closed");
			s->client = NULL;
		} else if (s->client != NULL)
			core_line_too_long(d->core, s->client, d->now);
		return;
	}
	if (len >= 2 && strchr("udp", p[0]) && p[1] >= '0' && p[1] <= '9') {
		char	node[3] = { 'n', (char)('2' + (p[1] - '0') % 3), '\0' };

		/* The first node event makes the core a node: a core starts as one before
		 * its first connection, but nothing may break when that is later. */
		if (core_cluster_start(d->core, "n1") == -1)
			return;
		if (p[0] == 'u')
			core_peer_up(d->core, node, d->now);
		else if (p[0] == 'd')
			core_peer_down(d->core, node, d->now);
		else {
			len -= 2;
			if (len > RECORD_MAX)
				len = RECORD_MAX;
			memcpy(line, p + 2, len);
			line[len] = '\0';
			core_peer_line(d->core, node, line, len, d->now);
		}
		return;
	}
	if (len >= 1 && p[0] == 't') {
		int64_t	ms = len > 1 ? 0 : 1000;

		for (size_t k = 1; k < len && k < 7 && p[k] >= '0' && p[k] <= '9'; k++)
			ms = ms * 10 + (p[k] - '0');
		d->now += ms;
		(void)core_tick(d->core, d->now);
		return;
	}
	if (len >= 1 && p[0] >= '0' && p[0] <= '9') {
		i = (p[0] - '0') % SLOTS;
		p++;
		len--;
	} else
		i = len > 0 ? p[0] % SLOTS : 0;
	open_slot(d, i);
	/* Lines a driver hands over never hold their CR LF, and fit its buffer. */
	if (len > 0 && p[len - 1] == '\r')
		len--;
	if (len > RECORD_MAX)
		len = RECORD_MAX;
	memcpy(line, p, len);
	line[len] = '\0';
	core_line(d->core, d->slots[i].client, line, len, d->now);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char		 line[RECORD_MAX + 1];
	struct core_config	 cfg;
	struct core_out		 out;
	struct driver		 d;
	const uint8_t		*p = data, *end = data + size, *nl;

	memset(&d, 0, sizeof(d));
	d.now = 1000000;
	fuzz_config(&cfg);
	/* No job runner: the core runs jobs (OPER's hash) at once, deterministically. */
	out = (struct core_out){ &d, out_queue, out_queue_many, out_hangup, NULL,
	    out_request, NULL, NULL, out_peer };
	if ((d.core = core_new(&cfg, &out)) == NULL)
		return 0;
	core_clock(d.core, d.now, 1700000000000LL);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		run_record(&d, p, (size_t)(nl - p), line);
		check_core(&d);
		p = nl + 1;
	}
	/* Time runs out for everyone left: the timers must end them all cleanly. */
	for (int k = 0; k < 8 && core_client_count(d.core) > 0; k++) {
		d.now += 60000;
		(void)core_tick(d.core, d.now);
		check_core(&d);
	}
	CHECK(core_client_count(d.core) == 0);
	core_free(d.core);
	return 0;
}
