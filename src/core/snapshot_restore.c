/*
 * Reading a state snapshot back (snapshot.h): the mirror of snapshot.c, in the same
 * order, every count and reference checked before it is used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/confusable.h"
#include "core/core.h"
#include "core/flood.h"
#include "core/metadata.h"
#include "core/monitor.h"
#include "core/snapbuf.h"
#include "core/snapshot.h"
#include "core/whowas.h"

#define SNAPSHOT_NONE	UINT64_MAX
#define SNAPSHOT_CAPS	1024

/* What a restore is working with. */
struct restore {
	struct core	 *core;
	struct snapbuf	  b;
	struct client	**byid;		/* the restored clients, by id */
	size_t		  n;
	uint64_t	  client_ids;	/* the core's, set once client_new is done */
	const char	 *why;		/* the failure, when not the bytes' */
};

static bool
restore_failed(struct restore *r, const char *why)
{
	if (r->why == NULL)
		r->why = why;
	return false;
}

static bool
restore_ok(const struct restore *r)
{
	return r->why == NULL && !r->b.failed;
}

static int
client_by_id(const void *key, const void *elt)
{
	uint64_t	 id = *(const uint64_t *)key;
	uint64_t	 other = (*(struct client *const *)elt)->id;

	return id < other ? -1 : id > other;
}

static int
client_order(const void *a, const void *b)
{
	uint64_t	 x = (*(struct client *const *)a)->id;
	uint64_t	 y = (*(struct client *const *)b)->id;

	return x < y ? -1 : x > y;
}

/* The client of a reference (NULL: none); a reference to no restored client fails. */
static struct client *
get_client(struct restore *r, bool *ok)
{
	uint64_t	  id = snapbuf_get_u64(&r->b);
	struct client	**cl;

	*ok = true;
	if (id == SNAPSHOT_NONE)
		return NULL;
	if ((cl = bsearch(&id, r->byid, r->n, sizeof(*r->byid), client_by_id)) == NULL) {
		*ok = restore_failed(r, "a reference to no client");
		return NULL;
	}
	return *cl;
}

static bool
get_strings(struct restore *r, struct vec *v)
{
	uint64_t	 n = snapbuf_get_count(&r->b);
	char		*s;

	for (uint64_t i = 0; i < n && restore_ok(r); i++) {
		if ((s = snapbuf_get_strdup(&r->b)) == NULL)
			return restore_failed(r, "a missing string");
		if (vec_push(v, s) == -1) {
			free(s);
			return restore_failed(r, "out of memory");
		}
	}
	return restore_ok(r);
}

static bool
get_metadata(struct restore *r, struct vec *v)
{
	uint64_t	 n = snapbuf_get_count(&r->b);
	char		*key, *value;
	int		 rc = 0;

	for (uint64_t i = 0; i < n && restore_ok(r); i++) {
		key = snapbuf_get_strdup(&r->b);
		value = snapbuf_get_strdup(&r->b);
		if (key != NULL && value != NULL)
			rc = metadata_keep(v, key, value);
		else
			restore_failed(r, "a missing metadata key");
		free(key);
		free(value);
		if (rc == -1)
			return restore_failed(r, "out of memory");
	}
	return restore_ok(r);
}

static capset
get_caps(struct restore *r)
{
	char		 names[SNAPSHOT_CAPS];
	capset		 caps = 0;
	size_t		 len;
	int		 c;

	snapbuf_get_str(&r->b, names, sizeof(names));
	/* A capability this build does not know is left off. */
	for (const char *p = names; *p != '\0'; p += len + (p[len] == ' ')) {
		len = strcspn(p, " ");
		if ((c = cap_lookup(p, len)) >= 0)
			caps |= CAP_BIT(c);
	}
	return caps;
}

/* One client, as put_client wrote it; its parent is resolved once all are in. */
static struct client *
get_client_fields(struct restore *r, int64_t now, uint64_t *parent)
{
	char		 host[CLIENT_HOST_MAX + 1];
	struct client	*cl;
	uint64_t	 id, conn, lines;
	bool		 local;
	size_t		 len;
	const char	*line;

	id = snapbuf_get_u64(&r->b);
	conn = snapbuf_get_u64(&r->b);
	local = snapbuf_get_max(&r->b, 1) != 0;
	if (!restore_ok(r))
		return NULL;
	if ((cl = client_new(r->core, conn, "", now)) == NULL) {
		restore_failed(r, "out of memory");
		return NULL;
	}
	/* On the timer FIFOs only as the snapshot says (get_timers). */
	list_del(&cl->timer);
	cl->timer_kind = TIMER_NONE;
	cl->id = id;
	cl->local = local;
	cl->state = snapbuf_get_max(&r->b, CLIENT_REGISTERED) == CLIENT_REGISTERED ?
	    CLIENT_REGISTERED : CLIENT_UNREGISTERED;
	cl->flags = (unsigned)snapbuf_get_max(&r->b, UINT32_MAX);
	cl->caps = get_caps(r);
	cl->cap_version = (unsigned)snapbuf_get_max(&r->b, UINT32_MAX);
	snapbuf_get_str(&r->b, cl->nick, sizeof(cl->nick));
	snapbuf_get_str(&r->b, cl->user, sizeof(cl->user));
	snapbuf_get_str(&r->b, host, sizeof(host));
	memcpy(cl->host, host, sizeof(host));
	snapbuf_get_str(&r->b, cl->certfp, sizeof(cl->certfp));
	snapbuf_get_str(&r->b, cl->account, sizeof(cl->account));
	cl->realname = snapbuf_get_strdup(&r->b);
	cl->away = snapbuf_get_strdup(&r->b);
	cl->last_active = snapbuf_get_i64(&r->b);
	cl->seen = snapbuf_get_u64(&r->b);
	cl->signon = snapbuf_get_i64(&r->b);
	cl->last_message = snapbuf_get_i64(&r->b);
	cl->flood_clock = snapbuf_get_i64(&r->b);
	lines = snapbuf_get_count(&r->b);
	for (uint64_t i = 0; i < lines && restore_ok(r); i++)
		if ((line = snapbuf_get_mem(&r->b, &len)) != NULL &&
		    flood_restore(r->core, cl, line, len) == -1)
			restore_failed(r, "out of memory");
	cl->oper_failures = (unsigned)snapbuf_get_max(&r->b, UINT32_MAX);
	get_strings(r, &cl->silences);
	cl->knock_at = snapbuf_get_i64(&r->b);
	get_metadata(r, &cl->metadata);
	get_strings(r, &cl->metadata_subs);
	cl->login_failures = (unsigned)snapbuf_get_max(&r->b, UINT32_MAX);
	*parent = snapbuf_get_u64(&r->b);
	cl->gone_since = snapbuf_get_i64(&r->b);
	if (cl->state == CLIENT_REGISTERED && !(cl->flags & CLIENT_SESSION))
		r->core->nregistered++;
	return cl;
}

/* The monitor list comes after the client's fields: kept until every nick is read. */
static void
get_monitors(struct restore *r, struct client *cl)
{
	char		 nick[CLIENT_NICK_MAX + 1];
	uint64_t	 n = snapbuf_get_count(&r->b);

	for (uint64_t i = 0; i < n && restore_ok(r); i++) {
		snapbuf_get_str(&r->b, nick, sizeof(nick));
		if (restore_ok(r) && monitor_add(r->core, cl, nick) == -1)
			restore_failed(r, "out of memory");
	}
}

/* Sessions to their users, once every client is in (byid sorted). */
static bool
get_sessions(struct restore *r, struct client **order, const uint64_t *parents)
{
	struct client	**user;

	for (size_t i = 0; i < r->n; i++) {
		if (parents[i] == SNAPSHOT_NONE)
			continue;
		if ((user = bsearch(&parents[i], r->byid, r->n, sizeof(*r->byid),
		    client_by_id)) == NULL)
			return restore_failed(r, "a session of no user");
		order[i]->parent = *user;
		if (vec_push(&(*user)->sessions, order[i]) == -1)
			return restore_failed(r, "out of memory");
		r->core->nsessions++;
	}
	return true;
}

static bool
get_clients(struct restore *r, int64_t now)
{
	uint64_t	  n = snapbuf_get_count(&r->b), *parents;
	struct client	**order, *cl;

	if (!restore_ok(r))
		return false;
	r->byid = calloc(n + 1, sizeof(*r->byid));
	order = calloc(n + 1, sizeof(*order));
	parents = calloc(n + 1, sizeof(*parents));
	if (r->byid == NULL || order == NULL || parents == NULL) {
		free(order);
		free(parents);
		return restore_failed(r, "out of memory");
	}
	for (r->n = 0; r->n < n && restore_ok(r); r->n++) {
		if ((cl = get_client_fields(r, now, &parents[r->n])) == NULL)
			break;
		order[r->n] = r->byid[r->n] = cl;
		get_monitors(r, cl);
		if (snapbuf_get_max(&r->b, 1) && restore_ok(r)) {
			if (map_put(&r->core->nicks, cl->nick, cl) == -1)
				restore_failed(r, "out of memory");
			else
				confusable_track(r->core, cl);
		}
	}
	/* core->clients keeps the snapshot's order; lookups by id need them sorted. */
	qsort(r->byid, r->n, sizeof(*r->byid), client_order);
	for (size_t i = 1; i < r->n; i++)
		if (r->byid[i - 1]->id == r->byid[i]->id)
			restore_failed(r, "two clients with one id");
	if (restore_ok(r))
		get_sessions(r, order, parents);
	free(order);
	free(parents);
	return restore_ok(r);
}

static bool
get_entries(struct restore *r, struct vec *v)
{
	uint64_t		 n = snapbuf_get_count(&r->b);
	struct channel_entry	*e;
	bool			 ok;

	while (v->len > 0)
		channel_entry_free(v->items[--v->len]);
	for (uint64_t i = 0; i < n && restore_ok(r); i++) {
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return restore_failed(r, "out of memory");
		e->mask = snapbuf_get_strdup(&r->b);
		e->setter = snapbuf_get_strdup(&r->b);
		e->time = snapbuf_get_i64(&r->b);
		e->owner = get_client(r, &ok);
		if (e->mask == NULL || e->setter == NULL || !ok || vec_push(v, e) == -1) {
			e->owner = NULL;
			channel_entry_free(e);
			return restore_failed(r, "a bad list entry");
		}
		if (e->owner != NULL && vec_push(&e->owner->list_entries, e) == -1) {
			e->owner = NULL;
			return restore_failed(r, "out of memory");
		}
	}
	return restore_ok(r);
}

static bool
get_members(struct restore *r, struct channel *ch)
{
	uint64_t	 n = snapbuf_get_count(&r->b);
	struct client	*cl;
	unsigned	 modes;
	bool		 ok;

	for (uint64_t i = 0; i < n && restore_ok(r); i++) {
		cl = get_client(r, &ok);
		modes = (unsigned)snapbuf_get_max(&r->b, UINT32_MAX);
		if (!ok || cl == NULL)
			return restore_failed(r, "a member who is no client");
		if (restore_ok(r) && channel_join(r->core, ch, cl, modes) == NULL)
			return restore_failed(r, "out of memory");
	}
	return restore_ok(r);
}

static bool
get_channel(struct restore *r)
{
	char		 name[CHANNEL_NAME_MAX + 1];
	struct channel	*ch;
	uint64_t	 n, *id;

	snapbuf_get_str(&r->b, name, sizeof(name));
	if (!restore_ok(r))
		return false;
	/* A registered channel is there already, from the store: the snapshot is newer. */
	if ((ch = channel_find(r->core, name)) == NULL &&
	    (ch = channel_create(r->core, name)) == NULL)
		return restore_failed(r, "out of memory");
	ch->modes = (unsigned)snapbuf_get_max(&r->b, UINT32_MAX);
	free(ch->topic);
	free(ch->topic_setter);
	ch->topic = snapbuf_get_strdup(&r->b);
	ch->topic_setter = snapbuf_get_strdup(&r->b);
	ch->topic_time = snapbuf_get_i64(&r->b);
	snapbuf_get_str(&r->b, ch->key, sizeof(ch->key));
	ch->limit = (unsigned)snapbuf_get_max(&r->b, UINT32_MAX);
	get_entries(r, &ch->bans);
	get_entries(r, &ch->excepts);
	get_entries(r, &ch->invexes);
	get_entries(r, &ch->quiets);
	n = snapbuf_get_count(&r->b);
	for (uint64_t i = 0; i < n && restore_ok(r); i++) {
		if ((id = malloc(sizeof(*id))) == NULL)
			return restore_failed(r, "out of memory");
		*id = snapbuf_get_u64(&r->b);
		if (vec_push(&ch->invites, id) == -1) {
			free(id);
			return restore_failed(r, "out of memory");
		}
	}
	ch->created = snapbuf_get_i64(&r->b);
	snapbuf_get_str(&r->b, ch->forward, sizeof(ch->forward));
	ch->join_max = (unsigned)snapbuf_get_max(&r->b, UINT32_MAX);
	ch->join_secs = (unsigned)snapbuf_get_max(&r->b, UINT32_MAX);
	ch->join_count = (unsigned)snapbuf_get_max(&r->b, UINT32_MAX);
	ch->join_window = snapbuf_get_i64(&r->b);
	metadata_clear(&ch->metadata);
	get_metadata(r, &ch->metadata);
	return get_members(r, ch);
}

static bool
get_timers(struct restore *r)
{
	struct client	*cl;
	uint64_t	 n;
	bool		 ok;

	for (unsigned k = 0; k < TIMER_KINDS && restore_ok(r); k++) {
		n = snapbuf_get_count(&r->b);
		for (uint64_t i = 0; i < n && restore_ok(r); i++) {
			cl = get_client(r, &ok);
			if (cl == NULL)
				return restore_failed(r, "a timer of no client");
			cl->timer_kind = (enum client_timer)k;
			cl->timer_since = snapbuf_get_i64(&r->b);
			list_move_tail(&r->core->timers[k], &cl->timer);
		}
	}
	return restore_ok(r);
}

/* A list of clients, through their link at offset off, with a time each (at: where it
 * goes; 0: nowhere). */
static bool
get_list(struct restore *r, struct list *head, size_t off, size_t at)
{
	uint64_t	 n = snapbuf_get_count(&r->b);
	struct client	*cl;
	int64_t		 t;
	bool		 ok;

	for (uint64_t i = 0; i < n && restore_ok(r); i++) {
		cl = get_client(r, &ok);
		t = snapbuf_get_i64(&r->b);
		if (cl == NULL)
			return restore_failed(r, "a list entry of no client");
		list_move_tail(head, (struct list *)(void *)((char *)cl + off));
		if (at != 0)
			*(int64_t *)(void *)((char *)cl + at) = t;
	}
	return restore_ok(r);
}

/* flood.c takes a line from each client on core->flooded: none may be there without. */
static bool
check_flooded(struct restore *r)
{
	struct list	*head = &r->core->flooded;

	for (struct list *n = head->next; n != head; n = n->next)
		if (list_empty(&list_entry(n, struct client, flood_link)->flood_queue))
			return restore_failed(r, "a delayed client without delayed lines");
	return true;
}

static bool
get_core(struct restore *r)
{
	struct core	*core = r->core;
	char		 nick[WHOWAS_NICK_MAX + 1], user[WHOWAS_USER_MAX + 1];
	char		 host[WHOWAS_HOST_MAX + 1], *realname;
	const char	*secret;
	uint64_t	 n;
	size_t		 len;
	int64_t		 when;

	core->serial = snapbuf_get_u64(&r->b);
	r->client_ids = snapbuf_get_u64(&r->b);
	core->max_registered = (size_t)snapbuf_get_max(&r->b, SIZE_MAX);
	core->wall_offset = snapbuf_get_i64(&r->b);
	core->started = snapbuf_get_i64(&r->b);
	core->clock_set = snapbuf_get_max(&r->b, 1) != 0;
	core->counted.lines_in = snapbuf_get_u64(&r->b);
	core->counted.registrations = snapbuf_get_u64(&r->b);
	core->counted.flood_delayed = snapbuf_get_u64(&r->b);
	for (unsigned i = 0; i < CORE_GONE_KINDS; i++)
		core->counted.gone[i] = snapbuf_get_u64(&r->b);
	for (unsigned i = 0; i < CORE_COMMANDS_MAX; i++)
		core->command_counts[i] = snapbuf_get_u64(&r->b);
	core->job_serial = snapbuf_get_u64(&r->b);
	/* The secret stays: what it signed before the upgrade is still good after. */
	if ((secret = snapbuf_get_mem(&r->b, &len)) != NULL && len == sizeof(core->secret))
		memcpy(core->secret, secret, len);
	else
		restore_failed(r, "a secret of another size");
	core->secret_counter = snapbuf_get_u64(&r->b);
	whowas_clear(&core->whowas);
	n = snapbuf_get_count(&r->b);
	for (uint64_t i = 0; i < n && restore_ok(r); i++) {
		snapbuf_get_str(&r->b, nick, sizeof(nick));
		snapbuf_get_str(&r->b, user, sizeof(user));
		snapbuf_get_str(&r->b, host, sizeof(host));
		realname = snapbuf_get_strdup(&r->b);
		when = snapbuf_get_i64(&r->b);
		/* Only a single server upgrades (a node restarts): its users were its own. */
		if (restore_ok(r) && whowas_add(&core->whowas, core->cfg.whowas_history, nick,
		    user, host, core->cfg.server_name, realname != NULL ? realname : "",
		    when) == -1)
			restore_failed(r, "out of memory");
		free(realname);
	}
	return restore_ok(r);
}

static bool
get_header(struct restore *r)
{
	char		 magic[sizeof(SNAPSHOT_MAGIC)];
	uint64_t	 version, n;

	snapbuf_get_str(&r->b, magic, sizeof(magic));
	if (!restore_ok(r) || strcmp(magic, SNAPSHOT_MAGIC) != 0)
		return restore_failed(r, "not a core snapshot");
	if ((version = snapbuf_get_u64(&r->b)) != SNAPSHOT_VERSION)
		return restore_failed(r, "a snapshot of another format version");
	n = snapbuf_get_u64(&r->b);
	if (n != SNAPSHOT_NSIZES)
		return restore_failed(r, "a snapshot built with other sizes");
	for (size_t i = 0; i < SNAPSHOT_NSIZES; i++)
		if (snapbuf_get_u64(&r->b) != snapshot_sizes[i])
			return restore_failed(r, "a snapshot built with other sizes");
	return restore_ok(r);
}

int
core_restore_snapshot(struct core *core, const void *bytes, size_t len, int64_t now,
    core_bind_fn bind, void *arg, char *err, size_t errlen)
{
	struct restore	 r = { core, snapbuf_reader(bytes, len), NULL, 0, 0, NULL };
	uint64_t	 nchans;

	if (get_header(&r) && get_core(&r) && get_clients(&r, now)) {
		nchans = snapbuf_get_count(&r.b);
		for (uint64_t i = 0; i < nchans && get_channel(&r); i++)
			continue;
	}
	if (restore_ok(&r) && get_timers(&r) &&
	    get_list(&r, &core->flooded, offsetof(struct client, flood_link), 0))
		check_flooded(&r);
	if (restore_ok(&r))
		get_list(&r, &core->nick_grace, offsetof(struct client, grace),
		    offsetof(struct client, grace_since));
	if (restore_ok(&r) && r.b.pos != r.b.len)
		restore_failed(&r, "bytes after the snapshot's end");
	core->client_ids = r.client_ids;
	if (restore_ok(&r) && core->nregistered > core->max_registered)
		core->max_registered = core->nregistered;
	if (restore_ok(&r) && bind != NULL)
		for (struct list *l = core->clients.next; l != &core->clients; l = l->next) {
			struct client	*cl = list_entry(l, struct client, all);

			if (cl->local && !(cl->flags & CLIENT_HOLLOW))
				bind(arg, cl->conn, cl);
		}
	free(r.byid);
	if (restore_ok(&r))
		return 0;
	snprintf(err, errlen, "state snapshot: %s", r.why != NULL ? r.why :
	    "truncated or malformed");
	return -1;
}
