/*
 * Channels and membership, and the access state other commands consult: the ban,
 * exception and invite-exception lists, pending invites, who may speak.  A channel
 * exists while it has members.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/core.h"
#include "core/extban.h"
#include "core/mask.h"
#include "core/metadata.h"

struct channel *
channel_find(struct core *core, const char *name)
{
	return map_get(&core->channels, name);
}

bool
channel_visible(const struct channel *ch, const struct client *cl)
{
	return !(ch->modes & CHANNEL_SECRET) || channel_member(ch, cl) != NULL;
}

struct channel *
channel_find_visible(struct core *core, const char *name, const struct client *cl)
{
	struct channel	*ch = channel_find(core, name);

	return ch != NULL && channel_visible(ch, cl) ? ch : NULL;
}

struct channel *
channel_create(struct core *core, const char *name)
{
	struct channel	*ch;

	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return NULL;
	snprintf(ch->name, sizeof(ch->name), "%s", name);
	ch->modes = CHANNEL_NO_EXTERNAL | CHANNEL_TOPIC_LOCK;
	if (map_put(&core->channels, ch->name, ch) == -1) {
		free(ch);
		return NULL;
	}
	return ch;
}

void
channel_entry_free(struct channel_entry *e)
{
	if (e->owner != NULL)
		vec_remove(&e->owner->list_entries, e);
	free(e->mask);
	free(e->setter);
	free(e);
}

void
channel_entries_disown(struct client *cl)
{
	for (size_t i = 0; i < cl->list_entries.len; i++)
		((struct channel_entry *)cl->list_entries.items[i])->owner = NULL;
	vec_clear(&cl->list_entries);
}

static void
list_clear(struct vec *v)
{
	for (size_t i = 0; i < v->len; i++)
		channel_entry_free(v->items[i]);
	vec_clear(v);
}

/* Free the ban, exception and invite-exception lists and the pending invites. */
static void
channel_clear_lists(struct channel *ch)
{
	list_clear(&ch->bans);
	list_clear(&ch->excepts);
	list_clear(&ch->invexes);
	list_clear(&ch->quiets);
	metadata_clear(&ch->metadata);
	for (size_t i = 0; i < ch->invites.len; i++)
		free(ch->invites.items[i]);
	vec_clear(&ch->invites);
}

bool
channel_list_matches(const struct vec *list, const struct client *cl)
{
	char	who[CLIENT_PREFIX_MAX];

	client_prefix(cl, who, sizeof(who));
	for (size_t i = 0; i < list->len; i++) {
		const struct channel_entry	*e = list->items[i];

		if (extban_is(e->mask) ? extban_match(e->mask, cl) :
		    mask_match(e->mask, who))
			return true;
	}
	return false;
}

const char *
channel_send_refusal(const struct channel *ch, const struct client *cl)
{
	static const char	 refused[] = "Cannot send to channel";
	struct member		*mb = channel_member(ch, cl);

	if (mb == NULL && (ch->modes & CHANNEL_NO_EXTERNAL))
		return refused;
	if (mb != NULL && (mb->modes & (MEMBER_OP | MEMBER_VOICE)))
		return NULL;
	if (ch->modes & CHANNEL_MODERATED)
		return refused;
	if ((ch->modes & CHANNEL_REGMODERATED) && cl->account[0] == '\0')
		return "Cannot send to channel (+M): you must be logged in to an account";
	if (channel_list_matches(&ch->bans, cl) && !channel_list_matches(&ch->excepts, cl))
		return refused;
	return NULL;
}

bool
channel_can_send(const struct channel *ch, const struct client *cl)
{
	return channel_send_refusal(ch, cl) == NULL;
}

int
channel_invite_add(struct core *core, struct channel *ch, const struct client *cl)
{
	uint64_t	*id;

	if (channel_invite_pending(ch, cl, false))
		return 0;
	/* Bounded: an earlier invite makes room for the newest. */
	if (ch->invites.len >= core->cfg.max_list && ch->invites.len > 0) {
		free(ch->invites.items[0]);
		ch->invites.items[0] = ch->invites.items[ch->invites.len - 1];
		ch->invites.len--;
	}
	if ((id = malloc(sizeof(*id))) == NULL)
		return -1;
	*id = cl->id;
	if (vec_push(&ch->invites, id) == -1) {
		free(id);
		return -1;
	}
	return 0;
}

bool
channel_invite_pending(struct channel *ch, const struct client *cl, bool take)
{
	for (size_t i = 0; i < ch->invites.len; i++) {
		if (*(const uint64_t *)ch->invites.items[i] != cl->id)
			continue;
		if (take) {
			free(ch->invites.items[i]);
			vec_remove_at(&ch->invites, i);
		}
		return true;
	}
	return false;
}

static void
channel_free(struct core *core, struct channel *ch)
{
	map_del(&core->channels, ch->name);
	vec_clear(&ch->members);
	channel_clear_lists(ch);
	free(ch->topic);
	free(ch->topic_setter);
	free(ch);
}

void
channel_free_all(struct core *core)
{
	size_t		 pos;
	const char	*name;
	void		*ch;

	for (;;) {
		pos = 0;
		if (!map_next(&core->channels, &pos, &name, &ch))
			return;
		channel_free(core, ch);
	}
}

struct member *
channel_member(const struct channel *ch, const struct client *cl)
{
	/* A client is in few channels; a channel may hold thousands: search the client. */
	for (size_t i = 0; i < cl->channels.len; i++) {
		struct member	*m = cl->channels.items[i];

		if (m->channel == ch)
			return m;
	}
	return NULL;
}

struct member *
channel_join(struct core *core, struct channel *ch, struct client *cl, unsigned modes)
{
	struct member	*m;

	(void)core;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->client = cl;
	m->channel = ch;
	m->modes = modes;
	if (vec_push(&ch->members, m) == -1) {
		free(m);
		return NULL;
	}
	if (vec_push(&cl->channels, m) == -1) {
		vec_remove_at(&ch->members, ch->members.len - 1);
		free(m);
		return NULL;
	}
	return m;
}

void
channel_part(struct core *core, struct member *m)
{
	struct channel	*ch = m->channel;

	vec_remove(&ch->members, m);
	vec_remove(&m->client->channels, m);
	free(m);
	channel_free_if_empty(core, ch);
}

void
channel_free_if_empty(struct core *core, struct channel *ch)
{
	/* +P: an operator's permanent channel outlives its members; so does a
	 * registered one. */
	if (ch->members.len == 0 && !(ch->modes & CHANNEL_PERMANENT) && ch->reg == NULL)
		channel_free(core, ch);
}

const char *
channel_prefix(unsigned modes)
{
	if (modes & MEMBER_OP)
		return "@";
	if (modes & MEMBER_VOICE)
		return "+";
	return "";
}

const char *
channel_prefixes(const struct client *viewer, unsigned modes)
{
	if ((viewer->caps & CAP_BIT(CAP_MULTI_PREFIX)) &&
	    (modes & (MEMBER_OP | MEMBER_VOICE)) == (MEMBER_OP | MEMBER_VOICE))
		return "@+";
	return channel_prefix(modes);
}
