/*
 * The fork model's relay and bookkeeping, with unix socketpairs standing in for the
 * client's TCP socket: bytes both ways verbatim, the client's FIN and errors passed on,
 * the hub's FIN turned into a lingering close, backpressure, the reasons and peers the
 * hub asks for, and children that are this program run anew, confined before their
 * client says anything.  fork_spawn runs /proc/self/exe, which here is this test: its
 * main serves those runs as parleyd's does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/model_fork.h"
#include "net/relay.h"
#include "net/relay_main.h"

#define LINGER_MS	200

/* A relay in a child process: client[0] and hub[0] are the test's ends. */
struct rig {
	int	 client[2];
	int	 hub[2];
	int	 status[2];
	pid_t	 pid;
};

static void
rig_start(struct rig *r)
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, r->client), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, r->hub), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, r->status),
	    0);
	r->pid = fork();
	assert_true(r->pid >= 0);
	if (r->pid == 0) {
		close(r->client[0]);
		close(r->hub[0]);
		close(r->status[0]);
		_exit(relay_run(r->client[1], NULL, r->hub[1], r->status[1], LINGER_MS,
		    NULL));
	}
	close(r->client[1]);
	close(r->hub[1]);
	close(r->status[1]);
}

/* The relay's exit status, waiting at most ms; -1 if it is still running (killed). */
static int
rig_wait(struct rig *r, int ms)
{
	struct timespec	 step = { 0, 5000000 };
	int		 st;

	for (int t = 0; t < ms; t += 5) {
		if (waitpid(r->pid, &st, WNOHANG) == r->pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		nanosleep(&step, NULL);
	}
	kill(r->pid, SIGKILL);
	waitpid(r->pid, &st, 0);
	return -1;
}

static void
rig_close(struct rig *r)
{
	close(r->client[0]);
	close(r->hub[0]);
	close(r->status[0]);
}

/* Read from fd until want bytes came, EOF, or 2 s.  Returns the bytes read, -1 on an
 * error; *eof tells whether EOF followed. */
static ssize_t
read_some(int fd, char *buf, size_t want, int *eof)
{
	struct pollfd	 p = { fd, POLLIN, 0 };
	size_t		 got = 0;
	ssize_t		 n;

	*eof = 0;
	while (got < want || want == 0) {
		if (poll(&p, 1, 2000) != 1)
			break;
		n = recv(fd, buf + got, want > 0 ? want - got : 1, 0);
		if (n == 0) {
			*eof = 1;
			break;
		}
		if (n < 0)
			return errno == EAGAIN ? (ssize_t)got : -1;
		got += (size_t)n;
		if (want == 0)
			break;
	}
	return (ssize_t)got;
}

static void
test_bytes_pass_both_ways_verbatim(void **state)
{
	struct rig	 r;
	char		 buf[64];
	int		 eof;

	(void)state;
	rig_start(&r);
	assert_int_equal(send(r.client[0], "NICK a\r\n\0\xff", 10, 0), 10);
	assert_int_equal(read_some(r.hub[0], buf, 10, &eof), 10);
	assert_memory_equal(buf, "NICK a\r\n\0\xff", 10);
	assert_int_equal(send(r.hub[0], ":s 001 a :hi\r\n", 14, 0), 14);
	assert_int_equal(read_some(r.client[0], buf, 14, &eof), 14);
	assert_memory_equal(buf, ":s 001 a :hi\r\n", 14);
	rig_close(&r);
	assert_int_equal(rig_wait(&r, 2000), 0);
}

/* The client's FIN reaches the hub as EOF; what the hub says after still goes out, then
 * the relay's own FIN, and the relay ends. */
static void
test_client_fin_then_hub_last_words(void **state)
{
	struct rig	 r;
	char		 buf[64];
	int		 eof;

	(void)state;
	rig_start(&r);
	assert_int_equal(send(r.client[0], "QUIT\r\n", 6, 0), 6);
	assert_int_equal(shutdown(r.client[0], SHUT_WR), 0);
	assert_int_equal(read_some(r.hub[0], buf, sizeof(buf), &eof), 6);
	assert_true(eof);
	assert_int_equal(send(r.hub[0], "ERROR :bye\r\n", 12, 0), 12);
	assert_int_equal(shutdown(r.hub[0], SHUT_WR), 0);
	assert_int_equal(read_some(r.client[0], buf, sizeof(buf), &eof), 12);
	assert_memory_equal(buf, "ERROR :bye\r\n", 12);
	assert_true(eof);
	assert_int_equal(rig_wait(&r, 2000), 0);
	/* No error to report: the channel holds no record (EOF, the relay is gone). */
	assert_int_equal(recv(r.status[0], buf, sizeof(buf), MSG_DONTWAIT), 0);
	rig_close(&r);
}

static bool
running(pid_t pid)
{
	int	 st;

	return waitpid(pid, &st, WNOHANG) == 0;
}

/* The hub's FIN: the client gets the rest and a FIN, and may keep sending meanwhile;
 * the relay lingers until the client's FIN. */
static void
test_hub_fin_is_a_lingering_close(void **state)
{
	struct timespec	 pause = { 0, 50000000 };
	struct rig	 r;
	char		 buf[64];
	int		 eof;

	(void)state;
	rig_start(&r);
	assert_int_equal(send(r.hub[0], "ERROR :x\r\n", 10, 0), 10);
	assert_int_equal(shutdown(r.hub[0], SHUT_WR), 0);
	assert_int_equal(read_some(r.client[0], buf, sizeof(buf), &eof), 10);
	assert_true(eof);
	assert_int_equal(send(r.client[0], "late\r\n", 6, 0), 6);
	nanosleep(&pause, NULL);
	assert_true(running(r.pid));
	assert_int_equal(shutdown(r.client[0], SHUT_WR), 0);
	assert_int_equal(rig_wait(&r, 2000), 0);
	rig_close(&r);
}

/* A client that never closes is given up after the linger. */
static void
test_linger_is_bounded(void **state)
{
	struct rig	 r;
	char		 buf[64];
	int		 eof;

	(void)state;
	rig_start(&r);
	assert_int_equal(shutdown(r.hub[0], SHUT_WR), 0);
	assert_int_equal(read_some(r.client[0], buf, sizeof(buf), &eof), 0);
	assert_true(eof);
	assert_int_equal(rig_wait(&r, LINGER_MS * 10), 0);
	rig_close(&r);
}

/* An error on the client's socket: a record with its errno, then the hub's EOF. */
static void
test_client_error_reported(void **state)
{
	struct rig	 r;
	char		 buf[64];
	int32_t		 err = 0;
	int		 eof;

	(void)state;
	rig_start(&r);
	/* Closing with unread input resets a unix socket's peer too. */
	assert_int_equal(send(r.hub[0], "PING :x\r\n", 9, 0), 9);
	{
		struct pollfd	 p = { r.client[0], POLLIN, 0 };

		assert_int_equal(poll(&p, 1, 2000), 1);
	}
	close(r.client[0]);
	r.client[0] = -1;
	assert_int_equal(read_some(r.hub[0], buf, sizeof(buf), &eof), 0);
	assert_true(eof);
	assert_int_equal(recv(r.status[0], &err, sizeof(err), MSG_DONTWAIT), sizeof(err));
	assert_int_equal(err, ECONNRESET);
	assert_int_equal(rig_wait(&r, 2000), 0);
	rig_close(&r);
}

/* A client that does not read: the relay stops reading the hub, so the hub's writes
 * stop too (and its sendq fills), after a bounded amount. */
static void
test_backpressure_reaches_the_hub(void **state)
{
	struct timespec	 pause = { 0, 20000000 };
	static char	 chunk[65536];
	struct rig	 r;
	size_t		 total = 0;
	ssize_t		 n;

	(void)state;
	memset(chunk, 'x', sizeof(chunk));
	rig_start(&r);
	for (int quiet = 0; quiet < 10 && total < 64u * 1024 * 1024; ) {
		n = send(r.hub[0], chunk, sizeof(chunk), MSG_DONTWAIT);
		if (n > 0) {
			total += (size_t)n;
			quiet = 0;
		} else {
			assert_int_equal(errno, EAGAIN);
			quiet++;
			nanosleep(&pause, NULL);
		}
	}
	assert_true(total < 16u * 1024 * 1024);
	kill(r.pid, SIGTERM);
	assert_int_equal(rig_wait(&r, 2000), 128 + SIGTERM);
	rig_close(&r);
}

/* fork_spawn, fork_reason, fork_peer, fork_reap and fork_free together. */
static void
test_spawn_reason_peer_reap(void **state)
{
	struct timespec		 step = { 0, 5000000 };
	struct sockaddr_storage	 ss, got;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct fork		*f = fork_new();
	char			 buf[64];
	int			 sp[2], hub, eof;

	(void)state;
	assert_non_null(f);
	memset(&ss, 0, sizeof(ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(4242);
	sin->sin_addr.s_addr = htonl(0x7f000001);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sp), 0);
	hub = fork_spawn(f, sp[1], &ss, LINGER_MS, NULL, 0);
	assert_true(hub >= 0);
	assert_int_equal(fork_count(f), 1);
	assert_int_equal(fork_peer(f, hub, &got), 0);
	assert_memory_equal(&got, &ss, sizeof(ss));
	assert_int_equal(fork_peer(f, hub + 1000, &got), -ENOENT);
	assert_null(fork_reason(f, hub));
	/* The client resets: the hub's stream ends, and the reason says why. */
	assert_int_equal(send(hub, "x", 1, 0), 1);
	{
		struct pollfd	 p = { sp[0], POLLIN, 0 };

		assert_int_equal(poll(&p, 1, 2000), 1);
	}
	close(sp[0]);
	assert_int_equal(read_some(hub, buf, sizeof(buf), &eof), 0);
	assert_true(eof);
	assert_string_equal(fork_reason(f, hub), strerror(ECONNRESET));
	for (int t = 0; t < 400 && fork_count(f) > 0; t++) {
		fork_reap(f);
		nanosleep(&step, NULL);
	}
	assert_int_equal(fork_count(f), 0);
	/* Still known after the child is gone, for the hub that reads the EOF late. */
	assert_string_equal(fork_reason(f, hub), strerror(ECONNRESET));
	close(hub);
	fork_free(f);
}

/* fork_free ends the children that would linger on. */
static void
test_free_ends_every_child(void **state)
{
	struct sockaddr_storage	 ss;
	struct fork		*f = fork_new();
	int			 sp[3][2], hub[3], st;
	pid_t			 pid;

	(void)state;
	assert_non_null(f);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_INET;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sp[i]), 0);
		hub[i] = fork_spawn(f, sp[i][1], &ss, 60000, NULL, 0);
		assert_true(hub[i] >= 0);
	}
	assert_int_equal(fork_count(f), 3);
	fork_free(f);
	/* Every child was waited for: none is left to wait for. */
	pid = waitpid(-1, &st, WNOHANG);
	assert_int_equal(pid, -1);
	assert_int_equal(errno, ECHILD);
	for (int i = 0; i < 3; i++) {
		close(sp[i][0]);
		close(hub[i]);
	}
}

/* The first line of /proc/pid/<what> that starts with key, into buf; false if none. */
static bool
proc_line(pid_t pid, const char *what, const char *key, char *buf, size_t cap)
{
	char	 path[64];
	FILE	*fp;
	bool	 found = false;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	if ((fp = fopen(path, "re")) == NULL)
		return false;
	while (!found && fgets(buf, (int)cap, fp) != NULL)
		found = strncmp(buf, key, strlen(key)) == 0;
	fclose(fp);
	return found;
}

/* The first field of /proc/self/task/self/children: this process's one child. */
static pid_t
only_child(void)
{
	char	 what[64], line[64];

	snprintf(what, sizeof(what), "task/%d/children", (int)getpid());
	if (!proc_line(getpid(), what, "", line, sizeof(line)))
		return 0;
	return (pid_t)atoi(line);
}

/*
 * A spawned child is the program run anew, not a copy of this one: its argv is the
 * relay's, and it is under its seccomp filter while its client has sent nothing at all.
 * Then it relays as before.
 */
static void
test_child_is_a_fresh_confined_image(void **state)
{
	struct timespec		 step = { 0, 5000000 };
	struct sockaddr_storage	 ss;
	struct fork		*f = fork_new();
	char			 line[256], cmdline[64];
	int			 sp[2], hub, fd, eof, t;
	ssize_t			 n;
	pid_t			 pid;
	bool			 confined = false;

	(void)state;
	assert_non_null(f);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_INET;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sp), 0);
	hub = fork_spawn(f, sp[1], &ss, LINGER_MS, NULL, 0);
	assert_true(hub >= 0);
	pid = only_child();
	assert_true(pid > 0);
	/* The spawn returns once the exec has begun; the new argv shows a moment later. */
	snprintf(line, sizeof(line), "/proc/%d/cmdline", (int)pid);
	for (t = 0, n = 0; t < 400 && n == 0; t++) {
		assert_true((fd = open(line, O_RDONLY | O_CLOEXEC)) >= 0);
		n = read(fd, cmdline, sizeof(cmdline));
		close(fd);
		if (n == 0)
			nanosleep(&step, NULL);
	}
	assert_true(n > (ssize_t)sizeof(RELAY_ARGV0));
	assert_memory_equal(cmdline, RELAY_ARGV0 "\0", sizeof(RELAY_ARGV0));
	for (t = 0; t < 400 && !confined; t++) {
		confined = proc_line(pid, "status", "Seccomp:", line, sizeof(line)) &&
		    strchr(line, '2') != NULL;
		if (!confined)
			nanosleep(&step, NULL);
	}
	assert_true(confined);
	assert_true(proc_line(pid, "status", "NoNewPrivs:", line, sizeof(line)));
	assert_non_null(strchr(line, '1'));
	/* It relays: the client's bytes reach the hub; the client's FIN ends it. */
	assert_int_equal(send(sp[0], "PING x\r\n", 8, 0), 8);
	{
		struct pollfd	 p = { hub, POLLIN, 0 };

		assert_int_equal(poll(&p, 1, 2000), 1);
	}
	assert_int_equal(read_some(hub, line, sizeof(line), &eof), 8);
	assert_memory_equal(line, "PING x\r\n", 8);
	close(sp[0]);
	close(hub);
	fork_free(f);
}

/* Run as the relay without fork_spawn's descriptors, this program refuses and exits. */
static void
test_relay_refuses_a_stray_invocation(void **state)
{
	struct timespec	 step = { 0, 5000000 };
	char		*argv[] = { RELAY_ARGV0, "200", "0", "3", "plain", NULL };
	char		 err[256];
	int		 out[2], sp[2], st, t;
	ssize_t		 n;
	pid_t		 pid;

	(void)state;
	for (int wrong = 0; wrong < 2; wrong++) {
		assert_int_equal(pipe(out), 0);
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
		assert_true((pid = fork()) >= 0);
		if (pid == 0) {
			(void)dup2(out[1], STDERR_FILENO);
			/* None at all; then a stream socket for the seqpacket one. */
			if (wrong && (dup2(sp[0], RELAY_FD_CLIENT) == -1 ||
			    dup2(sp[1], RELAY_FD_HUB) == -1 ||
			    dup2(sp[0], RELAY_FD_STATUS) == -1))
				_exit(127);
			(void)close_range(wrong ? RELAY_FD_END : RELAY_FD_CLIENT, ~0u, 0);
			execv("/proc/self/exe", argv);
			_exit(127);
		}
		close(out[1]);
		close(sp[0]);
		close(sp[1]);
		for (t = 0; t < 400 && waitpid(pid, &st, WNOHANG) == 0; t++)
			nanosleep(&step, NULL);
		if (t == 400) {
			/* Still running: it took stray descriptors for a connection. */
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			fail_msg("relay %d ran with the wrong descriptors", (int)pid);
		}
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 2);
		n = read(out[0], err, sizeof(err) - 1);
		close(out[0]);
		assert_true(n > 0);
		err[n] = '\0';
		assert_non_null(strstr(err, "relay, run by parleyd only"));
	}
}

/* The TLS child's hello: a fingerprint, none, or anything else refused. */
static void
test_hello_parse(void **state)
{
	char	hello[FORK_HELLO_LEN], fp[TLS_FP_LEN + 1];

	(void)state;
	hello[0] = 'T';
	memset(hello + 1, 'a', TLS_FP_LEN);
	hello[TLS_FP_LEN] = '9';
	assert_int_equal(fork_hello_parse(hello, fp), 1);
	assert_int_equal(strlen(fp), TLS_FP_LEN);
	assert_int_equal(fp[TLS_FP_LEN - 1], '9');
	memset(hello + 1, '-', TLS_FP_LEN);
	assert_int_equal(fork_hello_parse(hello, fp), 0);
	/* Upper case, a stray dash, a wrong kind byte, client bytes: not a hello. */
	memset(hello + 1, 'A', TLS_FP_LEN);
	assert_int_equal(fork_hello_parse(hello, fp), -1);
	memset(hello + 1, 'a', TLS_FP_LEN);
	hello[5] = '-';
	assert_int_equal(fork_hello_parse(hello, fp), -1);
	memset(hello + 1, 'a', TLS_FP_LEN);
	hello[0] = 'X';
	assert_int_equal(fork_hello_parse(hello, fp), -1);
	memset(hello, 0, sizeof(hello));
	memcpy(hello, "NICK alice\r\n", 12);
	assert_int_equal(fork_hello_parse(hello, fp), -1);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_parse),
		cmocka_unit_test(test_bytes_pass_both_ways_verbatim),
		cmocka_unit_test(test_client_fin_then_hub_last_words),
		cmocka_unit_test(test_hub_fin_is_a_lingering_close),
		cmocka_unit_test(test_linger_is_bounded),
		cmocka_unit_test(test_client_error_reported),
		cmocka_unit_test(test_backpressure_reaches_the_hub),
		cmocka_unit_test(test_spawn_reason_peer_reap),
		cmocka_unit_test(test_free_ends_every_child),
		cmocka_unit_test(test_child_is_a_fresh_confined_image),
		cmocka_unit_test(test_relay_refuses_a_stray_invocation),
	};

	if (argc > 0 && strcmp(argv[0], RELAY_ARGV0) == 0)
		return relay_main(argc, argv);
	/* A relay's write to a closed client must not kill the test. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
