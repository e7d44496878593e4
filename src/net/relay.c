/*
 * The fork model's relay: one child's loop between its client and the hub.  The
 * protocol it keeps is model_fork.h's; how the child gets here is relay_main.c's.
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/conn.h"
#include "net/model_fork.h"
#include "net/relay.h"

struct relay {
	int		 client, hub, status;
	struct tls	*tls;		/* the client's side is TLS; NULL: plaintext */
	bool		 read_wants_write;	/* TLS: retry the read once writable */
	int64_t		 linger;
	int64_t		 deadline;	/* -1: none */
	char		 up[RELAY_BUF];		/* from the client, for the hub */
	size_t		 uplen, upoff;
	char		 down[RELAY_BUF];	/* from the hub, for the client */
	size_t		 downlen, downoff;
	size_t		 discarded;	/* from the client since the hub closed */
	int		 cerr;		/* the client's socket failed: report, then end */
	bool		 client_eof;	/* the client's FIN is in */
	bool		 up_shut;	/* ...and passed on to the hub */
	bool		 hub_eof;	/* the hub's FIN is in: nothing more goes up */
	bool		 fin_sent;	/* our FIN to the client is out: lingering */
	bool		 done;
	bool		 mute_client;	/* hung up while we wanted nothing of it */
	bool		 mute_hub;
};

int64_t
relay_now(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Returns bytes read, 0 at EOF, or -errno; EINTR is retried. */
static ssize_t
relay_recv(int fd, char *buf, size_t cap)
{
	ssize_t	 n;

	do {
		n = recv(fd, buf, cap, 0);
	} while (n == -1 && errno == EINTR);
	return n == -1 ? -errno : n;
}

static ssize_t
relay_send(int fd, const char *buf, size_t len)
{
	ssize_t	 n;

	do {
		n = send(fd, buf, len, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	return n == -1 ? -errno : n;
}

/* EWOULDBLOCK is EAGAIN on Linux. */
static bool
again(ssize_t n)
{
	return n == -EAGAIN;
}

/* Abort the client's connection: an RST, as the event driver does to a peer that does
 * not read, or when the hub has reset its end. */
static void
relay_reset(struct relay *r)
{
	struct linger	 lg = { 1, 0 };

	(void)setsockopt(r->client, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	r->done = true;
}

/* The client's socket failed: the hub hears why once what is on its way has gone. */
static void
relay_client_error(struct relay *r, int err)
{
	r->cerr = err;
	r->downlen = 0;
	r->deadline = relay_now() + r->linger;
}

static void
relay_report(struct relay *r)
{
	int32_t	 err = r->cerr;

	if (r->status >= 0 && !r->hub_eof)
		(void)send(r->status, &err, sizeof(err), MSG_DONTWAIT | MSG_NOSIGNAL);
	r->done = true;
}

/* All the hub sent is written: send our FIN and linger, reading what still comes. */
static void
relay_fin(struct relay *r)
{
	/* TLS ends with our close_notify, best effort, ahead of the FIN. */
	if (r->tls != NULL)
		(void)tls_shutdown(r->tls);
	if (shutdown(r->client, SHUT_WR) == -1) {
		r->done = true;
		return;
	}
	r->fin_sent = true;
	r->deadline = relay_now() + r->linger;
	if (r->client_eof)
		r->done = true;
}

/* A TLS_* code as relay_recv's -errno: which way TLS waits is kept for relay_events. */
static ssize_t
relay_tls_errno(struct relay *r, ssize_t n, bool reading)
{
	if (reading)
		r->read_wants_write = n == TLS_WANT_WRITE;
	if (n == TLS_WANT_READ || n == TLS_WANT_WRITE)
		return -EAGAIN;
	return n == TLS_ERROR ? -EPROTO : n;
}

/* RELAY_BUF holds a whole record: nothing decrypted stays inside TLS unseen by poll. */
static ssize_t
client_recv(struct relay *r)
{
	if (r->tls != NULL)
		return relay_tls_errno(r, tls_read(r->tls, r->up, sizeof(r->up)), true);
	return relay_recv(r->client, r->up, sizeof(r->up));
}

static ssize_t
client_send(struct relay *r)
{
	if (r->tls != NULL)
		return relay_tls_errno(r, tls_write(r->tls, r->down + r->downoff,
		    r->downlen - r->downoff), false);
	return relay_send(r->client, r->down + r->downoff, r->downlen - r->downoff);
}

static void
client_read(struct relay *r)
{
	ssize_t	 n = client_recv(r);

	if (again(n))
		return;
	if (n < 0) {
		relay_client_error(r, (int)-n);
	} else if (n == 0) {
		r->client_eof = true;
		if (r->fin_sent)
			r->done = true;
	} else if (!r->hub_eof) {
		r->uplen = (size_t)n;
		r->upoff = 0;
	} else if ((r->discarded += (size_t)n) > CONN_DISCARD_MAX) {
		/* Closing, the hub drops input, and so do we; a client that floods on is
		 * reset rather than read at its full speed for the whole linger. */
		relay_reset(r);
	}
}

static void
client_write(struct relay *r)
{
	ssize_t	 n;

	/* Writable was awaited for a TLS read, not for output. */
	if (r->downlen == 0) {
		if (r->read_wants_write)
			client_read(r);
		return;
	}
	n = client_send(r);

	if (again(n))
		return;
	if (n < 0) {
		relay_client_error(r, (int)-n);
		return;
	}
	r->downoff += (size_t)n;
	if (r->downoff < r->downlen) {
		/* A closing peer that still reads gets another linger to read the rest. */
		if (r->hub_eof)
			r->deadline = relay_now() + r->linger;
		return;
	}
	r->downlen = r->downoff = 0;
	if (r->hub_eof)
		relay_fin(r);
}

static void
hub_read(struct relay *r)
{
	ssize_t	 n = relay_recv(r->hub, r->down, sizeof(r->down));

	if (again(n))
		return;
	if (n < 0) {
		/* The hub closed without a FIN: it reset the connection. */
		relay_reset(r);
	} else if (n == 0) {
		r->hub_eof = true;
		r->uplen = r->upoff = 0;
		r->deadline = relay_now() + r->linger;
	} else {
		r->downlen = (size_t)n;
		r->downoff = 0;
	}
}

static void
hub_write(struct relay *r)
{
	ssize_t	 n = relay_send(r->hub, r->up + r->upoff, r->uplen - r->upoff);

	if (again(n))
		return;
	if (n < 0) {
		/* The hub is gone: its end reads nothing more. */
		r->hub_eof = true;
		r->uplen = r->upoff = 0;
		return;
	}
	r->upoff += (size_t)n;
	if (r->upoff == r->uplen)
		r->uplen = r->upoff = 0;
}

/* What to poll each side for, as the state stands. */
static void
relay_events(const struct relay *r, short *client, short *hub)
{
	*client = *hub = 0;
	if (r->cerr != 0) {
		if (r->uplen > 0)
			*hub = POLLOUT;
		return;
	}
	/* Read only what the other side can take: backpressure reaches the hub's sendq. */
	if (!r->client_eof && (r->uplen == 0 || r->hub_eof))
		*client |= POLLIN;
	if (r->downlen > 0 || r->read_wants_write)
		*client |= POLLOUT;
	if (!r->hub_eof && r->downlen == 0)
		*hub |= POLLIN;
	if (r->uplen > 0)
		*hub |= POLLOUT;
}

/* Steps that need no event: the client's FIN passed on, an error reported, a FIN due. */
static void
relay_settle(struct relay *r)
{
	if (r->cerr != 0 && r->uplen == 0)
		relay_report(r);
	else if (r->client_eof && !r->up_shut && !r->hub_eof && r->uplen == 0) {
		/* The hub reads EOF: "Connection closed".  Our side still writes down. */
		r->up_shut = true;
		if (shutdown(r->hub, SHUT_WR) == -1)
			r->hub_eof = true;
	} else if (r->hub_eof && r->downlen == 0 && !r->fin_sent && !r->done)
		relay_fin(r);
}

/* Lingering, the client did not close in time: close.  Flushing, it did not read the
 * rest: reset.  Reporting, the hub did not read: give up. */
static void
relay_expire(struct relay *r)
{
	if (!r->fin_sent && r->cerr == 0)
		relay_reset(r);
	r->done = true;
}

static int
relay_timeout(const struct relay *r)
{
	int64_t	 left;

	if (r->deadline < 0)
		return -1;
	left = r->deadline - relay_now();
	return left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

/* One side's events; an error or hang-up on a side we ask nothing of mutes it until we
 * do, or poll would report it at once, forever. */
static void
relay_side(struct relay *r, short want, short got, bool *mute, void (*rd)(struct relay *),
    void (*wr)(struct relay *))
{
	if (want == 0 && (got & (POLLERR | POLLHUP))) {
		*mute = true;
		return;
	}
	if (want & POLLOUT && got & (POLLOUT | POLLERR | POLLHUP))
		wr(r);
	if (!r->done && want & POLLIN && got & (POLLIN | POLLERR | POLLHUP))
		rd(r);
}

int
relay_run(int client, struct tls *tls, int hub, int status, int64_t linger,
    const char *hello)
{
	struct relay	 local, *r = &local;
	struct pollfd	 pfd[2];

	memset(r, 0, sizeof(*r));
	r->client = client;
	r->tls = tls;
	r->hub = hub;
	r->status = status;
	r->linger = linger;
	r->deadline = -1;
	if (hello != NULL) {
		memcpy(r->up, hello, FORK_HELLO_LEN);
		r->uplen = FORK_HELLO_LEN;
	}
	for (;;) {
		relay_settle(r);
		if (!r->done && r->deadline >= 0 && relay_now() >= r->deadline)
			relay_expire(r);
		if (r->done)
			break;
		relay_events(r, &pfd[0].events, &pfd[1].events);
		if (pfd[0].events != 0)
			r->mute_client = false;
		if (pfd[1].events != 0)
			r->mute_hub = false;
		pfd[0].fd = r->mute_client ? -1 : client;
		pfd[1].fd = r->mute_hub ? -1 : hub;
		if (poll(pfd, 2, relay_timeout(r)) == -1) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		relay_side(r, pfd[0].events, pfd[0].fd < 0 ? 0 : pfd[0].revents,
		    &r->mute_client, client_read, client_write);
		if (!r->done)
			relay_side(r, pfd[1].events, pfd[1].fd < 0 ? 0 : pfd[1].revents,
			    &r->mute_hub, hub_read, hub_write);
		if (r->done)
			break;
	}
	close(client);
	close(hub);
	return 0;
}
