/*
 * Socket chores: address parsing and formatting, listeners on loopback ephemeral ports,
 * accept with a real client, address reuse after TIME_WAIT, IPv6.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/sock.h"

/* The lowest free descriptor number: unchanged across a call that leaks nothing. */
static int
lowest_free_fd(void)
{
	int	 fd = dup(0);

	assert_true(fd >= 0);
	close(fd);
	return fd;
}

static void
parse_ok(const char *text, int family, const char *formatted)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 buf[SOCK_ADDR_MAX];

	assert_int_equal(sock_parse_addr(text, &ss, &len), 0);
	assert_int_equal(ss.ss_family, family);
	assert_int_equal(len, family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6));
	sock_format_addr((struct sockaddr *)&ss, buf, sizeof(buf));
	assert_string_equal(buf, formatted);
}

static void
test_parse_good(void **state)
{
	(void)state;
	parse_ok("127.0.0.1:6667", AF_INET, "127.0.0.1:6667");
	parse_ok("[::1]:6667", AF_INET6, "[::1]:6667");
	parse_ok("localhost:6667", AF_INET, "127.0.0.1:6667");
	parse_ok("LocalHost:1", AF_INET, "127.0.0.1:1");
	parse_ok("0.0.0.0:0", AF_INET, "0.0.0.0:0");
	parse_ok("[::]:7000", AF_INET6, "[::]:7000");
	parse_ok("10.1.2.3:65535", AF_INET, "10.1.2.3:65535");
	parse_ok("[2001:db8::17]:6697", AF_INET6, "[2001:db8::17]:6697");
	parse_ok("[::ffff:10.0.0.1]:5", AF_INET6, "[::ffff:10.0.0.1]:5");
}

static void
test_parse_bad(void **state)
{
	static const char	*bad[] = {
		"", ":", ":6667", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
		"127.0.0.1:99999999999999999999", "127.0.0.1:-1", "127.0.0.1:+1",
		"127.0.0.1: 6667", "127.0.0.1:6667 ", "127.0.0.1:66x", "127.0.0.1:6667:1",
		" 127.0.0.1:6667", "1.2.3:6667", "256.1.1.1:6667", "1.2.3.4.5:6667",
		"[::1]", "[::1]:", "[::1]x:6667", "[::1:6667", "[]:6667", "[1.2.3.4]:6667",
		"[::1]]:6667", "[::1]:70000", "::1:6667", "::1", "example.com:6667",
		"irc.localhost:6667", "localhostx:6667", "localhost", "localhost:",
		"[localhost]:6667", "[::1%lo]:6667", "junk",
	};
	struct sockaddr_storage	 ss;
	socklen_t		 len;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sock_parse_addr(bad[i], &ss, &len) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_int_equal(sock_parse_addr(NULL, &ss, &len), -EINVAL);
}

static void
make_v6(struct sockaddr_in6 *sin6, const char *host, unsigned port)
{
	memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((uint16_t)port);
	assert_int_equal(inet_pton(AF_INET6, host, &sin6->sin6_addr), 1);
}

static void
test_format_host(void **state)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET, .sin_port = htons(1) };
	struct sockaddr_in6	 sin6;
	char			 buf[SOCK_ADDR_MAX];

	(void)state;
	sin.sin_addr.s_addr = htonl(0xc0a80001);
	sock_format_host((struct sockaddr *)&sin, buf, sizeof(buf));
	assert_string_equal(buf, "192.168.0.1");
	make_v6(&sin6, "::1", 6667);
	sock_format_host((struct sockaddr *)&sin6, buf, sizeof(buf));
	assert_string_equal(buf, "::1");
	make_v6(&sin6, "::ffff:10.0.0.1", 6667);
	sock_format_host((struct sockaddr *)&sin6, buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.1");
	sock_format_addr((struct sockaddr *)&sin6, buf, sizeof(buf));
	assert_string_equal(buf, "[::ffff:10.0.0.1]:6667");
}

static void
test_format_longest_fits(void **state)
{
	struct sockaddr_in6	 sin6;
	char			 buf[SOCK_ADDR_MAX];

	(void)state;
	make_v6(&sin6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535);
	sock_format_addr((struct sockaddr *)&sin6, buf, sizeof(buf));
	assert_string_equal(buf, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
}

static void
test_format_small_buffer(void **state)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET, .sin_port = htons(6667) };
	char			 buf[8];

	(void)state;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(buf, 'Z', sizeof(buf));
	sock_format_addr((struct sockaddr *)&sin, buf, 4);
	assert_string_equal(buf, "127");
	assert_int_equal(buf[4], 'Z');
	sock_format_host((struct sockaddr *)&sin, buf, 1);
	assert_string_equal(buf, "");
	sock_format_host((struct sockaddr *)&sin, buf, 0);
	assert_string_equal(buf, "");
}

static void
test_format_unknown_family(void **state)
{
	struct sockaddr_storage	 ss = { .ss_family = AF_UNIX };
	char			 buf[SOCK_ADDR_MAX];

	(void)state;
	sock_format_addr((struct sockaddr *)&ss, buf, sizeof(buf));
	assert_string_equal(buf, "unknown");
	sock_format_host((struct sockaddr *)&ss, buf, sizeof(buf));
	assert_string_equal(buf, "unknown");
}

/* A listener on text (port 0 for ephemeral); its port goes to *port. */
static int
listen_on(const char *text, unsigned *port)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 fd;

	assert_int_equal(sock_parse_addr(text, &ss, &len), 0);
	fd = sock_listen((struct sockaddr *)&ss, len, 16);
	if (fd < 0)
		return fd;
	assert_int_equal(sock_local_addr(fd, &ss), 0);
	if (ss.ss_family == AF_INET)
		*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else
		*port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	assert_true(*port != 0);
	return fd;
}

/* A blocking client connected to the loopback of family on port. */
static int
connect_to(int family, unsigned port)
{
	struct sockaddr_storage	 ss = { 0 };
	socklen_t		 len;
	int			 fd;

	if (family == AF_INET) {
		struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		make_v6((struct sockaddr_in6 *)&ss, "::1", port);
		len = sizeof(struct sockaddr_in6);
	}
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&ss, len), 0);
	return fd;
}

/* Wait (bounded) until lfd has a connection to accept. */
static void
wait_readable(int lfd)
{
	struct pollfd	 pfd = { .fd = lfd, .events = POLLIN };

	assert_int_equal(poll(&pfd, 1, 5000), 1);
}

static void
assert_nonblock_cloexec(int fd)
{
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

static int
get_opt(int fd, int level, int name)
{
	int		 v = -1;
	socklen_t	 len = sizeof(v);

	assert_int_equal(getsockopt(fd, level, name, &v, &len), 0);
	return v;
}

static void
test_listen_ephemeral(void **state)
{
	unsigned	 port;
	int		 fd;

	(void)state;
	fd = listen_on("127.0.0.1:0", &port);
	assert_true(fd >= 0);
	assert_nonblock_cloexec(fd);
	assert_true(get_opt(fd, SOL_SOCKET, SO_REUSEADDR) != 0);
	assert_true(get_opt(fd, SOL_SOCKET, SO_ACCEPTCONN) != 0);
	sock_close(fd);
}

static void
test_accept_real_client(void **state)
{
	struct sockaddr_storage	 peer, mine;
	char			 host[SOCK_ADDR_MAX], addr[SOCK_ADDR_MAX], want[SOCK_ADDR_MAX];
	unsigned		 port;
	int			 lfd, cfd, afd;

	(void)state;
	lfd = listen_on("127.0.0.1:0", &port);
	assert_true(lfd >= 0);
	cfd = connect_to(AF_INET, port);
	wait_readable(lfd);
	afd = sock_accept(lfd, &peer);
	assert_true(afd >= 0);
	assert_nonblock_cloexec(afd);
	assert_true(get_opt(afd, IPPROTO_TCP, TCP_NODELAY) != 0);
	sock_format_host((struct sockaddr *)&peer, host, sizeof(host));
	assert_string_equal(host, "127.0.0.1");
	/* The peer address is the client's own. */
	assert_int_equal(sock_local_addr(cfd, &mine), 0);
	sock_format_addr((struct sockaddr *)&peer, addr, sizeof(addr));
	sock_format_addr((struct sockaddr *)&mine, want, sizeof(want));
	assert_string_equal(addr, want);
	/* And it is connected: bytes flow. */
	assert_int_equal(write(cfd, "hi", 2), 2);
	{
		struct pollfd	 pfd = { .fd = afd, .events = POLLIN };
		char		 buf[4];

		assert_int_equal(poll(&pfd, 1, 5000), 1);
		assert_int_equal(read(afd, buf, sizeof(buf)), 2);
		assert_memory_equal(buf, "hi", 2);
	}
	sock_close(afd);
	sock_close(cfd);
	sock_close(lfd);
}

static void
test_accept_without_address(void **state)
{
	unsigned	 port;
	int		 lfd, cfd, afd;

	(void)state;
	lfd = listen_on("127.0.0.1:0", &port);
	assert_true(lfd >= 0);
	cfd = connect_to(AF_INET, port);
	wait_readable(lfd);
	afd = sock_accept(lfd, NULL);
	assert_true(afd >= 0);
	sock_close(afd);
	sock_close(cfd);
	sock_close(lfd);
}

static void
test_accept_empty_backlog(void **state)
{
	struct sockaddr_storage	 peer;
	unsigned		 port;
	int			 lfd;

	(void)state;
	lfd = listen_on("127.0.0.1:0", &port);
	assert_true(lfd >= 0);
	assert_int_equal(sock_accept(lfd, &peer), -EAGAIN);
	assert_int_equal(sock_accept(lfd, NULL), -EAGAIN);
	sock_close(lfd);
}

static void
test_accept_errors(void **state)
{
	struct sockaddr_storage	 ss;
	int			 fd;

	(void)state;
	assert_int_equal(sock_accept(-1, &ss), -EBADF);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(sock_accept(fd, &ss), -EINVAL);	/* not listening */
	sock_close(fd);
}

static void
test_addr_in_use(void **state)
{
	char		 text[SOCK_ADDR_MAX];
	unsigned	 port, again;
	int		 lfd, free_fd;

	(void)state;
	lfd = listen_on("127.0.0.1:0", &port);
	assert_true(lfd >= 0);
	snprintf(text, sizeof(text), "127.0.0.1:%u", port);
	free_fd = lowest_free_fd();
	assert_int_equal(listen_on(text, &again), -EADDRINUSE);
	assert_int_equal(lowest_free_fd(), free_fd);	/* the failed socket was closed */
	sock_close(lfd);
}

static void
test_listen_bad_length(void **state)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	int			 free_fd = lowest_free_fd();

	(void)state;
	assert_int_equal(sock_listen((struct sockaddr *)&sin, 3, 16), -EINVAL);
	assert_int_equal(lowest_free_fd(), free_fd);
}

/*
 * The server closes an accepted connection first, so that side holds TIME_WAIT; a plain
 * bind to the port then fails, and sock_listen still succeeds right away.
 */
static void
test_reuseaddr_after_time_wait(void **state)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	char			 text[SOCK_ADDR_MAX], c;
	unsigned		 port, again;
	int			 lfd, cfd, afd, plain;

	(void)state;
	lfd = listen_on("127.0.0.1:0", &port);
	assert_true(lfd >= 0);
	cfd = connect_to(AF_INET, port);
	wait_readable(lfd);
	afd = sock_accept(lfd, NULL);
	assert_true(afd >= 0);
	sock_close(afd);
	assert_int_equal(read(cfd, &c, 1), 0);	/* the server's FIN */
	sock_close(cfd);
	sock_close(lfd);

	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	plain = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(plain >= 0);
	assert_int_equal(bind(plain, (struct sockaddr *)&sin, sizeof(sin)), -1);
	assert_int_equal(errno, EADDRINUSE);
	sock_close(plain);

	snprintf(text, sizeof(text), "127.0.0.1:%u", port);
	lfd = listen_on(text, &again);
	assert_true(lfd >= 0);
	assert_int_equal(again, port);
	sock_close(lfd);
}

static void
test_ipv6_loopback(void **state)
{
	struct sockaddr_storage	 peer;
	char			 host[SOCK_ADDR_MAX];
	unsigned		 port;
	int			 lfd, cfd, afd;

	(void)state;
	lfd = listen_on("[::1]:0", &port);
	if (lfd == -EADDRNOTAVAIL || lfd == -EAFNOSUPPORT) {
		skip();
		return;
	}
	assert_true(lfd >= 0);
	assert_int_equal(get_opt(lfd, IPPROTO_IPV6, IPV6_V6ONLY), 1);
	cfd = connect_to(AF_INET6, port);
	wait_readable(lfd);
	afd = sock_accept(lfd, &peer);
	assert_true(afd >= 0);
	assert_int_equal(peer.ss_family, AF_INET6);
	sock_format_host((struct sockaddr *)&peer, host, sizeof(host));
	assert_string_equal(host, "::1");
	sock_close(afd);
	sock_close(cfd);
	sock_close(lfd);
}

static void
test_local_addr_bad_fd(void **state)
{
	struct sockaddr_storage	 ss;

	(void)state;
	assert_int_equal(sock_local_addr(-1, &ss), -EBADF);
}

static void
test_close_keeps_errno(void **state)
{
	int	 fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_true(fd >= 0);
	errno = ETIMEDOUT;
	sock_close(fd);
	assert_int_equal(errno, ETIMEDOUT);
	assert_int_equal(fcntl(fd, F_GETFD), -1);	/* really closed */
	errno = ECONNRESET;
	sock_close(-1);
	assert_int_equal(errno, ECONNRESET);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_format_host),
		cmocka_unit_test(test_format_longest_fits),
		cmocka_unit_test(test_format_small_buffer),
		cmocka_unit_test(test_format_unknown_family),
		cmocka_unit_test(test_listen_ephemeral),
		cmocka_unit_test(test_accept_real_client),
		cmocka_unit_test(test_accept_without_address),
		cmocka_unit_test(test_accept_empty_backlog),
		cmocka_unit_test(test_accept_errors),
		cmocka_unit_test(test_addr_in_use),
		cmocka_unit_test(test_listen_bad_length),
		cmocka_unit_test(test_reuseaddr_after_time_wait),
		cmocka_unit_test(test_ipv6_loopback),
		cmocka_unit_test(test_local_addr_bad_fd),
		cmocka_unit_test(test_close_keeps_errno),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
