#ifndef PARLEY_CORE_CASEMAP_H
#define PARLEY_CORE_CASEMAP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * rfc1459 casemapping (CASEMAPPING=rfc1459): A-Z are a-z, and []\~ are {}|^, so
 * "Foo[" and "foo{" name the same nick.  Bytes >= 0x80 compare as they are.
 * A core may run under rfc8265 instead ([server] casemapping; casemap_utf8.h): the
 * *_as functions take the mapping, and with rfc1459 they are the functions below.
 */

enum casemapping {
	CASEMAP_RFC1459,	/* the default: core_config's zero value */
	CASEMAP_RFC8265,	/* PRECIS UsernameCaseMapped, as ergo has it */
};

/* The rfc1459 lower-case form of byte c. */
static inline unsigned char
casemap_lower(unsigned char c)
{
	if (c >= 'A' && c <= '^')	/* A-Z [ \ ] ^ */
		return c + 32;
	return c;
}

/* Write the folded form of src into dst of size cap (NUL-terminated, truncated to
 * cap - 1).  dst may equal src.  Returns the length of src. */
size_t	casemap_fold(char *dst, size_t cap, const char *src);

/* Compare two names under the casemapping, like strcmp. */
int	casemap_cmp(const char *a, const char *b);

/* True when a and b are the same name under the casemapping. */
bool	casemap_eq(const char *a, const char *b);

/*
 * A valid nickname of at most maxlen bytes: first byte a letter or one of []\`_^{|},
 * the rest also digits and '-'; never empty.
 */
bool	casemap_nick_valid(const char *nick, size_t maxlen);
/* Whether byte c may stand in a nick: first in it, or after the first. */
bool	casemap_nick_byte(unsigned char c, bool first);

/*
 * A valid channel name of at most maxlen bytes: starts with '#', then at least one
 * byte, none of them space, comma, BEL (0x07), CR, LF or NUL.
 */
bool	casemap_channel_valid(const char *name, size_t maxlen);

/*
 * A valid username (USER's first parameter) of at most maxlen bytes: no space, '@',
 * NUL, CR or LF, not empty.
 */
bool	casemap_user_valid(const char *user, size_t maxlen);

/* The _as forms: under cm.  Names that are not UTF-8 fold under rfc8265 as ASCII
 * does (A-Z to a-z, other bytes as they are). */
void	casemap_fold_as(enum casemapping cm, char *dst, size_t cap, const char *src);
bool	casemap_eq_as(enum casemapping cm, const char *a, const char *b);
/* A valid nick under cm: with rfc8265, casemap_utf8_nick_valid. */
bool	casemap_nick_valid_as(enum casemapping cm, const char *nick, size_t maxlen);

#endif
