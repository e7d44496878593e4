/*
 * IRC operators and their commands: OPER, KILL, WALLOPS, REHASH, DIE, RESTART.
 * Passwords are checked against crypt(3) hashes by a job (job.h): ~20 ms of yescrypt
 * off the core's thread, so that nobody else waits while it runs.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/casemap.h"
#include "core/client.h"
#include "core/command.h"
#include "core/core.h"
#include "core/flood.h"
#include "core/job_owner.h"
#include "core/mask.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/session.h"
#include "core/snotice.h"

#define OPER_FAIL_COST		4	/* flood cost of a failed OPER, in lines ... */
#define OPER_FAIL_DOUBLINGS	5	/* ... doubled for each failure in a row, this often */

static const struct core_oper *
oper_find(const struct core *core, const char *name)
{
	for (size_t i = 0; i < core->cfg.nopers; i++)
		if (strcmp(core->cfg.opers[i].name, name) == 0)
			return &core->cfg.opers[i];
	return NULL;
}

/* What o asks for besides the password: the host mask, the client certificate and
 * the account cl is logged in to. */
static bool
oper_host_ok(const struct core_oper *o, const struct client *cl, const char *userhost)
{
	if (o->host[0] != '\0' && !mask_match(o->host, userhost))
		return false;
	if (o->certfp[0] != '\0' && strcmp(o->certfp, cl->certfp) != 0)
		return false;
	if (o->account[0] != '\0' && (cl->account[0] == '\0' ||
	    !casemap_eq(o->account, cl->account)))
		return false;
	/* A block with none of them is refused when loaded; never let one through. */
	return o->certfp[0] != '\0' || o->hash[0] != '\0' || o->account[0] != '\0';
}

/* The end of an OPER as block `name`: cl becomes an operator, or hears why not and pays
 * for it, more for each failure in a row. */
static void
oper_finish(struct core *core, struct client *cl, const char *name, bool ok, int64_t now)
{
	char		userhost[CLIENT_USER_MAX + CLIENT_HOST_MAX + 2];
	unsigned	doublings = cl->oper_failures < OPER_FAIL_DOUBLINGS ?
			    cl->oper_failures : OPER_FAIL_DOUBLINGS;

	snprintf(userhost, sizeof(userhost), "%s@%s", cl->user, cl->host);
	if (!ok) {
		core_log(core, PLOG_WARN, "failed OPER %s by %s (%s)", name, cl->nick,
		    userhost);
		send_reply(core, cl, ERR_PASSWDMISMATCH, NULL);
		flood_charge(core, cl, OPER_FAIL_COST << doublings, now);
		cl->oper_failures++;
		return;
	}
	cl->oper_failures = 0;
	if (cl->flags & CLIENT_MODE_OPER) {
		send_reply(core, cl, RPL_YOUREOPER, NULL);
		return;
	}
	snotice_send(core, cl, "%s (%s) is now an operator", cl->nick, userhost);
	core_log(core, PLOG_INFO, "%s (%s) is now an operator (%s)", cl->nick, userhost,
	    name);
	send_reply(core, cl, RPL_YOUREOPER, NULL);
	send_fmt(core, cl, ":%s MODE %s :+%s", cl->nick, cl->nick,
	    cl->flags & CLIENT_MODE_SNOTICE ? "o" : "os");
	cl->flags |= CLIENT_MODE_OPER | CLIENT_MODE_SNOTICE;
	if (core->cluster != NULL)
		peer_send_umode(core, cl);
}

/* The password check's result.  A REHASH meanwhile may have dropped the block or
 * changed its password: then the check no longer counts. */
static void
oper_checked(struct core *core, struct client *cl, const struct job *job,
    const char *name, int64_t now)
{
	const struct core_oper	*o = oper_find(core, name);
	bool			 ok;

	if (job->status != 0)
		core_log(core, PLOG_WARN, "OPER %s: password check failed: %s", name,
		    strerror(-job->status));
	ok = job->status == 0 && job->result.crypt_ok && o != NULL &&
	    strcmp(o->hash, job->in.crypt_check.hash) == 0;
	oper_finish(core, cl, name, ok, now);
}

/* 481 unless cl is an operator. */
static bool
oper_required(struct core *core, struct client *cl)
{
	if (cl->flags & CLIENT_MODE_OPER)
		return true;
	send_reply(core, cl, ERR_NOPRIVILEGES, NULL);
	return false;
}

void
cmd_oper(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const struct core_oper	*o;
	struct job		*job;
	char			 userhost[CLIENT_USER_MAX + CLIENT_HOST_MAX + 2];
	bool			 ok;

	if ((o = oper_find(core, m->params[0])) == NULL) {
		send_reply(core, cl, ERR_NOOPERHOST, NULL);
		return;
	}
	snprintf(userhost, sizeof(userhost), "%s@%s", cl->user, cl->host);
	/* Only a password takes a job: a mismatch here, or a certificate or an account
	 * without one, decides. */
	ok = oper_host_ok(o, cl, userhost);
	if (!ok || o->hash[0] == '\0') {
		oper_finish(core, cl, o->name, ok, now);
		return;
	}
	if ((job = job_new(core, cl, JOB_CRYPT_CHECK, oper_checked, o->name)) == NULL) {
		client_exit(core, cl, "Out of memory", true);
		return;
	}
	snprintf(job->in.crypt_check.password, sizeof(job->in.crypt_check.password), "%s",
	    m->params[1]);
	snprintf(job->in.crypt_check.hash, sizeof(job->in.crypt_check.hash), "%s", o->hash);
	job_submit(core, job, now);
}

void
cmd_kill(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	struct client	*victim;
	char		 prefix[CLIENT_PREFIX_MAX], line[MSG_BODY_MAX + 1];
	char		 reason[MSG_BODY_MAX];
	const char	*comment = m->params[1][0] != '\0' ? m->params[1] : "No reason";
	size_t		 len;

	(void)now;
	if (!oper_required(core, cl))
		return;
	/* multiclient: a connection's number (WHOIS 320) kills that one alone. */
	if (session_kill_conn(core, cl, m->params[0], comment))
		return;
	if ((victim = client_find(core, m->params[0])) == NULL) {
		send_reply(core, cl, ERR_NOSUCHNICK, "%s", m->params[0]);
		return;
	}
	/* Always a trailing parameter, as clients print it as a sentence. */
	len = format_line(line, ":%s KILL %s :%s", client_prefix(cl, prefix, sizeof(prefix)),
	    victim->nick, comment);
	send_line(core, victim, line, len);
	snotice_send(core, NULL, "Received KILL message for %s from %s (%s)", victim->nick,
	    cl->nick, comment);
	core_log(core, PLOG_INFO, "KILL %s by %s (%s)", victim->nick, cl->nick, comment);
	snprintf(reason, sizeof(reason), "Killed (%s (%s))", cl->nick, comment);
	/* cluster: a remote victim's node drops it; its QUIT reaches the others. */
	if (!victim->local)
		peer_send_kill(core, cl, victim, comment);
	/* cl may be the victim: it is gone after this, with every connection. */
	session_kill_user(core, victim, reason);
}

void
cmd_wallops(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	char		 prefix[CLIENT_PREFIX_MAX], line[MSG_BODY_MAX + 1];
	struct list	*n;
	size_t		 len;

	(void)now;
	if (!oper_required(core, cl))
		return;
	len = format_line(line, ":%s WALLOPS :%s", client_prefix(cl, prefix, sizeof(prefix)),
	    m->params[0]);
	for (n = core->clients.next; n != &core->clients; n = n->next) {
		struct client	*to = list_entry(n, struct client, all);

		if (to->state == CLIENT_REGISTERED && (to->flags & CLIENT_MODE_WALLOPS))
			send_line(core, to, line, len);
	}
	if (core->cluster != NULL)
		peer_send_wallops(core, cl, m->params[0]);
}

void
cmd_rehash(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	char	reason[MSG_BODY_MAX];

	(void)m, (void)now;
	if (!oper_required(core, cl))
		return;
	send_reply(core, cl, RPL_REHASHING, "%s", core->cfg.config_file);
	snotice_send(core, NULL, "%s is rehashing the server configuration", cl->nick);
	snprintf(reason, sizeof(reason), "REHASH by %s", cl->nick);
	core->out.request(core->out.ctx, CORE_REQUEST_REHASH, reason);
}

/* DIE and RESTART: operators only, and only where the configuration allows it. */
static void
oper_stop(struct core *core, struct client *cl, enum core_request req, bool allowed,
    const char *verb, const char *priv)
{
	char	reason[MSG_BODY_MAX];

	if (!oper_required(core, cl))
		return;
	if (!allowed) {
		send_reply(core, cl, ERR_NOPRIVS, "%s", priv);
		return;
	}
	snprintf(reason, sizeof(reason), "%s by %s", verb, cl->nick);
	core_log(core, PLOG_INFO, "%s", reason);
	core->out.request(core->out.ctx, req, reason);
}

void
cmd_die(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	(void)m, (void)now;
	oper_stop(core, cl, CORE_REQUEST_DIE, core->cfg.allow_die, "DIE", "die");
}

void
cmd_restart(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	(void)m, (void)now;
	oper_stop(core, cl, CORE_REQUEST_RESTART, core->cfg.allow_restart, "RESTART",
	    "restart");
}
