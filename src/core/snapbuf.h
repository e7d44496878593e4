#ifndef PARLEY_CORE_SNAPBUF_H
#define PARLEY_CORE_SNAPBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The bytes of a state snapshot (snapshot.c for the core's, net/upgrade_state.c for the
 * driver's): integers little-endian in 8 bytes, strings as a length and their bytes.
 * Pure: no descriptors.  A writer that ran out of memory, or a reader that ran past the
 * end or met a malformed value, stays failed and says so once, at the end.
 */
struct snapbuf {
	char	*bytes;		/* writer: owned, realloc'd; reader: the caller's */
	size_t	 len;		/* writer: bytes written; reader: bytes in all */
	size_t	 cap;
	size_t	 pos;		/* reader: the next byte */
	bool	 failed;
};

#define SNAPBUF_INIT	{ NULL, 0, 0, 0, false }

/* A reader over bytes[0 ..< len], which must outlive it. */
struct snapbuf	snapbuf_reader(const void *bytes, size_t len);

void		snapbuf_u64(struct snapbuf *b, uint64_t v);
void		snapbuf_i64(struct snapbuf *b, int64_t v);
/* s may be NULL (read back as NULL by snapbuf_get_strdup, "" by snapbuf_get_str). */
void		snapbuf_str(struct snapbuf *b, const char *s);
void		snapbuf_mem(struct snapbuf *b, const void *p, size_t n);

uint64_t	snapbuf_get_u64(struct snapbuf *b);
int64_t		snapbuf_get_i64(struct snapbuf *b);
/* A value at most max: larger fails the reader (and 0 is returned). */
uint64_t	snapbuf_get_max(struct snapbuf *b, uint64_t max);
/* A count of items that follow, each at least one integer: one larger than the bytes
 * left could hold fails the reader (so that no count makes a reader allocate much). */
uint64_t	snapbuf_get_count(struct snapbuf *b);
/* A string into buf (cap bytes, NUL included); one too long fails the reader. */
void		snapbuf_get_str(struct snapbuf *b, char *buf, size_t cap);
/* A string as a malloc'd copy (the caller frees), or NULL for a NULL string; out of
 * memory fails the reader. */
char		*snapbuf_get_strdup(struct snapbuf *b);
/* n bytes, a view into the reader's bytes (NULL when failed), as snapbuf_mem wrote
 * them: a length first. */
const char	*snapbuf_get_mem(struct snapbuf *b, size_t *n);

/* Free a writer's bytes. */
void		snapbuf_free(struct snapbuf *b);

#endif
