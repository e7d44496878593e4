/*
 * Registered channels (chanreg.h): attaching a registration to a channel, the copy of
 * what the store holds, writing what changed, restoring channels at start, and the
 * ops and voices a registration gives on join.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/casemap.h"
#include "core/chanreg.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/core.h"
#include "core/job_owner.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/server.h"
#include "core/services.h"

struct chanreg *
chanreg_attach(struct core *core, struct channel *ch, const struct chanreg_rec *rec)
{
	struct chanreg	*reg;

	if (ch->reg != NULL)
		return ch->reg;
	if ((reg = calloc(1, sizeof(*reg))) == NULL)
		return NULL;
	reg->rec = *rec;
	snprintf(reg->rec.name, sizeof(reg->rec.name), "%s", ch->name);
	reg->channel = ch;
	ch->reg = reg;
	list_add_tail(&core->chanregs, &reg->link);
	return reg;
}

static void
chanreg_free(struct chanreg *reg)
{
	for (size_t i = 0; i < reg->entries.len; i++)
		free(reg->entries.items[i]);
	vec_clear(&reg->entries);
	list_del(&reg->link);
	free(reg);
}

void
chanreg_detach(struct core *core, struct channel *ch)
{
	if (ch->reg == NULL)
		return;
	chanreg_free(ch->reg);
	ch->reg = NULL;
	channel_free_if_empty(core, ch);
}

void
chanreg_clear(struct core *core)
{
	while (!list_empty(&core->chanregs))
		chanreg_detach(core, list_entry(core->chanregs.next, struct chanreg,
		    link)->channel);
}

void
chanreg_drop_founder(struct core *core, const char *account)
{
	struct list	*n, *next;

	for (n = core->chanregs.next; n != &core->chanregs; n = next) {
		struct chanreg	*reg = list_entry(n, struct chanreg, link);

		next = n->next;
		if (casemap_eq(reg->rec.founder, account))
			chanreg_detach(core, reg->channel);
	}
}

bool
chanreg_is_founder(const struct chanreg *reg, const struct client *cl)
{
	return cl->account[0] != '\0' && casemap_eq(reg->rec.founder, cl->account);
}

struct chanreg_entry *
chanreg_access(const struct chanreg *reg, const char *account)
{
	for (size_t i = 0; i < reg->entries.len; i++) {
		struct chanreg_entry	*e = reg->entries.items[i];

		if ((e->kind == 'o' || e->kind == 'v') && casemap_eq(e->mask, account))
			return e;
	}
	return NULL;
}

int
chanreg_keep(struct chanreg *reg, const struct chanreg_entry *entry)
{
	struct chanreg_entry	*copy;

	if ((copy = malloc(sizeof(*copy))) == NULL)
		return -1;
	*copy = *entry;
	if (vec_push(&reg->entries, copy) == -1) {
		free(copy);
		return -1;
	}
	return 0;
}

void
chanreg_forget(struct chanreg *reg, char kind, const char *mask)
{
	for (size_t i = 0; i < reg->entries.len; i++) {
		struct chanreg_entry	*e = reg->entries.items[i];

		if (e->kind == kind && strcmp(e->mask, mask) == 0) {
			free(e);
			vec_remove_at(&reg->entries, i);
			return;
		}
	}
}

/* ---- writing what changed ---- */

/* The store's answer to a write: only a failure is worth telling. */
static void
chanreg_saved(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	(void)now;
	if (job->status == 0)
		return;
	core_log(core, PLOG_WARN, "store: saving %s of %s failed: %s", label,
	    job->kind == JOB_CHANNEL_UPDATE ? job->in.chanreg.name : job->in.entry.channel,
	    strerror(-job->status));
	services_notice(core, cl, &chanserv, "The %s of %s could not be saved (%s): it "
	    "will be lost at a restart", label, job->kind == JOB_CHANNEL_UPDATE ?
	    job->in.chanreg.name : job->in.entry.channel, strerror(-job->status));
}

static void
chanreg_write_entry(struct core *core, struct client *cl, enum job_kind kind,
    const struct chanreg_entry *e, int64_t now)
{
	struct job	*job;

	if ((job = job_new(core, cl, kind, chanreg_saved, "list entry")) == NULL) {
		core_log(core, PLOG_WARN, "out of memory saving %s", e->channel);
		return;
	}
	job->in.entry = *e;
	job_submit(core, job, now);
}

void
chanreg_record(const struct channel *ch, const char *founder, int64_t registered,
    struct chanreg_rec *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", ch->name);
	snprintf(r->founder, sizeof(r->founder), "%s", founder);
	r->registered = registered;
	if (ch->topic != NULL) {
		snprintf(r->topic, sizeof(r->topic), "%s", ch->topic);
		snprintf(r->topic_setter, sizeof(r->topic_setter), "%s",
		    ch->topic_setter != NULL ? ch->topic_setter : "");
		r->topic_time = ch->topic_time;
	}
	/* Every CHANNEL_* flag is a mode a channel keeps. */
	r->modes = ch->modes;
	snprintf(r->key, sizeof(r->key), "%s", ch->key);
	r->limit = ch->limit;
}

static bool
chanreg_rec_same(const struct chanreg_rec *a, const struct chanreg_rec *b)
{
	return strcmp(a->topic, b->topic) == 0 &&
	    strcmp(a->topic_setter, b->topic_setter) == 0 &&
	    a->topic_time == b->topic_time && a->modes == b->modes &&
	    strcmp(a->key, b->key) == 0 && a->limit == b->limit;
}

static struct vec *
chanreg_list(struct channel *ch, char kind)
{
	if (kind == 'b')
		return &ch->bans;
	if (kind == 'e')
		return &ch->excepts;
	return &ch->invexes;
}

/* A channel list entry as the store would keep it. */
static void
chanreg_entry_fill(const struct channel *ch, char kind, const struct channel_entry *ce,
    struct chanreg_entry *e)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->channel, sizeof(e->channel), "%s", ch->name);
	e->kind = kind;
	snprintf(e->mask, sizeof(e->mask), "%s", ce->mask);
	snprintf(e->setter, sizeof(e->setter), "%s", ce->setter);
	e->time = ce->time;
}

static bool
chanreg_stored(const struct chanreg *reg, const struct chanreg_entry *e)
{
	for (size_t i = 0; i < reg->entries.len; i++) {
		const struct chanreg_entry	*s = reg->entries.items[i];

		if (s->kind == e->kind && strcmp(s->mask, e->mask) == 0)
			return true;
	}
	return false;
}

static bool
chanreg_live(struct channel *ch, const struct chanreg_entry *s)
{
	struct vec		*v = chanreg_list(ch, s->kind);
	struct chanreg_entry	 e;

	for (size_t i = 0; i < v->len; i++) {
		chanreg_entry_fill(ch, s->kind, v->items[i], &e);
		if (strcmp(e.mask, s->mask) == 0)
			return true;
	}
	return false;
}

/* The b/e/I entries that differ: added ones written, removed ones deleted. */
static void
chanreg_lists_changed(struct core *core, struct channel *ch, struct client *cl,
    int64_t now)
{
	struct chanreg		*reg = ch->reg;
	struct chanreg_entry	 e;

	for (size_t i = 0; i < reg->entries.len; ) {
		struct chanreg_entry	*s = reg->entries.items[i];

		if (strchr("beI", s->kind) == NULL || chanreg_live(ch, s)) {
			i++;
			continue;
		}
		chanreg_write_entry(core, cl, JOB_CHANNEL_ENTRY_DEL, s, now);
		free(s);
		vec_remove_at(&reg->entries, i);
	}
	for (const char *k = "beI"; *k != '\0'; k++) {
		struct vec	*v = chanreg_list(ch, *k);

		for (size_t i = 0; i < v->len; i++) {
			chanreg_entry_fill(ch, *k, v->items[i], &e);
			if (chanreg_stored(reg, &e))
				continue;
			if (chanreg_keep(reg, &e) == -1)
				core_log(core, PLOG_WARN, "out of memory saving %s", ch->name);
			else
				chanreg_write_entry(core, cl, JOB_CHANNEL_ENTRY_ADD, &e, now);
		}
	}
}

void
chanreg_changed(struct core *core, struct channel *ch, struct client *cl, int64_t now)
{
	struct chanreg_rec	 r;
	struct job		*job;

	if (ch->reg == NULL)
		return;
	chanreg_record(ch, ch->reg->rec.founder, ch->reg->rec.registered, &r);
	if (!chanreg_rec_same(&r, &ch->reg->rec)) {
		ch->reg->rec = r;
		if ((job = job_new(core, cl, JOB_CHANNEL_UPDATE, chanreg_saved,
		    "topic and modes")) == NULL)
			core_log(core, PLOG_WARN, "out of memory saving %s", ch->name);
		else {
			job->in.chanreg = r;
			job_submit(core, job, now);
		}
	}
	chanreg_lists_changed(core, ch, cl, now);
}

/* ---- joining ---- */

void
chanreg_join(struct core *core, struct channel *ch, struct client *cl)
{
	struct chanreg_entry	*e;
	struct member		*mb;
	unsigned		 flag = 0;
	char			 line[MSG_BODY_MAX + 1], prefix[CLIENT_PREFIX_MAX];
	size_t			 len;

	if (ch->reg == NULL || cl->account[0] == '\0' ||
	    (mb = channel_member(ch, cl)) == NULL)
		return;
	if (chanreg_is_founder(ch->reg, cl))
		flag = MEMBER_OP;
	else if ((e = chanreg_access(ch->reg, cl->account)) != NULL)
		flag = e->kind == 'o' ? MEMBER_OP : MEMBER_VOICE;
	if (flag == 0 || (mb->modes & flag))
		return;
	mb->modes |= flag;
	len = format_line(line, ":%s MODE %s +%c %s", services_prefix(core, &chanserv,
	    prefix, sizeof(prefix)), ch->name, flag == MEMBER_OP ? 'o' : 'v', cl->nick);
	send_channel(core, ch, NULL, line, len);
	if (core->cluster != NULL)
		peer_send_status(core, ch, cl, '+', flag);
}

/* ---- restoring at start ---- */

struct channel *
chanreg_channel(struct core *core, const struct chanreg_rec *rec)
{
	struct channel	*ch;
	bool		 created = false;

	if ((ch = channel_find(core, rec->name)) == NULL) {
		if ((ch = channel_create(core, rec->name)) == NULL)
			return NULL;
		created = true;
		ch->created = rec->registered;
		ch->modes = rec->modes;
		snprintf(ch->key, sizeof(ch->key), "%s", rec->key);
		ch->limit = rec->limit;
		if (rec->topic[0] != '\0') {
			ch->topic = strdup(rec->topic);
			ch->topic_setter = strdup(rec->topic_setter);
			ch->topic_time = rec->topic_time;
			if (ch->topic == NULL || ch->topic_setter == NULL)
				goto nomem;
		}
	}
	if (chanreg_attach(core, ch, rec) == NULL)
		goto nomem;
	return ch;
nomem:
	if (created)
		channel_free_if_empty(core, ch);
	return NULL;
}

int
core_restore_channel(struct core *core, const struct chanreg_rec *rec)
{
	/* A name this configuration would refuse still names the channel: keep it. */
	if (rec->name[0] != '#')
		return 0;
	return chanreg_channel(core, rec) == NULL ? -1 : 0;
}

/* A stored b/e/I entry back in ch's list, owned by nobody. */
static int
chanreg_restore_list(struct channel *ch, const struct chanreg_entry *entry)
{
	struct channel_entry	*ce;

	if ((ce = calloc(1, sizeof(*ce))) == NULL)
		return -1;
	ce->mask = strdup(entry->mask);
	ce->setter = strdup(entry->setter);
	ce->time = entry->time;
	if (ce->mask == NULL || ce->setter == NULL ||
	    vec_push(chanreg_list(ch, entry->kind), ce) == -1) {
		channel_entry_free(ce);
		return -1;
	}
	return 0;
}

int
core_restore_entry(struct core *core, const struct chanreg_entry *entry)
{
	struct channel	*ch = channel_find(core, entry->channel);

	if (ch == NULL || ch->reg == NULL || strchr("beIov", entry->kind) == NULL ||
	    entry->kind == '\0' || chanreg_stored(ch->reg, entry))
		return 0;
	if (strchr("beI", entry->kind) != NULL && chanreg_restore_list(ch, entry) == -1)
		return -1;
	return chanreg_keep(ch->reg, entry);
}
