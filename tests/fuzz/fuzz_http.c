/*
 * libFuzzer target: the web listener's request parser (net/http.c) and the WebSocket
 * handshake over what it accepts.
 *
 * An accepted request ends inside the input, after its blank line; every field it
 * reports lies inside the input and holds no CR, LF or NUL; and every shorter prefix of
 * it asks for more bytes instead of refusing it.  A refusal is one of the statuses the
 * header names.  The handshake answers 0, -400 or -426, and on 0 an Accept of 28 bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"
#include "net/ws.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

static struct http_request	req, req2;

static void
check_str(const struct http_str *s, const char *buf, size_t len)
{
	CHECK(s->p >= buf && s->p + s->len <= buf + len);
	for (size_t i = 0; i < s->len; i++)
		CHECK(s->p[i] != '\r' && s->p[i] != '\n' && s->p[i] != '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct http_limits	 lim = { 1024, 16 };
	const char			*buf = (const char *)data;
	char				 accept[WS_ACCEPT_LEN + 1];
	bool				 text, named;
	long				 n;
	int				 rc;

	n = http_parse(buf, size, &lim, &req);
	if (n < 0) {
		CHECK(n == -400 || n == -405 || n == -414 || n == -431 || n == -501 ||
		    n == -505);
		return 0;
	}
	if (n == 0) {
		CHECK(size < lim.header_max);
		return 0;
	}
	CHECK((size_t)n <= size && (size_t)n <= lim.header_max && n >= 4);
	CHECK(memcmp(buf + n - 4, "\r\n\r\n", 4) == 0);
	check_str(&req.target, buf, size);
	CHECK(req.nfields <= lim.headers_max);
	for (unsigned i = 0; i < req.nfields; i++) {
		check_str(&req.fields[i].name, buf, size);
		check_str(&req.fields[i].value, buf, size);
		CHECK(req.fields[i].name.len > 0);
	}
	for (long k = 0; k < n; k += 1 + k / 8)
		CHECK(http_parse(buf, (size_t)k, &lim, &req2) == 0);
	rc = ws_handshake(&req, accept, &text, &named);
	CHECK(rc == 0 || rc == -400 || rc == -426);
	if (rc == 0)
		CHECK(strlen(accept) == WS_ACCEPT_LEN);
	return 0;
}
