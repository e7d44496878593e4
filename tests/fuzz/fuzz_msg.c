/*
 * libFuzzer target: the line parser, from bytes to lines to messages.
 *
 * The framer (net/framer.c) gets the input in chunks of varying size and must hand out
 * the same lines, whatever the chunking, as a plain split at LF would: no LF inside, one
 * CR stripped, empty lines skipped, and a line over the limit reported as too long
 * instead of delivered.  Each line (and the whole input, as one line) then goes to
 * msg_parse, which must never read or write outside it; what it accepts must be well
 * formed: at most 15 parameters, none holding CR or LF, the middle ones without spaces
 * or a leading ':'.  An accepted line formatted again by msg_format parses back to the
 * same verb and parameters, and every tag value survives unescape, escape, unescape.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/msg.h"
#include "net/framer.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LINE_MAX_FUZZ	(MSG_TAGS_MAX + MSG_BODY_MAX + 64)

/* A broken invariant: crash so libFuzzer keeps the input. */
#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

static void
check_tags(const struct msg *m)
{
	static char	a[LINE_MAX_FUZZ], b[2 * LINE_MAX_FUZZ], c[LINE_MAX_FUZZ];
	size_t		la, lb, lc;

	for (unsigned i = 0; i < m->ntags; i++) {
		CHECK(m->tags[i].key != NULL && m->tags[i].value != NULL);
		la = msg_tag_unescape(a, sizeof(a), m->tags[i].value);
		CHECK(la < sizeof(a) && strlen(a) == la);
		lb = msg_tag_escape(b, sizeof(b), a);
		CHECK(lb < sizeof(b) && strlen(b) == lb);
		lc = msg_tag_unescape(c, sizeof(c), b);
		CHECK(lc == la && memcmp(a, c, la) == 0);
	}
}

/* Format m again and parse it back: the same verb and parameters. */
static void
check_roundtrip(const struct msg *m)
{
	static char	out[LINE_MAX_FUZZ];
	struct msg	m2;
	size_t		len;

	len = msg_format(out, sizeof(out), m->source, m->verb, m->nparams, m->params);
	if (len == 0)
		return;
	CHECK(strlen(out) == len);
	if (len >= 2 && out[len - 2] == '\r' && out[len - 1] == '\n')
		len -= 2;
	out[len] = '\0';
	CHECK(msg_parse(&m2, out, len) == MSG_OK);
	CHECK(strcmp(m2.verb, m->verb) == 0);
	CHECK(m2.nparams == m->nparams);
	/* A line over the protocol's limit is cut inside its last parameter (at a UTF-8
	 * boundary): that one comes back as a prefix of itself. */
	for (unsigned i = 0; i + 1 < m->nparams; i++)
		CHECK(strcmp(m2.params[i], m->params[i]) == 0);
	if (m->nparams > 0) {
		const char	*a = m2.params[m->nparams - 1], *b = m->params[m->nparams - 1];

		CHECK(strncmp(a, b, strlen(a)) == 0);
	}
}

/* Parse one line (mutable, NUL-terminated at len) and check what comes out. */
static void
check_line(char *line, size_t len)
{
	struct msg	 m;
	enum msg_status	 st;

	st = msg_parse(&m, line, len);
	CHECK(msg_status_str(st) != NULL);
	if (st == MSG_OK) {
		CHECK(m.verb != NULL && m.verb[0] != '\0');
		CHECK(m.nparams <= MSG_MAX_PARAMS && m.ntags <= MSG_MAX_TAGS);
		for (unsigned i = 0; i < m.nparams; i++) {
			CHECK(strpbrk(m.params[i], "\r\n") == NULL);
			if (i + 1 < m.nparams)
				CHECK(m.params[i][0] != '\0' && m.params[i][0] != ':' &&
				    strchr(m.params[i], ' ') == NULL);
		}
		check_tags(&m);
		if (msg_verb_valid(m.verb))
			check_roundtrip(&m);
	}
}

/* The framer's output, compared line by line with a plain split of the same input. */
struct expect {
	const uint8_t	*data;
	size_t		 size;
	size_t		 pos;		/* where the next expected line starts */
	size_t		 max;
	bool		 partial_rejected;	/* the line at pos was refused before its LF */
};

/* The framer refuses a partial line as soon as it is over the limit; its LF, when it
 * comes, ends it without a second report.  Skip that line once it is complete. */
static void
expect_skip_rejected(struct expect *e)
{
	const uint8_t	*nl;

	if (!e->partial_rejected)
		return;
	if ((nl = memchr(e->data + e->pos, '\n', e->size - e->pos)) == NULL)
		return;
	CHECK((size_t)(nl - (e->data + e->pos)) + 3 > e->max);
	e->pos = (size_t)(nl - e->data) + 1;
	e->partial_rejected = false;
}

/* The next complete line of the plain split: start and length without CR LF, and the
 * length as received.  False when only a partial line (or nothing) is left. */
static bool
expect_next(struct expect *e, size_t *start, size_t *len, size_t *raw)
{
	const uint8_t	*nl;

	for (;;) {
		nl = memchr(e->data + e->pos, '\n', e->size - e->pos);
		if (nl == NULL)
			return false;
		*start = e->pos;
		*raw = (size_t)(nl - (e->data + e->pos)) + 1;
		*len = *raw - 1;
		if (*len > 0 && e->data[*start + *len - 1] == '\r')
			(*len)--;
		e->pos += *raw;
		if (*len > 0 || *raw > e->max)
			return true;
	}
}

static bool
framed(void *arg, char *line, size_t len, bool too_long)
{
	struct expect	*e = arg;
	size_t		 start, want, raw;

	expect_skip_rejected(e);
	if (too_long) {
		CHECK(line == NULL && len == 0 && !e->partial_rejected);
		/* Over the limit as received; a line within it is never refused. */
		if (expect_next(e, &start, &want, &raw)) {
			CHECK(raw + 1 > e->max);
			return true;
		}
		/* Or a partial line, already too long to be accepted (expect_next left pos at
		 * its start, past any empty lines). */
		CHECK(e->size - e->pos + 2 > e->max);
		e->partial_rejected = true;
		return true;
	}
	CHECK(expect_next(e, &start, &want, &raw));
	CHECK(len == want && raw <= e->max + 1 && line[len] == '\0');
	CHECK(memcmp(line, e->data + start, len) == 0);
	check_line(line, len);
	return true;
}

/* Feed the input in chunks whose sizes come from the input itself. */
static void
check_framer(const uint8_t *data, size_t size)
{
	struct framer	 f = FRAMER_INIT;
	struct expect	 e = { data, size, 0, 0, false };
	char		*copy;
	size_t		 off = 0, chunk, start, len, raw;

	if ((copy = malloc(size + 1)) == NULL)
		return;
	memcpy(copy, data, size);
	/* A small limit for short inputs, the real one (8703) sometimes. */
	e.max = size > 0 && data[0] == '@' ? MSG_TAGS_MAX + MSG_BODY_MAX : 16 + size % 97;
	for (unsigned i = 0; off < size; i++) {
		chunk = 1 + (size_t)data[(i * 7) % size] % 64;
		if (chunk > size - off)
			chunk = size - off;
		CHECK(framer_feed(&f, copy + off, chunk, e.max, framed, &e) == 0);
		off += chunk;
	}
	/* Every complete line came out; only a partial one may be held, within the limit. */
	expect_skip_rejected(&e);
	CHECK(!expect_next(&e, &start, &len, &raw));
	CHECK(framer_pending(&f) <= e.max);
	framer_clear(&f);
	CHECK(framer_pending(&f) == 0);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*line;

	/* The driver's buffer: mutable, NUL-terminated at size. */
	if ((line = malloc(size + 1)) == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	check_line(line, size);
	free(line);
	check_framer(data, size);
	return 0;
}
