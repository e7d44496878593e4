/*
 * The fork model's hub side: its children's bookkeeping, spawning and reaping.  The
 * driver (driver.c, with model_fork_hub.c's hooks) serves the hub's socketpair ends;
 * each child runs relay_main.c in an image of its own; model_fork.h describes the
 * protocol between them.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/log.h"
#include "net/model_fork.h"
#include "net/relay_main.h"
#include "net/sock.h"

#define END_WAIT_MS	1000	/* SIGTERM to SIGKILL when the server ends */
#define END_STEP_MS	10

/* Where a relay's hub fd last was: the connection the hub knows by that number. */
struct fork_slot {
	struct sockaddr_storage	 peer;
	pid_t			 pid;	/* its child; 0: none yet */
	int			 err;	/* the child's report; 0: none */
};

struct fork_kid {
	pid_t	 pid;
	int	 fd;	/* hub fd it was spawned for (since reused, maybe) */
};

struct fork {
	struct fork_kid		*kids;		/* live children, unordered */
	size_t			 nkids;
	size_t			 capkids;
	struct fork_slot	*slots;		/* by hub fd */
	size_t			 nslots;
	int			 status[2];	/* [0]: the hub reads; [1]: children write */
};

/*
 * The hub: bookkeeping.
 */

struct fork *
fork_new(void)
{
	struct fork	*f;
	int		 on = 1, saved;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    f->status) == -1) {
		free(f);
		return NULL;
	}
	/* The kernel then names each record's sender: a child cannot speak for another. */
	if (setsockopt(f->status[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == -1) {
		saved = errno;
		close(f->status[0]);
		close(f->status[1]);
		free(f);
		errno = saved;
		return NULL;
	}
	return f;
}

size_t
fork_count(const struct fork *f)
{
	return f->nkids;
}

/* Room for one more child and a slot at fd, so that nothing can fail after fork. */
static int
fork_reserve(struct fork *f, int fd)
{
	struct fork_kid		*kids;
	struct fork_slot	*slots;
	size_t			 cap;

	if (f->nkids == f->capkids) {
		cap = f->capkids > 0 ? f->capkids * 2 : 64;
		if ((kids = realloc(f->kids, cap * sizeof(*kids))) == NULL)
			return -ENOMEM;
		f->kids = kids;
		f->capkids = cap;
	}
	if ((size_t)fd >= f->nslots) {
		for (cap = f->nslots > 0 ? f->nslots : 64; cap <= (size_t)fd; cap *= 2)
			;
		if ((slots = realloc(f->slots, cap * sizeof(*slots))) == NULL)
			return -ENOMEM;
		memset(slots + f->nslots, 0, (cap - f->nslots) * sizeof(*slots));
		f->slots = slots;
		f->nslots = cap;
	}
	return 0;
}

static struct fork_kid *
kid_find(const struct fork *f, pid_t pid)
{
	/* Linear: a child is looked up once when it reports and once when it ends. */
	for (size_t i = 0; i < f->nkids; i++)
		if (f->kids[i].pid == pid)
			return &f->kids[i];
	return NULL;
}

/* Read every record waiting on the status channel into the slots. */
static void
status_drain(struct fork *f)
{
	char		 control[CMSG_SPACE(sizeof(struct ucred))];
	struct ucred	 cred;
	struct cmsghdr	*cm;
	struct fork_kid	*k;
	int32_t		 err;
	struct iovec	 iov = { &err, sizeof(err) };
	struct msghdr	 msg;
	ssize_t		 n;

	for (;;) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		if ((n = recvmsg(f->status[0], &msg, 0)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn(-errno, "relay status");
			return;
		}
		cm = CMSG_FIRSTHDR(&msg);
		if (n != (ssize_t)sizeof(err) || cm == NULL ||
		    cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_CREDENTIALS ||
		    err <= 0 || err > 4095)
			continue;
		memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
		if ((k = kid_find(f, cred.pid)) != NULL && f->slots[k->fd].pid == k->pid)
			f->slots[k->fd].err = err;
	}
}

const char *
fork_reason(struct fork *f, int fd)
{
	status_drain(f);
	if (fd < 0 || (size_t)fd >= f->nslots || f->slots[fd].pid == 0 ||
	    f->slots[fd].err == 0)
		return NULL;
	return strerror(f->slots[fd].err);
}

int
fork_peer(const struct fork *f, int fd, struct sockaddr_storage *ss)
{
	if (fd < 0 || (size_t)fd >= f->nslots || f->slots[fd].pid == 0)
		return -ENOENT;
	*ss = f->slots[fd].peer;
	return 0;
}

static void
kid_log_end(const struct fork_kid *k, int st)
{
	if (WIFSIGNALED(st))
		log_warnx("relay pid %d (fd %d) killed by signal %d (%s)",
		    (int)k->pid, k->fd, WTERMSIG(st), strsignal(WTERMSIG(st)));
	else if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
		log_warnx("relay pid %d (fd %d) exited with status %d",
		    (int)k->pid, k->fd, WEXITSTATUS(st));
	else
		log_debug("relay pid %d (fd %d) exited", (int)k->pid, k->fd);
}

/* Forget the child pid, which has been waited for. */
static void
kid_gone(struct fork *f, pid_t pid, int st)
{
	struct fork_kid	*k = kid_find(f, pid);

	if (k == NULL) {
		log_warnx("reaped pid %d, which is not a relay", (int)pid);
		return;
	}
	kid_log_end(k, st);
	*k = f->kids[--f->nkids];
}

int
fork_hello_parse(const char hello[FORK_HELLO_LEN], char fp[TLS_FP_LEN + 1])
{
	const char	*digits = hello + 1;
	size_t		 dashes = 0, hex = 0;

	if (hello[0] != 'T')
		return -1;
	for (size_t i = 0; i < TLS_FP_LEN; i++) {
		dashes += digits[i] == '-';
		hex += (digits[i] >= '0' && digits[i] <= '9') ||
		    (digits[i] >= 'a' && digits[i] <= 'f');
	}
	if (dashes == TLS_FP_LEN)
		return 0;
	if (hex != TLS_FP_LEN)
		return -1;
	memcpy(fp, digits, TLS_FP_LEN);
	fp[TLS_FP_LEN] = '\0';
	return 1;
}

void
fork_reap(struct fork *f)
{
	pid_t	 pid;
	int	 st;

	/* A child that reported and exited: keep its word before forgetting it. */
	status_drain(f);
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		kid_gone(f, pid, st);
	if (pid == -1 && errno != ECHILD)
		log_warn(-errno, "waitpid");
}

/* Wait for pid, which has been sent SIGKILL. */
static void
kid_wait(struct fork *f, pid_t pid)
{
	struct fork_kid	*k;
	pid_t		 rc;
	int		 st;

	do {
		rc = waitpid(pid, &st, 0);
	} while (rc == -1 && errno == EINTR);
	if (rc == pid) {
		kid_gone(f, pid, st);
		return;
	}
	/* Waited for elsewhere: forget it all the same. */
	k = kid_find(f, pid);
	*k = f->kids[--f->nkids];
}

void
fork_free(struct fork *f)
{
	struct timespec	 step = { 0, END_STEP_MS * 1000000L };

	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nkids; i++)
		(void)kill(f->kids[i].pid, SIGTERM);
	for (int ms = 0; f->nkids > 0 && ms < END_WAIT_MS; ms += END_STEP_MS) {
		fork_reap(f);
		if (f->nkids > 0)
			(void)nanosleep(&step, NULL);
	}
	if (f->nkids > 0)
		log_warnx("%zu relays still running: killing them", f->nkids);
	while (f->nkids > 0) {
		(void)kill(f->kids[0].pid, SIGKILL);
		kid_wait(f, f->kids[0].pid);
	}
	close(f->status[0]);
	close(f->status[1]);
	free(f->kids);
	free(f->slots);
	free(f);
}

/*
 * The spawn: a fresh image per connection.
 */

/* fd itself when it is past the relay's fixed numbers, else a close-on-exec copy that
 * is (in *dup, for the caller to close), so that no dup2 of the spawn's overwrites a
 * descriptor a later one copies.  Returns the descriptor, or -errno. */
static int
spawn_src(int fd, int *dup)
{
	if (fd >= RELAY_FD_END)
		return fd;
	if ((*dup = fcntl(fd, F_DUPFD_CLOEXEC, RELAY_FD_END)) == -1)
		return -errno;
	return *dup;
}

/*
 * Run relay_main.h's child over the client tcpfd, the hub's end hubfd and the status
 * channel, and tlsfd (-1: plaintext).  posix_spawn's vfork copies nothing of the hub,
 * and the exec starts from the program's own image.  Returns 0 with the child in *pid,
 * or -errno.
 */
static int
spawn_relay(struct fork *f, int tcpfd, int hubfd, int tlsfd, int64_t linger,
    int64_t handshake_timeout, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	char	 arg[3][24], mode[8], argv0[] = RELAY_ARGV0;
	char	*argv[] = { argv0, arg[0], arg[1], arg[2], mode, NULL };
	int	 src[] = { tcpfd, hubfd, f->status[1], tlsfd };
	int	 dup[] = { -1, -1, -1, -1 }, n = tlsfd >= 0 ? 4 : 3, rc, fd;

	snprintf(arg[0], sizeof(arg[0]), "%lld", (long long)linger);
	snprintf(arg[1], sizeof(arg[1]), "%lld", (long long)handshake_timeout);
	snprintf(arg[2], sizeof(arg[2]), "%d", (int)log_max_level());
	snprintf(mode, sizeof(mode), "%s", tlsfd >= 0 ? "tls" : "plain");
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		return -rc;
	for (int i = 0; i < n && rc == 0; i++) {
		if ((fd = spawn_src(src[i], &dup[i])) < 0)
			rc = -fd;
		else
			rc = posix_spawn_file_actions_adddup2(&fa, fd,
			    RELAY_FD_CLIENT + i);
	}
	if (rc == 0)
		rc = posix_spawn_file_actions_addclosefrom_np(&fa, RELAY_FD_END);
	/* The signals stay blocked across the exec, for relay_main to set up. */
	if (rc == 0)
		rc = posix_spawn(pid, "/proc/self/exe", &fa, NULL, argv, environ);
	(void)posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < n; i++)
		if (dup[i] >= 0)
			(void)close(dup[i]);
	return -rc;
}

/* The TLS context for one child, as PEM in a memfd of its own.  Returns the descriptor
 * (close-on-exec), or -errno. */
static int
spawn_tls(const struct tls_ctx *tls)
{
	int	 fd, rc;

	if ((fd = memfd_create("parleyd-tls", MFD_CLOEXEC)) == -1)
		return -errno;
	if ((rc = tls_ctx_pem(tls, fd)) < 0) {
		(void)close(fd);
		return rc;
	}
	return fd;
}

int
fork_spawn(struct fork *f, int tcpfd, const struct sockaddr_storage *ss, int64_t linger,
    struct tls_ctx *tls, int64_t handshake_timeout)
{
	struct fork_slot	*slot;
	pid_t			 pid;
	int			 sp[2], tlsfd = -1, rc;

	if (tls != NULL && (tlsfd = spawn_tls(tls)) < 0)
		return tlsfd;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) == -1) {
		rc = -errno;
		goto out;
	}
	if ((rc = fork_reserve(f, sp[0])) < 0 ||
	    (rc = spawn_relay(f, tcpfd, sp[1], tlsfd, linger, handshake_timeout,
	    &pid)) < 0) {
		sock_close(sp[0]);
		sock_close(sp[1]);
		goto out;
	}
	/* The connection's last reference in this process: only the child's remains. */
	sock_close(sp[1]);
	sock_close(tcpfd);
	f->kids[f->nkids++] = (struct fork_kid){ pid, sp[0] };
	slot = &f->slots[sp[0]];
	slot->peer = *ss;
	slot->pid = pid;
	slot->err = 0;
	log_debug("relay pid %d for fd %d", (int)pid, sp[0]);
	rc = sp[0];
out:
	if (tlsfd >= 0)
		(void)close(tlsfd);
	return rc;
}
