/*
 * NickServ: accounts for classic clients (REGISTER, IDENTIFY, LOGOUT, GHOST, REGAIN,
 * DROP, INFO, SET PASSWORD, CERT, HELP).  Each runs account.h's flows or the store's
 * jobs, and answers once they are done: an acknowledgement means the store has it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/account.h"
#include "core/calendar.h"
#include "core/casemap.h"
#include "core/chanreg.h"
#include "core/client.h"
#include "core/core.h"
#include "core/job_owner.h"
#include "core/nickown.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/services.h"
#include "core/session.h"

#define NS	(&nickserv)

/* Why a flow failed, as a user reads it. */
static void
ns_failed(struct core *core, struct client *cl, enum account_result result,
    const char *account)
{
	switch (result) {
	case ACCOUNT_EXISTS:
		services_notice(core, cl, NS, "%s is already registered", account);
		break;
	case ACCOUNT_NO_SUCH:
		services_notice(core, cl, NS, "No account named %s", account);
		break;
	case ACCOUNT_BAD_PASSWORD:
		services_notice(core, cl, NS, "Invalid password for %s", account);
		break;
	case ACCOUNT_BAD_NAME:
		services_notice(core, cl, NS, "%s is not a valid account name", account);
		break;
	case ACCOUNT_WEAK_PASSWORD:
		services_notice(core, cl, NS, "That password is too weak: choose another");
		break;
	case ACCOUNT_NEED_VERIFY:
		services_notice(core, cl, NS, "Account %s created: complete it with "
		    "VERIFY %s <code>, the code sent to your email", account, account);
		break;
	case ACCOUNT_THROTTLED:
		services_notice(core, cl, NS, "Too many failed attempts: try again later");
		break;
	default:
		services_notice(core, cl, NS, "The account store failed: nothing was "
		    "changed, try again later");
		break;
	}
}

static void
ns_store_failed(struct core *core, struct client *cl, const struct job *job)
{
	core_log(core, PLOG_WARN, "store: NickServ job %llu failed: %s",
	    (unsigned long long)job->id, strerror(-job->status));
	services_notice(core, cl, NS, "The account store failed: nothing was changed, try "
	    "again later");
}

static bool
ns_logged_in(struct core *core, struct client *cl)
{
	if (cl->account[0] != '\0')
		return true;
	services_notice(core, cl, NS, "You are not logged in. Type /msg NickServ HELP "
	    "IDENTIFY");
	return false;
}

/* ---- REGISTER, IDENTIFY, LOGOUT, SET PASSWORD ---- */

static void
ns_registered(struct core *core, struct client *cl, enum account_result result,
    const char *account, int64_t now)
{
	(void)now;
	if (result != ACCOUNT_OK) {
		ns_failed(core, cl, result, account);
		return;
	}
	services_notice(core, cl, NS, "Account %s registered: you are now logged in",
	    account);
}

static void
ns_register(struct core *core, struct client *cl, const struct service_args *a,
    int64_t now)
{
	if (cl->account[0] != '\0') {
		services_notice(core, cl, NS, "You are already logged in to %s",
		    cl->account);
		return;
	}
	account_register(core, cl, cl->nick, a->argc > 2 ? a->argv[2] : "", a->argv[1],
	    ns_registered, now);
}

static void
ns_identified(struct core *core, struct client *cl, enum account_result result,
    const char *account, int64_t now)
{
	(void)now;
	if (result != ACCOUNT_OK) {
		ns_failed(core, cl, result, account);
		return;
	}
	services_notice(core, cl, NS, "You are now identified as %s", account);
}

static void
ns_identify(struct core *core, struct client *cl, const struct service_args *a,
    int64_t now)
{
	if (a->argc > 2)
		account_identify(core, cl, a->argv[1], a->argv[2], ns_identified, now);
	else
		account_identify(core, cl, cl->nick, a->argv[1], ns_identified, now);
}

static void
ns_logout(struct core *core, struct client *cl, const struct service_args *a,
    int64_t now)
{
	(void)a;
	if (!ns_logged_in(core, cl))
		return;
	account_logout(core, cl, now);
	services_notice(core, cl, NS, "You are now logged out");
	/* Its own account's nick is someone else's now. */
	nickown_check(core, cl, now);
}

static void
ns_password_set(struct core *core, struct client *cl, enum account_result result,
    const char *account, int64_t now)
{
	(void)now;
	if (result != ACCOUNT_OK) {
		ns_failed(core, cl, result, account);
		return;
	}
	services_notice(core, cl, NS, "The password of %s is changed", account);
}

static void
ns_set(struct core *core, struct client *cl, const struct service_args *a, int64_t now)
{
	/* multiclient and always-on: session_opts.c */
	if (strcasecmp(a->argv[1], "PASSWORD") != 0 && (!ns_logged_in(core, cl) ||
	    session_opts_set(core, cl, a->argv[1], a->argc > 2 ? a->argv[2] : NULL, now)))
		return;
	if (strcasecmp(a->argv[1], "PASSWORD") != 0) {
		services_notice(core, cl, NS, "Unknown setting %s. Syntax: SET PASSWORD "
		    "<new password>, SET MULTICLIENT|ALWAYS-ON ON|OFF|DEFAULT", a->argv[1]);
		return;
	}
	if (a->argc < 3) {
		services_notice(core, cl, NS, "Syntax: SET PASSWORD <new password>");
		return;
	}
	if (ns_logged_in(core, cl))
		account_set_password(core, cl, a->argv[2], ns_password_set, now);
}

/* ---- GHOST and REGAIN ---- */

/* The client using nick that cl may disconnect: one on cl's account's nick, or one
 * logged in to cl's account.  NULL after a notice when there is none. */
static struct client *
ns_ghost_target(struct core *core, struct client *cl, const char *nick)
{
	struct client	*who = client_find(core, nick);

	if (who == NULL || who->state != CLIENT_REGISTERED) {
		services_notice(core, cl, NS, "%s is not online", nick);
		return NULL;
	}
	if (who == cl) {
		services_notice(core, cl, NS, "%s is you", who->nick);
		return NULL;
	}
	if (!casemap_eq(who->nick, cl->account) && !casemap_eq(who->account, cl->account)) {
		services_notice(core, cl, NS, "%s is not a nick of your account", who->nick);
		return NULL;
	}
	return who;
}

static void
ns_ghost_exit(struct core *core, struct client *cl, struct client *who)
{
	char	reason[MSG_BODY_MAX];

	snprintf(reason, sizeof(reason), "Killed (NickServ: GHOST used by %s)", cl->nick);
	client_exit(core, who, reason, true);
}

static void
ns_ghost(struct core *core, struct client *cl, const struct service_args *a,
    int64_t now)
{
	struct client	*who;
	char		 nick[CLIENT_NICK_MAX + 1];

	(void)now;
	if (!ns_logged_in(core, cl) || (who = ns_ghost_target(core, cl, a->argv[1])) == NULL)
		return;
	snprintf(nick, sizeof(nick), "%s", who->nick);
	ns_ghost_exit(core, cl, who);
	services_notice(core, cl, NS, "%s has been disconnected", nick);
}

static void
ns_regain(struct core *core, struct client *cl, const struct service_args *a,
    int64_t now)
{
	const char	*nick = a->argv[1];
	struct client	*who = client_find(core, nick);

	if (!ns_logged_in(core, cl))
		return;
	if (who == cl) {
		services_notice(core, cl, NS, "You already have %s", cl->nick);
		return;
	}
	if (who == NULL && !casemap_eq(nick, cl->account)) {
		services_notice(core, cl, NS, "%s is not a nick of your account", nick);
		return;
	}
	if (!casemap_nick_valid(nick, core->cfg.nicklen)) {
		services_notice(core, cl, NS, "%s is not a valid nick here", nick);
		return;
	}
	if (who != NULL) {
		if (ns_ghost_target(core, cl, nick) == NULL)
			return;
		ns_ghost_exit(core, cl, who);
	}
	if (client_rename(core, cl, nick) == -1) {
		client_exit(core, cl, "Out of memory", true);
		return;
	}
	nickown_check(core, cl, now);
	services_notice(core, cl, NS, "You have regained %s", cl->nick);
}

/* ---- DROP ---- */

void
account_dropped(struct core *core, const char *name, int64_t now)
{
	struct list	*n, *next;

	account_forget(core, name);
	chanreg_drop_founder(core, name);
	for (n = core->clients.next; n != &core->clients; n = next) {
		struct client	*c = list_entry(n, struct client, all);

		next = n->next;
		/* cluster: another node's users are that node's to log out */
		if (c->local && c->account[0] != '\0' && casemap_eq(c->account, name) &&
		    !(c->flags & (CLIENT_SESSION | CLIENT_HOLLOW)))
			account_logout(core, c, now);
	}
}

static void
ns_dropped(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	(void)label;
	if (job->status != 0) {
		ns_store_failed(core, cl, job);
		return;
	}
	if (core->cluster != NULL)
		peer_send_node(core, NULL, "DROPACCT %s", job->in.name);
	account_dropped(core, job->in.name, now);
	services_notice(core, cl, NS, "Account %s is dropped, with its certificates and "
	    "channels", job->in.name);
	/* multiclient: its other connections end, and a user with none of its own (cl
	 * may go with them: last). */
	session_account_gone(core, job->in.name);
}

static void
ns_drop_checked(struct core *core, struct client *cl, enum account_result result,
    const char *account, int64_t now)
{
	struct job	*job;

	if (result != ACCOUNT_OK) {
		ns_failed(core, cl, result, account);
		return;
	}
	if ((job = job_new(core, cl, JOB_ACCOUNT_DROP, ns_dropped, "")) == NULL) {
		services_notice(core, cl, NS, "Out of memory, try again");
		return;
	}
	snprintf(job->in.name, sizeof(job->in.name), "%s", account);
	job_submit(core, job, now);
}

static void
ns_drop(struct core *core, struct client *cl, const struct service_args *a,
    int64_t now)
{
	if (!ns_logged_in(core, cl))
		return;
	if (!casemap_eq(cl->account, a->argv[1])) {
		services_notice(core, cl, NS, "You can only drop the account you are logged "
		    "in to (%s)", cl->account);
		return;
	}
	account_identify(core, cl, a->argv[1], a->argv[2], ns_drop_checked, now);
}

/* ---- INFO and CERT ---- */

static void
ns_info_done(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	const struct account_rec	*r = &job->result.account;
	char				 when[64];

	(void)label, (void)now;
	if (job->status == -ENOENT) {
		services_notice(core, cl, NS, "No account named %s", job->in.name);
		return;
	}
	if (job->status != 0) {
		ns_store_failed(core, cl, job);
		return;
	}
	calendar_time_string(when, sizeof(when), r->registered);
	services_notice(core, cl, NS, "Account %s, registered %s", r->name, when);
	/* What links a person to an address: its owner and the operators only. */
	if (!casemap_eq(cl->account, r->name) && !(cl->flags & CLIENT_MODE_OPER))
		return;
	services_notice(core, cl, NS, "Email: %s%s", r->email[0] != '\0' ? r->email :
	    "none", r->verify_code[0] != '\0' ? " (not verified)" : "");
	services_notice(core, cl, NS, "Certificates: %u", r->ncerts);
	for (unsigned i = 0; i < r->ncerts && i < ACCOUNT_CERTS_MAX; i++)
		services_notice(core, cl, NS, "  %s", r->certs[i]);
}

static void
ns_get(struct core *core, struct client *cl, const char *name, job_done_fn *done,
    int64_t now)
{
	struct job	*job;

	if ((job = job_new(core, cl, JOB_ACCOUNT_GET, done, "")) == NULL) {
		services_notice(core, cl, NS, "Out of memory, try again");
		return;
	}
	snprintf(job->in.name, sizeof(job->in.name), "%s", name);
	job_submit(core, job, now);
}

static void
ns_info(struct core *core, struct client *cl, const struct service_args *a,
    int64_t now)
{
	const char	*name = a->argc > 1 ? a->argv[1] : cl->account[0] != '\0' ?
			    cl->account : cl->nick;

	if (!account_exists(core, name)) {
		services_notice(core, cl, NS, "No account named %s", name);
		return;
	}
	ns_get(core, cl, name, ns_info_done, now);
}

static void
ns_cert_done(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	const char	*fp = job->in.cert.certfp;
	bool		 add = job->kind == JOB_CERT_ADD;

	(void)label, (void)now;
	if (job->status == 0)
		services_notice(core, cl, NS, "Certificate %s %s %s", fp,
		    add ? "added to" : "removed from", job->in.cert.account);
	else if (add && job->status == -EEXIST)
		services_notice(core, cl, NS, "Certificate %s is already registered", fp);
	else if (add && job->status == -ENOSPC)
		services_notice(core, cl, NS, "Certificate %s not added: an account holds "
		    "at most %d (or the disk is full)", fp, ACCOUNT_CERTS_MAX);
	else if (!add && job->status == -ENOENT)
		services_notice(core, cl, NS, "Certificate %s is not on your account", fp);
	else
		ns_store_failed(core, cl, job);
}

static void
ns_cert_list(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	const struct account_rec	*r = &job->result.account;

	(void)label, (void)now;
	if (job->status != 0) {
		ns_store_failed(core, cl, job);
		return;
	}
	services_notice(core, cl, NS, "Certificates of %s: %u", r->name, r->ncerts);
	for (unsigned i = 0; i < r->ncerts && i < ACCOUNT_CERTS_MAX; i++)
		services_notice(core, cl, NS, "  %s", r->certs[i]);
}

/* A fingerprint in lowercase hex, colons dropped, into fp.  False when it is not one. */
static bool
ns_certfp(const char *s, char *fp, size_t cap)
{
	size_t	n = 0;

	for (; *s != '\0'; s++) {
		if (*s == ':')
			continue;
		if (!isxdigit((unsigned char)*s) || n + 1 >= cap)
			return false;
		fp[n++] = (char)tolower((unsigned char)*s);
	}
	fp[n] = '\0';
	return n == CONFIG_CERTFP_MAX;
}

static void
ns_cert(struct core *core, struct client *cl, const struct service_args *a,
    int64_t now)
{
	struct job	*job;
	const char	*fp;
	char		 certfp[CONFIG_CERTFP_MAX + 1];
	bool		 add = strcasecmp(a->argv[1], "ADD") == 0;

	if (!ns_logged_in(core, cl))
		return;
	if (strcasecmp(a->argv[1], "LIST") == 0) {
		ns_get(core, cl, cl->account, ns_cert_list, now);
		return;
	}
	if (!add && strcasecmp(a->argv[1], "DEL") != 0) {
		services_notice(core, cl, NS, "Syntax: CERT ADD [fingerprint] | "
		    "DEL <fingerprint> | LIST");
		return;
	}
	fp = a->argc > 2 ? a->argv[2] : add ? cl->certfp : "";
	if (fp[0] == '\0') {
		services_notice(core, cl, NS, add ? "You have no client certificate: give "
		    "its fingerprint" : "Syntax: CERT DEL <fingerprint>");
		return;
	}
	if (!ns_certfp(fp, certfp, sizeof(certfp))) {
		services_notice(core, cl, NS, "%s is not a SHA-256 fingerprint (64 hex "
		    "digits)", fp);
		return;
	}
	if ((job = job_new(core, cl, add ? JOB_CERT_ADD : JOB_CERT_DEL, ns_cert_done,
	    "")) == NULL) {
		services_notice(core, cl, NS, "Out of memory, try again");
		return;
	}
	snprintf(job->in.cert.certfp, sizeof(job->in.cert.certfp), "%s", certfp);
	snprintf(job->in.cert.account, sizeof(job->in.cert.account), "%s", cl->account);
	job_submit(core, job, now);
}

static const struct service_cmd ns_cmds[] = {
	{ "REGISTER", ns_register, 1, "<password> [email]",
	    "Register your current nick as an account, and log in to it" },
	{ "IDENTIFY", ns_identify, 1, "[account] <password>",
	    "Log in to an account (your nick's when none is named)" },
	{ "LOGOUT", ns_logout, 0, "", "Log out of your account" },
	{ "GHOST", ns_ghost, 1, "<nick>",
	    "Disconnect a session using your account's nick or logged in to it" },
	{ "REGAIN", ns_regain, 1, "<nick>",
	    "Disconnect whoever uses your account's nick, and take it" },
	{ "INFO", ns_info, 0, "[account]",
	    "When an account was registered; its email and certificates for its owner" },
	{ "SET", ns_set, 1, "PASSWORD <new password> | MULTICLIENT|ALWAYS-ON ON|OFF|DEFAULT",
	    "Change your account's password, or whether its connections share one user "
	    "and whether it stays when they go" },
	{ "CERT", ns_cert, 1, "ADD [fingerprint] | DEL <fingerprint> | LIST",
	    "Client certificates that log you in (SASL EXTERNAL); ADD alone adds yours" },
	{ "DROP", ns_drop, 2, "<account> <password>",
	    "Delete your account, its certificates and its channels, for good" },
	{ "HELP", NULL, 0, "[command]", "This list, or how to use one command" },
};

const struct service nickserv = {
	"NickServ", ns_cmds, sizeof(ns_cmds) / sizeof(ns_cmds[0]), SERVICES_NICKSERV_COST
};
