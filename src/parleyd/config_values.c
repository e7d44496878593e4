/*
 * Single configuration values, checked and parsed: names, passwords, levels, models,
 * booleans, numbers, sizes, seconds, listen addresses, operator hashes, masks and
 * fingerprints.  Shared by the file (config.c) and the command-line flags (main.c); none
 * of them reads a file or knows which line a value came from.
 */
#include <arpa/inet.h>

#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "core/casemap.h"
#include "net/iothreads.h"
#include "net/log.h"
#include "net/sock.h"
#include "parleyd/config_values.h"

#define SECOND_MS	1000

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Hostname-like: dot-separated labels of letters, digits and inner '-', one dot at least. */
int
config_name_check(const char *name, char *why, size_t whylen)
{
	size_t	len = strlen(name), label = 0;
	bool	dot = false, ok = len > 0 && len <= CONFIG_NAME_MAX;

	for (size_t i = 0; ok && i < len; i++) {
		if (name[i] == '.') {
			ok = label > 0 && name[i - 1] != '-';
			dot = true;
			label = 0;
		} else {
			ok = is_alnum(name[i]) || (name[i] == '-' && label > 0);
			label++;
		}
	}
	if (ok && dot && label > 0 && name[len - 1] != '-')
		return 0;
	snprintf(why, whylen, "'%s' is not a server name (letters, digits, '-' and '.', "
	    "with a '.', at most %d bytes)", name, CONFIG_NAME_MAX);
	return -1;
}

/* The network name travels as an ISUPPORT token (NETWORK=...): no spaces, no '='. */
int
config_network_check(const char *name, char *why, size_t whylen)
{
	size_t	len = strlen(name);

	if (len > 0 && len <= CONFIG_NAME_MAX &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-._") == len)
		return 0;
	snprintf(why, whylen, "'%s' is not a network name (letters, digits, '-', '.' and "
	    "'_', at most %d bytes)", name, CONFIG_NAME_MAX);
	return -1;
}

int
config_guest_prefix_check(const char *prefix, char *why, size_t whylen)
{
	if (casemap_nick_valid(prefix, CONFIG_GUEST_PREFIX_MAX))
		return 0;
	snprintf(why, whylen, "'%s' is not the start of a nick (a letter or one of "
	    "[]\\`_^{|}, then those, digits or '-', at most %d bytes)", prefix,
	    CONFIG_GUEST_PREFIX_MAX);
	return -1;
}

/* The always-on users' AWAY text: anything a client could set with AWAY. */
int
config_auto_away_check(const char *text, char *why, size_t whylen)
{
	if (strlen(text) > CONFIG_AUTO_AWAY_MAX) {
		snprintf(why, whylen, "longer than %d bytes", CONFIG_AUTO_AWAY_MAX);
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(why, whylen, "contains a control character");
			return -1;
		}
	}
	return 0;
}

/* Clients send it in one PASS line: any bytes but control characters. */
int
config_password_check(const char *password, char *why, size_t whylen)
{
	if (strlen(password) > CONFIG_PASSWORD_MAX) {
		snprintf(why, whylen, "longer than %d bytes", CONFIG_PASSWORD_MAX);
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)password; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(why, whylen, "contains a control character");
			return -1;
		}
	}
	return 0;
}

int
config_level_check(const char *text, enum log_level *level, char *why, size_t whylen)
{
	if (log_level_parse(text, level) == 0)
		return 0;
	snprintf(why, whylen, "'%s' is not a level (error, warn, info, debug)", text);
	return -1;
}

int
config_model_check(const char *text, enum net_model *model, char *why, size_t whylen)
{
	static const char *const names[] = { "event", "fork", "threads" };
	static const enum net_model models[] = { NET_MODEL_EVENT, NET_MODEL_FORK,
	    NET_MODEL_THREADS };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(text, names[i]) == 0) {
			*model = models[i];
			return 0;
		}
	}
	snprintf(why, whylen, "'%s' is not a model (event, fork, threads)", text);
	return -1;
}

int
config_casemapping_check(const char *text, enum casemapping *cm, char *why,
    size_t whylen)
{
	if (strcmp(text, "rfc1459") == 0 || strcmp(text, "rfc8265") == 0) {
		*cm = strcmp(text, "rfc8265") == 0 ? CASEMAP_RFC8265 : CASEMAP_RFC1459;
		return 0;
	}
	snprintf(why, whylen, "'%s' is not a casemapping (rfc1459, rfc8265)", text);
	return -1;
}

int
config_history_private_check(const char *text, unsigned *v, char *why, size_t whylen)
{
	static const char *const names[] = { "all", "accounts", "none" };
	static const unsigned values[] = { CONFIG_HISTORY_PRIVATE_ALL,
	    CONFIG_HISTORY_PRIVATE_ACCOUNTS, CONFIG_HISTORY_PRIVATE_NONE };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(text, names[i]) == 0) {
			*v = values[i];
			return 0;
		}
	}
	snprintf(why, whylen, "'%s' is not a choice of private history (all, accounts, "
	    "none)", text);
	return -1;
}

int
config_bool_parse(const char *text, bool *v, char *why, size_t whylen)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(text, yes[i]) == 0 || strcmp(text, no[i]) == 0) {
			*v = strcmp(text, yes[i]) == 0;
			return 0;
		}
	}
	snprintf(why, whylen, "'%s' is not yes or no", text);
	return -1;
}

/*
 * Hashing the empty password with the stored setting proves the whole hash is one
 * crypt(3) can check: a truncated or mistyped hash would otherwise refuse every OPER.
 */
int
config_hash_check(const char *hash, char *why, size_t whylen)
{
	struct crypt_data	*data;
	const char		*out;
	int			 rc = -1;

	if (hash[0] != '$' || strlen(hash) > CONFIG_HASH_MAX) {
		snprintf(why, whylen, "password must be a crypt(3) hash; make one with "
		    "parleyd --hash-password");
		return -1;
	}
	if (crypt_checksalt(hash) != CRYPT_SALT_OK) {
		snprintf(why, whylen, "'%.4s...' is not a hash method this system's crypt(3) "
		    "accepts; make one with parleyd --hash-password", hash);
		return -1;
	}
	if ((data = calloc(1, sizeof(*data))) == NULL) {
		snprintf(why, whylen, "%s", strerror(ENOMEM));
		return -1;
	}
	out = crypt_rn("", hash, data, sizeof(*data));
	if (out != NULL && out[0] != '*' && strlen(out) == strlen(hash))
		rc = 0;
	else
		snprintf(why, whylen, "not a complete crypt(3) hash; make one with "
		    "parleyd --hash-password");
	free(data);
	return rc;
}

/* Two parsed addresses that one bind would both claim: family, address and port. */
static bool
same_endpoint(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6	*a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port != 0 && a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a6->sin6_port != 0 && a6->sin6_port == b6->sin6_port &&
	    memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr)) == 0;
}

int
config_listen_add(char list[][SOCK_ADDR_MAX], unsigned *n, const char *addr, char *why,
    size_t whylen)
{
	struct sockaddr_storage	ss, other;
	socklen_t		len;

	if (strlen(addr) >= SOCK_ADDR_MAX ||
	    sock_parse_addr(addr, &ss, &len) != 0) {
		snprintf(why, whylen, "'%s' is not an address (IPV4:PORT, [IPV6]:PORT or "
		    "localhost:PORT)", addr);
		return -1;
	}
	if (*n == NET_LISTEN_MAX) {
		snprintf(why, whylen, "more than %d listeners", NET_LISTEN_MAX);
		return -1;
	}
	for (unsigned i = 0; i < *n; i++) {
		if (sock_parse_addr(list[i], &other, &len) == 0 &&
		    same_endpoint(&ss, &other)) {
			snprintf(why, whylen, "'%s' is already listed as '%s'", addr, list[i]);
			return -1;
		}
	}
	snprintf(list[*n], SOCK_ADDR_MAX, "%s", addr);
	(*n)++;
	return 0;
}

int
config_address_check(const char *addr, char out[SOCK_ADDR_MAX], char *why,
    size_t whylen)
{
	struct sockaddr_storage	ss;
	socklen_t		len;

	if (*addr != '\0' && (strlen(addr) >= SOCK_ADDR_MAX ||
	    sock_parse_addr(addr, &ss, &len) != 0)) {
		snprintf(why, whylen, "'%s' is not an address (IPV4:PORT, [IPV6]:PORT or "
		    "localhost:PORT)", addr);
		return -1;
	}
	snprintf(out, SOCK_ADDR_MAX, "%s", addr);
	return 0;
}

/* Digits into *v, saturating (the range check then refuses).  -1 when there are none. */
static int
parse_digits(const char **s, uint64_t *v)
{
	const char	*p = *s;

	*v = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned	d = (unsigned)(*p - '0');

		*v = *v > (UINT64_MAX - d) / 10 ? UINT64_MAX : *v * 10 + d;
	}
	if (p == *s)
		return -1;
	*s = p;
	return 0;
}

int
config_count_parse(const char *text, uint64_t *v)
{
	return parse_digits(&text, v) == 0 && *text == '\0' ? 0 : -1;
}

int
config_bytes_parse(const char *text, uint64_t *v)
{
	uint64_t	unit = 1;

	if (parse_digits(&text, v) == -1)
		return -1;
	if (*text == 'k' || *text == 'K')
		unit = 1024;
	else if (*text == 'm' || *text == 'M')
		unit = 1024 * 1024;
	if (unit != 1)
		text++;
	if (*text != '\0')
		return -1;
	*v = *v > UINT64_MAX / unit ? UINT64_MAX : *v * unit;
	return 0;
}

int
config_io_threads_check(const char *text, unsigned *n, char *why, size_t whylen)
{
	uint64_t	 v;

	if (config_count_parse(text, &v) == -1 || v < 1 || v > IOTHREADS_MAX) {
		snprintf(why, whylen, "'%s' is not a number of threads (1..%d)", text,
		    IOTHREADS_MAX);
		return -1;
	}
	*n = (unsigned)v;
	return 0;
}

/* "60", "0.5", "1.25": seconds with up to three decimals, into milliseconds. */
int
config_seconds_parse(const char *text, uint64_t *ms)
{
	uint64_t	frac = 0, scale = 100;

	if (parse_digits(&text, ms) == -1)
		return -1;
	if (*text == '.') {
		text++;
		for (int i = 0; i < 3 && *text >= '0' && *text <= '9'; i++, text++) {
			frac += (uint64_t)(*text - '0') * scale;
			scale /= 10;
		}
		if (scale == 100)
			return -1;
	}
	if (*text != '\0')
		return -1;
	*ms = *ms > (UINT64_MAX - frac) / SECOND_MS ? UINT64_MAX : *ms * SECOND_MS + frac;
	return 0;
}

/* A user@host mask: printable, no blanks, one '@'. */
int
config_mask_check(const char *mask, char *why, size_t whylen)
{
	const char	*at = strchr(mask, '@');

	for (const unsigned char *p = (const unsigned char *)mask; *p != '\0'; p++) {
		if (*p <= 0x20 || *p == 0x7f) {
			at = NULL;
			break;
		}
	}
	if (at != NULL && at != mask && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
	    strlen(mask) <= CONFIG_MASK_MAX)
		return 0;
	snprintf(why, whylen, "'%s' is not a user@host mask ('*' and '?' match, at most %d "
	    "bytes)", mask, CONFIG_MASK_MAX);
	return -1;
}

int
config_account_check(const char *name, char *why, size_t whylen)
{
	size_t	len = strlen(name);
	bool	ok = len > 0 && len <= CONFIG_NICKLEN_MAX &&
		    strpbrk(name, " ,*?!@:$#") == NULL;

	for (const unsigned char *p = (const unsigned char *)name; ok && *p != '\0'; p++)
		ok = *p > 0x20 && *p != 0x7f;
	if (ok)
		return 0;
	snprintf(why, whylen, "'%s' is not an account name (at most %d bytes, no blanks "
	    "and none of ,*?!@:$#)", name, CONFIG_NICKLEN_MAX);
	return -1;
}

/*
 * A SHA-256 fingerprint as `openssl x509 -fingerprint -sha256` prints it or as WHOIS
 * shows it: 64 hex digits, either case, colons allowed between pairs.  Stored as WHOIS
 * shows it, lowercase without colons.
 */
int
config_certfp_parse(const char *text, char out[CONFIG_CERTFP_MAX + 1], char *why,
    size_t whylen)
{
	size_t	n = 0;

	for (const char *p = text; *p != '\0'; p++) {
		if (*p == ':' && n > 0 && n % 2 == 0 && p[1] != '\0' && p[1] != ':')
			continue;
		if (n == CONFIG_CERTFP_MAX || strchr("0123456789abcdefABCDEF", *p) == NULL)
			break;
		out[n++] = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
		if (p[1] == '\0' && n == CONFIG_CERTFP_MAX) {
			out[n] = '\0';
			return 0;
		}
	}
	snprintf(why, whylen, "'%s' is not a SHA-256 fingerprint (64 hex digits, colons "
	    "allowed)", text);
	return -1;
}


/* Split text at blanks into list, each word checked by ok.  Returns 0 or -1. */
static int
config_words(const char *text, char list[][NET_WEB_ITEM_MAX], unsigned *n,
    int (*ok)(const char *, char *, size_t), char *why, size_t whylen)
{
	const char	*p = text;
	size_t		 len;

	*n = 0;
	while (*(p += strspn(p, " \t")) != '\0') {
		len = strcspn(p, " \t");
		if (*n == NET_WEB_LIST_MAX || len >= NET_WEB_ITEM_MAX) {
			snprintf(why, whylen, "%s", *n == NET_WEB_LIST_MAX ?
			    "more than 16 entries" : "an entry is too long");
			return -1;
		}
		memcpy(list[*n], p, len);
		list[*n][len] = '\0';
		if (ok(list[*n], why, whylen) == -1)
			return -1;
		(*n)++;
		p += len;
	}
	return 0;
}

static int
config_origin_ok(const char *o, char *why, size_t whylen)
{
	const char	*host = NULL;

	if (strcmp(o, "*") == 0)
		return 0;
	if (strncmp(o, "http://", 7) == 0)
		host = o + 7;
	else if (strncmp(o, "https://", 8) == 0)
		host = o + 8;
	if (host == NULL || *host == '\0' || strchr(host, '/') != NULL) {
		snprintf(why, whylen, "'%s' is not an origin (*, http://HOST[:PORT] or "
		    "https://HOST[:PORT])", o);
		return -1;
	}
	return 0;
}

int
config_origins_parse(const char *text, char list[][NET_WEB_ITEM_MAX], unsigned *n,
    char *why, size_t whylen)
{
	return config_words(text, list, n, config_origin_ok, why, whylen);
}

