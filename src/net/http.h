#ifndef PARLEY_NET_HTTP_H
#define PARLEY_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A strict HTTP/1.1 request parser for the web listener, sans I/O: bytes in, a request
 * (or a status to refuse it with) out.  Only what a static file server and a WebSocket
 * upgrade need: GET and HEAD, no body.  Everything that could let a proxy in front and
 * this server disagree on where a request ends is refused: obs-fold, a bare CR or LF, a
 * bad header name, a Content-Length other than one "0", any Transfer-Encoding.
 */

#define HTTP_TARGET_MAX			2048	/* a longer request target: 414 */
#define HTTP_FIELDS_MAX			256	/* the most headers_max may be */

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
};

/* A run of the caller's buffer; not NUL-terminated. */
struct http_str {
	const char	*p;
	size_t		 len;
};

struct http_field {
	struct http_str	 name;
	struct http_str	 value;		/* without the surrounding whitespace */
};

struct http_request {
	enum http_method	 method;
	struct http_str		 target;
	unsigned		 minor;		/* HTTP/1.minor: 0 or 1 */
	struct http_field	 fields[HTTP_FIELDS_MAX];
	unsigned		 nfields;
};

struct http_limits {
	size_t		 header_max;	/* request line and headers, CR LF included */
	unsigned	 headers_max;	/* at most HTTP_FIELDS_MAX */
};

/*
 * Parse the request at the start of buf[0 ..< len].  Returns the length of the request
 * (its blank line included) when it is complete and acceptable, 0 when more bytes are
 * needed (len is below the limit), or minus the status to refuse it with: -400, -405
 * (a known method other than GET and HEAD: answer with Allow), -414, -431, -501 (an
 * unknown method), -505.  req points into buf.
 */
long	http_parse(const char *buf, size_t len, const struct http_limits *lim,
	    struct http_request *req);

/* The field named name (case-insensitive) after the field after (NULL: from the first),
 * or NULL: a loop over every field of that name. */
const struct http_field	*http_field_next(const struct http_request *req,
			    const char *name, const struct http_field *after);

/* The value of the first field named name, or NULL. */
const struct http_str	*http_value(const struct http_request *req, const char *name);

/* Whether s equals the NUL-terminated text (case-insensitive). */
bool	http_str_is(const struct http_str *s, const char *text);

/* Whether the comma-separated list value holds token (case-insensitive). */
bool	http_has_token(const struct http_str *value, const char *token);

/* The reason phrase of an error status the web listener sends ("Not Found"), or
 * "Error". */
const char	*http_reason(int status);

#endif
