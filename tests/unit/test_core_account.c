/*
 * Accounts in the core (core/account.c): logging in and out (900, 901) and the flows
 * register, identify and set-password over a small store kept by this test, with
 * their throttle.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/account.h"
#include "core/casemap.h"
#include "core/client.h"
#include "core/core.h"
#include "core/job.h"
#include "fixture_core.h"

/* The test's store: a few accounts, and a status to fail every write with. */
#define STORE_MAX	8
static struct account_rec	store[STORE_MAX];
static unsigned			nstore;
static int			store_fail;
static unsigned			store_jobs, pool_jobs;

static struct account_rec *
store_find(const char *name)
{
	for (unsigned i = 0; i < nstore; i++)
		if (casemap_eq(store[i].name, name))
			return &store[i];
	return NULL;
}

static void
store_run(struct job *job)
{
	struct account_rec	*rec = store_find(job->kind == JOB_ACCOUNT_GET ?
				    job->in.name : job->in.account.name);

	store_jobs++;
	job->status = 0;
	switch (job->kind) {
	case JOB_ACCOUNT_GET:
		if (rec == NULL)
			job->status = -ENOENT;
		else
			job->result.account = *rec;
		break;
	case JOB_ACCOUNT_CREATE:
		if (store_fail != 0)
			job->status = store_fail;
		else if (rec != NULL)
			job->status = -EEXIST;
		else
			store[nstore++] = job->in.account;
		break;
	case JOB_ACCOUNT_SET_PASSWORD:
		if (store_fail != 0 || rec == NULL) {
			job->status = store_fail != 0 ? store_fail : -ENOENT;
			break;
		}
		memcpy(rec->pwhash, job->in.account.pwhash, sizeof(rec->pwhash));
		break;
	case JOB_ACCOUNT_VERIFIED:
		if (rec == NULL)
			job->status = -ENOENT;
		else
			rec->verify_code[0] = '\0';
		break;
	default:
		fail_msg("unexpected store job %d", job->kind);
	}
}

/* A driver's turns until no job is left: the store's here, the pool's by job_run. */
static void
run_jobs(struct fx *fx)
{
	for (unsigned n = 0; n < fx->njobs; n++) {
		if (JOB_IS_STORE(fx->jobs[n]->kind))
			store_run(fx->jobs[n]);
		else {
			pool_jobs++;
			job_run(fx->jobs[n]);
		}
		core_job_done(fx->core, fx->jobs[n], fx->now);
	}
	fx->njobs = 0;
	fx_advance(fx, 0);
}

/* What the last flow's done heard. */
static int			last_result = -1;
static char			last_account[ACCOUNT_NAME_MAX + 1];

static void
record_done(struct core *core, struct client *cl, enum account_result result,
    const char *account, int64_t now)
{
	(void)core, (void)cl, (void)now;
	last_result = (int)result;
	snprintf(last_account, sizeof(last_account), "%s", account);
}

/* Cheap hashes, and the jobs left to run_jobs. */
static void
cheap(struct core_config *cfg)
{
	cfg->accounts_argon2_ops = 1;
	cfg->accounts_argon2_mem = 8192;
	cfg->accounts_scram_iterations = 16;
}

static void
cheap_email(struct core_config *cfg)
{
	cheap(cfg);
	cfg->accounts_email_required = true;
}

static struct fx *
fx_accounts(void (*edit)(struct core_config *))
{
	struct fx	*fx = fx_new(edit);

	fx->hold_jobs = true;
	nstore = 0;
	store_fail = 0;
	store_jobs = pool_jobs = 0;
	last_result = -1;
	return fx;
}

/* The lines logged, for the VERIFY code. */
static char	logged[4096];

static void
log_keep(void *ctx, enum log_level level, const char *fmt, va_list ap)
{
	size_t	len = strlen(logged);

	(void)ctx, (void)level;
	vsnprintf(logged + len, sizeof(logged) - len, fmt, ap);
	len = strlen(logged);
	snprintf(logged + len, sizeof(logged) - len, "\n");
}

static void
login_logout(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_client(fx, "alice");
	struct client	*cl = fx->conns[c].client;

	(void)state;
	account_login(fx->core, cl, "Alice", fx->now);
	assert_string_equal(fx_take(fx, c), ":irc.localhost 900 alice alice!u@127.0.0.1 "
	    "Alice :You are now logged in as Alice\r\n"
	    ":alice MODE alice :+r\r\n");
	assert_string_equal(cl->account, "Alice");
	/* Another account: out of the first, then in. */
	account_login(fx->core, cl, "bob", fx->now);
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost 901 alice alice!u@127.0.0.1 :You are now logged out\r\n"
	    ":alice MODE alice :-r\r\n"
	    ":irc.localhost 900 alice alice!u@127.0.0.1 bob :You are now logged in as bob\r\n"
	    ":alice MODE alice :+r\r\n");
	account_logout(fx->core, cl, fx->now);
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost 901 alice alice!u@127.0.0.1 :You are now logged out\r\n"
	    ":alice MODE alice :-r\r\n");
	assert_string_equal(cl->account, "");
	/* Not logged in: nothing to say. */
	account_logout(fx->core, cl, fx->now);
	assert_string_equal(fx_take(fx, c), "");
	fx_free(fx);
}

/* Register "alice" with password "sesame open" from client c, and log it out. */
static void
register_alice(struct fx *fx, unsigned c)
{
	struct client	*cl = fx->conns[c].client;

	account_register(fx->core, cl, "alice", "", "sesame open", record_done, fx->now);
	run_jobs(fx);
	assert_int_equal(last_result, ACCOUNT_OK);
	account_logout(fx->core, cl, fx->now);
	fx_take(fx, c);
}

static void
register_identify(void **state)
{
	struct fx	*fx = fx_accounts(cheap);
	unsigned	 c = fx_client(fx, "alice"), d = fx_client(fx, "bob");
	struct client	*cl = fx->conns[c].client, *dl = fx->conns[d].client;

	(void)state;
	account_register(fx->core, cl, "alice", "", "sesame open", record_done, fx->now);
	/* Hashing on the pool, then the write in the store; then logged in. */
	assert_int_equal(fx->njobs, 1);
	assert_int_equal(fx->jobs[0]->kind, JOB_PASSWORD_HASH);
	run_jobs(fx);
	assert_int_equal(last_result, ACCOUNT_OK);
	assert_string_equal(last_account, "alice");
	assert_int_equal(nstore, 1);
	assert_memory_equal(store[0].pwhash, "$argon2id$", 10);
	assert_int_equal(store[0].scram_iter, 16);
	assert_int_equal(store[0].registered, 1700000000);
	assert_true(account_exists(fx->core, "ALICE"));
	assert_string_equal(fx_take(fx, c), ":irc.localhost 900 alice alice!u@127.0.0.1 "
	    "alice :You are now logged in as alice\r\n:alice MODE alice :+r\r\n");

	/* bob logs in to it with the password, in any case of the name. */
	account_identify(fx->core, dl, "Alice", "sesame open", record_done, fx->now);
	run_jobs(fx);
	assert_int_equal(last_result, ACCOUNT_OK);
	assert_string_equal(last_account, "alice");
	assert_string_equal(dl->account, "alice");
	assert_string_equal(fx_take(fx, d), ":irc.localhost 900 bob bob!u@127.0.0.1 "
	    "alice :You are now logged in as alice\r\n:bob MODE bob :+r\r\n");
	account_logout(fx->core, dl, fx->now);
	fx_take(fx, d);

	/* A wrong password: checked, refused, not logged in. */
	pool_jobs = 0;
	account_identify(fx->core, dl, "alice", "sesame shut", record_done, fx->now);
	run_jobs(fx);
	assert_int_equal(last_result, ACCOUNT_BAD_PASSWORD);
	assert_int_equal(pool_jobs, 1);
	assert_string_equal(dl->account, "");
	assert_string_equal(fx_take(fx, d), "");

	/* An unknown account: no job at all. */
	store_jobs = pool_jobs = 0;
	account_identify(fx->core, dl, "carol", "sesame open", record_done, fx->now);
	assert_int_equal(last_result, ACCOUNT_NO_SUCH);
	assert_int_equal(fx->njobs, 0);
	fx_free(fx);
}

static void
cheap_shared(struct core_config *cfg)
{
	cheap(cfg);
	cfg->accounts_shared = true;
}

/* A shared store (accounts_shared): an account registered through another server,
 * which this core never heard of, logs in; the core knows it from then on.  A name
 * the store does not have either is refused after asking it. */
static void
identify_shared_store(void **state)
{
	struct fx	*fx = fx_accounts(cheap), *other;
	unsigned	 c = fx_client(fx, "alice"), d;
	struct client	*dl;

	(void)state;
	register_alice(fx, c);
	fx_free(fx);
	/* nstore stays: the store is the other server's too. */
	other = fx_new(cheap_shared);
	other->hold_jobs = true;
	d = fx_client(other, "bob");
	dl = other->conns[d].client;
	assert_false(account_exists(other->core, "alice"));
	account_identify(other->core, dl, "ALICE", "sesame open", record_done, other->now);
	assert_int_equal(other->njobs, 1);
	assert_int_equal(other->jobs[0]->kind, JOB_ACCOUNT_GET);
	run_jobs(other);
	assert_int_equal(last_result, ACCOUNT_OK);
	assert_string_equal(dl->account, "alice");
	assert_true(account_exists(other->core, "alice"));
	account_logout(other->core, dl, other->now);
	account_identify(other->core, dl, "carol", "sesame open", record_done, other->now);
	assert_int_equal(other->njobs, 1);
	run_jobs(other);
	assert_int_equal(last_result, ACCOUNT_NO_SUCH);
	assert_false(account_exists(other->core, "carol"));
	fx_free(other);
}

static void
register_rules(void **state)
{
	struct fx	*fx = fx_accounts(cheap);
	unsigned	 c = fx_client(fx, "alice");
	struct client	*cl = fx->conns[c].client;
	char		 longname[40], longpw[MSG_BODY_MAX + 2];

	(void)state;
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';		/* 39 > nicklen 30 */
	memset(longpw, 'p', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	account_register(fx->core, cl, longname, "", "sesame open", record_done, fx->now);
	assert_int_equal(last_result, ACCOUNT_BAD_NAME);
	account_register(fx->core, cl, "9lives", "", "sesame open", record_done, fx->now);
	assert_int_equal(last_result, ACCOUNT_BAD_NAME);
	account_register(fx->core, cl, "a,b", "", "sesame open", record_done, fx->now);
	assert_int_equal(last_result, ACCOUNT_BAD_NAME);
	account_register(fx->core, cl, "alice", "", "short", record_done, fx->now);
	assert_int_equal(last_result, ACCOUNT_WEAK_PASSWORD);
	account_register(fx->core, cl, "alice", "", longpw, record_done, fx->now);
	assert_int_equal(last_result, ACCOUNT_WEAK_PASSWORD);
	account_register(fx->core, cl, "alice", "no-at-sign", "sesame open", record_done,
	    fx->now);
	assert_int_equal(last_result, ACCOUNT_BAD_EMAIL);
	account_register(fx->core, cl, "alice", "a@b@c", "sesame open", record_done,
	    fx->now);
	assert_int_equal(last_result, ACCOUNT_BAD_EMAIL);
	assert_int_equal(fx->njobs, 0);
	register_alice(fx, c);
	account_register(fx->core, cl, "ALICE", "", "sesame open", record_done, fx->now);
	assert_int_equal(last_result, ACCOUNT_EXISTS);
	assert_int_equal(fx->njobs, 0);
	/* The store refuses the write: said so, nothing known. */
	store_fail = -ENOSPC;
	account_register(fx->core, cl, "alice2", "", "sesame open", record_done, fx->now);
	run_jobs(fx);
	assert_int_equal(last_result, ACCOUNT_STORE_FAILED);
	assert_false(account_exists(fx->core, "alice2"));
	assert_string_equal(cl->account, "");
	fx_free(fx);
}

/* With email_required: created unverified, the code in the log, VERIFY logs in. */
static void
register_verify(void **state)
{
	struct fx	*fx = fx_accounts(cheap_email);
	unsigned	 c = fx_client(fx, "alice");
	struct client	*cl = fx->conns[c].client;
	const char	*code;
	char		 wanted[128];

	(void)state;
	logged[0] = '\0';
	fx->core->out.log = log_keep;
	account_register(fx->core, cl, "alice", "", "sesame open", record_done, fx->now);
	assert_int_equal(last_result, ACCOUNT_BAD_EMAIL);
	account_register(fx->core, cl, "alice", "alice@example.org", "sesame open",
	    record_done, fx->now);
	run_jobs(fx);
	assert_int_equal(last_result, ACCOUNT_NEED_VERIFY);
	assert_string_equal(cl->account, "");
	assert_int_equal(strlen(store[0].verify_code), 16);
	snprintf(wanted, sizeof(wanted), "VERIFY code %s (would be emailed to "
	    "alice@example.org)", store[0].verify_code);
	assert_non_null(strstr(logged, wanted));
	code = store[0].verify_code;
	/* Not verified: the right password still does not log in. */
	account_identify(fx->core, cl, "alice", "sesame open", record_done, fx->now);
	run_jobs(fx);
	assert_int_equal(last_result, ACCOUNT_NEED_VERIFY);
	assert_string_equal(cl->account, "");
	account_verify(fx->core, cl, "alice", "wrongcode", record_done, fx->now);
	run_jobs(fx);
	assert_int_equal(last_result, ACCOUNT_BAD_PASSWORD);
	account_verify(fx->core, cl, "alice", code, record_done, fx->now);
	run_jobs(fx);
	assert_int_equal(last_result, ACCOUNT_OK);
	assert_string_equal(cl->account, "alice");
	assert_string_equal(store[0].verify_code, "");
	account_verify(fx->core, cl, "alice", "anything", record_done, fx->now);
	run_jobs(fx);
	assert_int_equal(last_result, ACCOUNT_EXISTS);
	fx_free(fx);
}

static void
set_password(void **state)
{
	struct fx	*fx = fx_accounts(cheap);
	unsigned	 c = fx_client(fx, "alice");
	struct client	*cl = fx->conns[c].client;

	(void)state;
	account_set_password(fx->core, cl, "new sesame", record_done, fx->now);
	assert_int_equal(last_result, ACCOUNT_NO_SUCH);
	register_alice(fx, c);
	account_identify(fx->core, cl, "alice", "sesame open", record_done, fx->now);
	run_jobs(fx);
	account_set_password(fx->core, cl, "short", record_done, fx->now);
	assert_int_equal(last_result, ACCOUNT_WEAK_PASSWORD);
	account_set_password(fx->core, cl, "new sesame", record_done, fx->now);
	run_jobs(fx);
	assert_int_equal(last_result, ACCOUNT_OK);
	account_logout(fx->core, cl, fx->now);
	account_identify(fx->core, cl, "alice", "sesame open", record_done, fx->now);
	run_jobs(fx);
	assert_int_equal(last_result, ACCOUNT_BAD_PASSWORD);
	account_identify(fx->core, cl, "alice", "new sesame", record_done, fx->now);
	run_jobs(fx);
	assert_int_equal(last_result, ACCOUNT_OK);
	fx_free(fx);
}

/* Five failures per account: the sixth try is refused unchecked, from any address,
 * until the oldest failure lapses; other accounts are not touched. */
static void
throttle_per_account(void **state)
{
	struct fx	*fx = fx_accounts(cheap);
	unsigned	 c = fx_client(fx, "alice"), d;
	struct client	*cl = fx->conns[c].client;

	(void)state;
	register_alice(fx, c);
	for (int i = 0; i < 5; i++) {
		account_identify(fx->core, cl, "alice", "guess", record_done, fx->now);
		run_jobs(fx);
		assert_int_equal(last_result, ACCOUNT_BAD_PASSWORD);
	}
	account_identify(fx->core, cl, "alice", "sesame open", record_done, fx->now);
	assert_int_equal(last_result, ACCOUNT_THROTTLED);
	assert_int_equal(fx->njobs, 0);
	/* The address is blocked too: five failures from it. */
	d = fx_client(fx, "bob");
	account_identify(fx->core, fx->conns[d].client, "alice", "sesame open",
	    record_done, fx->now);
	assert_int_equal(last_result, ACCOUNT_THROTTLED);
	/* A window of 600 s holds five: one lapses every 120 s. */
	fx_advance(fx, 119 * 1000);
	account_identify(fx->core, cl, "alice", "sesame open", record_done, fx->now);
	assert_int_equal(last_result, ACCOUNT_THROTTLED);
	fx_advance(fx, 1000);
	account_identify(fx->core, cl, "alice", "sesame open", record_done, fx->now);
	run_jobs(fx);
	assert_int_equal(last_result, ACCOUNT_OK);
	fx_free(fx);
}

/* Failures from one address, each to another account name, block that address. */
static void
throttle_per_address(void **state)
{
	struct fx	*fx = fx_accounts(cheap);
	unsigned	 c = fx_client(fx, "alice");
	struct client	*cl = fx->conns[c].client;
	char		 name[16];

	(void)state;
	register_alice(fx, c);
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "nobody%d", i);
		account_identify(fx->core, cl, name, "guess", record_done, fx->now);
		assert_int_equal(last_result, ACCOUNT_NO_SUCH);
	}
	account_identify(fx->core, cl, "alice", "sesame open", record_done, fx->now);
	assert_int_equal(last_result, ACCOUNT_THROTTLED);
	assert_int_equal(fx->njobs, 0);
	fx_free(fx);
}

/* Each failure in a row costs more flood time: 4, 8, 16 lines, past a burst of 20. */
static void
failure_flood_cost(void **state)
{
	struct fx	*fx = fx_accounts(cheap);
	unsigned	 c = fx_client(fx, "alice");
	struct client	*cl = fx->conns[c].client;

	(void)state;
	register_alice(fx, c);
	for (int i = 0; i < 2; i++) {
		account_identify(fx->core, cl, "alice", "guess", record_done, fx->now);
		run_jobs(fx);
	}
	fx_line(fx, c, "PING a");
	assert_string_equal(fx_take(fx, c), ":irc.localhost PONG irc.localhost a\r\n");
	account_identify(fx->core, cl, "alice", "guess", record_done, fx->now);
	run_jobs(fx);
	fx_line(fx, c, "PING b");
	assert_string_equal(fx_take(fx, c), "");
	fx_advance(fx, 10 * 1000);
	assert_string_equal(fx_take(fx, c), ":irc.localhost PONG irc.localhost b\r\n");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(login_logout),
		cmocka_unit_test(register_identify),
		cmocka_unit_test(identify_shared_store),
		cmocka_unit_test(register_rules),
		cmocka_unit_test(register_verify),
		cmocka_unit_test(set_password),
		cmocka_unit_test(throttle_per_account),
		cmocka_unit_test(throttle_per_address),
		cmocka_unit_test(failure_flood_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
