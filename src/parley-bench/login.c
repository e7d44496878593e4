/*
 * parley-bench's login scenario: accounts registered with REGISTER, SASL PLAIN logins,
 * and the pinger that measures what the logins cost everyone else.  See login.h.
 */
#include <stdio.h>
#include <string.h>

#include "parley-bench/login.h"

#define LOGIN_PING_NS	5000000ull	/* the pinger's shortest interval */

/* client i's account: the nick that registered it, "b<tag><i % A>" (servers may ask
 * for an account named as the nick registering it); and its password. */
static void
login_account(const struct bench *b, unsigned i, char *name, size_t cap)
{
	const struct bconn	*c = &b->c[i % b->o->accounts];

	snprintf(name, cap, "b%s", c->nick + 1);
}

static void
login_password(const char *account, char *buf, size_t cap)
{
	snprintf(buf, cap, "bench-%s-password", account);
}

/* Standard base64 of len bytes (RFC 4648), NUL-terminated; dst holds
 * 4 * ceil(len / 3) + 1 bytes. */
static void
login_base64(char *dst, const unsigned char *src, size_t len)
{
	static const char	 abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t			 i;

	for (i = 0; i + 2 < len; i += 3) {
		*dst++ = abc[src[i] >> 2];
		*dst++ = abc[(src[i] & 3) << 4 | src[i + 1] >> 4];
		*dst++ = abc[(src[i + 1] & 15) << 2 | src[i + 2] >> 6];
		*dst++ = abc[src[i + 2] & 63];
	}
	if (i < len) {
		unsigned	v = (unsigned)src[i] << 16 |
				    (i + 1 < len ? (unsigned)src[i + 1] << 8 : 0);

		*dst++ = abc[v >> 18 & 63];
		*dst++ = abc[v >> 12 & 63];
		*dst++ = i + 1 < len ? abc[v >> 6 & 63] : '=';
		*dst++ = '=';
	}
	*dst = '\0';
}

/* Registered: REGISTER <account> * <password> (no email). */
static void
login_register(struct bench *b, unsigned id)
{
	char	account[32], password[64], line[160];
	int	n;

	login_account(b, id, account, sizeof(account));
	login_password(account, password, sizeof(password));
	n = snprintf(line, sizeof(line), "REGISTER %s * %s\r\n", account, password);
	conn_queue(&b->c[id], line, (size_t)n);
	b->c[id].state = CS_ACCOUNT;
}

/* AUTHENTICATE +: the PLAIN response, "\0account\0password" in base64. */
static void
login_authenticate(struct bench *b, unsigned id)
{
	char		account[32], password[64], line[200];
	unsigned char	raw[100];
	size_t		len;
	int		n;

	login_account(b, id, account, sizeof(account));
	login_password(account, password, sizeof(password));
	n = snprintf((char *)raw + 1, sizeof(raw) - 1, "%s%c%s", account, '\0', password);
	raw[0] = '\0';
	len = (size_t)n + 1;
	memcpy(line, "AUTHENTICATE ", 13);
	login_base64(line + 13, raw, len);
	len = strlen(line);
	memcpy(line + len, "\r\n", 2);
	conn_queue(&b->c[id], line, len + 2);
}

/* The answer to a REGISTER: an account there is as good as a new one. */
static void
login_registered(struct bench *b, unsigned id, bool ok)
{
	if (ok)
		b->r->accounts++;
	else
		b->r->register_failures++;
	conn_close(b, id, false);
}

/* A PONG to the pinger: "PONG server :<ns sent>". */
static void
login_pong(struct bench *b, unsigned id, const struct msg *m)
{
	struct bconn		*c = &b->c[id];
	unsigned long long	 sent;

	if (c->ping_sent == 0 || m->nparams == 0 ||
	    sscanf(m->params[m->nparams - 1], "%llu", &sent) != 1 || sent != c->ping_sent)
		return;
	if (b->phase == PH_MEASURE)
		hist_record(&b->r->latency, b->now > sent ? b->now - sent : 0);
	c->ping_sent = 0;
}

bool
login_on_msg(struct bench *b, unsigned id, const struct msg *m)
{
	struct bconn	*c = &b->c[id];
	const char	*v = m->verb;

	if (strcmp(v, "PONG") == 0) {
		login_pong(b, id, m);
	} else if (c->state == CS_ACCOUNT && strcmp(v, "REGISTER") == 0) {
		login_registered(b, id, m->nparams > 0 &&
		    strcmp(m->params[0], "SUCCESS") == 0);
	} else if (c->state == CS_ACCOUNT && strcmp(v, "FAIL") == 0 && m->nparams > 1 &&
	    strcmp(m->params[0], "REGISTER") == 0) {
		login_registered(b, id, strcmp(m->params[1], "ACCOUNT_EXISTS") == 0);
	} else if (strcmp(v, "001") == 0 && !c->sasl && id < b->o->clients &&
	    c->state == CS_REGISTERING) {
		login_register(b, id);
	} else if (c->sasl && strcmp(v, "AUTHENTICATE") == 0 && m->nparams > 0 &&
	    strcmp(m->params[0], "+") == 0) {
		login_authenticate(b, id);
	} else if (c->sasl && strcmp(v, "903") == 0) {
		b->r->logins++;
		conn_queue(c, "CAP END\r\n", 9);
	} else if (c->sasl && (strcmp(v, "902") == 0 || strcmp(v, "904") == 0 ||
	    strcmp(v, "905") == 0 || strcmp(v, "906") == 0 || strcmp(v, "907") == 0)) {
		b->r->login_failures++;
		conn_queue(c, "CAP END\r\n", 9);
	} else
		return false;
	return true;
}

void
login_start(struct bench *b)
{
	for (unsigned i = 0; i < b->o->clients; i++) {
		b->c[i].sasl = true;
		/* Not the nick the account's own connection had. */
		b->c[i].nick[0] = 'l';
	}
	b->next = 0;
}

void
login_ping(struct bench *b)
{
	struct bconn	*c = &b->c[b->o->clients];
	char		 line[40];
	int		 n;

	if (c->state != CS_READY || c->ping_sent != 0 ||
	    b->now - b->last_ping < LOGIN_PING_NS)
		return;
	c->ping_sent = b->last_ping = b->now;
	n = snprintf(line, sizeof(line), "PING :%llu\r\n", (unsigned long long)b->now);
	conn_queue(c, line, (size_t)n);
	conn_flush(b, b->o->clients);
}

bool
login_done(const struct bench *b)
{
	return b->r->logins + b->r->login_failures >= b->o->clients;
}
