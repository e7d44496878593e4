/*
 * The store backends driven by hand (fixture_store.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture_store.h"

struct fs_backend	fs_memory = { &store_memory, "", "", NULL, NULL };
struct fs_backend	fs_sqlite = { &store_sqlite, "", "", NULL, NULL };

int
fs_setup(void **state)
{
	struct fs_backend	*b = *state;
	char			 err[256];

	snprintf(b->dir, sizeof(b->dir), "/tmp/parley-test-store.XXXXXX");
	if (mkdtemp(b->dir) == NULL)
		return -1;
	snprintf(b->path, sizeof(b->path), "%s/s.db", b->dir);
	b->st = b->open != NULL ? b->open(b, err, sizeof(err)) :
	    b->ops->open(b->path, err, sizeof(err));
	if (b->st == NULL) {
		fprintf(stderr, "open %s: %s\n", b->ops->name, err);
		return -1;
	}
	return 0;
}

/* Remove the store's files (the database, its WAL and shared memory) and directory. */
void
fs_remove(struct fs_backend *b)
{
	const char	*suffix[] = { "", "-wal", "-shm", "-journal" };
	char		 path[128];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", b->path, suffix[i]);
		(void)unlink(path);
	}
	(void)rmdir(b->dir);
}

int
fs_teardown(void **state)
{
	struct fs_backend	*b = *state;

	b->ops->close(b->st);
	b->st = NULL;
	fs_remove(b);
	return 0;
}

struct job	fs_job;

struct job *
fs_job_of(enum job_kind kind)
{
	memset(&fs_job, 0, sizeof(fs_job));
	fs_job.kind = kind;
	fs_job.status = 1;	/* run must set it */
	return &fs_job;
}

int
fs_run(struct fs_backend *b, struct job *job)
{
	b->ops->run(b->st, &job, 1);
	return job->status;
}

int
fs_by_name(struct fs_backend *b, enum job_kind kind, const char *name)
{
	struct job	*job = fs_job_of(kind);

	snprintf(job->in.name, sizeof(job->in.name), "%s", name);
	return fs_run(b, job);
}

/* A full account record: every field set from name, so a test can tell them apart. */
void
fs_account_fill(struct account_rec *a, const char *name)
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

int
fs_create(struct fs_backend *b, const char *name)
{
	struct job	*job = fs_job_of(JOB_ACCOUNT_CREATE);

	fs_account_fill(&job->in.account, name);
	return fs_run(b, job);
}

int
fs_cert(struct fs_backend *b, enum job_kind kind, const char *account, const char *certfp)
{
	struct job	*job = fs_job_of(kind);

	snprintf(job->in.cert.account, sizeof(job->in.cert.account), "%s", account);
	snprintf(job->in.cert.certfp, sizeof(job->in.cert.certfp), "%s", certfp);
	return fs_run(b, job);
}

void
fs_chanreg_fill(struct chanreg_rec *c, const char *name, const char *founder)
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

int
fs_chan_register(struct fs_backend *b, const char *name, const char *founder)
{
	struct job	*job = fs_job_of(JOB_CHANNEL_REGISTER);

	fs_chanreg_fill(&job->in.chanreg, name, founder);
	return fs_run(b, job);
}

int
fs_entry(struct fs_backend *b, enum job_kind kind, const char *channel, char k,
    const char *mask)
{
	struct job	*job = fs_job_of(kind);

	snprintf(job->in.entry.channel, sizeof(job->in.entry.channel), "%s", channel);
	job->in.entry.kind = k;
	snprintf(job->in.entry.mask, sizeof(job->in.entry.mask), "%s", mask);
	snprintf(job->in.entry.setter, sizeof(job->in.entry.setter), "op!u@h");
	job->in.entry.time = 1700000003;
	return fs_run(b, job);
}

char	fs_loaded[4096];

static void
fs_loaded_add(const char *fmt, ...)
{
	size_t	len = strlen(fs_loaded);
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(fs_loaded + len, sizeof(fs_loaded) - len, fmt, ap);
	va_end(ap);
}

int
fs_visit_account(void *arg, const char *name)
{
	(void)arg;
	fs_loaded_add("a %s\n", name);
	return 0;
}

int
fs_visit_channel(void *arg, const struct chanreg_rec *c)
{
	(void)arg;
	fs_loaded_add("c %s %s %u %s\n", c->name, c->founder, c->limit, c->topic);
	return 0;
}

int
fs_visit_entry(void *arg, const struct chanreg_entry *e)
{
	(void)arg;
	fs_loaded_add("e %s %c %s %s\n", e->channel, e->kind, e->mask, e->setter);
	return 0;
}

int
fs_visit_presence(void *arg, const struct presence_rec *p)
{
	(void)arg;
	fs_loaded_add("p %s %s %s|%s|%s\n", p->account, p->nick, p->host, p->away,
	    p->channels);
	return 0;
}

int
fs_visit_opts(void *arg, const struct account_opts *o)
{
	(void)arg;
	fs_loaded_add("o %s %u %u\n", o->name, o->multiclient, o->always_on);
	return 0;
}

const struct store_visitor	fs_visitor = {
	fs_visit_account, fs_visit_channel, fs_visit_entry, NULL, fs_visit_presence,
	fs_visit_opts
};

const char *
fs_load(struct fs_backend *b)
{
	fs_loaded[0] = '\0';
	assert_int_equal(b->ops->load(b->st, &fs_visitor, NULL), 0);
	return fs_loaded;
}

