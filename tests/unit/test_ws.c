/*
 * The WebSocket codec: the opening handshake's answer and refusals, and the decoder of
 * client frames (masking, fragmentation, control frames, the close handshake, limits,
 * UTF-8 on text), fed whole and a byte at a time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "net/ws.h"

#define MAX	512

static const unsigned char	mask[4] = { 0x37, 0xfa, 0x21, 0x3d };

/* What the decoder handed out: each line followed by '|'. */
struct seen {
	char	 text[8192];
	size_t	 len;
	int	 calls;
	int	 stop_at;
};

static struct seen	seen;

static bool
collect(void *arg, char *line, size_t len)
{
	struct seen	*s = arg;

	assert_int_equal(line[len], '\0');
	assert_true(s->len + len + 1 <= sizeof(s->text));
	memcpy(s->text + s->len, line, len);
	s->len += len;
	s->text[s->len++] = '|';
	s->text[s->len] = '\0';
	return ++s->calls != s->stop_at;
}

/* A client frame: fin, opcode, payload masked (or not) into out; its length. */
static size_t
frame(unsigned char *out, bool fin, unsigned op, bool masked, const char *p, size_t n)
{
	size_t	 h = 0;

	out[h++] = (unsigned char)((fin ? 0x80 : 0) | op);
	if (n < 126) {
		out[h++] = (unsigned char)((masked ? 0x80 : 0) | n);
	} else if (n <= 0xffff) {
		out[h++] = (unsigned char)((masked ? 0x80 : 0) | 126);
		out[h++] = (unsigned char)(n >> 8);
		out[h++] = (unsigned char)n;
	} else {
		out[h++] = (unsigned char)((masked ? 0x80 : 0) | 127);
		for (int i = 0; i < 8; i++)
			out[h++] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
	}
	if (masked) {
		memcpy(out + h, mask, 4);
		h += 4;
	}
	for (size_t i = 0; i < n; i++)
		out[h + i] = (unsigned char)p[i] ^ (masked ? mask[i & 3] : 0);
	return h + n;
}

static size_t
text(unsigned char *out, const char *s)
{
	return frame(out, true, WS_TEXT, true, s, strlen(s));
}

/* Feed buf whole (bytewise: one byte at a time) to a fresh decoder. */
static enum ws_result
feed(struct ws *ws, unsigned char *buf, size_t n, bool bytewise)
{
	enum ws_result	 r = WS_MORE;

	memset(&seen, 0, sizeof(seen));
	if (!bytewise)
		return ws_feed(ws, (char *)buf, n, MAX, true, collect, &seen);
	for (size_t i = 0; i < n && r == WS_MORE; i++)
		r = ws_feed(ws, (char *)buf + i, 1, MAX, true, collect, &seen);
	return r;
}

static void
test_handshake(void **state)
{
	/* RFC 6455 section 1.3's example. */
	static const char	req_text[] = "GET / HTTP/1.1\r\nHost: a\r\n"
	    "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Protocol: chat, binary.ircv3.net\r\n"
	    "Sec-WebSocket-Protocol: text.ircv3.net\r\n\r\n";
	const struct http_limits	 lim = { 8192, 64 };
	struct http_request		 req;
	char				 accept[WS_ACCEPT_LEN + 1];
	bool				 istext, named;

	(void)state;
	assert_true(http_parse(req_text, sizeof(req_text) - 1, &lim, &req) > 0);
	assert_true(ws_wanted(&req));
	assert_int_equal(ws_handshake(&req, accept, &istext, &named), 0);
	assert_string_equal(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	assert_false(istext);
	assert_true(named);
}

/* The handshake's answer to a request made of fields. */
static int
handshake(const char *fields, bool *istext, bool *named)
{
	char			 buf[2048];
	const struct http_limits lim = { 8192, 64 };
	struct http_request	 req;
	char			 accept[WS_ACCEPT_LEN + 1];
	int			 n;

	n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\n"
	    "Upgrade: websocket\r\n%s\r\n", fields);
	assert_true(http_parse(buf, (size_t)n, &lim, &req) > 0);
	return ws_handshake(&req, accept, istext, named);
}

static void
test_handshake_refusals(void **state)
{
	bool	 t, named;

	(void)state;
	assert_int_equal(handshake("Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n",
	    &t, &named), 0);
	assert_true(t);
	assert_false(named);
	assert_int_equal(handshake("Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Protocol: chat\r\n", &t, &named), 0);
	assert_true(t);
	assert_false(named);
	/* No key, a key not of 16 bytes, two keys. */
	assert_int_equal(handshake("Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n",
	    &t, &named), -400);
	assert_int_equal(handshake("Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZR==\r\nSec-WebSocket-Version: 13\r\n",
	    &t, &named), -400);
	assert_int_equal(handshake("Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZQ==\r\nSec-WebSocket-Version: 13\r\n",
	    &t, &named), -400);
	assert_int_equal(handshake("Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n",
	    &t, &named), -400);
	/* Not Connection: upgrade. */
	assert_int_equal(handshake("Connection: close\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n",
	    &t, &named), -400);
	/* Another version, or none. */
	assert_int_equal(handshake("Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n",
	    &t, &named), -426);
	assert_int_equal(handshake("Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", &t, &named), -426);
}

static void
test_messages(void **state)
{
	unsigned char	 buf[1024];
	size_t		 n = 0;

	(void)state;
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		struct ws	 ws = WS_INIT;

		n = text(buf, "NICK a");
		n += text(buf + n, "USER a 0 * :A\r\n");
		n += frame(buf + n, true, WS_BINARY, true, "PING x", 6);
		n += text(buf + n, "");
		n += text(buf + n, "JOIN #a\r\nPART #a\n\nQUIT");
		assert_int_equal(feed(&ws, buf, n, bytewise), WS_MORE);
		assert_string_equal(seen.text,
		    "NICK a|USER a 0 * :A|PING x|JOIN #a|PART #a|QUIT|");
		assert_null(ws.msg);
		ws_clear(&ws);
	}
}

static void
test_fragments_and_interleaved_ping(void **state)
{
	unsigned char	 buf[1024];
	size_t		 n;

	(void)state;
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		struct ws	 ws = WS_INIT;

		n = frame(buf, false, WS_TEXT, true, "PRIV", 4);
		n += frame(buf + n, true, WS_PING, true, "p1", 2);
		n += frame(buf + n, false, WS_CONT, true, "MSG #a ", 7);
		n += frame(buf + n, true, WS_PONG, true, "", 0);
		n += frame(buf + n, true, WS_CONT, true, ":hi", 3);
		n += frame(buf + n, true, WS_PING, true, "p2", 2);
		assert_int_equal(feed(&ws, buf, n, bytewise), WS_MORE);
		assert_string_equal(seen.text, "PRIVMSG #a :hi|");
		/* One pong, for the last ping. */
		assert_true(ws.pong_due);
		assert_int_equal(ws.pong_len, 2);
		assert_memory_equal(ws.pong, "p2", 2);
		assert_null(ws.msg);
	}
}

/* The result and close code of a fresh decoder fed buf[0 ..< n]. */
static void
expect_close(unsigned char *buf, size_t n, enum ws_result r, unsigned code)
{
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		struct ws	 ws = WS_INIT;
		unsigned char	 copy[1024];
		size_t		 m;

		memcpy(copy, buf, n);
		assert_int_equal(feed(&ws, copy, n, bytewise), r);
		assert_int_equal(ws.close_code, code);
		assert_null(ws.msg);
		if (r == WS_MORE)
			continue;
		/* Later input is ignored. */
		m = text(copy, "LATER");
		assert_int_equal(ws_feed(&ws, (char *)copy, m, MAX, true, collect, &seen),
		    WS_MORE);
		assert_null(strstr(seen.text, "LATER"));
	}
}

static void
test_protocol_errors(void **state)
{
	unsigned char	 buf[1024];
	char		 big[200];

	(void)state;
	memset(big, 'a', sizeof(big));
	/* Unmasked. */
	expect_close(buf, frame(buf, true, WS_TEXT, false, "NICK a", 6), WS_FAILED, 1002);
	/* Reserved opcodes, reserved bits. */
	expect_close(buf, frame(buf, true, 0x3, true, "x", 1), WS_FAILED, 1002);
	expect_close(buf, frame(buf, true, 0xb, true, "x", 1), WS_FAILED, 1002);
	buf[0] = 0xc1;
	expect_close(buf, 2, WS_FAILED, 1002);
	/* A control frame fragmented, or over 125 bytes. */
	expect_close(buf, frame(buf, false, WS_PING, true, "x", 1), WS_FAILED, 1002);
	expect_close(buf, frame(buf, true, WS_PING, true, big, 126), WS_FAILED, 1002);
	/* A continuation with no message; a new message inside one. */
	expect_close(buf, frame(buf, true, WS_CONT, true, "x", 1), WS_FAILED, 1002);
	expect_close(buf, frame(buf, false, WS_TEXT, true, "x", 1) +
	    frame(buf + 7, true, WS_TEXT, true, "y", 1), WS_FAILED, 1002);
	/* A length not in its shortest form. */
	buf[0] = 0x81;
	buf[1] = 0x80 | 126;
	buf[2] = 0;
	buf[3] = 5;
	memcpy(buf + 4, mask, 4);
	expect_close(buf, 8, WS_FAILED, 1002);
}

static void
test_too_big(void **state)
{
	static unsigned char	 buf[70000];
	static char		 big[66000];
	size_t			 n;

	(void)state;
	memset(big, 'a', sizeof(big));
	/* One frame over the limit: refused on its head, before its payload. */
	expect_close(buf, frame(buf, true, WS_TEXT, true, big, MAX + 1) - (MAX + 1),
	    WS_FAILED, 1009);
	expect_close(buf, frame(buf, true, WS_BINARY, true, big, 66000) - 66000,
	    WS_FAILED, 1009);
	/* Fragments over the limit together. */
	n = frame(buf, false, WS_TEXT, true, big, 300);
	n += frame(buf + n, true, WS_CONT, true, big, 300);
	expect_close(buf, n, WS_FAILED, 1009);
	/* Exactly the limit is fine. */
	n = frame(buf, true, WS_TEXT, true, big, MAX);
	expect_close(buf, n, WS_MORE, 0);
}

static void
test_utf8(void **state)
{
	unsigned char	 buf[1024];
	size_t		 n;
	struct ws	 ws = WS_INIT;

	(void)state;
	expect_close(buf, text(buf, "PRIVMSG #a :\xc3\x28"), WS_FAILED, 1007);
	/* Split across fragments, valid as a whole. */
	n = frame(buf, false, WS_TEXT, true, "\xc3", 1);
	n += frame(buf + n, true, WS_CONT, true, "\xa9", 1);
	assert_int_equal(feed(&ws, buf, n, false), WS_MORE);
	assert_string_equal(seen.text, "\xc3\xa9|");
	/* Binary messages are bytes. */
	memset(&ws, 0, sizeof(ws));
	n = frame(buf, true, WS_BINARY, true, "\xff\xfe", 2);
	assert_int_equal(feed(&ws, buf, n, false), WS_MORE);
	assert_string_equal(seen.text, "\xff\xfe|");
	/* A binary subprotocol takes text frames as bytes too. */
	memset(&ws, 0, sizeof(ws));
	n = text(buf, "\xff");
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(ws_feed(&ws, (char *)buf, n, MAX, false, collect, &seen), WS_MORE);
	assert_string_equal(seen.text, "\xff|");
}

static void
test_close(void **state)
{
	unsigned char	 buf[256];
	size_t		 n;

	(void)state;
	expect_close(buf, frame(buf, true, WS_CLOSE, true, "", 0), WS_PEER_CLOSED, 1000);
	expect_close(buf, frame(buf, true, WS_CLOSE, true, "\x03\xe9" "bye", 5),
	    WS_PEER_CLOSED, 1001);
	expect_close(buf, frame(buf, true, WS_CLOSE, true, "\x0f\xa0", 2),
	    WS_PEER_CLOSED, 4000);
	expect_close(buf, frame(buf, true, WS_CLOSE, true, "\x03", 1), WS_FAILED, 1002);
	expect_close(buf, frame(buf, true, WS_CLOSE, true, "\x03\xed", 2), WS_FAILED,
	    1002);
	expect_close(buf, frame(buf, true, WS_CLOSE, true, "\x03\xe8\xff", 3), WS_FAILED,
	    1007);
	/* A message before the close is delivered. */
	n = text(buf, "QUIT :x");
	n += frame(buf + n, true, WS_CLOSE, true, "", 0);
	expect_close(buf, n, WS_PEER_CLOSED, 1000);
	assert_string_equal(seen.text, "QUIT :x|");
}

static void
test_stop(void **state)
{
	unsigned char	 buf[256];
	struct ws	 ws = WS_INIT;
	size_t		 n;

	(void)state;
	n = text(buf, "A\nB");
	n += text(buf + n, "C");
	memset(&seen, 0, sizeof(seen));
	seen.stop_at = 1;
	assert_int_equal(ws_feed(&ws, (char *)buf, n, MAX, true, collect, &seen),
	    WS_STOPPED);
	assert_string_equal(seen.text, "A|");
}

static void
test_head(void **state)
{
	unsigned char	 h[WS_HEAD_MAX];

	(void)state;
	assert_int_equal(ws_head(h, WS_TEXT, 5), 2);
	assert_memory_equal(h, "\x81\x05", 2);
	assert_int_equal(ws_head(h, WS_BINARY, 126), 4);
	assert_memory_equal(h, "\x82\x7e\x00\x7e", 4);
	assert_int_equal(ws_head(h, WS_CLOSE, 65536), 10);
	assert_memory_equal(h, "\x88\x7f\0\0\0\0\0\x01\0\0", 10);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_handshake_refusals),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_fragments_and_interleaved_ping),
		cmocka_unit_test(test_protocol_errors),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_close),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_head),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
