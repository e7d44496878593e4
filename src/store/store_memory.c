/*
 * The memory backend (store.h): the store's exact semantics over three arrays, kept
 * nowhere.  The unit tests' fixture runs the core's store jobs through it, and
 * tests/unit/test_store.c holds it to the same table of cases as the SQLite backend.
 * Names (accounts, channels, masks) compare under the core's casemapping
 * (memory_casemap; rfc1459 until then); fingerprints compare without regard to case.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/casemap.h"
#include "core/job.h"
#include "store/history_store.h"
#include "store/store.h"
#include "store/store_kind.h"
#include "store/store_memory.h"

/* A growable array of n records of one type. */
struct memory_array {
	void	*v;
	size_t	 n;
	size_t	 cap;
	size_t	 size;		/* of one record */
};

struct store {
	struct memory_array	 accounts;	/* struct account_rec */
	struct memory_array	 channels;	/* struct chanreg_rec */
	struct memory_array	 entries;	/* struct chanreg_entry */
	struct memory_array	 presences;	/* struct presence_rec */
	struct memory_array	 opts;		/* struct account_opts */
	int			 fail;		/* store_memory_fail's status */
	struct history_memory	*history;	/* history_memory.c */
	enum casemapping	 cm;		/* how names compare */
};

#define AT(a, type, i)	(&((type *)(a)->v)[i])

/* Room for one more record at the end; returns it, or NULL out of memory (which a
 * write answers as the disk failing would: -EIO, nothing written). */
static void *
array_push(struct memory_array *a)
{
	void	*v;
	size_t	 cap;

	if (a->n == a->cap) {
		cap = a->cap == 0 ? 16 : a->cap * 2;
		if ((v = reallocarray(a->v, cap, a->size)) == NULL)
			return NULL;
		a->v = v;
		a->cap = cap;
	}
	return (char *)a->v + a->n++ * a->size;
}

/* Remove record i, keeping the order of the others. */
static void
array_remove(struct memory_array *a, size_t i)
{
	char	*v = a->v;

	memmove(v + i * a->size, v + (i + 1) * a->size, (a->n - i - 1) * a->size);
	a->n--;
}

/* Fingerprints are kept in lowercase, as SQLite's backend keeps them. */
static void
certfp_lower(char *certfp)
{
	for (; *certfp != '\0'; certfp++)
		if (*certfp >= 'A' && *certfp <= 'Z')
			*certfp += 32;
}

/* The index of account name's choices in st->opts, or -1. */
static long
opts_find(const struct store *st, const char *name)
{
	for (size_t i = 0; i < st->opts.n; i++)
		if (casemap_eq_as(st->cm, AT(&st->opts, struct account_opts, i)->name, name))
			return (long)i;
	return -1;
}

static long
account_find(const struct store *st, const char *name)
{
	for (size_t i = 0; i < st->accounts.n; i++)
		if (casemap_eq_as(st->cm, AT(&st->accounts, struct account_rec, i)->name, name))
			return (long)i;
	return -1;
}

/* The account holding fingerprint certfp, and the fingerprint's place in it. */
static long
cert_find(const struct store *st, const char *certfp, unsigned *slot)
{
	const struct account_rec	*a;

	for (size_t i = 0; i < st->accounts.n; i++) {
		a = AT(&st->accounts, struct account_rec, i);
		for (unsigned c = 0; c < a->ncerts; c++)
			if (strcasecmp(a->certs[c], certfp) == 0) {
				*slot = c;
				return (long)i;
			}
	}
	return -1;
}

static long
channel_find(const struct store *st, const char *name)
{
	for (size_t i = 0; i < st->channels.n; i++)
		if (casemap_eq_as(st->cm, AT(&st->channels, struct chanreg_rec, i)->name, name))
			return (long)i;
	return -1;
}

static long
entry_find(const struct store *st, const struct chanreg_entry *e)
{
	const struct chanreg_entry	*x;

	for (size_t i = 0; i < st->entries.n; i++) {
		x = AT(&st->entries, struct chanreg_entry, i);
		if (x->kind == e->kind && casemap_eq_as(st->cm, x->channel, e->channel) &&
		    casemap_eq_as(st->cm, x->mask, e->mask))
			return (long)i;
	}
	return -1;
}

/* Drop channel i and its entries. */
static void
channel_remove(struct store *st, size_t i)
{
	const char	*name = AT(&st->channels, struct chanreg_rec, i)->name;
	size_t		 e = 0;

	while (e < st->entries.n)
		if (casemap_eq_as(st->cm, AT(&st->entries, struct chanreg_entry, e)->channel, name))
			array_remove(&st->entries, e);
		else
			e++;
	array_remove(&st->channels, i);
}

static int
memory_account_create(struct store *st, const struct account_rec *in)
{
	struct account_rec	*a;
	unsigned		 slot, n = in->ncerts;

	if (account_find(st, in->name) >= 0)
		return -EEXIST;
	if (n > ACCOUNT_CERTS_MAX)
		n = ACCOUNT_CERTS_MAX;
	for (unsigned c = 0; c < n; c++) {
		if (cert_find(st, in->certs[c], &slot) >= 0)
			return -EEXIST;
		for (unsigned d = 0; d < c; d++)
			if (strcasecmp(in->certs[c], in->certs[d]) == 0)
				return -EEXIST;
	}
	if ((a = array_push(&st->accounts)) == NULL)
		return -EIO;
	*a = *in;
	a->ncerts = n;
	for (unsigned c = 0; c < n; c++)
		certfp_lower(a->certs[c]);
	return 0;
}

static int
memory_account_drop(struct store *st, const char *name)
{
	long	i;
	size_t	c = 0;

	if ((i = account_find(st, name)) < 0)
		return -ENOENT;
	while (c < st->channels.n)
		if (casemap_eq_as(st->cm, AT(&st->channels, struct chanreg_rec, c)->founder, name))
			channel_remove(st, c);
		else
			c++;
	array_remove(&st->accounts, (size_t)i);
	if ((i = opts_find(st, name)) >= 0)
		array_remove(&st->opts, (size_t)i);
	return 0;
}

static int
memory_cert_add(struct store *st, const struct job_cert *in)
{
	struct account_rec	*a;
	unsigned		 slot;
	long			 i;

	if ((i = account_find(st, in->account)) < 0)
		return -ENOENT;
	if (cert_find(st, in->certfp, &slot) >= 0)
		return -EEXIST;
	a = AT(&st->accounts, struct account_rec, i);
	if (a->ncerts >= ACCOUNT_CERTS_MAX)
		return -ENOSPC;
	memcpy(a->certs[a->ncerts], in->certfp, sizeof(a->certs[0]));
	certfp_lower(a->certs[a->ncerts++]);
	return 0;
}

static int
memory_cert_del(struct store *st, const struct job_cert *in)
{
	struct account_rec	*a;
	unsigned		 slot;
	long			 i;

	if ((i = account_find(st, in->account)) < 0 ||
	    cert_find(st, in->certfp, &slot) != i)
		return -ENOENT;
	a = AT(&st->accounts, struct account_rec, i);
	memmove(a->certs[slot], a->certs[slot + 1],
	    (a->ncerts - slot - 1) * sizeof(a->certs[0]));
	a->ncerts--;
	return 0;
}

static int
memory_channel_register(struct store *st, const struct chanreg_rec *in)
{
	struct chanreg_rec	*c;
	long			 a;

	if (channel_find(st, in->name) >= 0)
		return -EEXIST;
	if ((a = account_find(st, in->founder)) < 0)
		return -ENOENT;
	if ((c = array_push(&st->channels)) == NULL)
		return -EIO;
	*c = *in;
	/* The founder as the account is named, as a join on the account would give. */
	memcpy(c->founder, AT(&st->accounts, struct account_rec, a)->name,
	    sizeof(c->founder));
	return 0;
}

static int
memory_channel_update(struct store *st, const struct chanreg_rec *in)
{
	struct chanreg_rec	*c, keep;
	long			 i;

	if ((i = channel_find(st, in->name)) < 0)
		return -ENOENT;
	c = AT(&st->channels, struct chanreg_rec, i);
	keep = *c;
	*c = *in;
	memcpy(c->name, keep.name, sizeof(c->name));
	memcpy(c->founder, keep.founder, sizeof(c->founder));
	c->registered = keep.registered;
	return 0;
}

static int
memory_entry_add(struct store *st, const struct chanreg_entry *in)
{
	struct chanreg_entry	*e;
	long			 c;

	if ((c = channel_find(st, in->channel)) < 0)
		return -ENOENT;
	if (entry_find(st, in) >= 0)
		return -EEXIST;
	if ((e = array_push(&st->entries)) == NULL)
		return -EIO;
	*e = *in;
	memcpy(e->channel, AT(&st->channels, struct chanreg_rec, c)->name,
	    sizeof(e->channel));
	return 0;
}

/* A read: copy account i into the job's result. */
static int
memory_account_read(const struct store *st, long i, struct job *job)
{
	if (i < 0)
		return -ENOENT;
	job->result.account = *AT(&st->accounts, struct account_rec, i);
	return 0;
}

static int
memory_set(struct store *st, const struct account_rec *in, enum job_kind kind)
{
	struct account_rec	*a;
	long			 i;

	if ((i = account_find(st, in->name)) < 0)
		return -ENOENT;
	a = AT(&st->accounts, struct account_rec, i);
	switch (kind) {
	case JOB_ACCOUNT_SET_PASSWORD:
		memcpy(a->pwhash, in->pwhash, sizeof(a->pwhash));
		memcpy(a->scram_salt, in->scram_salt, sizeof(a->scram_salt));
		a->scram_iter = in->scram_iter;
		memcpy(a->scram_stored, in->scram_stored, sizeof(a->scram_stored));
		memcpy(a->scram_server, in->scram_server, sizeof(a->scram_server));
		break;
	case JOB_ACCOUNT_SET_EMAIL:
		memcpy(a->email, in->email, sizeof(a->email));
		break;
	default:	/* JOB_ACCOUNT_VERIFIED */
		a->verify_code[0] = '\0';
		break;
	}
	return 0;
}

static int
memory_opts(struct store *st, const struct account_opts *in)
{
	struct account_opts	*o;
	long			 i;

	if (account_find(st, in->name) < 0)
		return -ENOENT;
	if ((i = opts_find(st, in->name)) >= 0)
		o = AT(&st->opts, struct account_opts, i);
	else if ((o = array_push(&st->opts)) == NULL)
		return -EIO;
	*o = *in;
	snprintf(o->name, sizeof(o->name), "%s",
	    AT(&st->accounts, struct account_rec, account_find(st, in->name))->name);
	return 0;
}

/* JOB_PRESENCE_SET replaces the account's presence; _DEL drops it. */
static int
memory_presence(struct store *st, struct job *job)
{
	const char		*account = job->kind == JOB_PRESENCE_SET ?
				    job->in.presence.account : job->in.name;
	struct presence_rec	*p;

	for (size_t i = 0; i < st->presences.n; i++) {
		if (strcmp(AT(&st->presences, struct presence_rec, i)->account,
		    account) == 0) {
			array_remove(&st->presences, i);
			break;
		}
	}
	if (job->kind == JOB_PRESENCE_DEL)
		return 0;
	if ((p = array_push(&st->presences)) == NULL)
		return -EIO;
	*p = job->in.presence;
	return 0;
}

static int
memory_job(struct store *st, struct job *job)
{
	unsigned	slot;
	long		i;

	if (st->fail != 0 && store_kind_writes(job->kind))
		return st->fail;
	switch (job->kind) {
	case JOB_ACCOUNT_GET:
		return memory_account_read(st, account_find(st, job->in.name), job);
	case JOB_ACCOUNT_BY_CERT:
		return memory_account_read(st, cert_find(st, job->in.name, &slot), job);
	case JOB_ACCOUNT_CREATE:
		return memory_account_create(st, &job->in.account);
	case JOB_ACCOUNT_SET_PASSWORD:
	case JOB_ACCOUNT_SET_EMAIL:
	case JOB_ACCOUNT_VERIFIED:
		return memory_set(st, &job->in.account, job->kind);
	case JOB_ACCOUNT_DROP:
		return memory_account_drop(st, job->in.name);
	case JOB_CERT_ADD:
		return memory_cert_add(st, &job->in.cert);
	case JOB_CERT_DEL:
		return memory_cert_del(st, &job->in.cert);
	case JOB_CHANNEL_REGISTER:
		return memory_channel_register(st, &job->in.chanreg);
	case JOB_CHANNEL_UPDATE:
		return memory_channel_update(st, &job->in.chanreg);
	case JOB_CHANNEL_DROP:
		if ((i = channel_find(st, job->in.name)) < 0)
			return -ENOENT;
		channel_remove(st, (size_t)i);
		return 0;
	case JOB_CHANNEL_ENTRY_ADD:
		return memory_entry_add(st, &job->in.entry);
	case JOB_CHANNEL_ENTRY_DEL:
		if ((i = entry_find(st, &job->in.entry)) < 0)
			return -ENOENT;
		array_remove(&st->entries, (size_t)i);
		return 0;
	case JOB_PRESENCE_SET:
	case JOB_PRESENCE_DEL:
		return memory_presence(st, job);
	case JOB_ACCOUNT_SET_OPTS:
		return memory_opts(st, &job->in.opts);
	default:
		return history_memory_job(st->history, job);
	}
}

static struct store *
memory_open(const char *path, char *err, size_t errlen)
{
	struct store	*st;

	(void)path;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	st->accounts.size = sizeof(struct account_rec);
	st->channels.size = sizeof(struct chanreg_rec);
	st->entries.size = sizeof(struct chanreg_entry);
	st->presences.size = sizeof(struct presence_rec);
	st->opts.size = sizeof(struct account_opts);
	if ((st->history = history_memory_new()) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		free(st);
		return NULL;
	}
	return st;
}

static void
memory_run(struct store *st, struct job **jobs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		jobs[i]->status = memory_job(st, jobs[i]);
}

static int
memory_load(struct store *st, const struct store_visitor *v, void *arg)
{
	int	rc;

	for (size_t i = 0; i < st->accounts.n; i++)
		if ((rc = v->account(arg,
		    AT(&st->accounts, struct account_rec, i)->name)) != 0)
			return rc;
	for (size_t i = 0; v->channel != NULL && i < st->channels.n; i++)
		if ((rc = v->channel(arg, AT(&st->channels, struct chanreg_rec, i))) != 0)
			return rc;
	for (size_t i = 0; v->entry != NULL && i < st->entries.n; i++)
		if ((rc = v->entry(arg, AT(&st->entries, struct chanreg_entry, i))) != 0)
			return rc;
	for (size_t i = 0; v->opts != NULL && i < st->opts.n; i++)
		if ((rc = v->opts(arg, AT(&st->opts, struct account_opts, i))) != 0)
			return rc;
	for (size_t i = 0; v->presence != NULL && i < st->presences.n; i++)
		if ((rc = v->presence(arg,
		    AT(&st->presences, struct presence_rec, i))) != 0)
			return rc;
	return history_memory_load(st->history, v, arg);
}

static int
memory_backup(struct store *st, const char *file, char *err, size_t errlen)
{
	(void)st;
	snprintf(err, errlen, "%s: the memory store keeps nothing to copy", file);
	return -ENOTSUP;
}

static void
memory_close(struct store *st)
{
	if (st == NULL)
		return;
	/* The records hold password hashes. */
	if (st->accounts.v != NULL)
		explicit_bzero(st->accounts.v, st->accounts.n * st->accounts.size);
	free(st->accounts.v);
	free(st->channels.v);
	free(st->entries.v);
	free(st->presences.v);
	free(st->opts.v);
	history_memory_free(st->history);
	free(st);
}

void
store_memory_fail(struct store *st, int status)
{
	st->fail = status;
}

/* Nothing is kept from one run to the next: no name is keyed otherwise. */
static int
memory_casemap(struct store *st, enum casemapping cm, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	st->cm = cm;
	return 0;
}

const struct store_ops store_memory = {
	"memory", memory_open, memory_run, memory_load, memory_backup, memory_close,
	memory_casemap
};
