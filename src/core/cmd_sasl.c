/*
 * IRCv3 SASL (sasl 3.1 and 3.2): the sasl capability and AUTHENTICATE, its messages in
 * base64 chunks of 400 bytes, and the mechanisms PLAIN (over account_identify),
 * EXTERNAL (the TLS client certificate's fingerprint, looked up in the store) and
 * SCRAM-SHA-256 (sasl_scram.c).  Before connection registration a client logs in once
 * (907 after); once registered it may authenticate again, as 3.2 allows.  Every
 * failure goes through the accounts' throttle.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "core/account.h"
#include "core/base64.h"
#include "core/casemap.h"
#include "core/client.h"
#include "core/command.h"
#include "core/job_owner.h"
#include "core/names.h"
#include "core/reply.h"
#include "core/sasl.h"
#include "core/sasl_scram.h"

#define SASL_CHUNK		400	/* the longest AUTHENTICATE argument */
#define SASL_CHUNKS_MAX		4	/* the most chunks one message may take */
#define SASL_PAYLOAD_MAX	(SASL_CHUNK * SASL_CHUNKS_MAX / 4 * 3)
#define SASL_MECHS		"PLAIN,EXTERNAL,SCRAM-SHA-256"

enum sasl_mech {
	SASL_PLAIN,
	SASL_EXTERNAL,
	SASL_SCRAM,
};

enum sasl_step {
	SASL_FIRST,		/* the client's first message */
	SASL_SCRAM_FINAL,	/* SCRAM: the client-final message */
	SASL_SCRAM_ACK,		/* SCRAM: the client's empty answer to server-final */
};

struct sasl_session {
	enum sasl_mech		mech;
	enum sasl_step		step;
	unsigned		chunks;
	size_t			len;
	char			buf[SASL_CHUNK * SASL_CHUNKS_MAX + 1];	/* base64 */
	struct sasl_scram	scram;
};

static const char *const sasl_mech_names[] = {
	[SASL_PLAIN] = "PLAIN",
	[SASL_EXTERNAL] = "EXTERNAL",
	[SASL_SCRAM] = "SCRAM-SHA-256",
};

const char *
cmd_sasl_cap_value(const struct core *core, const struct client *cl, char *buf,
    size_t cap)
{
	(void)core, (void)cl;
	snprintf(buf, cap, "%s", SASL_MECHS);
	return buf;
}

void
sasl_free(struct client *cl)
{
	if (cl->sasl == NULL)
		return;
	sodium_memzero(cl->sasl, sizeof(*cl->sasl));
	free(cl->sasl);
	cl->sasl = NULL;
}

void
sasl_abort(struct core *core, struct client *cl)
{
	if (cl->sasl == NULL)
		return;
	sasl_free(cl);
	send_reply(core, cl, ERR_SASLABORTED, NULL);
}

/* The exchange failed: 904, counted against the address (and the account when one is
 * named), and it ends. */
static void
sasl_fail(struct core *core, struct client *cl, const char *name, int64_t now)
{
	char	copy[ACCOUNT_NAME_MAX + 1];

	/* name may be the exchange's own. */
	if (name != NULL)
		snprintf(copy, sizeof(copy), "%s", name);
	sasl_free(cl);
	account_failed(core, cl, name != NULL ? copy : NULL, now);
	send_reply(core, cl, ERR_SASLFAIL, NULL);
}

/* cl is logged in to account by this exchange: 903. */
static void
sasl_success(struct core *core, struct client *cl, const char *account, int64_t now)
{
	sasl_free(cl);
	account_succeeded(cl);
	account_login(core, cl, account, now);
	send_reply(core, cl, RPL_SASLSUCCESS, NULL);
}

/* Send msg (len bytes) base64-encoded in AUTHENTICATE chunks, "+" after a full last
 * one.  Returns 0, or -1 when it is too long to encode. */
static int
sasl_send(struct core *core, struct client *cl, const char *msg, size_t len)
{
	char	text[BASE64_LEN(SCRAM_MSG_MAX) + 1];
	int	n;

	if ((n = base64_encode(text, sizeof(text), msg, len)) == -1)
		return -1;
	for (int off = 0; off < n; off += SASL_CHUNK)
		send_fmt(core, cl, "AUTHENTICATE %.*s", n - off < SASL_CHUNK ? n - off :
		    SASL_CHUNK, text + off);
	if (n % SASL_CHUNK == 0)
		send_fmt(core, cl, "AUTHENTICATE +");
	return 0;
}

/* PLAIN's end: the flow logged cl in, or did not. */
static void
plain_done(struct core *core, struct client *cl, enum account_result result,
    const char *account, int64_t now)
{
	(void)account, (void)now;
	send_reply(core, cl, result == ACCOUNT_OK ? RPL_SASLSUCCESS : ERR_SASLFAIL, NULL);
}

/* PLAIN (RFC 4616): authzid NUL authcid NUL password; authzid empty or the authcid.
 * The flow counts its own failures. */
static void
sasl_plain(struct core *core, struct client *cl, char *msg, size_t len, int64_t now)
{
	char	*authcid, *password;

	authcid = memchr(msg, '\0', len);
	password = authcid != NULL ? memchr(authcid + 1, '\0',
	    (size_t)(msg + len - authcid - 1)) : NULL;
	if (password == NULL || memchr(password + 1, '\0',
	    (size_t)(msg + len - password - 1)) != NULL || authcid[1] == '\0' ||
	    (msg[0] != '\0' && !names_eq(core, msg, authcid + 1))) {
		sasl_fail(core, cl, NULL, now);
		return;
	}
	sasl_free(cl);
	account_identify(core, cl, authcid + 1, password + 1, plain_done, now);
}

/* EXTERNAL: the store says whose certificate it is. */
static void
external_read(struct core *core, struct client *cl, const struct job *job,
    const char *authzid, int64_t now)
{
	const struct account_rec	*rec = &job->result.account;

	if (job->status != 0 && job->status != -ENOENT)
		core_log(core, PLOG_WARN, "SASL EXTERNAL: job %llu failed: %s",
		    (unsigned long long)job->id, strerror(-job->status));
	if (job->status != 0 || rec->verify_code[0] != '\0' ||
	    (authzid[0] != '\0' && !names_eq(core, authzid, rec->name))) {
		sasl_fail(core, cl, job->status == 0 ? rec->name : NULL, now);
		return;
	}
	sasl_success(core, cl, rec->name, now);
}

/* EXTERNAL (RFC 4422 A): an empty message, or the account to log in to. */
static void
sasl_external(struct core *core, struct client *cl, const char *msg, size_t len,
    int64_t now)
{
	struct job	*job;

	/* The authzid travels as the job's label. */
	if (cl->certfp[0] == '\0' || memchr(msg, '\0', len) != NULL ||
	    len > JOB_LABEL_MAX) {
		sasl_fail(core, cl, NULL, now);
		return;
	}
	if ((job = job_new(core, cl, JOB_ACCOUNT_BY_CERT, external_read, msg)) == NULL) {
		sasl_free(cl);
		send_reply(core, cl, ERR_SASLFAIL, NULL);
		return;
	}
	snprintf(job->in.name, sizeof(job->in.name), "%s", cl->certfp);
	job_submit(core, job, now);
}

/* SCRAM: the account's keys are read (or it has none): server-first goes out. */
static void
scram_read(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	const struct account_rec	*rec = &job->result.account;
	struct sasl_scram		*st;
	char				 out[SCRAM_MSG_MAX];
	int				 n;

	(void)label;
	if (cl->sasl == NULL)
		return;
	st = &cl->sasl->scram;
	if (job->status != 0 && job->status != -ENOENT) {
		core_log(core, PLOG_WARN, "SASL SCRAM: job %llu failed: %s",
		    (unsigned long long)job->id, strerror(-job->status));
		sasl_free(cl);
		send_reply(core, cl, ERR_SASLFAIL, NULL);
		return;
	}
	/* An unverified account looks like none at all until the proof. */
	if (job->status != 0 || rec->verify_code[0] != '\0')
		rec = NULL;
	else
		snprintf(st->name, sizeof(st->name), "%s", rec->name);
	if ((n = scram_server_first(core, st, rec, out)) == -1 ||
	    sasl_send(core, cl, out, (size_t)n) == -1) {
		sasl_fail(core, cl, st->name, now);
		return;
	}
	cl->sasl->step = SASL_SCRAM_FINAL;
}

/* SCRAM's client-first message: the account's keys are read, known or not. */
static void
scram_first(struct core *core, struct client *cl, const char *msg, size_t len,
    int64_t now)
{
	struct sasl_scram	*st = &cl->sasl->scram;
	struct job		*job;

	if (scram_client_first(st, msg, len) == -1) {
		sasl_fail(core, cl, NULL, now);
		return;
	}
	/* Refused unchecked, and not counted again. */
	if (account_throttled(core, cl, st->name, now) ||
	    (job = job_new(core, cl, JOB_ACCOUNT_GET, scram_read, "")) == NULL) {
		sasl_free(cl);
		send_reply(core, cl, ERR_SASLFAIL, NULL);
		return;
	}
	/* Unknown names go to the store as well: the same path, the same time. */
	snprintf(job->in.name, sizeof(job->in.name), "%s", st->name);
	job_submit(core, job, now);
}

/* SCRAM-SHA-256, each of the client's three messages. */
static void
sasl_scram(struct core *core, struct client *cl, const char *msg, size_t len,
    int64_t now)
{
	struct sasl_session	*s = cl->sasl;
	char			 out[SCRAM_MSG_MAX], name[ACCOUNT_NAME_MAX + 1];

	switch (s->step) {
	case SASL_FIRST:
		scram_first(core, cl, msg, len, now);
		return;
	case SASL_SCRAM_FINAL:
		if (scram_client_final(&s->scram, msg, len, out) == -1) {
			sasl_fail(core, cl, s->scram.name, now);
			return;
		}
		s->step = SASL_SCRAM_ACK;
		(void)sasl_send(core, cl, out, strlen(out));
		return;
	case SASL_SCRAM_ACK:
		/* The client's empty answer to server-final; then it is logged in. */
		if (len != 0) {
			sasl_fail(core, cl, NULL, now);
			return;
		}
		memcpy(name, s->scram.name, sizeof(name));
		sasl_success(core, cl, name, now);
		return;
	}
}

/* The message is whole: decode it and pass it to the mechanism. */
static void
sasl_message(struct core *core, struct client *cl, int64_t now)
{
	struct sasl_session	*s = cl->sasl;
	char			 msg[SASL_PAYLOAD_MAX + 1];
	int			 n = 0;

	if (s->len > 0 && (n = base64_decode(msg, sizeof(msg) - 1, s->buf, s->len)) == -1) {
		sasl_fail(core, cl, NULL, now);
		return;
	}
	msg[n] = '\0';
	s->len = 0;
	s->chunks = 0;
	switch (s->mech) {
	case SASL_PLAIN:
		sasl_plain(core, cl, msg, (size_t)n, now);
		break;
	case SASL_EXTERNAL:
		sasl_external(core, cl, msg, (size_t)n, now);
		break;
	case SASL_SCRAM:
		sasl_scram(core, cl, msg, (size_t)n, now);
		break;
	}
	sodium_memzero(msg, sizeof(msg));
}

/* AUTHENTICATE <mechanism>: a new exchange, or why not. */
static void
sasl_begin(struct core *core, struct client *cl, const char *mech, int64_t now)
{
	unsigned	i;

	if (cl->account[0] != '\0' && cl->state != CLIENT_REGISTERED) {
		send_reply(core, cl, ERR_SASLALREADY, NULL);
		return;
	}
	for (i = 0; i < sizeof(sasl_mech_names) / sizeof(sasl_mech_names[0]); i++)
		if (strcasecmp(mech, sasl_mech_names[i]) == 0)
			break;
	if (i == sizeof(sasl_mech_names) / sizeof(sasl_mech_names[0])) {
		send_reply(core, cl, RPL_SASLMECHS, "%s", SASL_MECHS);
		send_reply(core, cl, ERR_SASLFAIL, NULL);
		return;
	}
	/* An address past its failures gets no further: no store, no hashing. */
	if (account_throttled(core, cl, NULL, now) ||
	    (cl->sasl = calloc(1, sizeof(*cl->sasl))) == NULL) {
		send_reply(core, cl, ERR_SASLFAIL, NULL);
		return;
	}
	cl->sasl->mech = (enum sasl_mech)i;
	send_fmt(core, cl, "AUTHENTICATE +");
}

void
cmd_authenticate(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const char		*arg = m->params[0];
	size_t			 len = strlen(arg);
	struct sasl_session	*s = cl->sasl;

	if (!(cl->caps & CAP_BIT(CAP_SASL))) {
		send_reply(core, cl, ERR_SASLFAIL, NULL);
		return;
	}
	if (s == NULL) {
		sasl_begin(core, cl, arg, now);
		return;
	}
	if (strcmp(arg, "*") == 0) {
		sasl_abort(core, cl);
		return;
	}
	if (strcmp(arg, "+") != 0) {
		if (len > SASL_CHUNK || s->chunks == SASL_CHUNKS_MAX) {
			sasl_free(cl);
			account_failed(core, cl, NULL, now);
			send_reply(core, cl, ERR_SASLTOOLONG, NULL);
			return;
		}
		memcpy(s->buf + s->len, arg, len);
		s->len += len;
		s->chunks++;
		if (len == SASL_CHUNK)
			return;
	}
	sasl_message(core, cl, now);
}
