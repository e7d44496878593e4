#ifndef PARLEY_CLIENT_CHAT_H
#define PARLEY_CLIENT_CHAT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/*
 * Pure helpers of the chat UI: nick colours, command lines, server-time.
 */

/* A stable colour 0..ncolors-1 for nick: a hash of its rfc1459-folded form, so "Bob"
 * and "bob" share one.  ncolors must not be 0. */
unsigned	chat_nick_color(const char *nick, unsigned ncolors);

/*
 * Split a command line "/name args": the name, lower-cased and without '/', into name of
 * size cap; *args to the rest with leading spaces skipped.  Returns false when line is
 * not a command: it does not start with '/', starts with "//" (text that begins with a
 * slash; *args then points after the first '/'), or the name does not fit.
 */
bool		chat_command(const char *line, char *name, size_t cap, const char **args);

/* The next space-separated word of *p into buf of size cap (cut to fit); *p moves past
 * it and the spaces after.  Returns false when no word is left. */
bool		chat_word(const char **p, char *buf, size_t cap);

/* Parse an IRCv3 server-time value, "YYYY-MM-DDThh:mm:ss[.sss]Z", into *t (UTC).
 * Returns false when it is malformed. */
bool		chat_parse_time(const char *s, time_t *t);

#endif
