/*
 * parley-limit: the ceiling for parley-bench.  A relay that does just enough of IRC for
 * the benchmark to run (NICK and USER answered with 001, JOIN with its echo and 366, PING
 * with PONG) and copies every PRIVMSG to its receivers with no other processing: to every
 * other connection for a channel target, to the one connection holding the nick
 * otherwise.  Output is coalesced into one write per connection per loop turn.  No server
 * doing real work can move messages faster than this on the same machine.
 *
 * Channel lines are not copied per receiver: each is formatted once into the turn's
 * buffer, and at the end of the turn every member gets one sendmsg whose iovecs point
 * into that buffer around its own lines, so the kernel's copy is the only one.  Only a
 * receiver that is behind (a partial write, or replies queued this turn) gets its lines
 * copied into its own queue, after what it already has.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/sock.h"

#define RBUF_SIZE	4096
#define SENDQ_MAX	(16u * 1024 * 1024)	/* a receiver this far behind is dropped */
#define NICK_MAX	32

struct lconn {
	bool	 open, dirty, registered, want_out;
	int	 midx;		/* index in members while registered */
	char	 nick[NICK_MAX];
	size_t	 rlen;
	char	*wbuf;
	size_t	 wlen, woff, wcap;
	char	 rbuf[RBUF_SIZE];
};

/* A channel line in the turn's buffer. */
struct tline {
	size_t	 off, len;
	int	 from;		/* its sender, who does not get it */
};

struct relay {
	int		 ep, lfd;
	struct lconn	*c;		/* indexed by descriptor */
	int		 maxfd;		/* size of c */
	int		*dirty;		/* descriptors with output this turn */
	int		 ndirty;
	int		*members;	/* registered descriptors, in no order */
	int		 nmembers;
	int		*nickfd;	/* open-addressing table: nick -> descriptor */
	unsigned	 nickmask;
	char		*turn;		/* this turn's channel lines, back to back */
	size_t		 turn_len, turn_cap;
	struct tline	*lines;
	size_t		 nlines, lines_cap;
	struct iovec	 iov[IOV_MAX];
};

static volatile sig_atomic_t	 stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static unsigned
nick_hash(const char *s)
{
	unsigned	 h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot of nick: where it is, or the empty slot where it would go. */
static unsigned
nick_slot(struct relay *r, const char *nick)
{
	unsigned	 i = nick_hash(nick) & r->nickmask;

	while (r->nickfd[i] != -1 && strcmp(r->c[r->nickfd[i]].nick, nick) != 0)
		i = (i + 1) & r->nickmask;
	return i;
}

/* Remove fd's nick, re-inserting the entries after it (linear probing deletion). */
static void
nick_remove(struct relay *r, int fd)
{
	unsigned	 i, j;
	int		 moved;

	if (r->c[fd].nick[0] == '\0')
		return;
	i = nick_slot(r, r->c[fd].nick);
	if (r->nickfd[i] != fd)
		return;
	r->nickfd[i] = -1;
	for (j = (i + 1) & r->nickmask; r->nickfd[j] != -1; j = (j + 1) & r->nickmask) {
		moved = r->nickfd[j];
		r->nickfd[j] = -1;
		r->nickfd[nick_slot(r, r->c[moved].nick)] = moved;
	}
}

static void
relay_close(struct relay *r, int fd)
{
	struct lconn	*c = &r->c[fd];

	nick_remove(r, fd);
	if (c->registered) {
		r->members[c->midx] = r->members[--r->nmembers];
		r->c[r->members[c->midx]].midx = c->midx;
	}
	free(c->wbuf);
	memset(c, 0, sizeof(*c));
	close(fd);
}

static void
relay_queue(struct relay *r, int fd, const char *s, size_t len)
{
	struct lconn	*c = &r->c[fd];
	size_t		 cap;
	char		*p;

	if (!c->open || c->wlen + len > SENDQ_MAX)
		return;
	if (c->wlen + len > c->wcap) {
		for (cap = c->wcap ? c->wcap * 2 : 4096; cap < c->wlen + len; cap *= 2)
			;
		if ((p = realloc(c->wbuf, cap)) == NULL)
			return;
		c->wbuf = p;
		c->wcap = cap;
	}
	memcpy(c->wbuf + c->wlen, s, len);
	c->wlen += len;
	if (!c->dirty) {
		c->dirty = true;
		r->dirty[r->ndirty++] = fd;
	}
}

/* Grow *p to hold want elements of size each; false when out of memory. */
static bool
relay_grow(void **p, size_t *cap, size_t want, size_t size)
{
	size_t	 ncap;
	void	*np;

	if (want <= *cap)
		return true;
	for (ncap = *cap ? *cap * 2 : 64; ncap < want; ncap *= 2)
		;
	if ((np = realloc(*p, ncap * size)) == NULL)
		return false;
	*p = np;
	*cap = ncap;
	return true;
}

/* Add a channel line to the turn: it goes to every member but fd at the end of it. */
static void
relay_turn_line(struct relay *r, int fd, const char *line, size_t len)
{
	if (!relay_grow((void **)&r->turn, &r->turn_cap, r->turn_len + len, 1) ||
	    !relay_grow((void **)&r->lines, &r->lines_cap, r->nlines + 1, sizeof(*r->lines)))
		return;
	memcpy(r->turn + r->turn_len, line, len);
	r->lines[r->nlines++] = (struct tline){ r->turn_len, len, fd };
	r->turn_len += len;
}

static void
relay_privmsg(struct relay *r, int fd, const char *line, size_t len)
{
	const char	*target = line + 8, *sp;
	char		 nick[NICK_MAX], buf[RBUF_SIZE + NICK_MAX + 16];
	size_t		 tlen, blen;
	unsigned	 slot;
	int		 n;

	if ((sp = memchr(target, ' ', len - 8)) == NULL)
		return;
	tlen = (size_t)(sp - target);
	/* The line as receivers see it, formatted once: ":nick!b@limit PRIVMSG ...". */
	n = snprintf(buf, sizeof(buf), ":%s!b@limit %.*s\r\n", r->c[fd].nick, (int)len,
	    line);
	if (n <= 0 || (size_t)n >= sizeof(buf))
		return;
	blen = (size_t)n;
	if (tlen > 0 && *target == '#') {
		relay_turn_line(r, fd, buf, blen);
		return;
	}
	if (tlen == 0 || tlen >= NICK_MAX)
		return;
	memcpy(nick, target, tlen);
	nick[tlen] = '\0';
	slot = nick_slot(r, nick);
	if (r->nickfd[slot] != -1)
		relay_queue(r, r->nickfd[slot], buf, blen);
}

static void
relay_line(struct relay *r, int fd, char *line, size_t len)
{
	struct lconn	*c = &r->c[fd];
	char		 out[RBUF_SIZE + 128];
	int		 n = 0;

	if (len > 8 && strncmp(line, "PRIVMSG ", 8) == 0) {
		if (c->registered)
			relay_privmsg(r, fd, line, len);
		return;
	}
	line[len] = '\0';
	if (strncmp(line, "NICK ", 5) == 0 && c->nick[0] == '\0' &&
	    strlen(line + 5) < NICK_MAX) {
		strcpy(c->nick, line + 5);
		r->nickfd[nick_slot(r, c->nick)] = fd;
	} else if (strncmp(line, "USER ", 5) == 0 && c->nick[0] != '\0' &&
	    !c->registered) {
		c->registered = true;
		c->midx = r->nmembers;
		r->members[r->nmembers++] = fd;
		n = snprintf(out, sizeof(out), ":limit 001 %s :Welcome to the limit\r\n",
		    c->nick);
	} else if (strncmp(line, "JOIN ", 5) == 0 && c->registered) {
		n = snprintf(out, sizeof(out), ":%s!b@limit JOIN %s\r\n"
		    ":limit 366 %s %s :End of /NAMES list.\r\n", c->nick, line + 5, c->nick,
		    line + 5);
	} else if (strncmp(line, "PING ", 5) == 0) {
		n = snprintf(out, sizeof(out), ":limit PONG limit %s\r\n", line + 5);
	}
	if (n > 0 && (size_t)n < sizeof(out))
		relay_queue(r, fd, out, (size_t)n);
}

static void
relay_read(struct relay *r, int fd)
{
	struct lconn	*c = &r->c[fd];
	ssize_t		 n;
	size_t		 start = 0, i, end;

	n = recv(fd, c->rbuf + c->rlen, RBUF_SIZE - 1 - c->rlen, 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		relay_close(r, fd);
		return;
	}
	c->rlen += (size_t)n;
	for (i = 0; i < c->rlen; i++) {
		if (c->rbuf[i] != '\n')
			continue;
		end = i > start && c->rbuf[i - 1] == '\r' ? i - 1 : i;
		relay_line(r, fd, c->rbuf + start, end - start);
		start = i + 1;
	}
	if (start == 0 && c->rlen == RBUF_SIZE - 1)
		start = c->rlen;
	memmove(c->rbuf, c->rbuf + start, c->rlen - start);
	c->rlen -= start;
}

static void
relay_want_out(struct relay *r, int fd, bool out)
{
	struct epoll_event	 ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0) };

	if (r->c[fd].want_out == out)
		return;
	ev.data.fd = fd;
	r->c[fd].want_out = out;
	epoll_ctl(r->ep, EPOLL_CTL_MOD, fd, &ev);
}

static void
relay_flush(struct relay *r, int fd)
{
	struct lconn	*c = &r->c[fd];
	ssize_t		 n;

	if (!c->open)
		return;
	while (c->woff < c->wlen) {
		n = send(fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);
		if (n > 0) {
			c->woff += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			relay_want_out(r, fd, true);
			return;
		}
		relay_close(r, fd);
		return;
	}
	c->wlen = c->woff = 0;
	relay_want_out(r, fd, false);
}

/* The turn's lines but fd's own, queued behind what fd already has. */
static void
relay_deliver_copied(struct relay *r, int fd)
{
	for (size_t i = 0; i < r->nlines; i++)
		if (r->lines[i].from != fd)
			relay_queue(r, fd, r->turn + r->lines[i].off, r->lines[i].len);
}

/*
 * The turn's lines but fd's own, written straight from the turn's buffer: one iovec per
 * run of lines between fd's own.  What the socket does not take is queued.
 */
static void
relay_deliver(struct relay *r, int fd)
{
	struct msghdr	 msg = { .msg_iov = r->iov };
	size_t		 i, start = 0, total = 0, sent, take;
	int		 niov = 0;
	ssize_t		 n;

	if (r->c[fd].wlen > r->c[fd].woff) {
		relay_deliver_copied(r, fd);
		return;
	}
	for (i = 0; i <= r->nlines; i++) {
		if (i < r->nlines && r->lines[i].from != fd)
			continue;
		if (i > start) {
			if (niov == IOV_MAX) {
				relay_deliver_copied(r, fd);
				return;
			}
			r->iov[niov].iov_base = r->turn + r->lines[start].off;
			r->iov[niov].iov_len = r->lines[i - 1].off + r->lines[i - 1].len -
			    r->lines[start].off;
			total += r->iov[niov++].iov_len;
		}
		start = i + 1;
	}
	if (niov == 0)
		return;
	msg.msg_iovlen = (size_t)niov;
	do {
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	if (n == -1 && errno != EAGAIN) {
		relay_close(r, fd);
		return;
	}
	sent = n > 0 ? (size_t)n : 0;
	for (i = 0; i < (size_t)niov && total > sent; i++) {
		take = r->iov[i].iov_len;
		if (sent >= take) {
			sent -= take;
			continue;
		}
		relay_queue(r, fd, (char *)r->iov[i].iov_base + sent, take - sent);
		sent = 0;
	}
}

static void
relay_accept(struct relay *r)
{
	struct epoll_event	 ev = { .events = EPOLLIN };
	int			 fd;

	while ((fd = sock_accept(r->lfd, NULL)) >= 0) {
		if (fd >= r->maxfd) {
			close(fd);
			continue;
		}
		ev.data.fd = fd;
		if (epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
			close(fd);
			continue;
		}
		r->c[fd].open = true;
	}
}

static void
relay_turn(struct relay *r)
{
	struct epoll_event	 evs[256];
	int			 n, i, fd;

	n = epoll_wait(r->ep, evs, 256, 1000);
	for (i = 0; i < n; i++) {
		fd = evs[i].data.fd;
		if (fd == r->lfd) {
			relay_accept(r);
			continue;
		}
		if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			relay_read(r, fd);
		if (r->c[fd].open && (evs[i].events & EPOLLOUT))
			relay_flush(r, fd);
	}
	/* One write per connection per turn, whatever this turn queued for it. */
	if (r->nlines > 0) {
		/* Backwards: a member closed here is replaced by the last, already served. */
		for (i = r->nmembers; i-- > 0; )
			relay_deliver(r, r->members[i]);
		r->nlines = r->turn_len = 0;
	}
	for (i = 0; i < r->ndirty; i++) {
		fd = r->dirty[i];
		r->c[fd].dirty = false;
		relay_flush(r, fd);
	}
	r->ndirty = 0;
}

static int
relay_init(struct relay *r, const char *listen)
{
	struct sockaddr_storage	 ss;
	struct epoll_event	 ev = { .events = EPOLLIN };
	struct rlimit		 rl;
	socklen_t		 len;
	char			 addr[SOCK_ADDR_MAX];
	unsigned		 size;

	if (sock_parse_addr(listen, &ss, &len) != 0) {
		fprintf(stderr, "parley-limit: bad address '%s'\n", listen);
		return -1;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	r->maxfd = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1048576 ?
	    (int)rl.rlim_cur : 1048576;
	for (size = 1; size < 2u * (unsigned)r->maxfd; size *= 2)
		;
	r->nickmask = size - 1;
	r->c = calloc((size_t)r->maxfd, sizeof(*r->c));
	r->dirty = calloc((size_t)r->maxfd, sizeof(*r->dirty));
	r->members = calloc((size_t)r->maxfd, sizeof(*r->members));
	r->nickfd = malloc(size * sizeof(*r->nickfd));
	if (r->c == NULL || r->dirty == NULL || r->members == NULL || r->nickfd == NULL)
		return -1;
	memset(r->nickfd, 0xff, size * sizeof(*r->nickfd));
	if ((r->lfd = sock_listen((struct sockaddr *)&ss, len, 4096)) < 0 ||
	    (r->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;
	ev.data.fd = r->lfd;
	if (epoll_ctl(r->ep, EPOLL_CTL_ADD, r->lfd, &ev) == -1 ||
	    sock_local_addr(r->lfd, &ss) != 0)
		return -1;
	sock_format_addr((struct sockaddr *)&ss, addr, sizeof(addr));
	fprintf(stderr, "parley-limit: listening on %s\n", addr);
	return 0;
}

int
main(int argc, char **argv)
{
	struct relay	 r;
	int		 fd;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: parley-limit ADDR:PORT\n"
		    "The ceiling relay for parley-bench: listen on ADDR:PORT (port 0 for an\n"
		    "ephemeral one, printed on stderr) until SIGTERM or SIGINT.\n");
		return 2;
	}
	memset(&r, 0, sizeof(r));
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (relay_init(&r, argv[1]) != 0) {
		fprintf(stderr, "parley-limit: cannot listen on %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	while (!stop)
		relay_turn(&r);
	for (fd = 0; fd < r.maxfd; fd++)
		if (r.c[fd].open)
			relay_close(&r, fd);
	close(r.ep);
	close(r.lfd);
	free(r.lines);
	free(r.turn);
	free(r.nickfd);
	free(r.members);
	free(r.dirty);
	free(r.c);
	return 0;
}
