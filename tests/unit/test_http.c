/*
 * The web listener's request parser: what it accepts, the status it refuses each kind
 * of bad request with (smuggling attempts among them), and its limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "net/http.h"

static const struct http_limits	lim = { 8192, 64 };
static struct http_request	req;

static long
parse(const char *text)
{
	return http_parse(text, strlen(text), &lim, &req);
}

static void
test_get_complete(void **state)
{
	const char	*r = "GET /app.js?v=1 HTTP/1.1\r\nHost: a:80\r\n"
	    "Accept-Encoding:  gzip, br \r\n\r\nGET / HTTP/1.1\r\n";
	const struct http_str	*v;

	(void)state;
	assert_int_equal(parse(r), strstr(r, "\r\n\r\n") + 4 - r);
	assert_int_equal(req.method, HTTP_GET);
	assert_int_equal(req.minor, 1);
	assert_int_equal(req.target.len, 11);
	assert_memory_equal(req.target.p, "/app.js?v=1", 11);
	assert_int_equal(req.nfields, 2);
	assert_non_null(v = http_value(&req, "accept-encoding"));
	assert_int_equal(v->len, 8);
	assert_memory_equal(v->p, "gzip, br", 8);
	assert_true(http_has_token(v, "GZIP"));
	assert_false(http_has_token(v, "gz"));
	assert_null(http_value(&req, "Cookie"));
}

static void
test_head_and_http10(void **state)
{
	(void)state;
	assert_int_equal(parse("HEAD / HTTP/1.0\r\n\r\n"), 19);
	assert_int_equal(req.method, HTTP_HEAD);
	assert_int_equal(req.minor, 0);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"), 46);
}

static void
test_need_more(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(parse("GE"), 0);
	assert_int_equal(parse("GET / HTTP/1.1\r"), 0);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n"), 0);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n\r"), 0);
}

static void
test_methods(void **state)
{
	(void)state;
	assert_int_equal(parse("POST / HTTP/1.1\r\n"), -405);
	assert_int_equal(parse("OPTIONS * HTTP/1.1\r\n\r\n"), -405);
	assert_int_equal(parse("BREW / HTTP/1.1\r\n\r\n"), -501);
	assert_int_equal(parse("get / HTTP/1.1\r\n\r\n"), -501);
	assert_int_equal(parse("G(T / HTTP/1.1\r\n\r\n"), -400);
	assert_int_equal(parse(" GET / HTTP/1.1\r\n\r\n"), -400);
}

static void
test_request_line(void **state)
{
	(void)state;
	assert_int_equal(parse("GET / HTTP/2.0\r\n\r\n"), -505);
	assert_int_equal(parse("GET / HTTP/1.2\r\n\r\n"), -505);
	assert_int_equal(parse("GET / HTTX/1.1\r\n\r\n"), -400);
	assert_int_equal(parse("GET /  HTTP/1.1\r\n\r\n"), -400);
	assert_int_equal(parse("GET http://a/ HTTP/1.1\r\n\r\n"), -400);
	assert_int_equal(parse("GET / HTTP/1.1 \r\n\r\n"), -400);
	assert_int_equal(parse("GET /\x7f HTTP/1.1\r\n\r\n"), -400);
}

static void
test_target_too_long(void **state)
{
	static char	 buf[4096];

	(void)state;
	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'a', HTTP_TARGET_MAX);
	strcpy(buf + 5 + HTTP_TARGET_MAX, " HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(parse(buf), -414);
	buf[4 + HTTP_TARGET_MAX] = ' ';
	buf[5 + HTTP_TARGET_MAX] = 'H';
	assert_true(parse(buf) < 0 && parse(buf) != -414);
}

static void
test_line_endings(void **state)
{
	(void)state;
	assert_int_equal(parse("GET / HTTP/1.1\nHost: x\r\n\r\n"), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\n\r\n"), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n\n"), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n"), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHo\rst"), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\r\n\r\n"), -400);
}

static void
test_field_syntax(void **state)
{
	(void)state;
	/* obs-fold: a continuation line. */
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n 2\r\n\r\n"), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n\tX-A: 1\r\n\r\n"), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHo(st: x\r\n\r\n"), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\n: x\r\nHost: x\r\n\r\n"), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost x\r\n\r\n"), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\x01y\r\n\r\n"), -400);
	assert_true(parse("GET / HTTP/1.1\r\nHost: x\xc3\xa9\r\n\r\n") > 0);
}

static void
test_smuggling(void **state)
{
	(void)state;
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"),
	    -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
	    "Content-Length: 0\r\n\r\n"), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
	    "Content-Length: 7\r\n\r\n"), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n"
	    "transfer-encoding: identity\r\n\r\n"), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: +0\r\n\r\n"),
	    -400);
}

static void
test_host(void **state)
{
	(void)state;
	assert_int_equal(parse("GET / HTTP/1.1\r\n\r\n"), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\nHOST: b\r\n\r\n"), -400);
}

static void
test_header_size_limit(void **state)
{
	static char	 buf[9000];
	size_t		 n;

	(void)state;
	n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(buf + n, 'a', 8192 - n - 4);
	memcpy(buf + 8192 - 4, "\r\n\r\n", 5);
	/* Exactly at the limit: accepted; one byte more: 431. */
	assert_int_equal(http_parse(buf, 8192, &lim, &req), 8192);
	memmove(buf + 20, buf + 19, 8192 - 19 + 1);
	assert_int_equal(http_parse(buf, 8193, &lim, &req), -431);
	/* Incomplete and at the limit already. */
	assert_int_equal(http_parse(buf, 8192, &lim, &req), -431);
	memset(buf, 'a', 8192);
	memcpy(buf, "GET /", 5);
	assert_int_equal(http_parse(buf, 8192, &lim, &req), -414);
}

static void
test_header_count_limit(void **state)
{
	static char	 buf[4096];
	size_t		 n = 0;

	(void)state;
	n += (size_t)sprintf(buf, "GET / HTTP/1.1\r\nHost: x\r\n");
	for (int i = 1; i < 64; i++)
		n += (size_t)sprintf(buf + n, "X-%d: y\r\n", i);
	strcpy(buf + n, "\r\n");
	assert_true(parse(buf) > 0);
	assert_int_equal(req.nfields, 64);
	strcpy(buf + n, "X-64: y\r\n\r\n");
	assert_int_equal(parse(buf), -431);
}

static void
test_field_loop(void **state)
{
	const struct http_field	*f;
	int			 n = 0;

	(void)state;
	assert_true(parse("GET / HTTP/1.1\r\nA: 1\r\nHost: x\r\na: 2\r\n\r\n") > 0);
	for (f = http_field_next(&req, "A", NULL); f != NULL;
	    f = http_field_next(&req, "A", f))
		assert_int_equal(f->value.p[0], '1' + n++);
	assert_int_equal(n, 2);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_get_complete),
		cmocka_unit_test(test_head_and_http10),
		cmocka_unit_test(test_need_more),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_request_line),
		cmocka_unit_test(test_target_too_long),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_field_syntax),
		cmocka_unit_test(test_smuggling),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_header_size_limit),
		cmocka_unit_test(test_header_count_limit),
		cmocka_unit_test(test_field_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
