/*
 * Input framing: split a connection's bytes into lines.
 *
 * The limit.  max counts a line as if it ended in CR LF, whichever ending it really had:
 * a line is accepted iff content + 2 <= max, where content is its bytes without the LF
 * and without the one CR stripped before it.  So "abc\r\n" and "abc\n" are both 5 bytes
 * long, and a bare-LF line never gets a byte more than a CR LF one.  The rule applies to
 * every line, empty ones included (they only matter for a silly max below 2).
 *
 * A line still missing its LF is reported too long as soon as no ending could save it:
 * its bytes so far, less a trailing CR that a LF might still strip, plus 2, exceed max.
 * Hence the partial tail holds at most max - 1 bytes and its buffer at most max (the
 * NUL included).  Out of memory for the tail, the line is dropped up to its LF like an
 * overlong one, but fn is not told: framer_feed returns -1 instead.
 *
 * The input may hold NUL bytes, so it is handled with lengths and memchr, never str*.
 */
#include <stdlib.h>
#include <string.h>

#include "net/framer.h"

#define FRAMER_CAP_MIN	128

static bool
framer_overlong(size_t content, size_t max)
{
	return max < 2 || content > max - 2;
}

/*
 * n bytes of a line before its LF (or before the LF it still waits for), last the final
 * one: a CR there is, or may yet be, stripped.
 */
static bool
framer_raw_overlong(size_t n, char last, size_t max)
{
	return framer_overlong(n - (n > 0 && last == '\r'), max);
}

/*
 * Hand out the line of n bytes at s (the LF at s[n] excluded); the NUL goes over the CR or
 * the LF.  Returns what fn returned, true for a skipped empty line.
 */
static bool
framer_emit(char *s, size_t n, size_t max, framer_fn fn, void *arg)
{
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (framer_overlong(n, max))
		return fn(arg, NULL, 0, true);
	if (n == 0)
		return true;
	s[n] = '\0';
	return fn(arg, s, n, false);
}

/* Make room for need bytes in the tail buffer; need never exceeds max. */
static int
framer_reserve(struct framer *f, size_t need, size_t max)
{
	size_t	 cap;
	char	*buf;

	if (need <= f->cap)
		return 0;
	cap = f->cap > FRAMER_CAP_MIN ? f->cap : FRAMER_CAP_MIN;
	while (cap < need && cap <= max / 2)
		cap *= 2;
	if (cap > max)
		cap = max;
	if (cap < need)
		cap = need;
	if ((buf = realloc(f->buf, cap)) == NULL)
		return -1;
	f->buf = buf;
	f->cap = cap;
	return 0;
}

/*
 * Enter an overlong line: drop the tail and every byte up to the next LF.  fn runs last,
 * so it may free the framer.
 */
static void
framer_reject(struct framer *f, framer_fn fn, void *arg)
{
	framer_clear(f);
	f->discarding = true;
	/* Nothing of this feed is left either way, so a false return needs no handling. */
	(void)fn(arg, NULL, 0, true);
}

/*
 * Bytes [p, end) hold no LF: keep them as (the rest of) the partial tail.  Returns 0, or
 * -1 when out of memory.
 */
static int
framer_keep(struct framer *f, const char *p, const char *end, size_t max, framer_fn fn,
    void *arg)
{
	size_t	 n = (size_t)(end - p);

	if (n == 0)
		return 0;
	if (framer_raw_overlong(f->len + n, end[-1], max)) {
		framer_reject(f, fn, arg);
		return 0;
	}
	if (framer_reserve(f, f->len + n, max) == -1) {
		framer_clear(f);
		f->discarding = true;
		return -1;
	}
	memcpy(f->buf + f->len, p, n);
	f->len += n;
	return 0;
}

/*
 * The pending tail ends with the n bytes at p (the LF at p[n] excluded).  The tail buffer
 * is detached before fn runs, so fn may free the framer when it returns false.  Sets *stop
 * to what fn asked.  Returns 0, or -1 when out of memory (the line is lost).
 */
static int
framer_complete(struct framer *f, const char *p, size_t n, size_t max, framer_fn fn,
    void *arg, bool *stop)
{
	size_t	 total = f->len + n;
	char	 last = n > 0 ? p[n - 1] : f->buf[f->len - 1];
	char	*line;

	*stop = false;
	if (framer_raw_overlong(total, last, max)) {
		framer_clear(f);
		*stop = !fn(arg, NULL, 0, true);
		return 0;
	}
	if (framer_reserve(f, total + 1, max) == -1) {
		framer_clear(f);
		return -1;
	}
	memcpy(f->buf + f->len, p, n);
	line = f->buf;
	f->buf = NULL;
	f->len = f->cap = 0;
	*stop = !framer_emit(line, total, max, fn, arg);
	free(line);
	return 0;
}

int
framer_feed(struct framer *f, char *data, size_t n, size_t max, framer_fn fn, void *arg)
{
	char	*p = data, *end, *lf;
	bool	 stop;
	int	 rc = 0;

	if (n == 0)
		return 0;
	end = data + n;
	if (f->discarding) {
		if ((lf = memchr(p, '\n', n)) == NULL)
			return 0;
		f->discarding = false;
		p = lf + 1;
	}
	if (f->len > 0) {
		if ((lf = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return framer_keep(f, p, end, max, fn, arg);
		rc = framer_complete(f, p, (size_t)(lf - p), max, fn, arg, &stop);
		if (stop)
			return 0;
		p = lf + 1;
	}
	while ((lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (!framer_emit(p, (size_t)(lf - p), max, fn, arg))
			return 0;
		p = lf + 1;
	}
	if (framer_keep(f, p, end, max, fn, arg) == -1)
		return -1;
	return rc;
}

size_t
framer_pending(const struct framer *f)
{
	return f->len;
}

void
framer_clear(struct framer *f)
{
	free(f->buf);
	f->buf = NULL;
	f->len = f->cap = 0;
	f->discarding = false;
}
