/*
 * The store backends (store/store.h): one table of cases, each run against every
 * backend (memory, and SQLite on a temporary file), so that the fake store the core's
 * unit tests use means what the real one does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/job.h"
#include "store/store.h"
#include "store/store_memory.h"

#include "fixture_store.h"

/*
 * The cases, for every backend.
 */

/* An account comes back whole, found by any case of its name, named as registered. */
static void
test_account_create_get(void **state)
{
	struct fs_backend	*b = *state;
	struct account_rec	 want;

	fs_account_fill(&want, "Foo[x]");
	assert_int_equal(fs_create(b, "Foo[x]"), 0);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_GET, "fOO{X}"), 0);
	assert_string_equal(fs_job.result.account.name, "Foo[x]");
	assert_string_equal(fs_job.result.account.email, want.email);
	assert_string_equal(fs_job.result.account.pwhash, want.pwhash);
	assert_memory_equal(fs_job.result.account.scram_salt, want.scram_salt,
	    SCRAM_SALT_LEN);
	assert_int_equal(fs_job.result.account.scram_iter, 4096);
	assert_memory_equal(fs_job.result.account.scram_stored, want.scram_stored,
	    SCRAM_KEY_LEN);
	assert_memory_equal(fs_job.result.account.scram_server, want.scram_server,
	    SCRAM_KEY_LEN);
	assert_int_equal(fs_job.result.account.registered, 1700000000);
	assert_string_equal(fs_job.result.account.verify_code, "code-Foo[x]");
	assert_int_equal(fs_job.result.account.ncerts, 0);
	assert_string_equal(fs_load(b), "a Foo[x]\n");
}

/* A second account of the same name in another case is refused; nothing changes. */
static void
test_account_exists(void **state)
{
	struct fs_backend	*b = *state;

	assert_int_equal(fs_create(b, "alice"), 0);
	assert_int_equal(fs_create(b, "ALICE"), -EEXIST);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_GET, "alice"), 0);
	assert_string_equal(fs_job.result.account.name, "alice");
	assert_string_equal(fs_load(b), "a alice\n");
}

/* CREATE writes the record's fingerprints too, which no other account may hold and
 * the record may not repeat; a refused CREATE writes nothing. */
static void
test_account_create_certs(void **state)
{
	struct fs_backend	*b = *state;
	struct job		*job;

	job = fs_job_of(JOB_ACCOUNT_CREATE);
	fs_account_fill(&job->in.account, "zed");
	job->in.account.ncerts = 2;
	snprintf(job->in.account.certs[0], sizeof(job->in.account.certs[0]), "AA01");
	snprintf(job->in.account.certs[1], sizeof(job->in.account.certs[1]), "bb02");
	assert_int_equal(fs_run(b, job), 0);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_BY_CERT, "aa01"), 0);
	assert_string_equal(fs_job.result.account.name, "zed");
	assert_int_equal(fs_job.result.account.ncerts, 2);
	assert_string_equal(fs_job.result.account.certs[0], "aa01");

	job = fs_job_of(JOB_ACCOUNT_CREATE);
	fs_account_fill(&job->in.account, "amy");
	job->in.account.ncerts = 2;
	snprintf(job->in.account.certs[0], sizeof(job->in.account.certs[0]), "cc03");
	snprintf(job->in.account.certs[1], sizeof(job->in.account.certs[1]), "BB02");
	assert_int_equal(fs_run(b, job), -EEXIST);
	job = fs_job_of(JOB_ACCOUNT_CREATE);
	fs_account_fill(&job->in.account, "amy");
	job->in.account.ncerts = 2;
	snprintf(job->in.account.certs[0], sizeof(job->in.account.certs[0]), "dd04");
	snprintf(job->in.account.certs[1], sizeof(job->in.account.certs[1]), "DD04");
	assert_int_equal(fs_run(b, job), -EEXIST);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_BY_CERT, "cc03"), -ENOENT);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_BY_CERT, "dd04"), -ENOENT);
	assert_string_equal(fs_load(b), "a zed\n");
}

/* Every operation on an account that is not there says so. */
static void
test_account_missing(void **state)
{
	struct fs_backend	*b = *state;
	struct job		*job;

	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_GET, "nobody"), -ENOENT);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_BY_CERT, "abcd"), -ENOENT);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_DROP, "nobody"), -ENOENT);
	job = fs_job_of(JOB_ACCOUNT_SET_PASSWORD);
	fs_account_fill(&job->in.account, "nobody");
	assert_int_equal(fs_run(b, job), -ENOENT);
	job = fs_job_of(JOB_ACCOUNT_SET_EMAIL);
	fs_account_fill(&job->in.account, "nobody");
	assert_int_equal(fs_run(b, job), -ENOENT);
	job = fs_job_of(JOB_ACCOUNT_VERIFIED);
	fs_account_fill(&job->in.account, "nobody");
	assert_int_equal(fs_run(b, job), -ENOENT);
	assert_int_equal(fs_cert(b, JOB_CERT_ADD, "nobody", "abcd"), -ENOENT);
	assert_int_equal(fs_cert(b, JOB_CERT_DEL, "nobody", "abcd"), -ENOENT);
	assert_string_equal(fs_load(b), "");
}

/* SET_PASSWORD replaces the hash and the SCRAM keys, and nothing else. */
static void
test_account_set_password(void **state)
{
	struct fs_backend	*b = *state;
	struct job		*job;

	assert_int_equal(fs_create(b, "bob"), 0);
	job = fs_job_of(JOB_ACCOUNT_SET_PASSWORD);
	snprintf(job->in.account.name, sizeof(job->in.account.name), "BOB");
	snprintf(job->in.account.pwhash, sizeof(job->in.account.pwhash), "$argon2id$new");
	memset(job->in.account.scram_salt, 'S', SCRAM_SALT_LEN);
	job->in.account.scram_iter = 8192;
	memset(job->in.account.scram_stored, 'T', SCRAM_KEY_LEN);
	memset(job->in.account.scram_server, 'V', SCRAM_KEY_LEN);
	assert_int_equal(fs_run(b, job), 0);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_GET, "bob"), 0);
	assert_string_equal(fs_job.result.account.pwhash, "$argon2id$new");
	assert_int_equal(fs_job.result.account.scram_iter, 8192);
	assert_int_equal(fs_job.result.account.scram_salt[0], 'S');
	assert_int_equal(fs_job.result.account.scram_stored[SCRAM_KEY_LEN - 1], 'T');
	assert_int_equal(fs_job.result.account.scram_server[0], 'V');
	assert_string_equal(fs_job.result.account.email, "bob@example.org");
	assert_string_equal(fs_job.result.account.verify_code, "code-bob");
}

/* SET_EMAIL replaces the address; VERIFIED clears the code. */
static void
test_account_email_verified(void **state)
{
	struct fs_backend	*b = *state;
	struct job		*job;

	assert_int_equal(fs_create(b, "carol"), 0);
	job = fs_job_of(JOB_ACCOUNT_SET_EMAIL);
	snprintf(job->in.account.name, sizeof(job->in.account.name), "carol");
	snprintf(job->in.account.email, sizeof(job->in.account.email), "c@new.example");
	assert_int_equal(fs_run(b, job), 0);
	job = fs_job_of(JOB_ACCOUNT_VERIFIED);
	snprintf(job->in.account.name, sizeof(job->in.account.name), "Carol");
	assert_int_equal(fs_run(b, job), 0);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_GET, "carol"), 0);
	assert_string_equal(fs_job.result.account.email, "c@new.example");
	assert_string_equal(fs_job.result.account.verify_code, "");
	assert_string_equal(fs_job.result.account.pwhash, "$argon2id$v=19$carol");
}

/* A fingerprint names one account, in any case; GET lists an account's in order, in
 * lowercase. */
static void
test_cert_add_find(void **state)
{
	struct fs_backend	*b = *state;

	assert_int_equal(fs_create(b, "dave"), 0);
	assert_int_equal(fs_create(b, "erin"), 0);
	assert_int_equal(fs_cert(b, JOB_CERT_ADD, "Dave", "00aa"), 0);
	assert_int_equal(fs_cert(b, JOB_CERT_ADD, "dave", "11BB"), 0);
	assert_int_equal(fs_cert(b, JOB_CERT_ADD, "dave", "00AA"), -EEXIST);
	assert_int_equal(fs_cert(b, JOB_CERT_ADD, "erin", "00aa"), -EEXIST);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_BY_CERT, "11BB"), 0);
	assert_string_equal(fs_job.result.account.name, "dave");
	assert_int_equal(fs_job.result.account.ncerts, 2);
	assert_string_equal(fs_job.result.account.certs[0], "00aa");
	assert_string_equal(fs_job.result.account.certs[1], "11bb");
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_BY_CERT, "22cc"), -ENOENT);
}

/* At ACCOUNT_CERTS_MAX fingerprints the next is refused; one deleted makes room. */
static void
test_cert_full_del(void **state)
{
	struct fs_backend	*b = *state;
	char			 fp[16];

	assert_int_equal(fs_create(b, "frank"), 0);
	assert_int_equal(fs_create(b, "gina"), 0);
	for (unsigned i = 0; i < ACCOUNT_CERTS_MAX; i++) {
		snprintf(fp, sizeof(fp), "f%u", i);
		assert_int_equal(fs_cert(b, JOB_CERT_ADD, "frank", fp), 0);
	}
	assert_int_equal(fs_cert(b, JOB_CERT_ADD, "frank", "ff"), -ENOSPC);
	assert_int_equal(fs_cert(b, JOB_CERT_DEL, "gina", "f3"), -ENOENT);
	assert_int_equal(fs_cert(b, JOB_CERT_DEL, "frank", "F3"), 0);
	assert_int_equal(fs_cert(b, JOB_CERT_DEL, "frank", "f3"), -ENOENT);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_BY_CERT, "f3"), -ENOENT);
	assert_int_equal(fs_cert(b, JOB_CERT_ADD, "frank", "ff"), 0);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_GET, "frank"), 0);
	assert_int_equal(fs_job.result.account.ncerts, ACCOUNT_CERTS_MAX);
	assert_string_equal(fs_job.result.account.certs[2], "f2");
	assert_string_equal(fs_job.result.account.certs[3], "f4");
}

/* Dropping an account drops its fingerprints and the channels it founded, with their
 * entries; the others stay, and the name is free again. */
static void
test_account_drop(void **state)
{
	struct fs_backend	*b = *state;

	assert_int_equal(fs_create(b, "hal"), 0);
	assert_int_equal(fs_create(b, "ivy"), 0);
	assert_int_equal(fs_cert(b, JOB_CERT_ADD, "hal", "aa"), 0);
	assert_int_equal(fs_chan_register(b, "#hal", "hal"), 0);
	assert_int_equal(fs_chan_register(b, "#ivy", "ivy"), 0);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_ADD, "#hal", 'b', "*!*@bad"), 0);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_ADD, "#ivy", 'o', "hal"), 0);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_DROP, "HAL"), 0);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_GET, "hal"), -ENOENT);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_BY_CERT, "aa"), -ENOENT);
	assert_string_equal(fs_load(b),
	    "a ivy\n"
	    "c #ivy ivy 10 the topic of #ivy\n"
	    "e #ivy o hal op!u@h\n");
	assert_int_equal(fs_create(b, "hal"), 0);
	assert_int_equal(fs_cert(b, JOB_CERT_ADD, "ivy", "aa"), 0);
}

/* A channel: registered once, by an existing account (its founder, named as the account
 * is); found in any case. */
static void
test_channel_register(void **state)
{
	struct fs_backend	*b = *state;

	assert_int_equal(fs_create(b, "jo"), 0);
	assert_int_equal(fs_chan_register(b, "#Chan[1]", "JO"), 0);
	assert_int_equal(fs_chan_register(b, "#chan{1}", "jo"), -EEXIST);
	assert_int_equal(fs_chan_register(b, "#other", "nobody"), -ENOENT);
	assert_string_equal(fs_load(b),
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

/* Names as long as they may be are whole keys: two channels of 200 bytes that differ
 * in the last one are two channels, and so are two masks of 127. */
static void
test_long_names(void **state)
{
	struct fs_backend	*b = *state;
	char			 a[CONFIG_CHANNELLEN_MAX + 1], z[CONFIG_CHANNELLEN_MAX + 1];
	char			 m1[CONFIG_MASK_MAX + 1], m2[CONFIG_MASK_MAX + 1];

	memset(a, 'c', sizeof(a) - 1);
	a[0] = '#';
	a[sizeof(a) - 1] = '\0';
	memcpy(z, a, sizeof(z));
	z[sizeof(z) - 2] = 'z';
	memset(m1, 'm', sizeof(m1) - 1);
	m1[sizeof(m1) - 1] = '\0';
	memcpy(m2, m1, sizeof(m2));
	m2[sizeof(m2) - 2] = 'n';
	assert_int_equal(fs_create(b, "yul"), 0);
	assert_int_equal(fs_chan_register(b, a, "yul"), 0);
	assert_int_equal(fs_chan_register(b, z, "yul"), 0);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_ADD, z, 'b', m1), 0);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_ADD, z, 'b', m2), 0);
	assert_int_equal(fs_by_name(b, JOB_CHANNEL_DROP, a), 0);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_DEL, z, 'b', m1), 0);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_DEL, z, 'b', m2), 0);
	assert_int_equal(fs_by_name(b, JOB_CHANNEL_DROP, z), 0);
}

/* UPDATE changes every field but the founder and the time of registration. */
static void
test_channel_update(void **state)
{
	struct fs_backend		*b = *state;
	struct job			*job;
	const struct store_visitor	 v = { skip_account, keep_channel, fs_visit_entry,
	    NULL, NULL, NULL };

	assert_int_equal(fs_create(b, "kim"), 0);
	assert_int_equal(fs_create(b, "lee"), 0);
	assert_int_equal(fs_chan_register(b, "#k", "kim"), 0);
	job = fs_job_of(JOB_CHANNEL_UPDATE);
	fs_chanreg_fill(&job->in.chanreg, "#K", "lee");
	job->in.chanreg.registered = 5;
	snprintf(job->in.chanreg.topic, sizeof(job->in.chanreg.topic), "new topic");
	snprintf(job->in.chanreg.topic_setter, sizeof(job->in.chanreg.topic_setter),
	    "lee!u@h");
	job->in.chanreg.topic_time = 7;
	job->in.chanreg.modes = 0x2;
	job->in.chanreg.key[0] = '\0';
	job->in.chanreg.limit = 0;
	assert_int_equal(fs_run(b, job), 0);
	job = fs_job_of(JOB_CHANNEL_UPDATE);
	fs_chanreg_fill(&job->in.chanreg, "#nope", "kim");
	assert_int_equal(fs_run(b, job), -ENOENT);

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
	struct fs_backend		*b = *state;
	const struct store_visitor	 v = { skip_account, keep_channel, fs_visit_entry,
	    NULL, NULL, NULL };

	assert_int_equal(fs_create(b, "max"), 0);
	assert_int_equal(fs_chan_register(b, "#m", "max"), 0);
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
	struct fs_backend	*b = *state;

	assert_int_equal(fs_create(b, "ned"), 0);
	assert_int_equal(fs_chan_register(b, "#n", "ned"), 0);
	assert_int_equal(fs_chan_register(b, "#keep", "ned"), 0);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_ADD, "#n", 'b', "*!*@x"), 0);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_ADD, "#keep", 'b', "*!*@x"), 0);
	assert_int_equal(fs_by_name(b, JOB_CHANNEL_DROP, "#N"), 0);
	assert_int_equal(fs_by_name(b, JOB_CHANNEL_DROP, "#n"), -ENOENT);
	assert_string_equal(fs_load(b),
	    "a ned\n"
	    "c #keep ned 10 the topic of #keep\n"
	    "e #keep b *!*@x op!u@h\n");
	assert_int_equal(fs_chan_register(b, "#n", "ned"), 0);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_ADD, "#n", 'b', "*!*@x"), 0);
}

/* Entries: (channel, kind, mask) is unique, the mask in any case; each list is its own;
 * an entry names a registered channel. */
static void
test_channel_entries(void **state)
{
	struct fs_backend	*b = *state;

	assert_int_equal(fs_create(b, "oz"), 0);
	assert_int_equal(fs_chan_register(b, "#o", "oz"), 0);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_ADD, "#O", 'b', "*!*@Host"), 0);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_ADD, "#o", 'b', "*!*@hOST"),
	    -EEXIST);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_ADD, "#o", 'e', "*!*@host"), 0);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_ADD, "#o", 'v', "oz"), 0);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_ADD, "#none", 'b', "*!*@x"),
	    -ENOENT);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_DEL, "#o", 'I', "*!*@host"),
	    -ENOENT);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_DEL, "#o", 'e', "*!*@HOST"), 0);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_DEL, "#o", 'e', "*!*@host"),
	    -ENOENT);
	assert_string_equal(fs_load(b),
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
	struct fs_backend	*b = *state;
	struct job		 jobs[4];
	struct job		*list[4] = { &jobs[0], &jobs[1], &jobs[2], &jobs[3] };
	const char		*names[4] = { "pat", "quin", "PAT", "rae" };

	memset(jobs, 0, sizeof(jobs));
	for (unsigned i = 0; i < 4; i++) {
		jobs[i].kind = JOB_ACCOUNT_CREATE;
		jobs[i].status = 1;
		fs_account_fill(&jobs[i].in.account, names[i]);
	}
	jobs[3].kind = JOB_ACCOUNT_GET;
	snprintf(jobs[3].in.name, sizeof(jobs[3].in.name), "quin");
	b->ops->run(b->st, list, 4);
	assert_int_equal(jobs[0].status, 0);
	assert_int_equal(jobs[1].status, 0);
	assert_int_equal(jobs[2].status, -EEXIST);
	assert_int_equal(jobs[3].status, 0);
	assert_string_equal(jobs[3].result.account.name, "quin");
	assert_string_equal(fs_load(b), "a pat\na quin\n");
}

/* load names accounts and channels in the order they were registered, whatever
 * changed in them since. */
static void
test_load_order(void **state)
{
	struct fs_backend	*b = *state;
	struct job		*job;

	assert_int_equal(fs_create(b, "zed"), 0);
	assert_int_equal(fs_create(b, "amy"), 0);
	assert_int_equal(fs_chan_register(b, "#z", "zed"), 0);
	assert_int_equal(fs_chan_register(b, "#a", "amy"), 0);
	job = fs_job_of(JOB_ACCOUNT_SET_EMAIL);
	strcpy(job->in.account.name, "zed");
	strcpy(job->in.account.email, "z@example.org");
	assert_int_equal(fs_run(b, job), 0);
	job = fs_job_of(JOB_CHANNEL_UPDATE);
	fs_chanreg_fill(&job->in.chanreg, "#z", "zed");
	assert_int_equal(fs_run(b, job), 0);
	assert_string_equal(fs_load(b), "a zed\na amy\n"
	    "c #z zed 10 the topic of #z\nc #a amy 10 the topic of #a\n");
}

/* A fs_visitor's nonzero return stops load and is its result. */
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
	struct fs_backend		*b = *state;
	const struct store_visitor	 v = { visit_stop, fs_visit_channel,
					    fs_visit_entry, NULL, fs_visit_presence,
					    fs_visit_opts };
	unsigned			 calls = 0;

	assert_int_equal(fs_create(b, "sam"), 0);
	assert_int_equal(fs_create(b, "tom"), 0);
	assert_int_equal(b->ops->load(b->st, &v, &calls), -1);
	assert_int_equal(calls, 1);
}

/* A fs_visitor without channels or entries is handed the accounts alone. */
static void
test_load_accounts_only(void **state)
{
	struct fs_backend		*b = *state;
	const struct store_visitor	 v = { fs_visit_account, NULL, NULL,
	    NULL, NULL, NULL };

	assert_int_equal(fs_create(b, "xan"), 0);
	assert_int_equal(fs_chan_register(b, "#x", "xan"), 0);
	assert_int_equal(fs_entry(b, JOB_CHANNEL_ENTRY_ADD, "#x", 'b', "*!*@x"), 0);
	fs_loaded[0] = '\0';
	assert_int_equal(b->ops->load(b->st, &v, NULL), 0);
	assert_string_equal(fs_loaded, "a xan\n");
}

/*
 * The memory backend's failure knob, which the core's tests use.
 */
static void
test_memory_fail(void **state)
{
	struct fs_backend	*b = *state;

	assert_int_equal(fs_create(b, "uma"), 0);
	store_memory_fail(b->st, -EIO);
	assert_int_equal(fs_create(b, "vic"), -EIO);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_DROP, "uma"), -EIO);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_GET, "uma"), 0);
	store_memory_fail(b->st, 0);
	assert_int_equal(fs_create(b, "vic"), 0);
	assert_string_equal(fs_load(b), "a uma\na vic\n");
}

/* Always-on presences: one an account, replaced whole; dropped by account name. */
static void
test_presence(void **state)
{
	struct fs_backend	*b = *state;
	struct job		*job;

	assert_int_equal(fs_create(b, "pia"), 0);
	for (int i = 0; i < 2; i++) {
		job = fs_job_of(JOB_PRESENCE_SET);
		strcpy(job->in.presence.account, "pia");
		strcpy(job->in.presence.nick, i == 0 ? "pia" : "pia_");
		strcpy(job->in.presence.host, "127.0.0.1");
		strcpy(job->in.presence.away, "Not connected");
		strcpy(job->in.presence.channels, i == 0 ? "#a " : "#a #b ");
		assert_int_equal(fs_run(b, job), 0);
	}
	assert_string_equal(fs_load(b),
	    "a pia\np pia pia_ 127.0.0.1|Not connected|#a #b \n");
	assert_int_equal(fs_by_name(b, JOB_PRESENCE_DEL, "pia"), 0);
	assert_int_equal(fs_by_name(b, JOB_PRESENCE_DEL, "pia"), 0);
	assert_string_equal(fs_load(b), "a pia\n");
}

/* An account's choices: replaced whole, for a registered account only, gone with it. */
static void
test_account_opts(void **state)
{
	struct fs_backend	*b = *state;
	struct job		*job;

	assert_int_equal(fs_create(b, "Oli"), 0);
	for (int i = 0; i < 2; i++) {
		job = fs_job_of(JOB_ACCOUNT_SET_OPTS);
		strcpy(job->in.opts.name, "OLI");
		job->in.opts.multiclient = ACCOUNT_OPT_OFF;
		job->in.opts.always_on = i == 0 ? ACCOUNT_OPT_DEFAULT : ACCOUNT_OPT_ON;
		assert_int_equal(fs_run(b, job), 0);
	}
	assert_string_equal(fs_load(b), "a Oli\no Oli 2 1\n");
	job = fs_job_of(JOB_ACCOUNT_SET_OPTS);
	strcpy(job->in.opts.name, "nobody");
	assert_int_equal(fs_run(b, job), -ENOENT);
	assert_int_equal(fs_by_name(b, JOB_ACCOUNT_DROP, "oli"), 0);
	assert_int_equal(fs_create(b, "oli"), 0);
	assert_string_equal(fs_load(b), "a oli\n");
}

#define CASES(backend) \
	cmocka_unit_test_prestate_setup_teardown(test_account_create_get, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_account_exists, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_account_create_certs, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_account_missing, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_account_set_password, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_account_email_verified, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_cert_add_find, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_cert_full_del, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_account_drop, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_channel_register, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_long_names, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_channel_update, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_channel_fields, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_channel_drop, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_channel_entries, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_batch, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_load_order, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_load_stops, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_load_accounts_only, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_presence, \
	    fs_setup, fs_teardown, backend), \
	cmocka_unit_test_prestate_setup_teardown(test_account_opts, \
	    fs_setup, fs_teardown, backend)

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		CASES(&fs_memory),
		CASES(&fs_sqlite),
		CASES(&fs_jetstream),
		cmocka_unit_test_prestate_setup_teardown(test_memory_fail,
		    fs_setup, fs_teardown, &fs_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
