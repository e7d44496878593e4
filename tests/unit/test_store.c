/*
 * The store backends (store/store.h): one table of cases, each run against every
 * backend (memory, and SQLite on a temporary file), so that the fake store the core's
 * unit tests use means what the real one does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/job.h"
#include "store/sqlite_schema.h"
#include "store/store.h"
#include "store/store_memory.h"

/* One backend under test, and the store it has open. */
struct backend {
	const struct store_ops	*ops;
	char			 dir[64];	/* a temporary directory for the file */
	char			 path[96];	/* the store's file in it */
	struct store		*st;
};

static struct backend	memory_backend = { &store_memory, "", "", NULL };
static struct backend	sqlite_backend = { &store_sqlite, "", "", NULL };

static int
backend_setup(void **state)
{
	struct backend	*b = *state;
	char		 err[256];

	snprintf(b->dir, sizeof(b->dir), "/tmp/parley-test-store.XXXXXX");
	if (mkdtemp(b->dir) == NULL)
		return -1;
	snprintf(b->path, sizeof(b->path), "%s/s.db", b->dir);
	b->st = b->ops->open(b->path, err, sizeof(err));
	if (b->st == NULL) {
		fprintf(stderr, "open %s: %s\n", b->ops->name, err);
		return -1;
	}
	return 0;
}

/* Remove the store's files (the database, its WAL and shared memory) and directory. */
static void
backend_remove(struct backend *b)
{
	const char	*suffix[] = { "", "-wal", "-shm", "-journal" };
	char		 path[128];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", b->path, suffix[i]);
		(void)unlink(path);
	}
	(void)rmdir(b->dir);
}

static int
backend_teardown(void **state)
{
	struct backend	*b = *state;

	b->ops->close(b->st);
	b->st = NULL;
	backend_remove(b);
	return 0;
}

/* The job the helpers below fill and run, one at a time. */
static struct job	the_job;

static struct job *
job_of(enum job_kind kind)
{
	memset(&the_job, 0, sizeof(the_job));
	the_job.kind = kind;
	the_job.status = 1;	/* run must set it */
	return &the_job;
}

static int
run(struct backend *b, struct job *job)
{
	b->ops->run(b->st, &job, 1);
	return job->status;
}

static int
by_name(struct backend *b, enum job_kind kind, const char *name)
{
	struct job	*job = job_of(kind);

	snprintf(job->in.name, sizeof(job->in.name), "%s", name);
	return run(b, job);
}

/* A full account record: every field set from name, so a test can tell them apart. */
static void
account_fill(struct account_rec *a, const char *name)
{
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->email, sizeof(a->email), "%s@example.org", name);
	snprintf(a->pwhash, sizeof(a->pwhash), "$argon2id$v=19$%s", name);
	memset(a->scram_salt, 's', sizeof(a->scram_salt));
	a->scram_iter = 4096;
	memset(a->scram_stored, 't', sizeof(a->scram_stored));
	memset(a->scram_server, 'v', sizeof(a->scram_server));
	a->registered = 1700000000;
	snprintf(a->verify_code, sizeof(a->verify_code), "code-%s", name);
}

static int
create(struct backend *b, const char *name)
{
	struct job	*job = job_of(JOB_ACCOUNT_CREATE);

	account_fill(&job->in.account, name);
	return run(b, job);
}

static int
cert(struct backend *b, enum job_kind kind, const char *account, const char *certfp)
{
	struct job	*job = job_of(kind);

	snprintf(job->in.cert.account, sizeof(job->in.cert.account), "%s", account);
	snprintf(job->in.cert.certfp, sizeof(job->in.cert.certfp), "%s", certfp);
	return run(b, job);
}

static void
chanreg_fill(struct chanreg_rec *c, const char *name, const char *founder)
{
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->founder, sizeof(c->founder), "%s", founder);
	c->registered = 1700000001;
	snprintf(c->topic, sizeof(c->topic), "the topic of %s", name);
	snprintf(c->topic_setter, sizeof(c->topic_setter), "%s!u@h", founder);
	c->topic_time = 1700000002;
	c->modes = 0x15;
	snprintf(c->key, sizeof(c->key), "key");
	c->limit = 10;
}

static int
chan_register(struct backend *b, const char *name, const char *founder)
{
	struct job	*job = job_of(JOB_CHANNEL_REGISTER);

	chanreg_fill(&job->in.chanreg, name, founder);
	return run(b, job);
}

static int
entry(struct backend *b, enum job_kind kind, const char *channel, char k,
    const char *mask)
{
	struct job	*job = job_of(kind);

	snprintf(job->in.entry.channel, sizeof(job->in.entry.channel), "%s", channel);
	job->in.entry.kind = k;
	snprintf(job->in.entry.mask, sizeof(job->in.entry.mask), "%s", mask);
	snprintf(job->in.entry.setter, sizeof(job->in.entry.setter), "op!u@h");
	job->in.entry.time = 1700000003;
	return run(b, job);
}

/*
 * load, written out: "a NAME" per account, "c NAME FOUNDER LIMIT TOPIC" per channel,
 * "e CHANNEL KIND MASK SETTER" per entry, one a line.
 */
static char	loaded[4096];

static void
loaded_add(const char *fmt, ...)
{
	size_t	len = strlen(loaded);
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(loaded + len, sizeof(loaded) - len, fmt, ap);
	va_end(ap);
}

static int
visit_account(void *arg, const char *name)
{
	(void)arg;
	loaded_add("a %s\n", name);
	return 0;
}

static int
visit_channel(void *arg, const struct chanreg_rec *c)
{
	(void)arg;
	loaded_add("c %s %s %u %s\n", c->name, c->founder, c->limit, c->topic);
	return 0;
}

static int
visit_entry(void *arg, const struct chanreg_entry *e)
{
	(void)arg;
	loaded_add("e %s %c %s %s\n", e->channel, e->kind, e->mask, e->setter);
	return 0;
}

static const struct store_visitor	visitor = {
	visit_account, visit_channel, visit_entry
};

static const char *
load(struct backend *b)
{
	loaded[0] = '\0';
	assert_int_equal(b->ops->load(b->st, &visitor, NULL), 0);
	return loaded;
}

/*
 * The cases, for every backend.
 */

/* An account comes back whole, found by any case of its name, named as registered. */
static void
test_account_create_get(void **state)
{
	struct backend		*b = *state;
	struct account_rec	 want;

	account_fill(&want, "Foo[x]");
	assert_int_equal(create(b, "Foo[x]"), 0);
	assert_int_equal(by_name(b, JOB_ACCOUNT_GET, "fOO{X}"), 0);
	assert_string_equal(the_job.result.account.name, "Foo[x]");
	assert_string_equal(the_job.result.account.email, want.email);
	assert_string_equal(the_job.result.account.pwhash, want.pwhash);
	assert_memory_equal(the_job.result.account.scram_salt, want.scram_salt,
	    SCRAM_SALT_LEN);
	assert_int_equal(the_job.result.account.scram_iter, 4096);
	assert_memory_equal(the_job.result.account.scram_stored, want.scram_stored,
	    SCRAM_KEY_LEN);
	assert_memory_equal(the_job.result.account.scram_server, want.scram_server,
	    SCRAM_KEY_LEN);
	assert_int_equal(the_job.result.account.registered, 1700000000);
	assert_string_equal(the_job.result.account.verify_code, "code-Foo[x]");
	assert_int_equal(the_job.result.account.ncerts, 0);
	assert_string_equal(load(b), "a Foo[x]\n");
}

/* A second account of the same name in another case is refused; nothing changes. */
static void
test_account_exists(void **state)
{
	struct backend	*b = *state;

	assert_int_equal(create(b, "alice"), 0);
	assert_int_equal(create(b, "ALICE"), -EEXIST);
	assert_int_equal(by_name(b, JOB_ACCOUNT_GET, "alice"), 0);
	assert_string_equal(the_job.result.account.name, "alice");
	assert_string_equal(load(b), "a alice\n");
}

/* Every operation on an account that is not there says so. */
static void
test_account_missing(void **state)
{
	struct backend	*b = *state;
	struct job	*job;

	assert_int_equal(by_name(b, JOB_ACCOUNT_GET, "nobody"), -ENOENT);
	assert_int_equal(by_name(b, JOB_ACCOUNT_BY_CERT, "abcd"), -ENOENT);
	assert_int_equal(by_name(b, JOB_ACCOUNT_DROP, "nobody"), -ENOENT);
	job = job_of(JOB_ACCOUNT_SET_PASSWORD);
	account_fill(&job->in.account, "nobody");
	assert_int_equal(run(b, job), -ENOENT);
	job = job_of(JOB_ACCOUNT_SET_EMAIL);
	account_fill(&job->in.account, "nobody");
	assert_int_equal(run(b, job), -ENOENT);
	job = job_of(JOB_ACCOUNT_VERIFIED);
	account_fill(&job->in.account, "nobody");
	assert_int_equal(run(b, job), -ENOENT);
	assert_int_equal(cert(b, JOB_CERT_ADD, "nobody", "abcd"), -ENOENT);
	assert_int_equal(cert(b, JOB_CERT_DEL, "nobody", "abcd"), -ENOENT);
	assert_string_equal(load(b), "");
}

/* SET_PASSWORD replaces the hash and the SCRAM keys, and nothing else. */
static void
test_account_set_password(void **state)
{
	struct backend	*b = *state;
	struct job	*job;

	assert_int_equal(create(b, "bob"), 0);
	job = job_of(JOB_ACCOUNT_SET_PASSWORD);
	snprintf(job->in.account.name, sizeof(job->in.account.name), "BOB");
	snprintf(job->in.account.pwhash, sizeof(job->in.account.pwhash), "$argon2id$new");
	memset(job->in.account.scram_salt, 'S', SCRAM_SALT_LEN);
	job->in.account.scram_iter = 8192;
	memset(job->in.account.scram_stored, 'T', SCRAM_KEY_LEN);
	memset(job->in.account.scram_server, 'V', SCRAM_KEY_LEN);
	assert_int_equal(run(b, job), 0);
	assert_int_equal(by_name(b, JOB_ACCOUNT_GET, "bob"), 0);
	assert_string_equal(the_job.result.account.pwhash, "$argon2id$new");
	assert_int_equal(the_job.result.account.scram_iter, 8192);
	assert_int_equal(the_job.result.account.scram_salt[0], 'S');
	assert_int_equal(the_job.result.account.scram_stored[SCRAM_KEY_LEN - 1], 'T');
	assert_int_equal(the_job.result.account.scram_server[0], 'V');
	assert_string_equal(the_job.result.account.email, "bob@example.org");
	assert_string_equal(the_job.result.account.verify_code, "code-bob");
}

/* SET_EMAIL replaces the address; VERIFIED clears the code. */
static void
test_account_email_verified(void **state)
{
	struct backend	*b = *state;
	struct job	*job;

	assert_int_equal(create(b, "carol"), 0);
	job = job_of(JOB_ACCOUNT_SET_EMAIL);
	snprintf(job->in.account.name, sizeof(job->in.account.name), "carol");
	snprintf(job->in.account.email, sizeof(job->in.account.email), "c@new.example");
	assert_int_equal(run(b, job), 0);
	job = job_of(JOB_ACCOUNT_VERIFIED);
	snprintf(job->in.account.name, sizeof(job->in.account.name), "Carol");
	assert_int_equal(run(b, job), 0);
	assert_int_equal(by_name(b, JOB_ACCOUNT_GET, "carol"), 0);
	assert_string_equal(the_job.result.account.email, "c@new.example");
	assert_string_equal(the_job.result.account.verify_code, "");
	assert_string_equal(the_job.result.account.pwhash, "$argon2id$v=19$carol");
}

/* A fingerprint names one account, in any case; GET lists an account's in order. */
static void
test_cert_add_find(void **state)
{
	struct backend	*b = *state;

	assert_int_equal(create(b, "dave"), 0);
	assert_int_equal(create(b, "erin"), 0);
	assert_int_equal(cert(b, JOB_CERT_ADD, "Dave", "00aa"), 0);
	assert_int_equal(cert(b, JOB_CERT_ADD, "dave", "11bb"), 0);
	assert_int_equal(cert(b, JOB_CERT_ADD, "dave", "00AA"), -EEXIST);
	assert_int_equal(cert(b, JOB_CERT_ADD, "erin", "00aa"), -EEXIST);
	assert_int_equal(by_name(b, JOB_ACCOUNT_BY_CERT, "11BB"), 0);
	assert_string_equal(the_job.result.account.name, "dave");
	assert_int_equal(the_job.result.account.ncerts, 2);
	assert_string_equal(the_job.result.account.certs[0], "00aa");
	assert_string_equal(the_job.result.account.certs[1], "11bb");
	assert_int_equal(by_name(b, JOB_ACCOUNT_BY_CERT, "22cc"), -ENOENT);
}

/* At ACCOUNT_CERTS_MAX fingerprints the next is refused; one deleted makes room. */
static void
test_cert_full_del(void **state)
{
	struct backend	*b = *state;
	char		 fp[16];

	assert_int_equal(create(b, "frank"), 0);
	assert_int_equal(create(b, "gina"), 0);
	for (unsigned i = 0; i < ACCOUNT_CERTS_MAX; i++) {
		snprintf(fp, sizeof(fp), "f%u", i);
		assert_int_equal(cert(b, JOB_CERT_ADD, "frank", fp), 0);
	}
	assert_int_equal(cert(b, JOB_CERT_ADD, "frank", "ff"), -ENOSPC);
	assert_int_equal(cert(b, JOB_CERT_DEL, "gina", "f3"), -ENOENT);
	assert_int_equal(cert(b, JOB_CERT_DEL, "frank", "F3"), 0);
	assert_int_equal(cert(b, JOB_CERT_DEL, "frank", "f3"), -ENOENT);
	assert_int_equal(by_name(b, JOB_ACCOUNT_BY_CERT, "f3"), -ENOENT);
	assert_int_equal(cert(b, JOB_CERT_ADD, "frank", "ff"), 0);
	assert_int_equal(by_name(b, JOB_ACCOUNT_GET, "frank"), 0);
	assert_int_equal(the_job.result.account.ncerts, ACCOUNT_CERTS_MAX);
	assert_string_equal(the_job.result.account.certs[2], "f2");
	assert_string_equal(the_job.result.account.certs[3], "f4");
}

/* Dropping an account drops its fingerprints and the channels it founded, with their
 * entries; the others stay, and the name is free again. */
static void
test_account_drop(void **state)
{
	struct backend	*b = *state;

	assert_int_equal(create(b, "hal"), 0);
	assert_int_equal(create(b, "ivy"), 0);
	assert_int_equal(cert(b, JOB_CERT_ADD, "hal", "aa"), 0);
	assert_int_equal(chan_register(b, "#hal", "hal"), 0);
	assert_int_equal(chan_register(b, "#ivy", "ivy"), 0);
	assert_int_equal(entry(b, JOB_CHANNEL_ENTRY_ADD, "#hal", 'b', "*!*@bad"), 0);
	assert_int_equal(entry(b, JOB_CHANNEL_ENTRY_ADD, "#ivy", 'o', "hal"), 0);
	assert_int_equal(by_name(b, JOB_ACCOUNT_DROP, "HAL"), 0);
	assert_int_equal(by_name(b, JOB_ACCOUNT_GET, "hal"), -ENOENT);
	assert_int_equal(by_name(b, JOB_ACCOUNT_BY_CERT, "aa"), -ENOENT);
	assert_string_equal(load(b),
	    "a ivy\n"
	    "c #ivy ivy 10 the topic of #ivy\n"
	    "e #ivy o hal op!u@h\n");
	assert_int_equal(create(b, "hal"), 0);
	assert_int_equal(cert(b, JOB_CERT_ADD, "ivy", "aa"), 0);
}

/* A channel: registered once, by an existing account (its founder, named as the account
 * is); found in any case. */
static void
test_channel_register(void **state)
{
	struct backend	*b = *state;

	assert_int_equal(create(b, "jo"), 0);
	assert_int_equal(chan_register(b, "#Chan[1]", "JO"), 0);
	assert_int_equal(chan_register(b, "#chan{1}", "jo"), -EEXIST);
	assert_int_equal(chan_register(b, "#other", "nobody"), -ENOENT);
	assert_string_equal(load(b),
	    "a jo\n"
	    "c #Chan[1] jo 10 the topic of #Chan[1]\n");
}

/* load's channel record, whole, for the cases that check every field. */
static struct chanreg_rec	got_channel;

static int
keep_channel(void *arg, const struct chanreg_rec *c)
{
	(void)arg;
	got_channel = *c;
	return 0;
}

static int
skip_account(void *arg, const char *name)
{
	(void)arg, (void)name;
	return 0;
}

/* UPDATE changes every field but the founder and the time of registration. */
static void
test_channel_update(void **state)
{
	struct backend			*b = *state;
	struct job			*job;
	const struct store_visitor	 v = { skip_account, keep_channel, visit_entry };

	assert_int_equal(create(b, "kim"), 0);
	assert_int_equal(create(b, "lee"), 0);
	assert_int_equal(chan_register(b, "#k", "kim"), 0);
	job = job_of(JOB_CHANNEL_UPDATE);
	chanreg_fill(&job->in.chanreg, "#K", "lee");
	job->in.chanreg.registered = 5;
	snprintf(job->in.chanreg.topic, sizeof(job->in.chanreg.topic), "new topic");
	snprintf(job->in.chanreg.topic_setter, sizeof(job->in.chanreg.topic_setter),
	    "lee!u@h");
	job->in.chanreg.topic_time = 7;
	job->in.chanreg.modes = 0x2;
	job->in.chanreg.key[0] = '\0';
	job->in.chanreg.limit = 0;
	assert_int_equal(run(b, job), 0);
	job = job_of(JOB_CHANNEL_UPDATE);
	chanreg_fill(&job->in.chanreg, "#nope", "kim");
	assert_int_equal(run(b, job), -ENOENT);

	memset(&got_channel, 0, sizeof(got_channel));
	assert_int_equal(b->ops->load(b->st, &v, NULL), 0);
	assert_string_equal(got_channel.name, "#k");
	assert_string_equal(got_channel.founder, "kim");
	assert_int_equal(got_channel.registered, 1700000001);
	assert_string_equal(got_channel.topic, "new topic");
	assert_string_equal(got_channel.topic_setter, "lee!u@h");
	assert_int_equal(got_channel.topic_time, 7);
	assert_int_equal(got_channel.modes, 0x2);
	assert_string_equal(got_channel.key, "");
	assert_int_equal(got_channel.limit, 0);
}

/* A registered channel's every field survives as written. */
static void
test_channel_fields(void **state)
{
	struct backend			*b = *state;
	const struct store_visitor	 v = { skip_account, keep_channel, visit_entry };

	assert_int_equal(create(b, "max"), 0);
	assert_int_equal(chan_register(b, "#m", "max"), 0);
	memset(&got_channel, 0, sizeof(got_channel));
	assert_int_equal(b->ops->load(b->st, &v, NULL), 0);
	assert_string_equal(got_channel.topic, "the topic of #m");
	assert_string_equal(got_channel.topic_setter, "max!u@h");
	assert_int_equal(got_channel.topic_time, 1700000002);
	assert_int_equal(got_channel.modes, 0x15);
	assert_string_equal(got_channel.key, "key");
	assert_int_equal(got_channel.limit, 10);
}

/* Dropping a channel drops its entries; the name is free again. */
static void
test_channel_drop(void **state)
{
	struct backend	*b = *state;

	assert_int_equal(create(b, "ned"), 0);
	assert_int_equal(chan_register(b, "#n", "ned"), 0);
	assert_int_equal(chan_register(b, "#keep", "ned"), 0);
	assert_int_equal(entry(b, JOB_CHANNEL_ENTRY_ADD, "#n", 'b', "*!*@x"), 0);
	assert_int_equal(entry(b, JOB_CHANNEL_ENTRY_ADD, "#keep", 'b', "*!*@x"), 0);
	assert_int_equal(by_name(b, JOB_CHANNEL_DROP, "#N"), 0);
	assert_int_equal(by_name(b, JOB_CHANNEL_DROP, "#n"), -ENOENT);
	assert_string_equal(load(b),
	    "a ned\n"
	    "c #keep ned 10 the topic of #keep\n"
	    "e #keep b *!*@x op!u@h\n");
	assert_int_equal(chan_register(b, "#n", "ned"), 0);
	assert_int_equal(entry(b, JOB_CHANNEL_ENTRY_ADD, "#n", 'b', "*!*@x"), 0);
}

/* Entries: (channel, kind, mask) is unique, the mask in any case; each list is its own;
 * an entry names a registered channel. */
static void
test_channel_entries(void **state)
{
	struct backend	*b = *state;

	assert_int_equal(create(b, "oz"), 0);
	assert_int_equal(chan_register(b, "#o", "oz"), 0);
	assert_int_equal(entry(b, JOB_CHANNEL_ENTRY_ADD, "#O", 'b', "*!*@Host"), 0);
	assert_int_equal(entry(b, JOB_CHANNEL_ENTRY_ADD, "#o", 'b', "*!*@hOST"), -EEXIST);
	assert_int_equal(entry(b, JOB_CHANNEL_ENTRY_ADD, "#o", 'e', "*!*@host"), 0);
	assert_int_equal(entry(b, JOB_CHANNEL_ENTRY_ADD, "#o", 'v', "oz"), 0);
	assert_int_equal(entry(b, JOB_CHANNEL_ENTRY_ADD, "#none", 'b', "*!*@x"), -ENOENT);
	assert_int_equal(entry(b, JOB_CHANNEL_ENTRY_DEL, "#o", 'I', "*!*@host"), -ENOENT);
	assert_int_equal(entry(b, JOB_CHANNEL_ENTRY_DEL, "#o", 'e', "*!*@HOST"), 0);
	assert_int_equal(entry(b, JOB_CHANNEL_ENTRY_DEL, "#o", 'e', "*!*@host"), -ENOENT);
	assert_string_equal(load(b),
	    "a oz\n"
	    "c #o oz 10 the topic of #o\n"
	    "e #o b *!*@Host op!u@h\n"
	    "e #o v oz op!u@h\n");
}

/* One batch: each job gets its own status, and a failed one takes nothing from the
 * others (the batch is one transaction, the job's failure is its own). */
static void
test_batch(void **state)
{
	struct backend	*b = *state;
	struct job	 jobs[4];
	struct job	*list[4] = { &jobs[0], &jobs[1], &jobs[2], &jobs[3] };
	const char	*names[4] = { "pat", "quin", "PAT", "rae" };

	memset(jobs, 0, sizeof(jobs));
	for (unsigned i = 0; i < 4; i++) {
		jobs[i].kind = JOB_ACCOUNT_CREATE;
		jobs[i].status = 1;
		account_fill(&jobs[i].in.account, names[i]);
	}
	jobs[3].kind = JOB_ACCOUNT_GET;
	snprintf(jobs[3].in.name, sizeof(jobs[3].in.name), "quin");
	b->ops->run(b->st, list, 4);
	assert_int_equal(jobs[0].status, 0);
	assert_int_equal(jobs[1].status, 0);
	assert_int_equal(jobs[2].status, -EEXIST);
	assert_int_equal(jobs[3].status, 0);
	assert_string_equal(jobs[3].result.account.name, "quin");
	assert_string_equal(load(b), "a pat\na quin\n");
}

/* A visitor's nonzero return stops load and is its result. */
static int
visit_stop(void *arg, const char *name)
{
	(*(unsigned *)arg)++;
	(void)name;
	return -1;
}

static void
test_load_stops(void **state)
{
	struct backend			*b = *state;
	const struct store_visitor	 v = { visit_stop, visit_channel, visit_entry };
	unsigned			 calls = 0;

	assert_int_equal(create(b, "sam"), 0);
	assert_int_equal(create(b, "tom"), 0);
	assert_int_equal(b->ops->load(b->st, &v, &calls), -1);
	assert_int_equal(calls, 1);
}

/* A visitor without channels or entries is handed the accounts alone. */
static void
test_load_accounts_only(void **state)
{
	struct backend			*b = *state;
	const struct store_visitor	 v = { visit_account, NULL, NULL };

	assert_int_equal(create(b, "xan"), 0);
	assert_int_equal(chan_register(b, "#x", "xan"), 0);
	assert_int_equal(entry(b, JOB_CHANNEL_ENTRY_ADD, "#x", 'b', "*!*@x"), 0);
	loaded[0] = '\0';
	assert_int_equal(b->ops->load(b->st, &v, NULL), 0);
	assert_string_equal(loaded, "a xan\n");
}

/*
 * The memory backend's failure knob, which the core's tests use.
 */
static void
test_memory_fail(void **state)
{
	struct backend	*b = *state;

	assert_int_equal(create(b, "uma"), 0);
	store_memory_fail(b->st, -EIO);
	assert_int_equal(create(b, "vic"), -EIO);
	assert_int_equal(by_name(b, JOB_ACCOUNT_DROP, "uma"), -EIO);
	assert_int_equal(by_name(b, JOB_ACCOUNT_GET, "uma"), 0);
	store_memory_fail(b->st, 0);
	assert_int_equal(create(b, "vic"), 0);
	assert_string_equal(load(b), "a uma\na vic\n");
}

/*
 * The SQLite backend's file.
 */

/* Close and open again: everything is there, as it was. */
static void
test_sqlite_reopen(void **state)
{
	struct backend	*b = *state;
	char		 err[256];

	assert_int_equal(create(b, "Wes"), 0);
	assert_int_equal(cert(b, JOB_CERT_ADD, "wes", "AB12"), 0);
	assert_int_equal(chan_register(b, "#w", "wes"), 0);
	assert_int_equal(entry(b, JOB_CHANNEL_ENTRY_ADD, "#w", 'I', "*!*@friend"), 0);
	b->ops->close(b->st);
	b->st = b->ops->open(b->path, err, sizeof(err));
	assert_non_null(b->st);
	assert_string_equal(load(b),
	    "a Wes\n"
	    "c #w Wes 10 the topic of #w\n"
	    "e #w I *!*@friend op!u@h\n");
	assert_int_equal(by_name(b, JOB_ACCOUNT_BY_CERT, "ab12"), 0);
	assert_string_equal(the_job.result.account.certs[0], "ab12");
	assert_string_equal(the_job.result.account.pwhash, "$argon2id$v=19$Wes");
}

/* An integer answer of sql on the file at path, through a connection of the test's. */
static int
file_int(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	int		 v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* A new file: mode 0600, WAL, the schema version of this binary. */
static void
test_sqlite_created(void **state)
{
	struct backend	*b = *state;
	struct stat	 sb;

	assert_int_equal(stat(b->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(file_int(b->path, "PRAGMA user_version"),
	    sqlite_schema_version());
	assert_int_equal(file_int(b->path,
	    "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
}

/* A file from a newer parleyd is refused with one line, and left as it is. */
static void
test_sqlite_newer(void **state)
{
	struct backend	*b = *state;
	char		 err[256], want[256];
	sqlite3		*db;

	b->ops->close(b->st);
	b->st = NULL;
	assert_int_equal(sqlite3_open(b->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_null(b->ops->open(b->path, err, sizeof(err)));
	snprintf(want, sizeof(want),
	    "store %s has schema version 99; this parleyd knows up to %d", b->path,
	    sqlite_schema_version());
	assert_string_equal(err, want);
	assert_int_equal(file_int(b->path, "PRAGMA user_version"), 99);
}

/* A file that is no database is refused, not overwritten. */
static void
test_sqlite_not_a_database(void **state)
{
	struct backend	*b = *state;
	char		 err[256];
	FILE		*f;

	b->ops->close(b->st);
	b->st = NULL;
	backend_remove(b);
	assert_int_equal(mkdir(b->dir, 0700), 0);
	assert_non_null(f = fopen(b->path, "w"));
	for (int i = 0; i < 64; i++)
		fputs("this is not a database\n", f);
	fclose(f);
	assert_null(b->ops->open(b->path, err, sizeof(err)));
	assert_non_null(strstr(err, "file is not a database"));
}

#define CASES(backend) \
	cmocka_unit_test_prestate_setup_teardown(test_account_create_get, \
	    backend_setup, backend_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_account_exists, \
	    backend_setup, backend_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_account_missing, \
	    backend_setup, backend_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_account_set_password, \
	    backend_setup, backend_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_account_email_verified, \
	    backend_setup, backend_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_cert_add_find, \
	    backend_setup, backend_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_cert_full_del, \
	    backend_setup, backend_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_account_drop, \
	    backend_setup, backend_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_channel_register, \
	    backend_setup, backend_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_channel_update, \
	    backend_setup, backend_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_channel_fields, \
	    backend_setup, backend_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_channel_drop, \
	    backend_setup, backend_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_channel_entries, \
	    backend_setup, backend_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_batch, \
	    backend_setup, backend_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_load_stops, \
	    backend_setup, backend_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_load_accounts_only, \
	    backend_setup, backend_teardown, backend)

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		CASES(&memory_backend),
		CASES(&sqlite_backend),
		cmocka_unit_test_prestate_setup_teardown(test_sqlite_reopen,
		    backend_setup, backend_teardown, &sqlite_backend),
		cmocka_unit_test_prestate_setup_teardown(test_sqlite_created,
		    backend_setup, backend_teardown, &sqlite_backend),
		cmocka_unit_test_prestate_setup_teardown(test_sqlite_newer,
		    backend_setup, backend_teardown, &sqlite_backend),
		cmocka_unit_test_prestate_setup_teardown(test_sqlite_not_a_database,
		    backend_setup, backend_teardown, &sqlite_backend),
		cmocka_unit_test_prestate_setup_teardown(test_memory_fail,
		    backend_setup, backend_teardown, &memory_backend),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
