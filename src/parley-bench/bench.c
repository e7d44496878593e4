/*
 * The load generator's scenarios and their run: every client is a non-blocking socket in
 * one epoll loop (conn.c).  A client registers, joins the channel in fanout, and then
 * either sends (keeping a bounded window of messages in flight) or only receives.  Each
 * message carries its sender's id and its send time, so the receiver computes the latency
 * and gives the sender its window back: all clients live in this process, so no reply over
 * the wire is needed for that.  The lines are read and recognised here, in one file with
 * the timing they feed: that is the hot path.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "core/msg.h"
#include "parley-bench/bench.h"
#include "parley-bench/conn.h"
#include "parley-bench/history.h"
#include "parley-bench/login.h"
#include "parley-bench/proc.h"

#define STALL_NS	1000000000ull	/* no delivery for this long: messages were lost */
#define SETTLE_NS	500000000ull	/* connect: let the server settle before reading RSS */
#define SPREAD_NS	1000000000ull	/* several nodes: for the last joins to cross */

uint64_t
bench_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
bench_set_ready(struct bench *b, struct bconn *c)
{
	c->state = CS_READY;
	b->pending--;
	b->ready++;
}

/* A decimal number of at most 19 digits (no overflow); the end, or NULL without one. */
static const char *
bench_uint(const char *p, uint64_t *v)
{
	const char	*s = p;
	uint64_t	 x = 0;

	while (*p >= '0' && *p <= '9' && p - s < 19)
		x = x * 10 + (uint64_t)(*p++ - '0');
	*v = x;
	return p == s ? NULL : p;
}

/* "<sender id> <send time ns> <padding>": the receiver's half of a measured message. */
static void
bench_on_privmsg(struct bench *b, unsigned id, const char *text)
{
	uint64_t	 from, sent;
	struct bconn	*s;

	if ((text = bench_uint(text, &from)) == NULL || *text != ' ' ||
	    from >= b->o->clients || bench_uint(text + 1, &sent) == NULL)
		return;
	if (b->phase != PH_MEASURE || sent < b->mstart || b->now > b->mend)
		return;
	b->r->delivered++;
	hist_record(&b->r->latency, b->now > sent ? b->now - sent : 0);
	s = &b->c[from];
	if (s->ack_by == id && s->inflight > 0) {
		s->inflight--;
		s->last_ack = b->now;
	}
}

/*
 * The text of ":<prefix> PRIVMSG <target> :<text>", the line every measurement is made
 * of, found without the general parser: the generator has to outrun the servers it
 * measures.  NULL for any other shape (tags included); msg_parse then decides.
 */
static const char *
bench_privmsg_text(const char *line, size_t len)
{
	const char	*p, *end = line + len;

	if (len == 0 || line[0] != ':' || (p = memchr(line, ' ', len)) == NULL)
		return NULL;
	p++;
	if (end - p < 8 || memcmp(p, "PRIVMSG ", 8) != 0)
		return NULL;
	p += 8;
	if ((p = memchr(p, ' ', (size_t)(end - p))) == NULL || end - p < 2 || p[1] != ':')
		return NULL;
	return p + 2;
}

static void
bench_on_line(struct bench *b, unsigned id, char *line, size_t len)
{
	struct bconn	*c = &b->c[id];
	struct msg	 m;
	const char	*text;
	char		 out[600];
	int		 n;

	if ((text = bench_privmsg_text(line, len)) != NULL) {
		bench_on_privmsg(b, id, text);
		return;
	}
	if (msg_parse(&m, line, len) != MSG_OK)
		return;
	if (b->o->scenario == BENCH_LOGIN && login_on_msg(b, id, &m))
		return;
	if (b->o->scenario == BENCH_HISTORY && history_on_msg(b, id, &m))
		return;
	if (strcmp(m.verb, "PRIVMSG") == 0 && m.nparams == 2) {
		bench_on_privmsg(b, id, m.params[1]);
	} else if (strcmp(m.verb, "PING") == 0) {
		n = snprintf(out, sizeof(out), "PONG :%s\r\n", m.nparams ? m.params[0] : "");
		if (n > 0 && (size_t)n < sizeof(out))
			conn_line(b, c, out, (size_t)n);
	} else if (strcmp(m.verb, "001") == 0 && c->state == CS_REGISTERING) {
		b->r->registered++;
		if (b->o->scenario != BENCH_FANOUT && b->o->scenario != BENCH_HISTORY) {
			bench_set_ready(b, c);
			return;
		}
		n = snprintf(out, sizeof(out), "JOIN %s\r\n", b->o->channel);
		conn_line(b, c, out, (size_t)n);
		c->state = CS_JOINING;
	} else if (strcmp(m.verb, "366") == 0 && c->state == CS_JOINING) {
		b->r->joined++;
		bench_set_ready(b, c);
	} else if ((m.verb[0] == '4' || m.verb[0] == '5') &&
	    strcmp(m.verb, "422") != 0) {
		/* 422 (no MOTD) is an ordinary part of registration. */
		b->r->errors++;
	}
}

/* The lines in p[0 ..< end]: where the unfinished rest starts, or NULL when the client
 * was closed. */
static char *
bench_lines(struct bench *b, unsigned id, char *p, char *end)
{
	char	*nl;

	for (; (nl = memchr(p, '\n', (size_t)(end - p))) != NULL; p = nl + 1) {
		*nl = '\0';
		bench_on_line(b, id, p, (size_t)(nl - p) - (nl > p && nl[-1] == '\r'));
		if (b->c[id].state == CS_DEAD)
			return NULL;
	}
	return p;
}

/*
 * --ws: the 101, then the messages in p[0 ..< end] (end[0] is writable: it stands in
 * for a NUL).  Returns where the unfinished rest starts, or NULL when the client was
 * closed (a close frame, or bytes that are no answer of a server).
 */
static char *
bench_ws_messages(struct bench *b, unsigned id, char *p, char *end)
{
	struct bconn	*c = &b->c[id];
	char		*msg, save;
	size_t		 n;
	ssize_t		 k;

	if (c->state == CS_UPGRADE) {
		if ((k = conn_upgraded(p, (size_t)(end - p))) == 0)
			return p;
		if (k < 0) {
			conn_close(b, id, true);
			return NULL;
		}
		p += k;
		c->state = CS_REGISTERING;
		conn_register(b, c);
	}
	while ((k = conn_ws_frame(p, (size_t)(end - p), &msg, &n)) > 0) {
		if ((p[0] & 0x0f) == 0x8) {
			conn_close(b, id, true);
			return NULL;
		}
		save = msg[n];
		msg[n] = '\0';
		bench_on_line(b, id, msg, n);
		msg[n] = save;
		if (c->state == CS_DEAD)
			return NULL;
		p += k;
	}
	if (k < 0) {
		conn_close(b, id, true);
		return NULL;
	}
	return p;
}

/*
 * Read what the server sent and handle every complete line.  Reads go to the shared
 * b->rd after the client's unfinished line, so one receive takes many lines; what is
 * left unfinished goes back to the client.
 */
static void
bench_on_readable(struct bench *b, unsigned id)
{
	struct bconn	*c = &b->c[id];
	char		*p, *end;
	ssize_t		 n;
	size_t		 left;

	/* Until EAGAIN under TLS: what it decrypted beyond our buffer waits inside it,
	 * unseen by epoll.  Plain TCP is level-triggered: a short read drained it. */
	for (;;) {
		memcpy(b->rd, c->rbuf, c->rlen);
		n = conn_recv(c, b->rd + c->rlen, READ_SIZE);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			conn_close(b, id, true);
			return;
		}
		b->now = bench_now();
		end = b->rd + c->rlen + n;
		p = b->o->ws ? bench_ws_messages(b, id, b->rd, end) :
		    bench_lines(b, id, b->rd, end);
		if (p == NULL)
			return;
		/* A line longer than RBUF_SIZE is no line a server sends: drop it. */
		left = (size_t)(end - p);
		c->rlen = left < RBUF_SIZE ? left : 0;
		memcpy(c->rbuf, p, c->rlen);
		if (c->ssl == NULL && n < READ_SIZE)
			return;
	}
}

static void
bench_on_event(struct bench *b, const struct epoll_event *ev)
{
	unsigned	 id = ev->data.u32;
	struct bconn	*c = &b->c[id];
	int		 err = 0;
	socklen_t	 len = sizeof(err);

	if (c->state == CS_DEAD)
		return;
	if (c->state == CS_CONNECTING) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 || err != 0) {
			conn_close(b, id, true);
			return;
		}
		if (!(ev->events & (EPOLLOUT | EPOLLIN)))
			return;
		c->state = b->ssl_ctx != NULL ? CS_HANDSHAKE : b->o->ws ? CS_UPGRADE :
		    CS_REGISTERING;
	}
	if (c->state == CS_HANDSHAKE) {
		conn_handshake(b, id);
		if (c->state != CS_REGISTERING && c->state != CS_UPGRADE)
			return;
	}
	if (ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		bench_on_readable(b, id);
	if (c->state != CS_DEAD && c->woff < c->wlen)
		conn_flush(b, id);
}

/* Give every sender its window back, formatting each message with its send time. */
static void
bench_send(struct bench *b)
{
	const struct bench_opts	*o = b->o;
	char			 line[1100];
	unsigned		 i;
	int			 n;

	for (i = 0; i < o->clients; i++) {
		struct bconn	*c = &b->c[i];

		if (!c->sender || c->state != CS_READY)
			continue;
		if (c->inflight > 0 && b->now - c->last_ack > STALL_NS) {
			b->r->stalls++;
			c->inflight = 0;
		}
		while (c->inflight < o->window) {
			n = snprintf(line, sizeof(line), "PRIVMSG %s :%u %llu %s\r\n",
			    o->scenario == BENCH_FANOUT ? o->channel : b->c[c->peer].nick, i,
			    (unsigned long long)b->now, b->pad);
			if (n <= 0 || (size_t)n >= sizeof(line))
				break;
			conn_line(b, c, line, (size_t)n);
			if (c->inflight++ == 0)
				c->last_ack = b->now;
			b->r->sent++;
		}
		if (c->woff < c->wlen)
			conn_flush(b, i);
	}
}

static void
bench_progress(struct bench *b, bool last)
{
	const struct bench_result	*r = b->r;
	double				 t;

	if (!b->o->progress || (!last && b->now - b->last_progress < 1000000000ull))
		return;
	b->last_progress = b->now;
	if (b->phase == PH_SETUP) {
		t = (double)(b->now - b->t0) / 1e9;
		fprintf(stderr, "\r\033[Ksetup %.1fs: %u/%u registered, %u joined, %llu lost",
		    t, r->registered, b->o->clients, r->joined,
		    (unsigned long long)r->disconnects);
	} else if (b->o->scenario == BENCH_LOGIN) {
		t = (double)(b->now - b->mstart) / 1e9;
		fprintf(stderr, "\r\033[K%.1fs: %u/%u logged in, %u failed, %llu lost", t,
		    r->logins, b->o->clients, r->login_failures,
		    (unsigned long long)r->disconnects);
	} else {
		t = (double)(b->now - b->mstart) / 1e9;
		fprintf(stderr, "\r\033[K%.1fs: %llu sent, %llu delivered (%.0f/s), %llu lost",
		    t, (unsigned long long)r->sent, (unsigned long long)r->delivered,
		    t > 0 ? (double)r->delivered / t : 0.0,
		    (unsigned long long)r->disconnects);
	}
	if (last)
		fputc('\n', stderr);
}

/* login: the accounts and the pinger are ready, then every login has its answer (or
 * the time allowed for either is over). */
static void
bench_advance_login(struct bench *b)
{
	const struct bench_opts	*o = b->o;
	struct bench_result	*r = b->r;
	uint64_t		 since = b->phase == PH_SETUP ? b->t0 : b->mstart;
	bool			 over = r->disconnects > 0 || r->register_failures > 0 ||
				    b->now - since > (uint64_t)(o->timeout * 1e9);

	if (b->phase == PH_SETUP) {
		r->setup_s = (double)(b->now - b->t0) / 1e9;
		if (over)
			b->phase = PH_DONE;
		if (over || r->accounts < o->accounts || b->c[o->clients].state != CS_READY)
			return;
		login_start(b);
		b->mstart = b->now;
		b->phase = PH_MEASURE;
		return;
	}
	if (!over && (!login_done(b) || b->ready < b->nconns))
		return;
	r->measured_s = (double)(b->now - b->mstart) / 1e9;
	r->setup_done = login_done(b) && b->ready == b->nconns;
	b->phase = PH_DONE;
}

/* Move to the next phase when this one is over. */
static void
bench_advance(struct bench *b)
{
	const struct bench_opts	*o = b->o;
	struct bench_result	*r = b->r;

	if (o->scenario == BENCH_LOGIN && b->phase != PH_DONE) {
		bench_advance_login(b);
		return;
	}
	switch (b->phase) {
	case PH_SETUP:
		if (r->disconnects > 0 ||
		    b->now - b->t0 > (uint64_t)(o->timeout * 1e9)) {
			r->setup_s = (double)(b->now - b->t0) / 1e9;
			b->phase = PH_DONE;
			return;
		}
		if (b->ready < o->clients)
			return;
		/* The nodes of a network hear of each other's joins a moment after their
		 * own clients are told: let the last ones cross before measuring. */
		if (o->ntargets > 1 && b->spread_at == 0)
			b->spread_at = b->now + SPREAD_NS;
		if (b->now < b->spread_at)
			return;
		r->setup_done = true;
		r->setup_s = (double)(b->now - b->t0) / 1e9;
		b->mstart = b->now;
		if (o->scenario == BENCH_CONNECT) {
			b->phase = o->server_pid > 0 ? PH_SETTLE : PH_DONE;
			return;
		}
		b->mend = b->now + (uint64_t)(o->duration * 1e9);
		b->phase = PH_MEASURE;
		return;
	case PH_MEASURE:
		if (b->now < b->mend)
			return;
		r->measured_s = (double)(b->now - b->mstart) / 1e9;
		b->phase = PH_DONE;
		return;
	case PH_SETTLE:
		if (b->now - b->mstart < SETTLE_NS)
			return;
		r->rss_after_kib = bench_tree_kib(o->server_pid, "status", "VmRSS");
		r->pss_after_kib = bench_tree_kib(o->server_pid, "smaps_rollup", "Pss");
		b->phase = PH_DONE;
		return;
	case PH_DONE:
		return;
	}
}

static void
bench_assign_roles(struct bench *b)
{
	const struct bench_opts	*o = b->o;
	unsigned		 i, tag = (unsigned)getpid() % (36 * 36);
	static const char	 digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";

	for (i = 0; i < b->nconns; i++) {
		struct bconn	*c = &b->c[i];
		char		 id36[8];
		unsigned	 v = i, k = 0, j;

		do {
			id36[k++] = digits[v % 36];
			v /= 36;
		} while (v > 0 && k < sizeof(id36));
		/* Short enough for a NICKLEN of 9; unique per process and client. */
		c->nick[0] = 'b';
		c->nick[1] = digits[tag / 36];
		c->nick[2] = digits[tag % 36];
		for (j = 0; j < k; j++)
			c->nick[3 + j] = id36[k - 1 - j];
		c->nick[3 + k] = '\0';
		c->fd = -1;
		if (o->scenario == BENCH_FANOUT) {
			c->sender = i < o->senders;
			c->ack_by = o->clients - 1;
		} else if (o->scenario == BENCH_PRIVMSG) {
			c->sender = true;
			c->peer = i ^ 1u;
			c->ack_by = c->peer;
		}
	}
}

/* How many clients this phase connects: login registers its accounts while setting up
 * and logs its clients in while measuring; the others connect only while setting up. */
static unsigned
bench_connecting(const struct bench *b)
{
	if (b->o->scenario == BENCH_LOGIN)
		return b->phase == PH_SETUP ? b->o->accounts :
		    b->phase == PH_MEASURE ? b->o->clients : 0;
	return b->phase == PH_SETUP ? b->o->clients : 0;
}

static void
bench_turn(struct bench *b, struct epoll_event *evs, int nevs)
{
	int	 n, i, rv;

	while (b->next < bench_connecting(b) && b->pending < b->o->pending) {
		if ((rv = conn_connect(b, b->next)) != 0) {
			fprintf(stderr, "parley-bench: connect: %s\n", strerror(-rv));
			b->c[b->next].state = CS_DEAD;
			b->r->disconnects++;
		}
		b->next++;
	}
	n = epoll_wait(b->ep, evs, nevs, 10);
	if (n == -1 && errno != EINTR) {
		b->failed = -errno;
		b->phase = PH_DONE;
		return;
	}
	b->now = bench_now();
	for (i = 0; i < n; i++)
		bench_on_event(b, &evs[i]);
	if (b->phase == PH_MEASURE && b->o->scenario == BENCH_LOGIN)
		login_ping(b);
	else if (b->phase == PH_MEASURE && b->o->scenario == BENCH_HISTORY)
		history_send(b);
	else if (b->phase == PH_MEASURE)
		bench_send(b);
	bench_advance(b);
	bench_progress(b, false);
}

int
bench_run(const struct bench_opts *o, struct bench_result *r)
{
	struct bench		 b;
	struct epoll_event	 evs[512];
	unsigned		 i;

	memset(&b, 0, sizeof(b));
	memset(r, 0, sizeof(*r));
	hist_init(&r->latency);
	r->rss_before_kib = r->rss_after_kib = r->pss_before_kib = r->pss_after_kib = -1;
	b.o = o;
	b.r = r;
	b.ep = -1;
	b.nconns = o->clients + (o->scenario == BENCH_LOGIN);
	b.c = calloc(b.nconns, sizeof(*b.c));
	b.pad = malloc(o->size + 1);
	b.rd = malloc(RBUF_SIZE + READ_SIZE);
	if (b.c == NULL || b.pad == NULL || b.rd == NULL) {
		b.failed = -ENOMEM;
		goto out;
	}
	memset(b.pad, 'x', o->size);
	b.pad[o->size] = '\0';
	if ((b.ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		b.failed = -errno;
		goto out;
	}
	/* OpenSSL writes with write(2), which has no MSG_NOSIGNAL: a server that closes
	 * must not kill the generator. */
	if (o->tls && (signal(SIGPIPE, SIG_IGN) == SIG_ERR ||
	    (b.ssl_ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(b.ssl_ctx, TLS1_2_VERSION) != 1)) {
		b.failed = -ENOMEM;
		goto out;
	}
	bench_assign_roles(&b);
	if (o->server_pid > 0) {
		r->rss_before_kib = bench_tree_kib(o->server_pid, "status", "VmRSS");
		r->pss_before_kib = bench_tree_kib(o->server_pid, "smaps_rollup", "Pss");
	}
	b.now = b.t0 = b.last_progress = bench_now();
	if (o->scenario == BENCH_LOGIN && (b.failed = conn_connect(&b, o->clients)) != 0)
		b.phase = PH_DONE;
	while (b.phase != PH_DONE)
		bench_turn(&b, evs, (int)(sizeof(evs) / sizeof(evs[0])));
	bench_progress(&b, true);
	for (i = 0; i < b.nconns; i++)
		conn_close(&b, i, false);
out:
	if (b.ep != -1)
		close(b.ep);
	SSL_CTX_free(b.ssl_ctx);
	free(b.rd);
	free(b.pad);
	free(b.c);
	return b.failed;
}
