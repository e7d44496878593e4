/*
 * The JetStream store's record text (jetstream_codec.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "store/jetstream_codec.h"

static const char	hexdigits[] = "0123456789abcdef";

/* Room for n more bytes in b; false (b->oom set) out of memory. */
static bool
jc_room(struct jc_buf *b, size_t n)
{
	size_t	 cap;
	char	*p;

	if (b->oom)
		return false;
	if (b->len + n <= b->cap)
		return true;
	for (cap = b->cap == 0 ? 512 : b->cap; cap < b->len + n; cap *= 2)
		;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void
jc_put(struct jc_buf *b, const char *name, const char *val, size_t len)
{
	size_t	nlen = strlen(name);

	/* Each byte of the value takes two at most, escaped. */
	if (!jc_room(b, nlen + 2 * len + 2))
		return;
	memcpy(b->p + b->len, name, nlen);
	b->len += nlen;
	b->p[b->len++] = '=';
	for (size_t i = 0; i < len; i++) {
		if (val[i] == '\\' || val[i] == '\n') {
			b->p[b->len++] = '\\';
			b->p[b->len++] = val[i] == '\n' ? 'n' : '\\';
		} else
			b->p[b->len++] = val[i];
	}
	b->p[b->len++] = '\n';
}

void
jc_put_str(struct jc_buf *b, const char *name, const char *val)
{
	jc_put(b, name, val, strlen(val));
}

void
jc_put_i64(struct jc_buf *b, const char *name, int64_t v)
{
	char	num[24];

	snprintf(num, sizeof(num), "%" PRId64, v);
	jc_put_str(b, name, num);
}

static void
jc_put_hex(struct jc_buf *b, const char *name, const unsigned char *v, size_t len)
{
	char	hex[2 * 64 + 1];
	size_t	i;

	for (i = 0; i < len && i < 64; i++) {
		hex[2 * i] = hexdigits[v[i] >> 4];
		hex[2 * i + 1] = hexdigits[v[i] & 15];
	}
	jc_put(b, name, hex, 2 * i);
}

void
jc_put_fields(struct jc_buf *b, const struct jc_field *f, size_t n, const void *rec)
{
	const char	*base = rec;

	for (size_t i = 0; i < n; i++) {
		const void	*p = base + f[i].off;

		switch (f[i].type) {
		case JC_STR:
			jc_put(b, f[i].name, p, strnlen(p, f[i].size));
			break;
		case JC_I64:
			jc_put_i64(b, f[i].name, *(const int64_t *)p);
			break;
		case JC_U32:
			jc_put_i64(b, f[i].name, *(const uint32_t *)p);
			break;
		case JC_U8:
			jc_put_i64(b, f[i].name, *(const uint8_t *)p);
			break;
		case JC_BOOL:
			jc_put_i64(b, f[i].name, *(const bool *)p);
			break;
		case JC_HEX:
			jc_put_hex(b, f[i].name, p, f[i].size);
			break;
		}
	}
}

int
jc_next(struct jc_reader *r, char *name, size_t ncap, char *val, size_t vcap)
{
	size_t	n = 0, v = 0;

	if (r->p >= r->end)
		return 0;
	while (r->p < r->end && *r->p != '=' && *r->p != '\n') {
		if (n + 1 < ncap)
			name[n++] = *r->p;
		r->p++;
	}
	name[n] = '\0';
	if (r->p < r->end && *r->p == '=')
		r->p++;
	while (r->p < r->end && *r->p != '\n') {
		char	c = *r->p++;

		if (c == '\\' && r->p < r->end) {
			c = *r->p++;
			if (c == 'n')
				c = '\n';
		}
		if (v + 1 < vcap)
			val[v++] = c;
	}
	val[v] = '\0';
	if (r->p < r->end)
		r->p++;
	return 1;
}

int64_t
jc_i64(const char *val)
{
	return strtoll(val, NULL, 10);
}

/* Exactly size bytes from hex, or zeros when it is not that. */
static void
jc_get_hex(unsigned char *dst, size_t size, const char *val)
{
	memset(dst, 0, size);
	if (strlen(val) != 2 * size)
		return;
	for (size_t i = 0; i < size; i++) {
		int	hi = hex_digit(val[2 * i]), lo = hex_digit(val[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			memset(dst, 0, size);
			return;
		}
		dst[i] = (unsigned char)(hi << 4 | lo);
	}
}

bool
jc_get_field(const struct jc_field *f, size_t n, void *rec, const char *name,
    const char *val)
{
	char	*base = rec;

	for (size_t i = 0; i < n; i++) {
		void	*p = base + f[i].off;

		if (strcmp(f[i].name, name) != 0)
			continue;
		switch (f[i].type) {
		case JC_STR:
			snprintf(p, f[i].size, "%s", val);
			break;
		case JC_I64:
			*(int64_t *)p = jc_i64(val);
			break;
		case JC_U32:
			*(uint32_t *)p = (uint32_t)jc_i64(val);
			break;
		case JC_U8:
			*(uint8_t *)p = (uint8_t)jc_i64(val);
			break;
		case JC_BOOL:
			*(bool *)p = jc_i64(val) != 0;
			break;
		case JC_HEX:
			jc_get_hex(p, f[i].size, val);
			break;
		}
		return true;
	}
	return false;
}

void
jc_hex(char *dst, size_t cap, const char *s)
{
	size_t	n = 0;

	for (; *s != '\0' && n + 2 < cap; s++) {
		dst[n++] = hexdigits[(unsigned char)*s >> 4];
		dst[n++] = hexdigits[(unsigned char)*s & 15];
	}
	dst[n] = '\0';
}
