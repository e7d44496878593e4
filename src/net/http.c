/*
 * The web listener's HTTP/1.1 request parser (RFC 9112), sans I/O.  Lines end in CR LF
 * and nowhere else; the request is refused at the first byte that is not allowed where
 * it stands, so nothing ambiguous reaches the transport.
 */
#include <string.h>
#include <strings.h>

#include "net/http.h"

/* The methods RFC 9110 defines that this server does not serve: 405, not 501. */
static const char *const http_known[] = {
	"POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
};

/* tchar of RFC 9110: what a method or a field name is made of. */
static bool
http_tchar(unsigned char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
		return true;
	return ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

/* A field value's byte: VCHAR, obs-text, SP or HTAB. */
static bool
http_vchar(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || (ch > 0x20 && ch != 0x7f);
}

bool
http_str_is(const struct http_str *s, const char *text)
{
	return s->len == strlen(text) && strncasecmp(s->p, text, s->len) == 0;
}

/* The next line of buf[off ..< len], without its CR LF: its length, or -1 when it is
 * not complete yet, or -400 for a CR or LF that is not a line's end. */
static long
http_line(const char *buf, size_t off, size_t len, size_t *next)
{
	const char	*lf = memchr(buf + off, '\n', len - off);
	const char	*cr;
	size_t		 n;

	cr = memchr(buf + off, '\r', lf != NULL ? (size_t)(lf - buf) - off : len - off);
	if (lf == NULL)
		return cr != NULL && (size_t)(cr - buf) < len - 1 ? -400 : -1;
	n = (size_t)(lf - buf) - off;
	if (n == 0 || cr != buf + off + n - 1)
		return -400;
	*next = off + n + 1;
	return (long)(n - 1);
}

static long
http_method(const char *p, size_t n, struct http_request *req)
{
	if (n == 3 && memcmp(p, "GET", 3) == 0) {
		req->method = HTTP_GET;
		return 0;
	}
	if (n == 4 && memcmp(p, "HEAD", 4) == 0) {
		req->method = HTTP_HEAD;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!http_tchar((unsigned char)p[i]))
			return -400;
	for (size_t i = 0; i < sizeof(http_known) / sizeof(http_known[0]); i++)
		if (strlen(http_known[i]) == n && memcmp(p, http_known[i], n) == 0)
			return -405;
	return -501;
}

/* "METHOD SP target SP HTTP/1.x", exactly. */
static long
http_request_line(const char *p, size_t n, struct http_request *req)
{
	const char	*sp1 = memchr(p, ' ', n), *sp2, *v;
	size_t		 vlen;
	long		 rc;

	if (sp1 == NULL || sp1 == p)
		return -400;
	if ((rc = http_method(p, (size_t)(sp1 - p), req)) < 0)
		return rc;
	if ((sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - p))) == NULL)
		return (size_t)(p + n - sp1) > HTTP_TARGET_MAX ? -414 : -400;
	req->target.p = sp1 + 1;
	req->target.len = (size_t)(sp2 - sp1 - 1);
	if (req->target.len > HTTP_TARGET_MAX)
		return -414;
	if (req->target.len == 0 || req->target.p[0] != '/')
		return -400;
	for (size_t i = 0; i < req->target.len; i++)
		if ((unsigned char)req->target.p[i] <= 0x20 ||
		    (unsigned char)req->target.p[i] >= 0x7f)
			return -400;
	v = sp2 + 1;
	vlen = (size_t)(p + n - v);
	if (vlen != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' ||
	    v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9')
		return -400;
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
		return -505;
	req->minor = (unsigned)(v[7] - '0');
	return 0;
}

/* "name: OWS value OWS": no space before the colon, no continuation line. */
static long
http_field_line(const char *p, size_t n, struct http_request *req)
{
	const char		*colon = memchr(p, ':', n), *v, *end = p + n;
	struct http_field	*f;

	if (p[0] == ' ' || p[0] == '\t' || colon == NULL || colon == p)
		return -400;
	for (const char *q = p; q < colon; q++)
		if (!http_tchar((unsigned char)*q))
			return -400;
	for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	for (const char *q = v; q < end; q++)
		if (!http_vchar((unsigned char)*q))
			return -400;
	f = &req->fields[req->nfields++];
	f->name = (struct http_str){ p, (size_t)(colon - p) };
	f->value = (struct http_str){ v, (size_t)(end - v) };
	return 0;
}

/* No body (GET and HEAD have none here), one Host. */
static long
http_check_fields(const struct http_request *req)
{
	const struct http_field	*f;
	const struct http_str	*cl;

	if (http_value(req, "Transfer-Encoding") != NULL)
		return -400;
	if ((cl = http_value(req, "Content-Length")) != NULL) {
		f = http_field_next(req, "Content-Length", NULL);
		if (http_field_next(req, "Content-Length", f) != NULL || !http_str_is(cl, "0"))
			return -400;
	}
	f = http_field_next(req, "Host", NULL);
	if (req->minor == 1 && f == NULL)
		return -400;
	if (f != NULL && http_field_next(req, "Host", f) != NULL)
		return -400;
	return 0;
}

long
http_parse(const char *buf, size_t len, const struct http_limits *lim,
    struct http_request *req)
{
	size_t	 off = 0, next = 0, max = len < lim->header_max ? len : lim->header_max;
	long	 n, rc;

	req->nfields = 0;
	if ((n = http_line(buf, 0, max, &next)) == -1)
		return len >= lim->header_max ? -414 : 0;
	if (n < 0)
		return n;
	if ((rc = http_request_line(buf, (size_t)n, req)) < 0)
		return rc;
	for (off = next;; off = next) {
		if ((n = http_line(buf, off, max, &next)) == -1)
			return len >= lim->header_max ? -431 : 0;
		if (n < 0)
			return n;
		if (n == 0)
			break;
		if (req->nfields >= lim->headers_max || req->nfields >= HTTP_FIELDS_MAX)
			return -431;
		if ((rc = http_field_line(buf + off, (size_t)n, req)) < 0)
			return rc;
	}
	if ((rc = http_check_fields(req)) < 0)
		return rc;
	return (long)next;
}

const struct http_field *
http_field_next(const struct http_request *req, const char *name,
    const struct http_field *after)
{
	unsigned	 i = after == NULL ? 0 : (unsigned)(after - req->fields) + 1;

	for (; i < req->nfields; i++)
		if (http_str_is(&req->fields[i].name, name))
			return &req->fields[i];
	return NULL;
}

const struct http_str *
http_value(const struct http_request *req, const char *name)
{
	const struct http_field	*f = http_field_next(req, name, NULL);

	return f != NULL ? &f->value : NULL;
}

bool
http_has_token(const struct http_str *value, const char *token)
{
	const char	*p = value->p, *end = value->p + value->len, *e;
	struct http_str	 t;

	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		for (e = p; e < end && *e != ','; e++)
			;
		t = (struct http_str){ p, (size_t)(e - p) };
		while (t.len > 0 && (t.p[t.len - 1] == ' ' || t.p[t.len - 1] == '\t'))
			t.len--;
		if (t.len > 0 && http_str_is(&t, token))
			return true;
		p = e;
	}
	return false;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 414:
		return "URI Too Long";
	case 426:
		return "Upgrade Required";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Error";
	}
}
