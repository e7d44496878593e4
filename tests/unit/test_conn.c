/*
 * Connections of the event driver: a fresh connection's state, raw reads, our FIN,
 * graceful close versus reset, and the descriptor table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/conn.h"
#include "net/sock.h"

static void
make_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv), 0);
}

/* A loopback TCP connection: *server is the accepted end, *client the other. */
static void
make_tcp(int *server, int *client)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 lfd;

	assert_int_equal(sock_parse_addr("127.0.0.1:0", &ss, &len), 0);
	lfd = sock_listen((struct sockaddr *)&ss, len, 1);
	assert_true(lfd >= 0);
	assert_int_equal(sock_local_addr(lfd, &ss), 0);
	*client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(*client >= 0);
	assert_int_equal(connect(*client, (struct sockaddr *)&ss, len), 0);
	*server = sock_accept(lfd, NULL);
	assert_true(*server >= 0);
	close(lfd);
}

static void
test_new_is_open_and_empty(void **state)
{
	struct conn	*c = conn_new(42);

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->fd, 42);
	assert_int_equal(c->state, CONN_OPEN);
	assert_null(c->client);
	assert_false(list_linked(&c->dirty));
	assert_false(list_linked(&c->link));
	assert_int_equal(outq_len(&c->outq), 0);
	assert_int_equal(framer_pending(&c->framer), 0);
	c->fd = -1;
	conn_free(c, false);
}

static void
test_recv_data_again_eof(void **state)
{
	char		 buf[16];
	int		 sv[2];
	struct conn	*c;

	(void)state;
	make_pair(sv);
	c = conn_new(sv[0]);
	assert_int_equal(conn_recv(c, buf, sizeof(buf)), -EAGAIN);
	assert_int_equal(write(sv[1], "hello", 5), 5);
	assert_int_equal(conn_recv(c, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	/* At most cap bytes per read. */
	assert_int_equal(write(sv[1], "abcdef", 6), 6);
	assert_int_equal(conn_recv(c, buf, 4), 4);
	assert_int_equal(conn_recv(c, buf, sizeof(buf)), 2);
	close(sv[1]);
	assert_int_equal(conn_recv(c, buf, sizeof(buf)), 0);
	conn_free(c, false);
}

static void
test_recv_bad_descriptor(void **state)
{
	char		 buf[4];
	struct conn	*c = conn_new(-1);

	(void)state;
	assert_int_equal(conn_recv(c, buf, sizeof(buf)), -EBADF);
	conn_free(c, false);
}

static void
test_shutdown_sends_eof_keeps_reading(void **state)
{
	char		 buf[8];
	int		 sv[2];
	struct conn	*c;

	(void)state;
	make_pair(sv);
	c = conn_new(sv[0]);
	assert_int_equal(conn_shutdown(c), 0);
	assert_int_equal(read(sv[1], buf, sizeof(buf)), 0);
	/* Our side still reads what the peer sends. */
	assert_int_equal(write(sv[1], "x", 1), 1);
	assert_int_equal(conn_recv(c, buf, sizeof(buf)), 1);
	conn_free(c, false);
	close(sv[1]);
}

static void
test_shutdown_not_a_socket(void **state)
{
	int		 fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct conn	*c = conn_new(fd);

	(void)state;
	assert_int_equal(conn_shutdown(c), -ENOTSOCK);
	conn_free(c, false);
}

static void
test_free_graceful_sends_fin(void **state)
{
	char		 buf[8];
	int		 server, client;
	struct conn	*c;

	(void)state;
	make_tcp(&server, &client);
	c = conn_new(server);
	/* Buffers held at free are released (ASan would see a leak). */
	assert_int_equal(outq_push(&c->outq, "queued", 6), 0);
	conn_free(c, false);
	assert_int_equal(recv(client, buf, sizeof(buf), 0), 0);
	close(client);
}

static void
test_free_reset_sends_rst(void **state)
{
	char		 buf[8];
	int		 server, client;

	(void)state;
	make_tcp(&server, &client);
	conn_free(conn_new(server), true);
	assert_int_equal(recv(client, buf, sizeof(buf), 0), -1);
	assert_int_equal(errno, ECONNRESET);
	close(client);
}

static void
test_table_put_get_del(void **state)
{
	struct conn_table	 t = CONN_TABLE_INIT;
	struct conn		*a = conn_new(3), *b = conn_new(1000);

	(void)state;
	assert_null(conn_table_get(&t, 3));
	assert_int_equal(conn_table_put(&t, a), 0);
	assert_ptr_equal(conn_table_get(&t, 3), a);
	assert_null(conn_table_get(&t, 4));
	/* A high descriptor grows the table and keeps what was there. */
	assert_int_equal(conn_table_put(&t, b), 0);
	assert_ptr_equal(conn_table_get(&t, 1000), b);
	assert_ptr_equal(conn_table_get(&t, 3), a);
	assert_null(conn_table_get(&t, 999));
	conn_table_del(&t, 3);
	assert_null(conn_table_get(&t, 3));
	a->fd = b->fd = -1;
	conn_free(a, false);
	conn_free(b, false);
	conn_table_free(&t);
}

static void
test_table_out_of_range(void **state)
{
	struct conn_table	 t = CONN_TABLE_INIT;
	struct conn		*a = conn_new(5);

	(void)state;
	assert_int_equal(conn_table_put(&t, a), 0);
	/* Ids from the core are 64-bit: a huge one is simply not there. */
	assert_null(conn_table_get(&t, (uint64_t)1 << 40));
	assert_null(conn_table_get(&t, UINT64_MAX));
	conn_table_del(&t, -1);
	conn_table_del(&t, 1 << 20);
	assert_ptr_equal(conn_table_get(&t, 5), a);
	a->fd = -1;
	conn_free(a, false);
	conn_table_free(&t);
	conn_table_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_is_open_and_empty),
		cmocka_unit_test(test_recv_data_again_eof),
		cmocka_unit_test(test_recv_bad_descriptor),
		cmocka_unit_test(test_shutdown_sends_eof_keeps_reading),
		cmocka_unit_test(test_shutdown_not_a_socket),
		cmocka_unit_test(test_free_graceful_sends_fin),
		cmocka_unit_test(test_free_reset_sends_rst),
		cmocka_unit_test(test_table_put_get_del),
		cmocka_unit_test(test_table_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
