/*
 * The core's state snapshot (snapshot.h), field by field: one writer per struct here,
 * its reader in snapshot_restore.c in the same order, so that a field added to a struct
 * is added to both by their names (and SNAPSHOT_VERSION goes up with the format).  Clients are referred to by their id
 * (unique in a core's life, and kept across the restore), never by position.
 *
 * Not carried, by design: what the store holds (loaded anew), jobs (the server drains
 * them first), a half-done account flow or SASL exchange (the client starts over), an
 * open multiline batch (dropped as a client's QUIT would), the login throttles and
 * the per-event tag state (they start afresh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/core.h"
#include "core/flood.h"
#include "core/metadata.h"
#include "core/monitor.h"
#include "core/snapbuf.h"
#include "core/snapshot.h"

#define SNAPSHOT_NONE	UINT64_MAX	/* no client */
#define SNAPSHOT_CAPS	1024		/* the caps' names, space-separated */

const uint64_t	snapshot_sizes[] = {
	CLIENT_NICK_MAX, CLIENT_USER_MAX, CLIENT_HOST_MAX, CLIENT_CERTFP_MAX,
	ACCOUNT_NAME_MAX, CHANNEL_NAME_MAX, CHANNEL_KEY_MAX, TIMER_KINDS, CORE_GONE_KINDS,
	CORE_COMMANDS_MAX, sizeof(((struct core *)0)->secret),
};
_Static_assert(sizeof(snapshot_sizes) / sizeof(snapshot_sizes[0]) == SNAPSHOT_NSIZES,
    "SNAPSHOT_NSIZES counts snapshot_sizes");

/*
 * Writing.
 */

static void
put_client_ref(struct snapbuf *b, const struct client *cl)
{
	snapbuf_u64(b, cl != NULL ? cl->id : SNAPSHOT_NONE);
}

static void
put_strings(struct snapbuf *b, const struct vec *v)
{
	snapbuf_u64(b, v->len);
	for (size_t i = 0; i < v->len; i++)
		snapbuf_str(b, v->items[i]);
}

static void
put_metadata(struct snapbuf *b, const struct vec *v)
{
	snapbuf_u64(b, v->len);
	for (size_t i = 0; i < v->len; i++) {
		const struct metadata_entry	*e = v->items[i];

		snapbuf_str(b, e->key);
		snapbuf_str(b, e->value);
	}
}

static void
put_flood_line(void *arg, const char *line, size_t len)
{
	snapbuf_mem(arg, line, len);
}

static void
put_client(struct snapbuf *b, const struct client *cl)
{
	char	 caps[SNAPSHOT_CAPS];
	size_t	 n = 0, lines = 0;

	/* Capabilities by name: another build may number them otherwise. */
	caps[0] = '\0';
	for (unsigned c = 0; c < CAP_COUNT; c++)
		if (cl->caps & CAP_BIT(c))
			n += (size_t)snprintf(caps + n, sizeof(caps) - n, "%s%s",
			    n > 0 ? " " : "", cap_name(c));
	snapbuf_u64(b, cl->id);
	snapbuf_u64(b, cl->conn);
	snapbuf_u64(b, cl->local);
	snapbuf_u64(b, cl->state);
	snapbuf_u64(b, cl->flags);
	snapbuf_str(b, caps);
	snapbuf_u64(b, cl->cap_version);
	snapbuf_str(b, cl->nick);
	snapbuf_str(b, cl->user);
	snapbuf_str(b, cl->host);
	snapbuf_str(b, cl->certfp);
	snapbuf_str(b, cl->account);
	snapbuf_str(b, cl->realname);
	snapbuf_str(b, cl->away);
	snapbuf_i64(b, cl->last_active);
	snapbuf_u64(b, cl->seen);
	snapbuf_i64(b, cl->signon);
	snapbuf_i64(b, cl->last_message);
	snapbuf_i64(b, cl->flood_clock);
	for (const struct list *l = cl->flood_queue.next; l != &cl->flood_queue; l = l->next)
		lines++;
	snapbuf_u64(b, lines);
	flood_each(cl, put_flood_line, b);
	snapbuf_u64(b, cl->oper_failures);
	put_strings(b, &cl->silences);
	snapbuf_i64(b, cl->knock_at);
	put_metadata(b, &cl->metadata);
	put_strings(b, &cl->metadata_subs);
	snapbuf_u64(b, cl->login_failures);
	put_client_ref(b, cl->parent);
	snapbuf_i64(b, cl->gone_since);
	snapbuf_u64(b, cl->monitoring.len);
	for (size_t i = 0; i < cl->monitoring.len; i++)
		snapbuf_str(b, monitor_nick(cl, i));
}

static void
put_entries(struct snapbuf *b, const struct vec *v)
{
	snapbuf_u64(b, v->len);
	for (size_t i = 0; i < v->len; i++) {
		const struct channel_entry	*e = v->items[i];

		snapbuf_str(b, e->mask);
		snapbuf_str(b, e->setter);
		snapbuf_i64(b, e->time);
		put_client_ref(b, e->owner);
	}
}

static void
put_channel(struct snapbuf *b, const struct channel *ch)
{
	snapbuf_str(b, ch->name);
	snapbuf_u64(b, ch->modes);
	snapbuf_str(b, ch->topic);
	snapbuf_str(b, ch->topic_setter);
	snapbuf_i64(b, ch->topic_time);
	snapbuf_str(b, ch->key);
	snapbuf_u64(b, ch->limit);
	put_entries(b, &ch->bans);
	put_entries(b, &ch->excepts);
	put_entries(b, &ch->invexes);
	put_entries(b, &ch->quiets);
	snapbuf_u64(b, ch->invites.len);
	for (size_t i = 0; i < ch->invites.len; i++)
		snapbuf_u64(b, *(const uint64_t *)ch->invites.items[i]);
	snapbuf_i64(b, ch->created);
	snapbuf_str(b, ch->forward);
	snapbuf_u64(b, ch->join_max);
	snapbuf_u64(b, ch->join_secs);
	snapbuf_u64(b, ch->join_count);
	snapbuf_i64(b, ch->join_window);
	put_metadata(b, &ch->metadata);
	snapbuf_u64(b, ch->members.len);
	for (size_t i = 0; i < ch->members.len; i++) {
		const struct member	*m = ch->members.items[i];

		put_client_ref(b, m->client);
		snapbuf_u64(b, m->modes);
	}
}

static int
channel_order(const void *a, const void *b)
{
	return strcmp((*(struct channel *const *)a)->name, (*(struct channel *const *)b)->name);
}

/* The channels by name: the map's order depends on its random key. */
static struct channel **
channels_sorted(const struct core *core, size_t *n)
{
	struct channel	**v;
	const char	 *key;
	void		 *value;
	size_t		  pos = 0;

	*n = 0;
	if ((v = malloc((map_len(&core->channels) + 1) * sizeof(*v))) == NULL)
		return NULL;
	while (map_next(&core->channels, &pos, &key, &value))
		v[(*n)++] = value;
	qsort(v, *n, sizeof(*v), channel_order);
	return v;
}

static void
put_timers(struct snapbuf *b, const struct core *core)
{
	for (unsigned k = 0; k < TIMER_KINDS; k++) {
		size_t	 n = 0;

		for (const struct list *l = core->timers[k].next; l != &core->timers[k];
		    l = l->next)
			n++;
		snapbuf_u64(b, n);
		for (const struct list *l = core->timers[k].next; l != &core->timers[k];
		    l = l->next) {
			const struct client	*cl = list_entry(l, struct client, timer);

			snapbuf_u64(b, cl->id);
			snapbuf_i64(b, cl->timer_since);
		}
	}
}

/* A list of clients by id, through their link at offset off, with a time each. */
static void
put_list(struct snapbuf *b, const struct list *head, size_t off, size_t at)
{
	size_t	 n = 0;

	for (const struct list *l = head->next; l != head; l = l->next)
		n++;
	snapbuf_u64(b, n);
	for (const struct list *l = head->next; l != head; l = l->next) {
		const char	*cl = (const char *)l - off;

		snapbuf_u64(b, ((const struct client *)(const void *)cl)->id);
		snapbuf_i64(b, at == 0 ? 0 : *(const int64_t *)(const void *)(cl + at));
	}
}

static void
put_core(struct snapbuf *b, const struct core *core)
{
	const struct whowas_entry	*w;

	snapbuf_u64(b, core->serial);
	snapbuf_u64(b, core->client_ids);
	snapbuf_u64(b, core->max_registered);
	snapbuf_i64(b, core->wall_offset);
	snapbuf_i64(b, core->started);
	snapbuf_u64(b, core->clock_set);
	snapbuf_u64(b, core->counted.lines_in);
	snapbuf_u64(b, core->counted.registrations);
	snapbuf_u64(b, core->counted.flood_delayed);
	for (unsigned i = 0; i < CORE_GONE_KINDS; i++)
		snapbuf_u64(b, core->counted.gone[i]);
	for (unsigned i = 0; i < CORE_COMMANDS_MAX; i++)
		snapbuf_u64(b, core->command_counts[i]);
	snapbuf_u64(b, core->job_serial);
	snapbuf_mem(b, core->secret, sizeof(core->secret));
	snapbuf_u64(b, core->secret_counter);
	snapbuf_u64(b, core->whowas.len);
	for (size_t i = core->whowas.len; i-- > 0;) {
		w = whowas_get(&core->whowas, i);
		snapbuf_str(b, w->nick);
		snapbuf_str(b, w->user);
		snapbuf_str(b, w->host);
		snapbuf_str(b, w->realname);
		snapbuf_i64(b, w->when);
	}
}

int
core_snapshot(struct core *core, char **bytes, size_t *len)
{
	struct snapbuf	  b = SNAPBUF_INIT;
	struct channel	**chans;
	size_t		  nchans;

	if ((chans = channels_sorted(core, &nchans)) == NULL)
		return -1;
	snapbuf_str(&b, SNAPSHOT_MAGIC);
	snapbuf_u64(&b, SNAPSHOT_VERSION);
	snapbuf_u64(&b, SNAPSHOT_NSIZES);
	for (size_t i = 0; i < SNAPSHOT_NSIZES; i++)
		snapbuf_u64(&b, snapshot_sizes[i]);
	put_core(&b, core);
	snapbuf_u64(&b, core->nclients);
	for (struct list *l = core->clients.next; l != &core->clients; l = l->next) {
		struct client	*cl = list_entry(l, struct client, all);

		put_client(&b, cl);
		snapbuf_u64(&b, cl->nick[0] != '\0' && map_get(&core->nicks, cl->nick) == cl);
	}
	snapbuf_u64(&b, nchans);
	for (size_t i = 0; i < nchans; i++)
		put_channel(&b, chans[i]);
	free(chans);
	put_timers(&b, core);
	put_list(&b, &core->flooded, offsetof(struct client, flood_link), 0);
	put_list(&b, &core->nick_grace, offsetof(struct client, grace),
	    offsetof(struct client, grace_since));
	if (b.failed) {
		snapbuf_free(&b);
		return -1;
	}
	*bytes = b.bytes;
	*len = b.len;
	return 0;
}
