#ifndef PARLEY_NET_FRAMER_H
#define PARLEY_NET_FRAMER_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Input framing for one connection: bytes in, lines out.  Pure: no descriptors.
 * Lines end at LF; one CR before the LF is stripped; empty lines are skipped.  Complete
 * lines are handed out straight from the caller's buffer; only a partial tail is copied,
 * into a buffer held just while that tail is pending (an idle connection holds nothing).
 */
struct framer {
	char	*buf;		/* partial line, NULL when none */
	size_t	 len;
	size_t	 cap;
	bool	 discarding;	/* inside an overlong line: drop bytes until LF */
};

#define FRAMER_INIT	{ NULL, 0, 0, false }

/*
 * Called for each line.  line is NUL-terminated at line[len] (CR LF not included) and may
 * be modified; it is valid only during the call.  too_long is true (and line NULL, len 0)
 * once for each line that exceeded max: its bytes are dropped up to its LF, never
 * buffered.  Return false to stop: the rest of the input is dropped.
 */
typedef bool	(*framer_fn)(void *arg, char *line, size_t len, bool too_long);

/*
 * Feed n bytes of data (modified in place).  max is the longest line accepted, CR LF
 * included.  Returns 0, or -1 when out of memory for the partial tail (which is then
 * dropped as if too long).
 */
int	framer_feed(struct framer *f, char *data, size_t n, size_t max, framer_fn fn,
	    void *arg);

/* Bytes of a partial line held. */
size_t	framer_pending(const struct framer *f);

/* Drop any partial line and free its buffer. */
void	framer_clear(struct framer *f);

#endif
