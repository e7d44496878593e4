/*
 * libFuzzer target: the WebSocket decoder (net/ws.c), client frames to IRC lines.
 *
 * The first byte picks the subprotocol (bit 0: text) and the size of the chunks the rest
 * is fed in.  Whatever the chunking, the decoder must hand out the same lines and end in
 * the same result with the same close code as when fed the input whole; no line may
 * hold CR, LF or be empty or longer than the limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/ws.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FUZZ	600
#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

struct out {
	char	 text[1 << 16];
	size_t	 len;
	bool	 utf8;
};

static struct out	whole, chunked;

static bool
keep(void *arg, char *line, size_t len)
{
	struct out	*o = arg;

	CHECK(len > 0 && len <= MAX_FUZZ && line[len] == '\0');
	CHECK(memchr(line, '\r', len) == NULL && memchr(line, '\n', len) == NULL);
	if (o->len + len + 1 <= sizeof(o->text)) {
		memcpy(o->text + o->len, line, len);
		o->text[o->len + len] = '\n';
	}
	o->len += len + 1;
	return true;
}

static enum ws_result
run(struct ws *ws, const uint8_t *data, size_t size, size_t chunk, struct out *o)
{
	static char	 buf[1 << 16];
	enum ws_result	 r = WS_MORE;

	memcpy(buf, data, size);
	for (size_t off = 0; off < size && r == WS_MORE; off += chunk) {
		size_t	 n = size - off < chunk ? size - off : chunk;

		r = ws_feed(ws, buf + off, n, MAX_FUZZ, o->utf8, keep, o);
	}
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws	 a = WS_INIT, b = WS_INIT;
	enum ws_result	 ra, rb;
	size_t		 chunk;

	if (size < 1 || size > (1 << 16))
		return 0;
	whole.len = chunked.len = 0;
	whole.utf8 = chunked.utf8 = data[0] & 1;
	chunk = (size_t)(data[0] >> 1) + 1;
	ra = run(&a, data + 1, size - 1, size, &whole);
	rb = run(&b, data + 1, size - 1, chunk, &chunked);
	CHECK(ra == rb);
	CHECK(a.close_code == b.close_code);
	CHECK(a.pong_due == b.pong_due);
	CHECK(whole.len == chunked.len);
	CHECK(memcmp(whole.text, chunked.text,
	    whole.len < sizeof(whole.text) ? whole.len : sizeof(whole.text)) == 0);
	if (ra == WS_PEER_CLOSED || ra == WS_FAILED)
		CHECK(a.msg == NULL && a.close_code >= 1000 && a.close_code < 5000);
	ws_clear(&a);
	ws_clear(&b);
	return 0;
}
