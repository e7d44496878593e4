#ifndef PARLEY_STORE_JETSTREAM_CODEC_H
#define PARLEY_STORE_JETSTREAM_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Records as the JetStream store keeps them (a key-value entry, a stream message):
 * text, one field a line, "name=value\n", the value with backslash and newline
 * escaped (\\, \n), binary fields in hex, numbers in decimal.  `nats kv get` shows
 * them as they are; a field a reader does not know is skipped, so a newer parleyd's
 * records still load in an older one.  Keys and subjects take names in hex, since
 * NATS allows only [-_=./a-zA-Z0-9] in them.
 */
struct jc_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	bool	 oom;		/* a put ran out of memory: the buffer is not whole */
};

enum jc_type { JC_STR, JC_I64, JC_U32, JC_U8, JC_BOOL, JC_HEX };

/* A field of a fixed-size record (records.h, history_rec.h) at offset off. */
struct jc_field {
	const char	*name;
	enum jc_type	 type;
	size_t		 off;
	size_t		 size;
};

#define JC_FIELD(st, m, t)	{ #m, t, offsetof(st, m), sizeof(((st *)0)->m) }
#define JC_NFIELDS(a)		(sizeof(a) / sizeof((a)[0]))

/* The longest value a reader takes (a presence's channels, escaped, fits). */
#define JC_VALUE_MAX		4096

/* Append to b (jc_buf starts zeroed; free(b->p) when done).  On running out of
 * memory b->oom is set and later puts do nothing. */
void	jc_put(struct jc_buf *b, const char *name, const char *val, size_t len);
void	jc_put_str(struct jc_buf *b, const char *name, const char *val);
void	jc_put_i64(struct jc_buf *b, const char *name, int64_t v);
void	jc_put_fields(struct jc_buf *b, const struct jc_field *f, size_t n,
	    const void *rec);

/* A reader over len bytes of text (not NUL-terminated). */
struct jc_reader {
	const char	*p;
	const char	*end;
};

/* The next field: its name and value (unescaped, NUL-terminated, cut to their
 * buffers).  1 a field was read, 0 at the end. */
int	jc_next(struct jc_reader *r, char *name, size_t ncap, char *val, size_t vcap);

/* Set rec's field called name from val; false when no field of f has that name. */
bool	jc_get_field(const struct jc_field *f, size_t n, void *rec, const char *name,
	    const char *val);

int64_t	jc_i64(const char *val);

/* s's bytes as lowercase hex into dst (cap bytes; cut to fit, NUL-terminated). */
void	jc_hex(char *dst, size_t cap, const char *s);

#endif
