#ifndef PARLEY_CORE_MSG_H
#define PARLEY_CORE_MSG_H

#include <stdbool.h>
#include <stddef.h>

/*
 * IRC message parsing and formatting (modern client protocol, IRCv3 message-tags).
 * The parser works in place on the caller's buffer, like picohttpparser: no allocation,
 * views into the buffer, valid as long as the buffer is.
 */

#define MSG_MAX_PARAMS		15
#define MSG_MAX_TAGS		64
#define MSG_TAGS_MAX_CLIENT	4094	/* bytes of tag data a client may send */
#define MSG_TAGS_MAX		8191	/* whole tag section, '@' and space included */
#define MSG_BODY_MAX		512	/* the rest of the line, CR LF included */
#define MSG_LINE_MAX		(MSG_TAGS_MAX + MSG_BODY_MAX)	/* the longest IRCv3 line */

struct msg_tag {
	const char	*key;		/* NUL-terminated, '+' of client tags included */
	const char	*value;		/* escaped as on the wire, NUL-terminated; "" if none */
};

struct msg {
	struct msg_tag	 tags[MSG_MAX_TAGS];
	unsigned	 ntags;
	size_t		 tags_len;	/* bytes of the tag section, '@' and space included */
	const char	*source;	/* without ':', NULL when absent */
	const char	*verb;		/* as sent (case not folded) */
	const char	*params[MSG_MAX_PARAMS];	/* trailing included, without its ':' */
	unsigned	 nparams;
};

enum msg_status {
	MSG_OK = 0,
	MSG_EMPTY,		/* nothing but spaces: ignore */
	MSG_NO_VERB,		/* tags or source but no command */
	MSG_TAGS_TOO_LONG,	/* tag section over MSG_TAGS_MAX, or client data over the limit */
	MSG_BODY_TOO_LONG,	/* the part after tags over MSG_BODY_MAX - 2 bytes */
	MSG_TOO_MANY_TAGS,
	MSG_BAD_TAGS,		/* malformed tag section */
	MSG_BAD_CHAR,		/* NUL, CR or LF inside the line */
};

/*
 * Parse one line of len bytes (no CR LF) in place: separators are overwritten with NULs,
 * so every view in m is a C string (line[len] must be writable: it becomes the last NUL).
 * Parameters beyond MSG_MAX_PARAMS are folded into the last one, as the protocol
 * describes.  Returns MSG_OK or the reason the line is unusable.
 */
enum msg_status	 msg_parse(struct msg *m, char *line, size_t len);
/* The same for a line whose part after the tags may be up to body_max bytes (CR LF
 * counted): node-to-node lines (core/peer.h). */
enum msg_status	 msg_parse_long(struct msg *m, char *line, size_t len, size_t body_max);

/* Human text for a status, for logs and error replies. */
const char	*msg_status_str(enum msg_status st);

/* The value of tag key in m, escaped as on the wire, or NULL when absent.  A key given
 * twice answers the last value. */
const char	*msg_tag_get(const struct msg *m, const char *key);

/* Unescape a tag value (\: \s \\ \r \n; a lone trailing backslash is dropped; any other
 * escaped char stands for itself) into dst of size cap, NUL-terminated.  Returns the
 * length written, truncating to cap - 1. */
size_t		 msg_tag_unescape(char *dst, size_t cap, const char *src);

/* Escape a tag value into dst of size cap, NUL-terminated.  Returns the length it needs
 * (like snprintf): a result >= cap means it was truncated. */
size_t		 msg_tag_escape(char *dst, size_t cap, const char *src);

/*
 * Format a message into dst of size cap: [:source ]verb params..., the last parameter
 * with a ':' when it is empty, holds a space or starts with ':', then CR LF.  source may
 * be NULL.  A line that does not fit cap (or MSG_BODY_MAX, whichever is smaller) is cut
 * inside the last parameter, keeping the CR LF.  Returns the length written (CR LF
 * included; a NUL follows when cap leaves room), or 0 when not even the part before the
 * last parameter fits.
 */
size_t		 msg_format(char *dst, size_t cap, const char *source, const char *verb,
		    unsigned nparams, const char *const *params);

/* True when s is a valid command word: letters only, or exactly three digits. */
bool		 msg_verb_valid(const char *s);

#endif
