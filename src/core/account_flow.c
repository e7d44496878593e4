/*
 * The account flows every front end shares (account.h): register, identify, set
 * password and verify, each a chain of jobs (a hash or check on the worker pool, a read
 * or write in the store) while the client's lines wait; and the throttle of failed
 * logins, per account and per address, that every way of logging in passes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/account.h"
#include "core/casemap.h"
#include "core/client.h"
#include "core/core.h"
#include "core/flood.h"
#include "core/job_owner.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/secret.h"

#define ACCOUNT_FAIL_COST	4	/* flood cost of a failed login, in lines ... */
#define ACCOUNT_FAIL_DOUBLINGS	5	/* ... doubled for each failure in a row, this often */
#define ACCOUNT_CODE_LEN	16	/* a VERIFY code's letters */

/* A flow in progress: what its later steps need that the jobs do not carry. */
struct account_flow {
	account_done_fn	*done;
	char		 name[ACCOUNT_NAME_MAX + 1];	/* as registered, once read */
	char		 secret[MSG_BODY_MAX + 1];	/* the password or code, until used */
	bool		 unverified;			/* identify: awaits its VERIFY */
};

void
account_flow_free(struct client *cl)
{
	if (cl->flow == NULL)
		return;
	sodium_memzero(cl->flow, sizeof(*cl->flow));
	free(cl->flow);
	cl->flow = NULL;
}

/* Start cl's flow for name.  NULL out of memory: done has heard it. */
static struct account_flow *
flow_start(struct core *core, struct client *cl, const char *name, const char *secret,
    account_done_fn *done, int64_t now)
{
	account_flow_free(cl);
	if ((cl->flow = calloc(1, sizeof(*cl->flow))) == NULL) {
		core_log(core, PLOG_WARN, "account %s: out of memory", name);
		done(core, cl, ACCOUNT_STORE_FAILED, name, now);
		return NULL;
	}
	cl->flow->done = done;
	snprintf(cl->flow->name, sizeof(cl->flow->name), "%s", name);
	snprintf(cl->flow->secret, sizeof(cl->flow->secret), "%s", secret);
	return cl->flow;
}

/* End cl's flow with result: the front end's done hears it. */
static void
flow_finish(struct core *core, struct client *cl, enum account_result result,
    int64_t now)
{
	account_done_fn	*done = cl->flow->done;
	char		 name[ACCOUNT_NAME_MAX + 1];

	memcpy(name, cl->flow->name, sizeof(name));
	account_flow_free(cl);
	done(core, cl, result, name, now);
}

/* The next job of cl's flow; out of memory ends the flow as the store's failure. */
static struct job *
flow_job(struct core *core, struct client *cl, enum job_kind kind, job_done_fn *fn,
    int64_t now)
{
	struct job	*job;

	if ((job = job_new(core, cl, kind, fn, "")) == NULL) {
		core_log(core, PLOG_WARN, "account %s: out of memory", cl->flow->name);
		flow_finish(core, cl, ACCOUNT_STORE_FAILED, now);
	}
	return job;
}

/* A store job's failure, logged once: the client hears ACCOUNT_STORE_FAILED. */
static void
flow_store_failed(struct core *core, struct client *cl, const struct job *job,
    int64_t now)
{
	core_log(core, PLOG_WARN, "account %s: job %llu failed: %s", cl->flow->name,
	    (unsigned long long)job->id, strerror(-job->status));
	flow_finish(core, cl, ACCOUNT_STORE_FAILED, now);
}

bool
account_throttled(struct core *core, const struct client *cl, const char *name,
    int64_t now)
{
	const struct core_config	*cfg = &core->cfg;

	return throttle_blocked(&core->fail_hosts, cl->host, cfg->accounts_fail_limit,
	    cfg->accounts_fail_window, now) || (name != NULL &&
	    throttle_blocked(&core->fail_accounts, name, cfg->accounts_fail_limit,
	    cfg->accounts_fail_window, now));
}

void
account_failed(struct core *core, struct client *cl, const char *name, int64_t now)
{
	const struct core_config	*cfg = &core->cfg;
	unsigned			 doublings = cl->login_failures <
					    ACCOUNT_FAIL_DOUBLINGS ? cl->login_failures :
					    ACCOUNT_FAIL_DOUBLINGS;

	core_log(core, PLOG_WARN, "failed login to %s by %s (%s)", name != NULL ? name :
	    "no account", client_name(cl), cl->host);
	if (throttle_fail(&core->fail_hosts, cl->host, cfg->accounts_fail_limit,
	    cfg->accounts_fail_window, now) == -1 || (name != NULL &&
	    throttle_fail(&core->fail_accounts, name, cfg->accounts_fail_limit,
	    cfg->accounts_fail_window, now) == -1))
		core_log(core, PLOG_WARN, "out of memory counting failed logins");
	flood_charge(core, cl, ACCOUNT_FAIL_COST << doublings, now);
	cl->login_failures++;
}

void
account_succeeded(struct client *cl)
{
	cl->login_failures = 0;
}

/* A failed login ends cl's flow: counted, charged, and done hears result. */
static void
flow_failed(struct core *core, struct client *cl, enum account_result result,
    int64_t now)
{
	account_failed(core, cl, cl->flow->name, now);
	flow_finish(core, cl, result, now);
}

/* The rules for a new password: long enough, and short enough for a job. */
static bool
password_acceptable(const struct core *core, const char *password)
{
	size_t	len = strlen(password);

	return len >= core->cfg.accounts_password_min && len <= MSG_BODY_MAX;
}

/* An address that could receive mail: local@domain, printable, short enough. */
static bool
email_acceptable(const char *email)
{
	const char	*at = strchr(email, '@');

	if (strlen(email) > ACCOUNT_EMAIL_MAX || at == NULL || at == email ||
	    at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return false;
	for (const char *p = email; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

/* A hash job of password at the configured costs. */
static void
flow_hash_input(const struct core *core, struct job *job, const char *password)
{
	snprintf(job->in.password.password, sizeof(job->in.password.password), "%s",
	    password);
	job->in.password.argon2_ops = core->cfg.accounts_argon2_ops;
	job->in.password.argon2_mem = core->cfg.accounts_argon2_mem;
	job->in.password.scram_iter = core->cfg.accounts_scram_iterations;
}

/* Register: the store created the account, or says why not. */
static void
register_created(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	const struct account_rec	*rec = &job->in.account;

	(void)label;
	if (job->status == -EEXIST) {
		(void)account_known(core, rec->name);
		flow_finish(core, cl, ACCOUNT_EXISTS, now);
		return;
	}
	if (job->status != 0) {
		flow_store_failed(core, cl, job, now);
		return;
	}
	if (account_known(core, rec->name) == -1)
		core_log(core, PLOG_WARN, "account %s: out of memory for its name", rec->name);
	/* cluster: the other nodes' tables of names learn it (the record is shared) */
	if (core->cluster != NULL)
		peer_send_node(core, NULL, "REGACCT %s", rec->name);
	core_log(core, PLOG_INFO, "account %s registered by %s (%s)", rec->name,
	    client_name(cl), cl->host);
	if (rec->verify_code[0] != '\0') {
		/* No mail is sent: the operator passes the code on (docs/accounts.md). */
		core_log(core, PLOG_INFO, "account %s: VERIFY code %s (would be emailed to "
		    "%s)", rec->name, rec->verify_code, rec->email);
		flow_finish(core, cl, ACCOUNT_NEED_VERIFY, now);
		return;
	}
	account_succeeded(cl);
	account_login(core, cl, rec->name, now);
	flow_finish(core, cl, ACCOUNT_OK, now);
}

/* Register: the password is hashed; the record goes to the store.  The hash job kept
 * the name and email in its result record (job_password.h). */
static void
register_hashed(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	struct job	*next;

	(void)label;
	if (job->status != 0) {
		flow_store_failed(core, cl, job, now);
		return;
	}
	if ((next = flow_job(core, cl, JOB_ACCOUNT_CREATE, register_created, now)) == NULL)
		return;
	next->in.account = job->result.hashed;
	next->in.account.registered = core_wall_seconds(core, now);
	if (core->cfg.accounts_email_required)
		secret_text(core, next->in.account.verify_code, ACCOUNT_CODE_LEN + 1);
	job_submit(core, next, now);
}

/* What refuses a registration before any work is done. */
static enum account_result
register_check(struct core *core, const struct client *cl, const char *name,
    const char *email, const char *password, int64_t now)
{
	const struct core_config	*cfg = &core->cfg;
	unsigned			 len = cfg->nicklen < ACCOUNT_NAME_MAX ?
					    cfg->nicklen : ACCOUNT_NAME_MAX;

	if (!casemap_nick_valid(name, len))
		return ACCOUNT_BAD_NAME;
	if (account_exists(core, name))
		return ACCOUNT_EXISTS;
	if (email[0] == '\0' ? cfg->accounts_email_required : !email_acceptable(email))
		return ACCOUNT_BAD_EMAIL;
	if (!password_acceptable(core, password))
		return ACCOUNT_WEAK_PASSWORD;
	if (throttle_blocked(&core->register_hosts, cl->host, cfg->accounts_fail_limit,
	    cfg->accounts_fail_window, now))
		return ACCOUNT_THROTTLED;
	return ACCOUNT_OK;
}

void
account_register(struct core *core, struct client *cl, const char *name,
    const char *email, const char *password, account_done_fn *done, int64_t now)
{
	const struct core_config	*cfg = &core->cfg;
	enum account_result		 r;
	struct job			*job;

	if ((r = register_check(core, cl, name, email, password, now)) != ACCOUNT_OK) {
		done(core, cl, r, name, now);
		return;
	}
	/* Each registration an address starts counts, made or not: hashing is work. */
	if (throttle_fail(&core->register_hosts, cl->host, cfg->accounts_fail_limit,
	    cfg->accounts_fail_window, now) == -1)
		core_log(core, PLOG_WARN, "out of memory counting registrations");
	if (flow_start(core, cl, name, "", done, now) == NULL ||
	    (job = flow_job(core, cl, JOB_PASSWORD_HASH, register_hashed, now)) == NULL)
		return;
	flow_hash_input(core, job, password);
	snprintf(job->result.hashed.name, sizeof(job->result.hashed.name), "%s", name);
	snprintf(job->result.hashed.email, sizeof(job->result.hashed.email), "%s", email);
	job_submit(core, job, now);
}

/* Identify: the password check's verdict. */
static void
identify_checked(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	(void)label;
	if (job->status != 0) {
		flow_store_failed(core, cl, job, now);
		return;
	}
	if (!job->result.password_ok) {
		flow_failed(core, cl, ACCOUNT_BAD_PASSWORD, now);
		return;
	}
	account_succeeded(cl);
	if (cl->flow->unverified) {
		flow_finish(core, cl, ACCOUNT_NEED_VERIFY, now);
		return;
	}
	account_login(core, cl, cl->flow->name, now);
	flow_finish(core, cl, ACCOUNT_OK, now);
}

/* Identify: the account's record is read; its hash is checked on the pool. */
static void
identify_read(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	const struct account_rec	*rec = &job->result.account;
	struct job			*next;

	(void)label;
	if (job->status == -ENOENT) {
		flow_failed(core, cl, ACCOUNT_NO_SUCH, now);
		return;
	}
	if (job->status != 0) {
		flow_store_failed(core, cl, job, now);
		return;
	}
	if (rec->pwhash[0] == '\0') {
		flow_failed(core, cl, ACCOUNT_BAD_PASSWORD, now);
		return;
	}
	snprintf(cl->flow->name, sizeof(cl->flow->name), "%s", rec->name);
	cl->flow->unverified = rec->verify_code[0] != '\0';
	if ((next = flow_job(core, cl, JOB_PASSWORD_CHECK, identify_checked, now)) == NULL)
		return;
	memcpy(next->in.password.password, cl->flow->secret,
	    sizeof(next->in.password.password));
	sodium_memzero(cl->flow->secret, sizeof(cl->flow->secret));
	snprintf(next->in.password.pwhash, sizeof(next->in.password.pwhash), "%s",
	    rec->pwhash);
	job_submit(core, next, now);
}

void
account_identify(struct core *core, struct client *cl, const char *name,
    const char *password, account_done_fn *done, int64_t now)
{
	struct job	*job;

	if (account_throttled(core, cl, name, now)) {
		flood_charge(core, cl, ACCOUNT_FAIL_COST, now);
		done(core, cl, ACCOUNT_THROTTLED, name, now);
		return;
	}
	if (flow_start(core, cl, name, "", done, now) == NULL)
		return;
	/* The core knows every name: an unknown one, or a password no hash was made
	 * from, fails without a job. */
	if (!account_exists(core, name) || strlen(password) > MSG_BODY_MAX) {
		flow_failed(core, cl, account_exists(core, name) ? ACCOUNT_BAD_PASSWORD :
		    ACCOUNT_NO_SUCH, now);
		return;
	}
	snprintf(cl->flow->secret, sizeof(cl->flow->secret), "%s", password);
	if ((job = flow_job(core, cl, JOB_ACCOUNT_GET, identify_read, now)) == NULL)
		return;
	snprintf(job->in.name, sizeof(job->in.name), "%s", name);
	job_submit(core, job, now);
}

/* Set password: the store has the new one, or says why not. */
static void
setpw_stored(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	(void)label;
	if (job->status == -ENOENT)
		flow_finish(core, cl, ACCOUNT_NO_SUCH, now);
	else if (job->status != 0)
		flow_store_failed(core, cl, job, now);
	else
		flow_finish(core, cl, ACCOUNT_OK, now);
}

static void
setpw_hashed(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	struct job	*next;

	(void)label;
	if (job->status != 0) {
		flow_store_failed(core, cl, job, now);
		return;
	}
	if ((next = flow_job(core, cl, JOB_ACCOUNT_SET_PASSWORD, setpw_stored, now)) ==
	    NULL)
		return;
	next->in.account = job->result.hashed;
	snprintf(next->in.account.name, sizeof(next->in.account.name), "%s",
	    cl->flow->name);
	job_submit(core, next, now);
}

void
account_set_password(struct core *core, struct client *cl, const char *password,
    account_done_fn *done, int64_t now)
{
	struct job	*job;

	if (cl->account[0] == '\0') {
		done(core, cl, ACCOUNT_NO_SUCH, "", now);
		return;
	}
	if (!password_acceptable(core, password)) {
		done(core, cl, ACCOUNT_WEAK_PASSWORD, cl->account, now);
		return;
	}
	if (flow_start(core, cl, cl->account, "", done, now) == NULL ||
	    (job = flow_job(core, cl, JOB_PASSWORD_HASH, setpw_hashed, now)) == NULL)
		return;
	flow_hash_input(core, job, password);
	job_submit(core, job, now);
}

/* Verify: the store marked the account verified. */
static void
verify_stored(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	(void)label;
	if (job->status != 0) {
		flow_store_failed(core, cl, job, now);
		return;
	}
	account_succeeded(cl);
	account_login(core, cl, cl->flow->name, now);
	flow_finish(core, cl, ACCOUNT_OK, now);
}

/* Verify: the record is read; its code is compared with the one given. */
static void
verify_read(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	const struct account_rec	*rec = &job->result.account;
	struct job			*next;
	bool				 match;

	(void)label;
	if (job->status == -ENOENT) {
		flow_failed(core, cl, ACCOUNT_NO_SUCH, now);
		return;
	}
	if (job->status != 0) {
		flow_store_failed(core, cl, job, now);
		return;
	}
	snprintf(cl->flow->name, sizeof(cl->flow->name), "%s", rec->name);
	if (rec->verify_code[0] == '\0') {
		flow_finish(core, cl, ACCOUNT_EXISTS, now);
		return;
	}
	match = strlen(cl->flow->secret) == strlen(rec->verify_code) &&
	    sodium_memcmp(cl->flow->secret, rec->verify_code, strlen(rec->verify_code)) == 0;
	if (!match) {
		flow_failed(core, cl, ACCOUNT_BAD_PASSWORD, now);
		return;
	}
	if ((next = flow_job(core, cl, JOB_ACCOUNT_VERIFIED, verify_stored, now)) == NULL)
		return;
	snprintf(next->in.account.name, sizeof(next->in.account.name), "%s", rec->name);
	job_submit(core, next, now);
}

void
account_verify(struct core *core, struct client *cl, const char *name,
    const char *code, account_done_fn *done, int64_t now)
{
	struct job	*job;

	if (account_throttled(core, cl, name, now)) {
		flood_charge(core, cl, ACCOUNT_FAIL_COST, now);
		done(core, cl, ACCOUNT_THROTTLED, name, now);
		return;
	}
	if (flow_start(core, cl, name, code, done, now) == NULL)
		return;
	if (!account_exists(core, name)) {
		flow_failed(core, cl, ACCOUNT_NO_SUCH, now);
		return;
	}
	if ((job = flow_job(core, cl, JOB_ACCOUNT_GET, verify_read, now)) == NULL)
		return;
	snprintf(job->in.name, sizeof(job->in.name), "%s", name);
	job_submit(core, job, now);
}
