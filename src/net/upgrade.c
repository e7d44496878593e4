/*
 * An upgrade without dropping anyone (upgrade.h), both sides of it.
 *
 * The old process, on SIGUSR2, between two turns (nothing read is half handled):
 *   1. drain: run the timers and deliver job results until no job is in flight (the
 *      history waiting for the store went out as jobs too), then flush every queue;
 *   2. put its state into bytes (upgrade_state.c) and start the binary at its path
 *      with --upgrade-from FD: fork, clear close-on-exec on the descriptors handed
 *      over, exec; a pipe that closes on exec tells whether the exec worked;
 *   3. send the bytes over the socketpair and wait for one line: "ready", or
 *      "fail: why".  An exit, a failure or no answer within upgrade_timeout, and it
 *      kills the new process and carries on as if nothing had happened, logging
 *      "upgrade failed: why".  The new process reads no client before this one has
 *      closed the socketpair, so the two never read the same connection;
 *   4. on "ready": it closes its store (the new process has opened the same file),
 *      sends the clients it could not hand over (TLS 1.2) an ERROR, tells a service
 *      manager the new MAINPID, and exits without touching the other connections:
 *      the kernel keeps them open in the new process.
 *
 * The new process reads the bytes before it opens anything, binds nothing (the
 * listeners are there), loads the store, restores the connections and the core, and
 * answers.  The monotonic clock is the system's, so deadlines carry over as they are.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/server.h"
#include "core/snapbuf.h"
#include "net/conn.h"
#include "net/driver.h"
#include "net/jobs.h"
#include "net/log.h"
#include "net/sock.h"
#include "net/store_thread.h"
#include "net/upgrade.h"

#define UPGRADE_ANSWER_MAX	512	/* "ready" or "fail: why" */
#define UPGRADE_LEFT		"Server upgrading: please reconnect"

static int64_t
mono_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd to be ready for events until deadline.  Returns 0, or -ETIMEDOUT. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd	 pf = { fd, events, 0 };
	int64_t		 left;
	int		 rc;

	for (;;) {
		if ((left = deadline - mono_ms()) <= 0)
			return -ETIMEDOUT;
		if ((rc = poll(&pf, 1, (int)left)) > 0)
			return 0;
		if (rc == -1 && errno != EINTR)
			return -errno;
	}
}

/* Write all of buf to the non-blocking fd by deadline.  Returns 0 or -errno. */
static int
write_all(int fd, const char *buf, size_t len, int64_t deadline)
{
	ssize_t	 n;
	int	 rc;

	while (len > 0) {
		if ((n = send(fd, buf, len, MSG_NOSIGNAL)) > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno != EAGAIN)
			return -errno;
		if ((rc = wait_fd(fd, POLLOUT, deadline)) < 0)
			return rc;
	}
	return 0;
}

/* Read exactly len bytes by deadline.  Returns 0, -EPIPE at EOF, or -errno. */
static int
read_all(int fd, char *buf, size_t len, int64_t deadline)
{
	ssize_t	 n;
	int	 rc;

	while (len > 0) {
		if ((n = read(fd, buf, len)) > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0)
			return -EPIPE;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		if ((rc = wait_fd(fd, POLLIN, deadline)) < 0)
			return rc;
	}
	return 0;
}

/*
 * The old process.
 */

/* Step 1.  Returns 0, or -1 with why. */
static int
upgrade_drain(struct net_server *srv, int64_t deadline, char *why, size_t whylen)
{
	struct pollfd	 pf[2];
	nfds_t		 n;
	int		 rc;

	for (;;) {
		(void)core_tick(srv->core, server_now(srv));
		session_flush_all(srv);
		if (srv->counted.jobs_submitted == srv->counted.jobs_done)
			return 0;
		if (mono_ms() >= deadline) {
			snprintf(why, whylen, "%llu jobs still running",
			    (unsigned long long)(srv->counted.jobs_submitted -
			    srv->counted.jobs_done));
			return -1;
		}
		pf[0] = (struct pollfd){ jobs_fd(srv->pool), POLLIN, 0 };
		n = 1;
		if (srv->store != NULL)
			pf[n++] = (struct pollfd){ store_thread_fd(srv->store), POLLIN, 0 };
		if ((rc = poll(pf, n, (int)(deadline - mono_ms()))) == -1 && errno != EINTR) {
			snprintf(why, whylen, "poll: %s", strerror(errno));
			return -1;
		}
		out_jobs_event(srv->loop, pf[0].fd, 0, srv);
		if (srv->store != NULL)
			out_store_event(srv->loop, pf[1].fd, 0, srv);
	}
}

/* Step 2: the child.  Only async-signal-safe calls between fork and exec. */
static void
upgrade_child(struct net_server *srv, const int *fds, int nfds, int sock, int report)
{
	int	 e;

	for (int i = 0; i < nfds; i++)
		(void)fcntl(fds[i], F_SETFD, 0);
	(void)fcntl(sock, F_SETFD, 0);
	execv(srv->exe, srv->upgrade_argv);
	e = errno;
	(void)write(report, &e, sizeof(e));
	_exit(127);
}

/* Step 2: start the new process with sp[1] as its --upgrade-from.  Returns its pid, or
 * -1 with why (the exec's own failure included). */
static pid_t
upgrade_spawn(struct net_server *srv, const int *fds, int nfds, int sp[2], char *why,
    size_t whylen)
{
	int	 report[2], e;
	pid_t	 pid;
	ssize_t	 n;

	if (pipe2(report, O_CLOEXEC) == -1) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return -1;
	}
	snprintf(srv->upgrade_fd, sizeof(srv->upgrade_fd), "%d", sp[1]);
	(void)fflush(NULL);
	if ((pid = fork()) == -1) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		sock_close(report[0]);
		sock_close(report[1]);
		return -1;
	}
	if (pid == 0)
		upgrade_child(srv, fds, nfds, sp[1], report[1]);
	sock_close(report[1]);
	do {
		n = read(report[0], &e, sizeof(e));
	} while (n == -1 && errno == EINTR);
	sock_close(report[0]);
	if (n == (ssize_t)sizeof(e)) {
		snprintf(why, whylen, "%.256s: %s", srv->exe, strerror(e));
		(void)waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/* A new process that failed, or was too slow: made to go before this one reads again,
 * so that never two read the same connections (it reads none before this one has
 * closed the socketpair: net_server_resumed). */
static void
upgrade_reap(pid_t pid)
{
	(void)kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		continue;
}

/* Step 3: the state, then the answer.  Returns 0 on "ready", or -1 with why. */
static int
upgrade_handover(int sock, const struct snapbuf *b, int64_t deadline, char *why,
    size_t whylen)
{
	char		 answer[UPGRADE_ANSWER_MAX];
	unsigned char	 head[8];
	size_t		 n = 0;
	ssize_t		 got;
	int		 rc;

	for (int i = 0; i < 8; i++)
		head[i] = (unsigned char)((uint64_t)b->len >> (8 * i));
	if ((rc = write_all(sock, (const char *)head, sizeof(head), deadline)) < 0 ||
	    (rc = write_all(sock, b->bytes, b->len, deadline)) < 0) {
		/* An exit before it read everything is the same failure as after. */
		snprintf(why, whylen, "%s", rc == -ETIMEDOUT ? "the new process took no "
		    "state in time" : "the new process exited before it was ready");
		return -1;
	}
	while (n < sizeof(answer) - 1 && memchr(answer, '\n', n) == NULL) {
		if ((got = read(sock, answer + n, sizeof(answer) - 1 - n)) > 0) {
			n += (size_t)got;
			continue;
		}
		/* A process that exits without reading what it was sent resets. */
		if (got == 0 || errno == ECONNRESET)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN || (rc = wait_fd(sock, POLLIN, deadline)) < 0) {
			snprintf(why, whylen, "no answer from the new process in time");
			return -1;
		}
	}
	answer[n] = '\0';
	answer[strcspn(answer, "\n")] = '\0';
	if (strcmp(answer, "ready") == 0)
		return 0;
	if (strncmp(answer, "fail: ", 6) == 0)
		snprintf(why, whylen, "the new process: %s", answer + 6);
	else
		snprintf(why, whylen, "the new process exited before it was ready");
	return -1;
}

/* Step 4: the new process runs.  Never returns. */
static void
upgrade_leave(struct net_server *srv, pid_t pid)
{
	struct conn	*c;

	/* Its store jobs are done; the new process has the file open already. */
	if (srv->store != NULL) {
		(void)loop_unwatch(srv->loop, store_thread_fd(srv->store));
		store_thread_free(srv->store);
		srv->store = NULL;
	}
	/* The connections handed over are the new process's now: never written again. */
	for (size_t fd = 0; fd < srv->conns.cap; fd++)
		if ((c = srv->conns.slot[fd]) != NULL && upgrade_carried(c))
			conn_table_del(&srv->conns, (int)fd);
	/* The others' clients (TLS 1.2) hear why they go, once, best effort. */
	for (size_t fd = 0; fd < srv->conns.cap; fd++)
		if ((c = srv->conns.slot[fd]) != NULL && c->state == CONN_OPEN &&
		    c->client != NULL)
			core_hangup(srv->core, c->client, UPGRADE_LEFT);
	for (size_t fd = 0; fd < srv->conns.cap; fd++)
		if ((c = srv->conns.slot[fd]) != NULL) {
			(void)conn_send(c);
			(void)conn_shutdown(c);
		}
	/* A service manager follows the new process from now on (NotifyAccess=main: only
	 * the main process may say so). */
	systemd_notify(srv, "MAINPID=%ld", (long)pid);
	log_info("upgrade: process %ld serves now; exiting", (long)pid);
	(void)fflush(NULL);
	_exit(0);
}

void
upgrade_run(struct net_server *srv)
{
	struct snapbuf	 b = SNAPBUF_INIT;
	char		 why[UPGRADE_ANSWER_MAX + 64];
	int64_t		 deadline = mono_ms() + srv->cfg.upgrade_timeout;
	int		*fds = NULL, nfds, sp[2] = { -1, -1 };
	size_t		 cap = srv->nconns + NET_LISTEN_MAX + 1;
	pid_t		 pid = -1;

	if (srv->fork != NULL) {
		log_warnx("upgrade refused: in the fork model the relay children hold the "
		    "connections; restart instead (docs/operations.md)");
		return;
	}
	/* A node's core holds the other nodes' users, which no snapshot carries: the
	 * network itself keeps them while a node restarts. */
	if (srv->cluster != NULL) {
		log_warnx("upgrade refused: a node of a cluster upgrades by restarting, "
		    "node by node (docs/cluster.md)");
		return;
	}
	if (srv->exe[0] == '\0' || srv->upgrade_argv == NULL) {
		log_warnx("upgrade refused: no binary to start");
		return;
	}
	log_info("upgrading: starting %s", srv->exe);
	if (upgrade_drain(srv, deadline, why, sizeof(why)) == -1)
		goto fail;
	if ((fds = calloc(cap, sizeof(*fds))) == NULL) {
		snprintf(why, sizeof(why), "%s", strerror(ENOMEM));
		goto fail;
	}
	if ((nfds = upgrade_state_put(srv, &b, fds, cap, why, sizeof(why))) == -1)
		goto fail;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) == -1) {
		snprintf(why, sizeof(why), "socketpair: %s", strerror(errno));
		goto fail;
	}
	if ((pid = upgrade_spawn(srv, fds, nfds, sp, why, sizeof(why))) == -1)
		goto fail;
	sock_close(sp[1]);
	sp[1] = -1;
	if (upgrade_handover(sp[0], &b, deadline, why, sizeof(why)) == 0) {
		/* The new process starts reading once this closes. */
		sock_close(sp[0]);
		upgrade_leave(srv, pid);
	}
	upgrade_reap(pid);
fail:
	log_warnx("upgrade failed: %s; carrying on", why);
	sock_close(sp[0]);
	sock_close(sp[1]);
	free(fds);
	snapbuf_free(&b);
}

/*
 * The new process.
 */

struct net_upgrade *
net_upgrade_receive(int fd, int64_t timeout, char *err, size_t errlen)
{
	struct net_upgrade	*up;
	unsigned char		 head[8];
	uint64_t		 len = 0;
	int64_t			 deadline = mono_ms() + timeout;
	int			 rc;

	if ((up = calloc(1, sizeof(*up))) == NULL) {
		snprintf(err, errlen, "upgrade: %s", strerror(ENOMEM));
		return NULL;
	}
	up->sock = fd;
	up->timeout = timeout;
	up->metrics_fd = -1;
	/* Not handed on to a later upgrade's process; read without blocking forever. */
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1) {
		snprintf(err, errlen, "upgrade: descriptor %d: %s", fd, strerror(errno));
		free(up);
		return NULL;
	}
	if ((rc = read_all(fd, (char *)head, sizeof(head), deadline)) == 0) {
		for (int i = 0; i < 8; i++)
			len |= (uint64_t)head[i] << (8 * i);
		if (len > SIZE_MAX / 2 || (up->bytes = malloc((size_t)len + 1)) == NULL)
			rc = -ENOMEM;
		else
			rc = read_all(fd, up->bytes, (size_t)len, deadline);
	}
	up->len = (size_t)len;
	if (rc < 0) {
		snprintf(err, errlen, "upgrade: reading the state: %s", strerror(-rc));
		net_upgrade_fail(up, err);
		return NULL;
	}
	if (upgrade_state_head(up, err, errlen) == -1) {
		net_upgrade_fail(up, err);
		return NULL;
	}
	return up;
}

/* One line to the old process, which waits for it. */
/* After "ready": wait until the old process has closed its end, having either let go
 * of every connection or killed this one for being late. */
static void
upgrade_let_go(struct net_upgrade *up)
{
	char	 c;
	int64_t	 deadline = mono_ms() + up->timeout;

	while (read_all(up->sock, &c, 1, deadline) == 0)
		continue;
}

static void
upgrade_answer(struct net_upgrade *up, const char *line)
{
	char	 buf[UPGRADE_ANSWER_MAX];
	size_t	 n = (size_t)snprintf(buf, sizeof(buf), "%s\n", line);

	/* A reason cut short still ends the line. */
	if (n >= sizeof(buf)) {
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	(void)write_all(up->sock, buf, n, mono_ms() + up->timeout);
	if (strcmp(line, "ready") == 0)
		upgrade_let_go(up);
	sock_close(up->sock);
	up->sock = -1;
}

void
net_upgrade_fail(struct net_upgrade *up, const char *reason)
{
	char	 line[UPGRADE_ANSWER_MAX];

	if (up == NULL)
		return;
	if (up->sock >= 0) {
		snprintf(line, sizeof(line), "fail: %s", reason);
		upgrade_answer(up, line);
	}
	net_upgrade_free(up);
}

void
net_upgrade_free(struct net_upgrade *up)
{
	if (up == NULL)
		return;
	sock_close(up->sock);
	free(up->bytes);
	free(up);
}

int
net_server_resumed(struct net_server *srv, char *err, size_t errlen)
{
	struct net_upgrade	*up = srv->upgrade;

	if (upgrade_state_restore(srv, up, err, errlen) == -1)
		return -1;
	log_info("upgrade: %zu connections and %zu clients taken over", srv->nconns,
	    core_client_count(srv->core));
	upgrade_answer(up, "ready");
	srv->upgrade = NULL;
	return 0;
}
