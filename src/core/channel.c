/*
 * Channels and membership.  A channel exists while it has members.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cap.h"
#include "core/core.h"

struct channel *
channel_find(struct core *core, const char *name)
{
	return map_get(&core->channels, name);
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

static void
channel_free(struct core *core, struct channel *ch)
{
	map_del(&core->channels, ch->name);
	vec_clear(&ch->members);
	mode_channel_clear(ch);
	free(ch->topic);
	free(ch->topic_setter);
	free(ch);
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
	if (ch->members.len == 0)
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
