/*
 * The JetStream store's registered channels (jetstream.h): one value a channel under
 * its folded name, its entries (bans, exceptions, invites, access) inside it, so that
 * registering is one compare-and-set create, dropping one delete, and each change to
 * a list one compare-and-set update.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/casemap.h"
#include "store/jetstream.h"
#include "store/jetstream_codec.h"

static const struct jc_field channel_fields[] = {
	JC_FIELD(struct chanreg_rec, name, JC_STR),
	JC_FIELD(struct chanreg_rec, founder, JC_STR),
	JC_FIELD(struct chanreg_rec, registered, JC_I64),
	JC_FIELD(struct chanreg_rec, topic, JC_STR),
	JC_FIELD(struct chanreg_rec, topic_setter, JC_STR),
	JC_FIELD(struct chanreg_rec, topic_time, JC_I64),
	JC_FIELD(struct chanreg_rec, modes, JC_U32),
	JC_FIELD(struct chanreg_rec, key, JC_STR),
	JC_FIELD(struct chanreg_rec, limit, JC_U32),
};

/*
 * An entry is one field "entry=KIND TIME SETTER MASK": a setter (nick!user@host) and
 * a mask hold no blank, as in IRC.
 */
static void
entry_encode(struct jc_buf *b, const struct chanreg_entry *e)
{
	char	val[32 + CHANREG_SETTER_MAX + CONFIG_MASK_MAX];

	snprintf(val, sizeof(val), "%c %lld %s %s", e->kind, (long long)e->time,
	    e->setter, e->mask);
	jc_put_str(b, "entry", val);
}

static void
entry_decode(const char *val, const char *channel, struct chanreg_entry *e)
{
	const char	*setter, *mask;

	memset(e, 0, sizeof(*e));
	snprintf(e->channel, sizeof(e->channel), "%s", channel);
	e->kind = val[0];
	if ((setter = strchr(val, ' ')) == NULL || (setter = strchr(setter + 1, ' ')) ==
	    NULL)
		return;
	e->time = jc_i64(val + 2);
	setter++;
	if ((mask = strchr(setter, ' ')) == NULL)
		return;
	snprintf(e->setter, sizeof(e->setter), "%.*s", (int)(mask - setter), setter);
	snprintf(e->mask, sizeof(e->mask), "%s", mask + 1);
}

int
jetstream_channel_decode(const char *p, size_t len, uint64_t rev,
    struct jetstream_channel *ch)
{
	struct jc_reader	 r = { p, p + len };
	struct chanreg_entry	*v;
	char			 name[32], *val;
	size_t			 cap = 0;

	memset(ch, 0, sizeof(*ch));
	ch->created = (int64_t)rev;
	if ((val = malloc(JC_VALUE_MAX)) == NULL)
		return -ENOMEM;
	while (jc_next(&r, name, sizeof(name), val, JC_VALUE_MAX) == 1) {
		if (strcmp(name, "created") == 0) {
			ch->created = jc_i64(val);
			continue;
		}
		if (strcmp(name, "entry") != 0) {
			(void)jc_get_field(channel_fields, JC_NFIELDS(channel_fields), &ch->c,
			    name, val);
			continue;
		}
		if (ch->n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			if ((v = reallocarray(ch->e, cap, sizeof(*v))) == NULL) {
				free(val);
				free(ch->e);
				ch->e = NULL;
				return -ENOMEM;
			}
			ch->e = v;
		}
		/* The channel's name comes before its entries. */
		entry_decode(val, ch->c.name, &ch->e[ch->n++]);
	}
	free(val);
	return 0;
}

static void
channel_encode(struct jc_buf *b, const struct jetstream_channel *ch)
{
	jc_put_fields(b, channel_fields, JC_NFIELDS(channel_fields), &ch->c);
	/* A new record's is the revision it gets (the reader's default). */
	if (ch->created > 0)
		jc_put_i64(b, "created", ch->created);
	for (size_t i = 0; i < ch->n; i++)
		entry_encode(b, &ch->e[i]);
}

int
jetstream_channel_get(struct store *st, const char *key, struct jetstream_channel *ch,
    uint64_t *rev)
{
	kvEntry		*e;
	natsStatus	 s;
	int		 rc;

	memset(ch, 0, sizeof(*ch));
	if ((s = kvStore_Get(&e, st->kv[JS_CHANNELS], key)) != NATS_OK)
		return jetstream_status(s);
	*rev = kvEntry_Revision(e);
	rc = jetstream_channel_decode(kvEntry_Value(e), (size_t)kvEntry_ValueLen(e), *rev,
	    ch);
	kvEntry_Destroy(e);
	return rc;
}

static int
channel_register(struct store *st, const struct chanreg_rec *in)
{
	struct jetstream_account	*acc;
	struct jetstream_channel	 ch;
	char				 key[JS_KEY_MAX], akey[JS_KEY_MAX];
	struct jc_buf			 b = { 0 };
	uint64_t			 rev;
	kvEntry				*e;
	int				 rc;

	jetstream_key(st, key, in->name);
	/* Taken is the answer before an unknown founder, as SQLite's. */
	if ((rc = jetstream_status(kvStore_Get(&e, st->kv[JS_CHANNELS], key))) == 0) {
		kvEntry_Destroy(e);
		return -EEXIST;
	}
	if (rc != -ENOENT)
		return rc;
	if ((acc = malloc(sizeof(*acc))) == NULL)
		return -ENOMEM;
	jetstream_key(st, akey, in->founder);
	memset(&ch, 0, sizeof(ch));
	ch.c = *in;
	/* The founder as the account is named, whatever the case asked for. */
	if ((rc = jetstream_account_get(st, akey, acc, &rev)) == 0) {
		snprintf(ch.c.founder, sizeof(ch.c.founder), "%s", acc->a.name);
		channel_encode(&b, &ch);
		rc = jetstream_kv_create(st, JS_CHANNELS, key, &b);
		free(b.p);
	}
	free(acc);
	return rc;
}

/* The index of (kind, mask) in ch's entries, masks compared folded under cm; -1. */
static long
entry_find(const struct jetstream_channel *ch, enum casemapping cm, char kind,
    const char *mask)
{
	for (size_t i = 0; i < ch->n; i++)
		if (ch->e[i].kind == kind && casemap_eq_as(cm, ch->e[i].mask, mask))
			return (long)i;
	return -1;
}

/* What a job does to a channel it read: 0 (write it back) or a status. */
static int
channel_apply(const struct store *st, struct jetstream_channel *ch, const struct job *job)
{
	const struct chanreg_rec	*c = &job->in.chanreg;
	const struct chanreg_entry	*e = &job->in.entry;
	struct chanreg_entry		*v;
	long				 i;

	switch (job->kind) {
	case JOB_CHANNEL_UPDATE:
		memcpy(ch->c.topic, c->topic, sizeof(ch->c.topic));
		memcpy(ch->c.topic_setter, c->topic_setter, sizeof(ch->c.topic_setter));
		ch->c.topic_time = c->topic_time;
		ch->c.modes = c->modes;
		memcpy(ch->c.key, c->key, sizeof(ch->c.key));
		ch->c.limit = c->limit;
		return 0;
	case JOB_CHANNEL_ENTRY_ADD:
		if (entry_find(ch, st->cm, e->kind, e->mask) >= 0)
			return -EEXIST;
		if ((v = reallocarray(ch->e, ch->n + 1, sizeof(*v))) == NULL)
			return -ENOMEM;
		ch->e = v;
		ch->e[ch->n++] = *e;
		return 0;
	default:	/* JOB_CHANNEL_ENTRY_DEL */
		if ((i = entry_find(ch, st->cm, e->kind, e->mask)) < 0)
			return -ENOENT;
		memmove(&ch->e[i], &ch->e[i + 1], (ch->n - (size_t)i - 1) * sizeof(*ch->e));
		ch->n--;
		return 0;
	}
}

/* UPDATE, ENTRY_ADD, ENTRY_DEL: read, change, compare-and-set; again on a race. */
static int
channel_change(struct store *st, const struct job *job, const char *name)
{
	struct jetstream_channel	 ch;
	char				 key[JS_KEY_MAX];
	struct jc_buf			 b;
	uint64_t			 rev;
	int				 rc = -EAGAIN;

	jetstream_key(st, key, name);
	for (int i = 0; i < JS_TRIES && rc == -EAGAIN; i++) {
		if ((rc = jetstream_channel_get(st, key, &ch, &rev)) == 0 &&
		    (rc = channel_apply(st, &ch, job)) == 0) {
			memset(&b, 0, sizeof(b));
			channel_encode(&b, &ch);
			rc = jetstream_kv_update(st, JS_CHANNELS, key, &b, rev);
			free(b.p);
		}
		free(ch.e);
	}
	return rc == -EAGAIN ? -EIO : rc;
}

static int
channel_drop(struct store *st, const char *name)
{
	char		 key[JS_KEY_MAX];
	kvEntry		*e;
	int		 rc;

	jetstream_key(st, key, name);
	if ((rc = jetstream_status(kvStore_Get(&e, st->kv[JS_CHANNELS], key))) != 0)
		return rc;
	kvEntry_Destroy(e);
	return jetstream_kv_delete(st, JS_CHANNELS, key);
}

/* ACCOUNT_DROP's walk: the keys of the channels whose founder folds to the key's. */
struct founded {
	const struct store	 *st;
	const char		 *founder;	/* the account's key */
	char			(*keys)[JS_KEY_MAX];
	size_t			  n;
};

static int
founded_visit(void *arg, kvEntry *e)
{
	struct founded			*f = arg;
	struct jetstream_channel	 ch;
	char				 key[JS_KEY_MAX], (*v)[JS_KEY_MAX];

	if (jetstream_channel_decode(kvEntry_Value(e), (size_t)kvEntry_ValueLen(e), 0,
	    &ch) != 0)
		return -ENOMEM;
	free(ch.e);
	jetstream_key(f->st, key, ch.c.founder);
	if (strcmp(key, f->founder) != 0)
		return 0;
	if ((v = reallocarray(f->keys, f->n + 1, sizeof(*v))) == NULL)
		return -ENOMEM;
	f->keys = v;
	snprintf(f->keys[f->n++], JS_KEY_MAX, "%s", kvEntry_Key(e));
	return 0;
}

int
jetstream_channel_drop_founded(struct store *st, const char *founder)
{
	struct founded	f = { st, founder, NULL, 0 };
	int		rc;

	/* Dropping an account is rare: a walk of every channel is its price. */
	if ((rc = jetstream_walk(st, JS_CHANNELS, founded_visit, &f)) == 0)
		for (size_t i = 0; i < f.n && rc == 0; i++)
			rc = jetstream_kv_delete(st, JS_CHANNELS, f.keys[i]);
	free(f.keys);
	return rc;
}

int
jetstream_channel_job(struct store *st, struct job *job)
{
	switch (job->kind) {
	case JOB_CHANNEL_REGISTER:
		return channel_register(st, &job->in.chanreg);
	case JOB_CHANNEL_UPDATE:
		return channel_change(st, job, job->in.chanreg.name);
	case JOB_CHANNEL_DROP:
		return channel_drop(st, job->in.name);
	case JOB_CHANNEL_ENTRY_ADD:
	case JOB_CHANNEL_ENTRY_DEL:
		return channel_change(st, job, job->in.entry.channel);
	default:
		return -ENOSYS;
	}
}
