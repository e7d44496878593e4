/*
 * IRC lines: parsing in place (IRCv3 tags, source, verb, parameters), formatting, and
 * tag value escaping.
 */
#include <string.h>

#include "core/msg.h"

static bool
is_letter(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Letters, digits and '-' for the name, '.' and '/' for a vendor prefix, after an
 * optional '+' that marks a client-only tag. */
static bool
tag_key_valid(const char *k)
{
	if (*k == '+')
		k++;
	if (*k == '\0')
		return false;
	for (; *k != '\0'; k++) {
		unsigned char	c = (unsigned char)*k;

		if (!is_letter(c) && !is_digit(c) && c != '-' && c != '/' && c != '.')
			return false;
	}
	return true;
}

/*
 * Parse the tags in s (the section without '@', NUL-terminated at its end) into m.
 * Client-only tag data is counted as it would be on the wire alone: each tag's bytes
 * plus one ';' between tags.
 */
static enum msg_status
parse_tags(struct msg *m, char *s)
{
	size_t	client = 0;
	bool	any_client = false;

	for (;;) {
		char	*end = s + strcspn(s, ";");
		char	*eq;
		bool	 last = *end == '\0';

		*end = '\0';
		if ((eq = strchr(s, '=')) != NULL)
			*eq = '\0';
		if (!tag_key_valid(s))
			return MSG_BAD_TAGS;
		if (m->ntags == MSG_MAX_TAGS)
			return MSG_TOO_MANY_TAGS;
		if (s[0] == '+') {
			client += (size_t)(end - s) + (any_client ? 1 : 0);
			any_client = true;
			if (client > MSG_TAGS_MAX_CLIENT)
				return MSG_TAGS_TOO_LONG;
		}
		m->tags[m->ntags].key = s;
		m->tags[m->ntags].value = eq != NULL ? eq + 1 : end;
		m->ntags++;
		if (last)
			return MSG_OK;
		s = end + 1;
	}
}

/* Cut the word at p off with a NUL; returns where the next word may start. */
static char *
word_end(char *p)
{
	p += strcspn(p, " ");
	if (*p == ' ')
		*p++ = '\0';
	return p;
}

static char *
skip_spaces(char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

/*
 * The last parameter slot: a trailing parameter, a lone middle one, or, when more
 * words follow, the rest of the line as it was sent.
 */
static const char *
last_param(char *p)
{
	char	*end;

	if (*p == ':')
		return p + 1;
	end = p + strcspn(p, " ");
	if (*skip_spaces(end) == '\0')
		*end = '\0';
	return p;
}

static void
parse_params(struct msg *m, char *p)
{
	for (;;) {
		p = skip_spaces(p);
		if (*p == '\0')
			return;
		if (*p == ':' || m->nparams == MSG_MAX_PARAMS - 1) {
			m->params[m->nparams++] = last_param(p);
			return;
		}
		m->params[m->nparams++] = p;
		p = word_end(p);
	}
}

enum msg_status
msg_parse(struct msg *m, char *line, size_t len)
{
	return msg_parse_long(m, line, len, MSG_BODY_MAX);
}

enum msg_status
msg_parse_long(struct msg *m, char *line, size_t len, size_t body_max)
{
	char		*p = line;
	enum msg_status	 st;

	memset(m, 0, sizeof(*m));
	if (memchr(line, '\0', len) != NULL || memchr(line, '\r', len) != NULL ||
	    memchr(line, '\n', len) != NULL)
		return MSG_BAD_CHAR;
	line[len] = '\0';
	if (strspn(line, " ") == len)
		return MSG_EMPTY;
	if (line[0] == '@') {
		char	*end = line + strcspn(line, " ");

		m->tags_len = (size_t)(end - line) + (*end == ' ' ? 1 : 0);
		if (m->tags_len > MSG_TAGS_MAX)
			return MSG_TAGS_TOO_LONG;
		p = word_end(line);
		if ((st = parse_tags(m, line + 1)) != MSG_OK)
			return st;
	}
	if (len - m->tags_len > body_max - 2)
		return MSG_BODY_TOO_LONG;
	p = skip_spaces(p);
	if (*p == ':') {
		m->source = p + 1;
		p = skip_spaces(word_end(p));
	}
	if (*p == '\0')
		return MSG_NO_VERB;
	m->verb = p;
	parse_params(m, word_end(p));
	return MSG_OK;
}

const char *
msg_status_str(enum msg_status st)
{
	switch (st) {
	case MSG_OK:
		return "ok";
	case MSG_EMPTY:
		return "empty line";
	case MSG_NO_VERB:
		return "no command";
	case MSG_TAGS_TOO_LONG:
		return "tag section too long";
	case MSG_BODY_TOO_LONG:
		return "line too long";
	case MSG_TOO_MANY_TAGS:
		return "too many tags";
	case MSG_BAD_TAGS:
		return "malformed tags";
	case MSG_BAD_CHAR:
		return "NUL, CR or LF inside the line";
	}
	return "unknown status";
}

const char *
msg_tag_get(const struct msg *m, const char *key)
{
	for (unsigned i = m->ntags; i > 0; i--) {
		if (strcmp(m->tags[i - 1].key, key) == 0)
			return m->tags[i - 1].value;
	}
	return NULL;
}

static char
unescape_char(char c)
{
	switch (c) {
	case ':':
		return ';';
	case 's':
		return ' ';
	case 'r':
		return '\r';
	case 'n':
		return '\n';
	}
	return c;
}

size_t
msg_tag_unescape(char *dst, size_t cap, const char *src)
{
	size_t	n = 0;

	if (cap == 0)
		return 0;
	for (; *src != '\0' && n < cap - 1; src++) {
		if (*src != '\\') {
			dst[n++] = *src;
			continue;
		}
		if (*++src == '\0')
			break;
		dst[n++] = unescape_char(*src);
	}
	dst[n] = '\0';
	return n;
}

/* The escape letter for c, or 0 when c stands for itself. */
static char
escape_char(char c)
{
	switch (c) {
	case ';':
		return ':';
	case ' ':
		return 's';
	case '\\':
		return '\\';
	case '\r':
		return 'r';
	case '\n':
		return 'n';
	}
	return 0;
}

size_t
msg_tag_escape(char *dst, size_t cap, const char *src)
{
	size_t	need = 0, n = 0;
	bool	full = cap == 0;

	/* Once something does not fit, stop writing: a cut never splits an escape. */
	for (; *src != '\0'; src++) {
		char	e = escape_char(*src);
		size_t	w = e != 0 ? 2 : 1;

		need += w;
		if (full || n + w > cap - 1) {
			full = true;
			continue;
		}
		if (e != 0) {
			dst[n++] = '\\';
			dst[n++] = e;
		} else
			dst[n++] = *src;
	}
	if (cap > 0)
		dst[n] = '\0';
	return need;
}

/* Output bounded by room bytes; ok turns false on the first write that does not fit. */
struct fmt {
	char	*dst;
	size_t	 room;
	size_t	 len;
	bool	 ok;
};

static void
fmt_put(struct fmt *f, const char *s, size_t n)
{
	if (!f->ok || n > f->room - f->len) {
		f->ok = false;
		return;
	}
	memcpy(f->dst + f->len, s, n);
	f->len += n;
}

static void
fmt_str(struct fmt *f, const char *s)
{
	fmt_put(f, s, strlen(s));
}

/* The longest prefix of s, at most n bytes (n < strlen(s)), that does not end inside
 * a UTF-8 sequence.  Backs up at most three continuation bytes, the most a valid
 * sequence has, so invalid runs are cut rather than swallowed. */
static size_t
utf8_cut(const char *s, size_t n)
{
	for (int back = 0; back < 3 && n > 0; back++) {
		if (((unsigned char)s[n] & 0xc0) != 0x80)
			break;
		n--;
	}
	return n;
}

static void
fmt_last(struct fmt *f, const char *p)
{
	size_t	n = strlen(p);
	bool	colon = n == 0 || p[0] == ':' || strchr(p, ' ') != NULL;

	if (f->ok && f->len + 1 + colon + n <= f->room) {
		fmt_str(f, colon ? " :" : " ");
		fmt_put(f, p, n);
		return;
	}
	/* Cut: as a trailing parameter, what is left means the same however short. */
	fmt_str(f, " :");
	if (f->ok)
		fmt_put(f, p, utf8_cut(p, f->room - f->len));
}

size_t
msg_format(char *dst, size_t cap, const char *source, const char *verb,
    unsigned nparams, const char *const *params)
{
	struct fmt	f = { dst, 0, 0, true };
	size_t		limit = cap < MSG_BODY_MAX ? cap : MSG_BODY_MAX;

	if (limit < 2)
		return 0;
	f.room = limit - 2;
	if (source != NULL && source[0] != '\0') {
		fmt_str(&f, ":");
		fmt_str(&f, source);
		fmt_str(&f, " ");
	}
	fmt_str(&f, verb);
	for (unsigned i = 0; i + 1 < nparams; i++) {
		fmt_str(&f, " ");
		fmt_str(&f, params[i]);
	}
	if (nparams > 0)
		fmt_last(&f, params[nparams - 1]);
	if (!f.ok)
		return 0;
	dst[f.len++] = '\r';
	dst[f.len++] = '\n';
	if (f.len < cap)
		dst[f.len] = '\0';
	return f.len;
}

bool
msg_verb_valid(const char *s)
{
	size_t	n = 0;

	if (s == NULL || s[0] == '\0')
		return false;
	if (is_digit((unsigned char)s[0])) {
		while (is_digit((unsigned char)s[n]))
			n++;
		return n == 3 && s[n] == '\0';
	}
	for (; s[n] != '\0'; n++) {
		if (!is_letter((unsigned char)s[n]))
			return false;
	}
	return true;
}
