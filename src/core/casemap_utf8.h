#ifndef PARLEY_CORE_CASEMAP_UTF8_H
#define PARLEY_CORE_CASEMAP_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * rfc8265 casemapping (CASEMAPPING=rfc8265): the PRECIS UsernameCaseMapped profile
 * (RFC 8265 section 3.3) as ergo applies it to nicks, with ICU.  A name folds by width
 * mapping, lowercasing (Unicode toLowerCase without the final-sigma context, so "Σ" is
 * always "σ") and NFC, repeated until it is stable; an ASCII name folds by A-Z to a-z
 * alone and never reaches ICU.  Pure computation: no file, no global state.
 */

/* The longest folded form of any name the core keeps (a channel, a marker key):
 * folding grows a name by at most a small factor. */
#define CASEMAP_UTF8_FOLD_MAX	2048

/* The folded form of src into dst of size cap (NUL-terminated, truncated to at most
 * cap - 1 bytes on a character's boundary).  Total: a name that is not UTF-8 folds as
 * ASCII does. */
void	casemap_utf8_fold(char *dst, size_t cap, const char *src);

/* True when a and b fold alike. */
bool	casemap_utf8_eq(const char *a, const char *b);

/*
 * A valid nick of at most maxlen bytes: UTF-8 whose folded form is not empty and
 * passes the IdentifierClass (RFC 8264: letters, digits and combining marks; no
 * spaces, symbols, punctuation outside ASCII, controls, ignorables or compatibility
 * forms) and the Bidi Rule (RFC 5893), and whose ASCII bytes obey rfc1459's nick
 * rules (casemap_nick_valid): an ASCII nick is valid exactly when it is today.  A
 * nick does not start with a digit or a combining mark of any script.
 */
bool	casemap_utf8_nick_valid(const char *nick, size_t maxlen);

/*
 * Confusable nicks (Unicode UTS #39): the skeleton of a nick, width-mapped, then
 * ICU's confusable skeleton, then case-folded, so "paypal" with a Cyrillic "а", and
 * "PayPal", share one.  Opened once per core (ICU's spoof checker); NULL when out of
 * memory or ICU's data is missing.
 */
struct casemap_skel;

struct casemap_skel	*casemap_skel_open(void);
void			 casemap_skel_close(struct casemap_skel *sk);
/* The skeleton of nick into dst of size cap (NUL-terminated).  Returns 0, or -1 when
 * nick is not UTF-8 or its skeleton does not fit. */
int			 casemap_skeleton(const struct casemap_skel *sk, char *dst,
			    size_t cap, const char *nick);

#endif
