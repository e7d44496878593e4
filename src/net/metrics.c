/*
 * The Prometheus endpoint: a listener of its own ([metrics] address, loopback in the
 * example, none by default) that answers "GET /metrics" with the text exposition format
 * (metrics_text.c) and closes.  A minimal HTTP/1.x responder: the request line and
 * headers must come within METRICS_REQUEST_MAX bytes and METRICS_TIMEOUT_MS; anything
 * but GET gets 405, another path 404, a malformed request 400.  At most METRICS_MAX
 * scrapes are served at once: it is for a monitoring system, not for the public.
 *
 * The counters are kept where things happen, as plain increments on the loop thread
 * (driver.h's struct net_counters, the core's core_stats): a scrape reads them, and the
 * fanout path adds one number per line, never one per receiver.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/driver.h"
#include "net/log.h"
#include "net/loop.h"
#include "net/metrics_text.h"
#include "net/sock.h"
#include "net/upgrade.h"

#define METRICS_MAX		8
#define METRICS_REQUEST_MAX	4096
#define METRICS_TIMEOUT_MS	5000
#define METRICS_PAUSE_MS	1000	/* no accepting after an error that would repeat */

struct scrape {
	struct list		 link;		/* srv->scrapes, by deadline */
	struct net_server	*srv;
	int			 fd;
	int64_t			 deadline;
	size_t			 len;		/* of the request read */
	char			 req[METRICS_REQUEST_MAX];
	struct metrics_buf	 out;		/* the response, once the request is whole */
	size_t			 sent;
};

static void	metrics_accept(struct loop *, int, unsigned, void *);
static void	scrape_event(struct loop *, int, unsigned, void *);

int
metrics_open(struct net_server *srv, char *err, size_t errlen)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 name[SOCK_ADDR_MAX];
	const char		*text = srv->cfg.metrics_address;
	int			 rc;

	list_init(&srv->scrapes);
	srv->metrics_fd = -1;
	if (srv->upgrade != NULL && srv->upgrade->metrics_fd >= 0)
		rc = srv->upgrade->metrics_fd;
	else if (text[0] == '\0')
		return 0;
	else if ((rc = sock_parse_addr(text, &ss, &len)) < 0 ||
	    (rc = sock_listen((struct sockaddr *)&ss, len, 16)) < 0) {
		snprintf(err, errlen, "metrics: %s: %s", text, strerror(-rc));
		return -1;
	}
	srv->metrics_fd = rc;
	if ((rc = sock_local_addr(srv->metrics_fd, &ss)) < 0 ||
	    (rc = loop_watch(srv->loop, srv->metrics_fd, LOOP_READ, metrics_accept,
	    srv)) < 0) {
		snprintf(err, errlen, "metrics: %s: %s", text, strerror(-rc));
		return -1;
	}
	sock_format_addr((struct sockaddr *)&ss, name, sizeof(name));
	log_info("metrics on http://%s/metrics", name);
	return 0;
}

static void
scrape_free(struct net_server *srv, struct scrape *s)
{
	(void)loop_unwatch(srv->loop, s->fd);
	sock_close(s->fd);
	list_del(&s->link);
	srv->nscrapes--;
	free(s->out.p);
	free(s);
}

void
metrics_close(struct net_server *srv)
{
	if (srv->metrics_fd < 0)
		return;
	while (!list_empty(&srv->scrapes))
		scrape_free(srv, list_entry(srv->scrapes.next, struct scrape, link));
	(void)loop_unwatch(srv->loop, srv->metrics_fd);
	sock_close(srv->metrics_fd);
	srv->metrics_fd = -1;
}

void
metrics_expire(struct net_server *srv)
{
	struct scrape	*s;

	if (srv->metrics_paused >= 0 && server_now(srv) >= srv->metrics_paused &&
	    loop_watch(srv->loop, srv->metrics_fd, LOOP_READ, metrics_accept, srv) == 0)
		srv->metrics_paused = -1;

	while (srv->metrics_fd >= 0 && !list_empty(&srv->scrapes)) {
		s = list_entry(srv->scrapes.next, struct scrape, link);
		if (s->deadline > server_now(srv))
			return;
		scrape_free(srv, s);
	}
}

int64_t
metrics_deadline(const struct net_server *srv)
{
	int64_t	 first;

	if (srv->metrics_fd < 0)
		return -1;
	if (list_empty(&srv->scrapes))
		return srv->metrics_paused;
	first = list_entry(srv->scrapes.next, struct scrape, link)->deadline;
	return srv->metrics_paused >= 0 && srv->metrics_paused < first ?
	    srv->metrics_paused : first;
}

const int64_t	metrics_turn_bounds[NET_TURN_BUCKETS] = {
	50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000, 50000000,
	INT64_MAX,
};

const int64_t	metrics_job_bounds[NET_JOB_BUCKETS] = {
	1000000, 5000000, 10000000, 25000000, 50000000, 100000000, 250000000,
	500000000, 1000000000, INT64_MAX,
};

static int64_t
mono_ns(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The slot to look in first for job. */
static size_t
job_slot(const struct job *job)
{
	return ((uintptr_t)job / sizeof(void *)) % NET_JOBS_TIMED;
}

void
metrics_job_submitted(struct net_server *srv, const struct job *job)
{
	size_t	 i = job_slot(job);

	for (size_t n = 0; n < NET_JOBS_TIMED; n++, i = (i + 1) % NET_JOBS_TIMED) {
		if (srv->job_times[i].job == NULL) {
			srv->job_times[i].job = job;
			srv->job_times[i].at_ns = mono_ns();
			return;
		}
	}
}

void
metrics_job_done(struct net_server *srv, const struct job *job)
{
	size_t	 i = job_slot(job), b = 0;
	int64_t	 ns;

	for (size_t n = 0; n < NET_JOBS_TIMED; n++, i = (i + 1) % NET_JOBS_TIMED) {
		if (srv->job_times[i].job != job)
			continue;
		srv->job_times[i].job = NULL;
		if ((ns = mono_ns() - srv->job_times[i].at_ns) < 0)
			ns = 0;
		while (ns > metrics_job_bounds[b])
			b++;
		srv->counted.job_times[b]++;
		srv->counted.job_ns += (uint64_t)ns;
		return;
	}
}

void
metrics_turn(struct net_server *srv)
{
	int64_t		 ns;
	unsigned	 i = 0;

	if (srv->metrics_fd < 0)
		return;
	if ((ns = mono_ns() - loop_now_ns(srv->loop)) < 0)
		ns = 0;
	while (ns > metrics_turn_bounds[i])
		i++;
	srv->counted.turns[i]++;
	srv->counted.turn_ns += (uint64_t)ns;
}

/* The whole request is in: the response for it into s->out. */
static void
scrape_respond(struct net_server *srv, struct scrape *s)
{
	static const char	 get[] = "GET ";
	const char		*path = s->req + sizeof(get) - 1;
	size_t			 plen = strcspn(path, " \r\n");
	const char		*status = "200 OK", *body = NULL;
	struct metrics_buf	 text = { NULL, 0, 0, false };

	if (strncmp(s->req, get, sizeof(get) - 1) != 0) {
		status = strchr(s->req, ' ') != NULL && strchr(s->req, ' ') <
		    strstr(s->req, "\r\n") ? "405 Method Not Allowed" : "400 Bad Request";
		body = status;
	} else if (strncmp(path + plen, " HTTP/1.", 8) != 0)
		body = status = "400 Bad Request";
	else if (!((plen == 8 && strncmp(path, "/metrics", 8) == 0) ||
	    (plen > 8 && strncmp(path, "/metrics?", 9) == 0)))
		body = status = "404 Not Found";
	else
		metrics_text(srv, &text);
	if (text.failed) {
		body = status = "500 Internal Server Error";
		free(text.p);
		text.p = NULL;
	}
	metrics_printf(&s->out, "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", status, body == NULL ?
	    "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8",
	    body == NULL ? text.len : strlen(body) + 1);
	if (body != NULL)
		metrics_printf(&s->out, "%s\n", body);
	else
		metrics_append(&s->out, text.p, text.len);
	free(text.p);
}

/* Write what is left of the response; the scrape is over once it is all out. */
static void
scrape_write(struct net_server *srv, struct scrape *s)
{
	ssize_t	 n;

	while (s->sent < s->out.len) {
		n = send(s->fd, s->out.p + s->sent, s->out.len - s->sent, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (loop_watch(srv->loop, s->fd, LOOP_WRITE, scrape_event, s) < 0)
				scrape_free(srv, s);
			return;
		}
		if (n <= 0) {
			scrape_free(srv, s);
			return;
		}
		s->sent += (size_t)n;
	}
	(void)shutdown(s->fd, SHUT_WR);
	scrape_free(srv, s);
}

/* Read more of the request; once its headers are whole, answer. */
static void
scrape_read(struct net_server *srv, struct scrape *s)
{
	ssize_t	 n;

	while ((n = recv(s->fd, s->req + s->len, sizeof(s->req) - 1 - s->len, 0)) == -1 &&
	    errno == EINTR)
		continue;
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		scrape_free(srv, s);
		return;
	}
	s->len += (size_t)n;
	s->req[s->len] = '\0';
	if (strstr(s->req, "\r\n\r\n") == NULL && strstr(s->req, "\n\n") == NULL) {
		if (s->len == sizeof(s->req) - 1)
			scrape_free(srv, s);
		return;
	}
	scrape_respond(srv, s);
	if (s->out.failed) {
		scrape_free(srv, s);
		return;
	}
	scrape_write(srv, s);
}

static void
scrape_event(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct scrape	*s = arg;

	(void)loop;
	(void)fd;
	(void)events;
	if (s->out.p == NULL)
		scrape_read(s->srv, s);
	else
		scrape_write(s->srv, s);
}

static void
metrics_accept(struct loop *loop, int lfd, unsigned events, void *arg)
{
	struct net_server	*srv = arg;
	struct scrape		*s;
	int			 fd;

	(void)loop;
	(void)events;
	/* Out of descriptors, the waiting connection would wake the listener at once,
	 * forever: stop accepting scrapes for a while instead. */
	while ((fd = sock_accept(lfd, NULL)) >= 0 || fd != -EAGAIN) {
		if (fd < 0) {
			log_warn(fd, "metrics: accept (pausing for %d ms)", METRICS_PAUSE_MS);
			(void)loop_watch(srv->loop, lfd, 0, metrics_accept, srv);
			srv->metrics_paused = server_now(srv) + METRICS_PAUSE_MS;
			return;
		}
		if (srv->nscrapes >= METRICS_MAX || (s = calloc(1, sizeof(*s))) == NULL) {
			sock_close(fd);
			continue;
		}
		s->srv = srv;
		s->fd = fd;
		s->deadline = server_now(srv) + METRICS_TIMEOUT_MS;
		if (loop_watch(srv->loop, fd, LOOP_READ, scrape_event, s) < 0) {
			sock_close(fd);
			free(s);
			continue;
		}
		list_add_tail(&srv->scrapes, &s->link);
		srv->nscrapes++;
	}
}
