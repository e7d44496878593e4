/*
 * The snapshot's byte format: fixed-width integers and counted strings, so that a
 * reader never trusts a length it has not checked against what is left.
 */
#include <stdlib.h>
#include <string.h>

#include "core/snapbuf.h"

#define SNAPBUF_NULL	UINT64_MAX	/* the length of a NULL string */

struct snapbuf
snapbuf_reader(const void *bytes, size_t len)
{
	return (struct snapbuf){ (char *)(uintptr_t)bytes, len, 0, 0, false };
}

static void
snapbuf_put(struct snapbuf *b, const void *p, size_t n)
{
	size_t	 cap;
	char	*grown;

	if (b->failed || n == 0)
		return;
	if (n > b->cap - b->len) {
		cap = b->cap > 0 ? b->cap : 4096;
		while (n > cap - b->len)
			cap *= 2;
		if ((grown = realloc(b->bytes, cap)) == NULL) {
			b->failed = true;
			return;
		}
		b->bytes = grown;
		b->cap = cap;
	}
	memcpy(b->bytes + b->len, p, n);
	b->len += n;
}

void
snapbuf_u64(struct snapbuf *b, uint64_t v)
{
	unsigned char	 le[8];

	for (int i = 0; i < 8; i++)
		le[i] = (unsigned char)(v >> (8 * i));
	snapbuf_put(b, le, sizeof(le));
}

void
snapbuf_i64(struct snapbuf *b, int64_t v)
{
	snapbuf_u64(b, (uint64_t)v);
}

void
snapbuf_mem(struct snapbuf *b, const void *p, size_t n)
{
	snapbuf_u64(b, n);
	snapbuf_put(b, p, n);
}

void
snapbuf_str(struct snapbuf *b, const char *s)
{
	if (s == NULL)
		snapbuf_u64(b, SNAPBUF_NULL);
	else
		snapbuf_mem(b, s, strlen(s));
}

/* The next n bytes, or NULL (the reader failed) when fewer are left. */
static const char *
snapbuf_take(struct snapbuf *b, uint64_t n)
{
	const char	*p;

	if (b->failed || n > b->len - b->pos) {
		b->failed = true;
		return NULL;
	}
	p = b->bytes + b->pos;
	b->pos += (size_t)n;
	return p;
}

uint64_t
snapbuf_get_u64(struct snapbuf *b)
{
	const unsigned char	*le = (const unsigned char *)snapbuf_take(b, 8);
	uint64_t		 v = 0;

	if (le == NULL)
		return 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)le[i] << (8 * i);
	return v;
}

int64_t
snapbuf_get_i64(struct snapbuf *b)
{
	return (int64_t)snapbuf_get_u64(b);
}

uint64_t
snapbuf_get_max(struct snapbuf *b, uint64_t max)
{
	uint64_t	 v = snapbuf_get_u64(b);

	if (v > max) {
		b->failed = true;
		return 0;
	}
	return v;
}

uint64_t
snapbuf_get_count(struct snapbuf *b)
{
	uint64_t	 n = snapbuf_get_u64(b);

	if (b->failed || n > (b->len - b->pos) / 8) {
		b->failed = true;
		return 0;
	}
	return n;
}

const char *
snapbuf_get_mem(struct snapbuf *b, size_t *n)
{
	uint64_t	 len = snapbuf_get_u64(b);
	const char	*p = snapbuf_take(b, len);

	*n = p != NULL ? (size_t)len : 0;
	return p;
}

void
snapbuf_get_str(struct snapbuf *b, char *buf, size_t cap)
{
	uint64_t	 len = snapbuf_get_u64(b);
	const char	*p;

	buf[0] = '\0';
	if (len == SNAPBUF_NULL)
		return;
	if (len >= cap) {
		b->failed = true;
		return;
	}
	if ((p = snapbuf_take(b, len)) == NULL)
		return;
	memcpy(buf, p, (size_t)len);
	buf[len] = '\0';
}

char *
snapbuf_get_strdup(struct snapbuf *b)
{
	uint64_t	 len = snapbuf_get_u64(b);
	const char	*p;
	char		*s;

	if (len == SNAPBUF_NULL || (p = snapbuf_take(b, len)) == NULL)
		return NULL;
	if ((s = malloc((size_t)len + 1)) == NULL) {
		b->failed = true;
		return NULL;
	}
	memcpy(s, p, (size_t)len);
	s[len] = '\0';
	return s;
}

void
snapbuf_free(struct snapbuf *b)
{
	free(b->bytes);
	*b = (struct snapbuf)SNAPBUF_INIT;
}
