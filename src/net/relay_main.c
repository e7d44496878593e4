/*
 * The fork model's child from exec to its relay: check what it was given, give up the
 * rest, load the TLS context if it serves a TLS listener, confine itself, and only then
 * read from its client (the TLS handshake included).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/confine.h"
#include "net/log.h"
#include "net/model_fork.h"
#include "net/relay.h"
#include "net/relay_main.h"

#define RELAY_TLS_PATH	"/proc/self/fd/6"	/* RELAY_FD_TLS, opened anew at offset 0 */

/* Whether fd is a connected socket of type, in domain (-1: any). */
static bool
relay_fd_is(int fd, int domain, int type)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(int);
	int			 v;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == -1 || v != type)
		return false;
	len = sizeof(int);
	if (domain >= 0 && (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) == -1 ||
	    v != domain))
		return false;
	len = sizeof(ss);
	return getpeername(fd, (struct sockaddr *)&ss, &len) == 0;
}

/* A number in 0..INT_MAX into *ms.  Returns 0, or -1 for anything else. */
static int
relay_num(const char *s, int64_t *ms)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > INT_MAX)
		return -1;
	*ms = v;
	return 0;
}

/*
 * Signals: the hub's blocked set is inherited; unblock it, so that the hub's SIGTERM
 * ends the child.  A terminal's ^C or hang-up reaches the whole process group and is
 * the hub's to act on: it sends every client ERROR through these children.  A write to
 * a client that has gone (OpenSSL's included) is an error to handle, not a signal.
 */
static void
relay_signals(void)
{
	sigset_t	 none;

	(void)signal(SIGPIPE, SIG_IGN);
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGHUP, SIG_IGN);
	(void)signal(SIGTERM, SIG_DFL);
	(void)signal(SIGCHLD, SIG_DFL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The hub's context from RELAY_FD_TLS, made into a connection over the client's socket.
 * Returns NULL (logged) when it cannot be. */
static struct tls *
relay_tls_load(void)
{
	struct tls_ctx	*ctx;
	struct tls	*t;
	char		 err[256];

	ctx = tls_ctx_new(RELAY_TLS_PATH, RELAY_TLS_PATH, err, sizeof(err));
	(void)close(RELAY_FD_TLS);
	if (ctx == NULL) {
		log_warnx("relay pid %d: %s", (int)getpid(), err);
		return NULL;
	}
	/* A client certificate's dates go through gmtime_r, whose first call reads the
	 * time zone files: read them now, while a file may still be opened. */
	tzset();
	/* The connection holds the context: ours is the one reference to drop. */
	if ((t = tls_new(ctx, RELAY_FD_CLIENT)) == NULL)
		log_warn(-ENOMEM, "relay pid %d", (int)getpid());
	tls_ctx_free(ctx);
	return t;
}

/*
 * The TLS handshake with the client, bounded by timeout ms.  Returns 0 with the hello
 * for the hub in hello, or -1 (logged) when it failed or stalled.
 */
static int
relay_handshake(struct tls *t, int64_t timeout, char hello[FORK_HELLO_LEN])
{
	struct pollfd	 pfd = { RELAY_FD_CLIENT, POLLIN, 0 };
	int64_t		 deadline = relay_now() + timeout, left;
	char		 fp[TLS_FP_LEN + 1];
	int		 rc;

	while ((rc = tls_handshake(t)) == TLS_WANT_READ || rc == TLS_WANT_WRITE) {
		if ((left = deadline - relay_now()) <= 0) {
			log_debug("relay pid %d: TLS handshake timed out",
			    (int)getpid());
			return -1;
		}
		pfd.events = rc == TLS_WANT_READ ? POLLIN : POLLOUT;
		if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR) {
			rc = TLS_ERROR;
			break;
		}
	}
	if (rc != 0) {
		log_debug("relay pid %d: TLS handshake failed: %s", (int)getpid(),
		    rc == TLS_ERROR ? tls_error(t) : strerror(errno));
		return -1;
	}
	hello[0] = 'T';
	if (tls_fingerprint(t, fp) == 0)
		memcpy(hello + 1, fp, TLS_FP_LEN);
	else
		memset(hello + 1, '-', TLS_FP_LEN);
	return 0;
}

/* The end: the exit call itself, since nothing of a libc's exit (atexit, stdio, a
 * sanitizer's own work, which the filter would answer with SIGSYS) is needed. */
static void __attribute__((noreturn))
relay_exit(int rc)
{
	for (;;)
		(void)syscall(SYS_exit_group, rc);
}

int
relay_main(int argc, char **argv)
{
	int64_t		 linger, timeout, level;
	char		 hello[FORK_HELLO_LEN];
	struct tls	*t = NULL;
	bool		 tls;
	int		 rc;

	tls = argc == RELAY_ARGC && strcmp(argv[4], "tls") == 0;
	if (argc != RELAY_ARGC || relay_num(argv[1], &linger) == -1 ||
	    relay_num(argv[2], &timeout) == -1 || relay_num(argv[3], &level) == -1 ||
	    level > PLOG_DEBUG ||
	    (!tls && strcmp(argv[4], "plain") != 0) ||
	    !relay_fd_is(RELAY_FD_CLIENT, -1, SOCK_STREAM) ||
	    !relay_fd_is(RELAY_FD_HUB, AF_UNIX, SOCK_STREAM) ||
	    !relay_fd_is(RELAY_FD_STATUS, AF_UNIX, SOCK_SEQPACKET)) {
		fprintf(stderr, "%s: the fork model's relay, run by parleyd only\n",
		    RELAY_ARGV0);
		return 2;
	}
	log_init(NULL, (enum log_level)level);
	relay_signals();
	/* stdin and stdout are the hub's, and nothing past the fixed numbers is ours. */
	(void)close_range(STDIN_FILENO, STDOUT_FILENO, 0);
	(void)close_range(tls ? RELAY_FD_END : RELAY_FD_TLS, ~0u, 0);
	/* The hub reads EOF and lets the connection go; the client gets a reset. */
	if (tls && (t = relay_tls_load()) == NULL)
		_exit(0);
	if ((rc = confine_relay()) < 0)
		log_debug("relay pid %d: no seccomp filter: %s", (int)getpid(),
		    strerror(-rc));
	if (t != NULL && relay_handshake(t, timeout, hello) == -1)
		relay_exit(0);
	relay_exit(relay_run(RELAY_FD_CLIENT, t, RELAY_FD_HUB, RELAY_FD_STATUS, linger,
	    t != NULL ? hello : NULL));
}
