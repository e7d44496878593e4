/*
 * The fork model's children: spawning, the relay each child runs, and reaping.  The
 * hub side is the event driver (model_event.c) over the socketpair ends; model_fork.h
 * describes the protocol between the two.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/log.h"
#include "net/model_fork.h"
#include "net/sock.h"

#define RELAY_BUF	16384	/* bytes a child holds each way */
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
 * The child: giving up what it does not need.
 */

/* Close every descriptor but the n in keep, sorted ascending. */
static void
fds_close_except(const int *keep, size_t n)
{
	unsigned	 from = 0;
	long		 max;

	for (size_t i = 0; i <= n; i++) {
		unsigned	 to = i < n ? (unsigned)keep[i] : ~0u;

		if (to > from && close_range(from, to - 1, 0) == -1) {
			/* Before Linux 5.9: one by one, up to the descriptor limit. */
			max = sysconf(_SC_OPEN_MAX);
			for (unsigned fd = from; fd < to && (long)fd < max; fd++)
				(void)close((int)fd);
		}
		from = to + 1;
	}
}

static void
fds_sort(int *fds, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
			int	 t = fds[j];

			fds[j] = fds[j - 1];
			fds[j - 1] = t;
		}
}

#if defined(__x86_64__)
#define RELAY_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define RELAY_ARCH	AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define RELAY_ARCH	AUDIT_ARCH_I386
#endif

#ifdef RELAY_ARCH
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i)	(offsetof(struct seccomp_data, args[i]))
#else
#define ARG_LO(i)	(offsetof(struct seccomp_data, args[i]) + 4)
#endif
#define RELAY_KILL	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)
#define RELAY_ALLOW(nr)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/*
 * What the relay calls once it runs: reads, writes, poll, shutdown and close, the
 * clock (when the vDSO cannot answer), SO_LINGER for a reset, and the ways out.  Anything
 * else kills the process: a child that tries to open a file or a socket, or to exec,
 * has been subverted.  The architecture is checked first, since syscall numbers mean
 * nothing without it.
 */
static const struct sock_filter relay_filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RELAY_ARCH, 1, 0),
	RELAY_KILL,
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __x86_64__
	/* x32 calls come with the same arch: refuse them all. */
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
	RELAY_KILL,
#endif
	RELAY_ALLOW(SYS_read),
	RELAY_ALLOW(SYS_write),
	RELAY_ALLOW(SYS_recvfrom),
	RELAY_ALLOW(SYS_sendto),
#ifdef SYS_poll
	RELAY_ALLOW(SYS_poll),
#endif
	RELAY_ALLOW(SYS_ppoll),
	RELAY_ALLOW(SYS_shutdown),
	RELAY_ALLOW(SYS_close),
	RELAY_ALLOW(SYS_clock_gettime),
	RELAY_ALLOW(SYS_restart_syscall),
	RELAY_ALLOW(SYS_rt_sigreturn),
	RELAY_ALLOW(SYS_exit),
	RELAY_ALLOW(SYS_exit_group),
	/* TLS: OpenSSL may allocate, and draw randomness (checking its pid for a fork
	 * first), after the handshake: memory and entropy only, no new descriptor. */
	RELAY_ALLOW(SYS_brk),
	RELAY_ALLOW(SYS_munmap),
	RELAY_ALLOW(SYS_mremap),
	RELAY_ALLOW(SYS_madvise),
	RELAY_ALLOW(SYS_getpid),
	RELAY_ALLOW(SYS_getrandom),
	/* mmap never executable (and mprotect is not allowed at all). */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 0, 4),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	RELAY_KILL,
	/* setsockopt(fd, SOL_SOCKET, SO_LINGER, ...) only. */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_setsockopt, 0, 4),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOL_SOCKET, 0, 2),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SO_LINGER, 1, 0),
	RELAY_KILL,
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

/* Returns 0 or -errno (-EINVAL: a kernel without seccomp filters). */
static int
relay_confine(void)
{
	struct sock_fprog	 prog = {
		sizeof(relay_filter) / sizeof(relay_filter[0]),
		(struct sock_filter *)relay_filter,
	};

	/* Required of an unprivileged process, and right for a privileged one too. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1)
		return -errno;
	return 0;
}
#else
static int
relay_confine(void)
{
	return -ENOSYS;
}
#endif

/*
 * Signals: the parent's blocked set is inherited; unblock it, so that the parent's
 * SIGTERM ends the child.  A terminal's ^C or hang-up reaches the whole process group
 * and is the parent's to act on: it sends every client ERROR through these children.
 */
static void
child_signals(void)
{
	sigset_t	 none;

	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGHUP, SIG_IGN);
	(void)signal(SIGTERM, SIG_DFL);
	(void)signal(SIGCHLD, SIG_DFL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

static int64_t	relay_now(void);
static int	relay_run(int, struct tls *, int, int, int64_t, const char *);

/*
 * The TLS handshake with the client, bounded by timeout ms.  Returns the connection
 * with the hello for the hub in hello, or NULL (logged) when it failed or stalled.
 */
static struct tls *
child_handshake(struct tls_ctx *ctx, int fd, int64_t timeout, char hello[FORK_HELLO_LEN])
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	struct tls	*t;
	int64_t		 deadline = relay_now() + timeout, left;
	char		 fp[TLS_FP_LEN + 1];
	int		 rc;

	if ((t = tls_new(ctx, fd)) == NULL) {
		log_warn(-ENOMEM, "relay pid %d", (int)getpid());
		return NULL;
	}
	while ((rc = tls_handshake(t)) == TLS_WANT_READ || rc == TLS_WANT_WRITE) {
		if ((left = deadline - relay_now()) <= 0) {
			log_debug("relay pid %d: TLS handshake timed out",
			    (int)getpid());
			tls_free(t);
			return NULL;
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
		tls_free(t);
		return NULL;
	}
	hello[0] = 'T';
	if (tls_fingerprint(t, fp) == 0)
		memcpy(hello + 1, fp, TLS_FP_LEN);
	else
		memset(hello + 1, '-', TLS_FP_LEN);
	return t;
}

static void __attribute__((noreturn))
child_main(struct fork *f, int tcpfd, int hubfd, int64_t linger, struct tls_ctx *ctx,
    int64_t handshake_timeout)
{
	int		 keep[] = { STDERR_FILENO, tcpfd, hubfd, f->status[1] };
	char		 hello[FORK_HELLO_LEN];
	struct tls	*t = NULL;
	int		 rc;

	child_signals();
	fds_sort(keep, sizeof(keep) / sizeof(keep[0]));
	fds_close_except(keep, sizeof(keep) / sizeof(keep[0]));
	/* The hub reads EOF and lets the connection go; the client gets a reset. */
	if (ctx != NULL && (t = child_handshake(ctx, tcpfd, handshake_timeout, hello)) ==
	    NULL)
		_exit(0);
	if ((rc = relay_confine()) < 0)
		log_debug("relay pid %d: no seccomp filter: %s", (int)getpid(),
		    strerror(-rc));
	/* Nothing of the parent's (atexit, stdio) is the child's to run, and the exit call
	 * itself: a sanitizer's _exit does work of its own (sigaltstack) that the filter
	 * would answer with SIGSYS. */
	rc = relay_run(tcpfd, t, hubfd, f->status[1], linger, t != NULL ? hello : NULL);
	for (;;)
		(void)syscall(SYS_exit_group, rc);
}

int
fork_spawn(struct fork *f, int tcpfd, const struct sockaddr_storage *ss, int64_t linger,
    struct tls_ctx *tls, int64_t handshake_timeout)
{
	struct fork_slot	*slot;
	pid_t			 pid;
	int			 sp[2], rc;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) == -1)
		return -errno;
	if ((rc = fork_reserve(f, sp[0])) < 0 || (pid = fork()) == -1) {
		if (rc == 0)
			rc = -errno;
		sock_close(sp[0]);
		sock_close(sp[1]);
		return rc;
	}
	if (pid == 0)
		child_main(f, tcpfd, sp[1], linger, tls, handshake_timeout);
	/* The connection's last reference in this process: only the child's remains. */
	sock_close(sp[1]);
	sock_close(tcpfd);
	f->kids[f->nkids++] = (struct fork_kid){ pid, sp[0] };
	slot = &f->slots[sp[0]];
	slot->peer = *ss;
	slot->pid = pid;
	slot->err = 0;
	log_debug("relay pid %d for fd %d", (int)pid, sp[0]);
	return sp[0];
}

/*
 * The child: the relay.
 */

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
	int		 cerr;		/* the client's socket failed: report, then end */
	bool		 client_eof;	/* the client's FIN is in */
	bool		 up_shut;	/* ...and passed on to the hub */
	bool		 hub_eof;	/* the hub's FIN is in: nothing more goes up */
	bool		 fin_sent;	/* our FIN to the client is out: lingering */
	bool		 done;
	bool		 mute_client;	/* hung up while we wanted nothing of it */
	bool		 mute_hub;
};

static int64_t
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
		/* Closing, the hub drops input: so do we, from here on. */
		r->uplen = (size_t)n;
		r->upoff = 0;
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
fork_relay(int client, int hub, int status, int64_t linger)
{
	return relay_run(client, NULL, hub, status, linger, NULL);
}

/* fork_relay, with the client's side through tls when not NULL; hello, when not NULL,
 * goes to the hub before anything of the client's. */
static int
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
