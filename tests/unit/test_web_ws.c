/*
 * IRC lines out over WebSocket (net/web_ws.c): each line of what the core queues becomes
 * one unmasked message without its CR LF, text or binary by the subprotocol, with U+FFFD
 * for each byte of a bad sequence in text.  Compared byte for byte as written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/conn.h"
#include "net/driver.h"
#include "net/web.h"

struct pair {
	struct conn	*c;
	int		 peer;
};

static struct pair
pair_new(bool text)
{
	int		 sv[2];
	struct pair	 p;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_non_null(p.c = conn_new(sv[0]));
	assert_non_null(p.c->web = web_new());
	p.c->web->text = text;
	p.peer = sv[1];
	return p;
}

/* Queue text, write the queue, and compare what the peer reads with want. */
static void
expect_out(struct pair *p, const char *text, const char *want, size_t wlen)
{
	char	 got[1024];
	ssize_t	 n;

	assert_int_equal(web_ws_queue(p->c, text, strlen(text)), 0);
	assert_int_equal(outq_len(&p->c->outq), wlen);
	assert_int_equal(outq_write(&p->c->outq, p->c->fd), (ssize_t)wlen);
	n = read(p->peer, got, sizeof(got));
	assert_int_equal(n, (ssize_t)wlen);
	assert_memory_equal(got, want, wlen);
}

static void
pair_free(struct pair *p)
{
	conn_free(p->c, false);
	close(p->peer);
}

static void
test_text_lines(void **state)
{
	struct pair	 p = pair_new(true);

	(void)state;
	expect_out(&p, ":a PRIVMSG b :hi\r\nPING :x\r\n",
	    "\x81\x10:a PRIVMSG b :hi\x81\x07PING :x", 27);
	/* A bare LF ends a line too; empty lines are not messages. */
	expect_out(&p, "A\n\r\nB\r\n", "\x81\x01" "A\x81\x01" "B", 6);
	pair_free(&p);
}

static void
test_text_replaces_bad_bytes(void **state)
{
	struct pair	 p = pair_new(true);

	(void)state;
	/* \xe9 alone and a cut \xc3: each byte one U+FFFD; \xc3\xa9 stays. */
	expect_out(&p, "a\xe9" "b\xc3\xa9\xc3\r\n",
	    "\x81\x0a" "a\xef\xbf\xbd" "b\xc3\xa9\xef\xbf\xbd", 12);
	pair_free(&p);
}

static void
test_binary_keeps_bytes(void **state)
{
	struct pair	 p = pair_new(false);

	(void)state;
	expect_out(&p, "a\xe9\r\n", "\x82\x02" "a\xe9", 4);
	pair_free(&p);
}

static void
test_long_line_head(void **state)
{
	struct pair	 p = pair_new(true);
	char		 line[303], want[304];

	(void)state;
	memset(line, 'x', 300);
	memcpy(line + 300, "\r\n", 3);
	memcpy(want, "\x81\x7e\x01\x2c", 4);
	memset(want + 4, 'x', 300);
	expect_out(&p, line, want, 304);
	pair_free(&p);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_text_lines),
		cmocka_unit_test(test_text_replaces_bad_bytes),
		cmocka_unit_test(test_binary_keeps_bytes),
		cmocka_unit_test(test_long_line_head),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
