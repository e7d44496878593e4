/*
 * MONITOR + - C L S and the 730/731 notifications.  A watched nick's entry lives while
 * somebody watches it; its key is the spelling it was first added with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/casemap.h"
#include "core/client.h"
#include "core/command.h"
#include "core/monitor.h"
#include "core/names.h"
#include "core/reply.h"

struct monitor_target {
	char		nick[CLIENT_NICK_MAX + 1];	/* the map key */
	struct vec	watchers;			/* struct client * */
};

/* A numeric whose last parameter is a comma-separated list, cut into as many lines as
 * the items need. */
struct monitor_reply {
	struct core	*core;
	struct client	*cl;
	enum numeric	 num;
	char		 list[MSG_BODY_MAX];
	size_t		 len;
	size_t		 room;
};

static void
reply_init(struct monitor_reply *r, struct core *core, struct client *cl,
    enum numeric num)
{
	r->core = core;
	r->cl = cl;
	r->num = num;
	r->len = 0;
	/* ":server NUM nick :" and CR LF take the rest of the line. */
	r->room = MSG_BODY_MAX - 10 - strlen(core->cfg.server_name) -
	    strlen(client_name(cl));
}

static void
reply_flush(struct monitor_reply *r)
{
	if (r->len > 0)
		send_numeric(r->core, r->cl, r->num, ":%.*s", (int)r->len, r->list);
	r->len = 0;
}

static void
reply_add(struct monitor_reply *r, const char *item)
{
	size_t	n = strlen(item);

	if (r->len > 0 && r->len + 1 + n > r->room)
		reply_flush(r);
	if (n > r->room)
		return;		/* cannot happen with nicks and hostmasks this short */
	if (r->len > 0)
		r->list[r->len++] = ',';
	memcpy(r->list + r->len, item, n);
	r->len += n;
}

/* The registered client holding nick, or NULL. */
static struct client *
monitor_present(struct core *core, const char *nick)
{
	struct client	*who = client_find(core, nick);

	return who != NULL && who->state == CLIENT_REGISTERED ? who : NULL;
}

/* Add 730's or 731's entry for nick to the replies being built. */
static void
monitor_status(struct core *core, const char *nick, struct monitor_reply *on,
    struct monitor_reply *off)
{
	struct client	*who = monitor_present(core, nick);
	char		 prefix[CLIENT_PREFIX_MAX];

	if (who != NULL)
		reply_add(on, client_prefix(who, prefix, sizeof(prefix)));
	else
		reply_add(off, nick);
}

static bool
monitor_watching(const struct client *cl, const struct monitor_target *t)
{
	for (size_t i = 0; i < cl->monitoring.len; i++)
		if (cl->monitoring.items[i] == t)
			return true;
	return false;
}

const char *
monitor_nick(const struct client *cl, size_t i)
{
	return ((const struct monitor_target *)cl->monitoring.items[i])->nick;
}

int
monitor_add(struct core *core, struct client *cl, const char *nick)
{
	struct monitor_target	*t = map_get(&core->monitors, nick);
	bool			 created = false;

	if (t != NULL && monitor_watching(cl, t))
		return 0;
	if (t == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL)
			return -1;
		snprintf(t->nick, sizeof(t->nick), "%s", nick);
		if (map_put(&core->monitors, t->nick, t) == -1) {
			free(t);
			return -1;
		}
		created = true;
	}
	if (vec_push(&t->watchers, cl) == -1)
		goto fail;
	if (vec_push(&cl->monitoring, t) == -1) {
		vec_remove_at(&t->watchers, t->watchers.len - 1);
		goto fail;
	}
	return 0;
fail:
	if (created) {
		map_del(&core->monitors, t->nick);
		vec_clear(&t->watchers);
		free(t);
	}
	return -1;
}

/* Take cl off t's watchers; the entry goes with its last watcher. */
static void
monitor_unwatch(struct core *core, struct client *cl, struct monitor_target *t)
{
	vec_remove(&t->watchers, cl);
	if (t->watchers.len == 0) {
		map_del(&core->monitors, t->nick);
		vec_clear(&t->watchers);
		free(t);
	}
}

void
monitor_clear(struct core *core, struct client *cl)
{
	for (size_t i = 0; i < cl->monitoring.len; i++)
		monitor_unwatch(core, cl, cl->monitoring.items[i]);
	vec_clear(&cl->monitoring);
}

static void
monitor_remove(struct core *core, struct client *cl, const char *nick)
{
	struct monitor_target	*t = map_get(&core->monitors, nick);

	if (t != NULL && vec_remove(&cl->monitoring, t) != (size_t)-1)
		monitor_unwatch(core, cl, t);
}

/* Whether adding nick would take cl's list past monitor_max (a nick already on the
 * list takes no room). */
static bool
monitor_full(struct core *core, const struct client *cl, const char *nick)
{
	const struct monitor_target	*t = map_get(&core->monitors, nick);

	return cl->monitoring.len >= core->cfg.monitor_max &&
	    (t == NULL || !monitor_watching(cl, t));
}

/* MONITOR + a,b,c: add while there is room, then 734 with the rest as sent; 730 and
 * 731 for every valid nick named.  Invalid nicks are skipped: never online. */
static void
monitor_plus(struct core *core, struct client *cl, char *list)
{
	struct monitor_reply	 on, off;
	char			*nick;

	reply_init(&on, core, cl, RPL_MONONLINE);
	reply_init(&off, core, cl, RPL_MONOFFLINE);
	while ((nick = command_next_item(&list)) != NULL) {
		if (!names_nick_valid(core, nick, core->cfg.nicklen))
			continue;
		if (monitor_full(core, cl, nick)) {
			send_reply(core, cl, ERR_MONLISTFULL, "%u %s%s%s",
			    core->cfg.monitor_max, nick, *list != '\0' ? "," : "", list);
			break;
		}
		if (monitor_add(core, cl, nick) == -1) {
			send_numeric(core, cl, ERR_UNKNOWNERROR, "MONITOR " NUMERIC_NOMEM);
			break;
		}
		monitor_status(core, nick, &on, &off);
	}
	reply_flush(&on);
	reply_flush(&off);
}

static void
monitor_minus(struct core *core, struct client *cl, char *list)
{
	char	*nick;

	while ((nick = command_next_item(&list)) != NULL)
		monitor_remove(core, cl, nick);
}

static void
monitor_list(struct core *core, struct client *cl)
{
	struct monitor_reply	r;

	reply_init(&r, core, cl, RPL_MONLIST);
	for (size_t i = 0; i < cl->monitoring.len; i++)
		reply_add(&r, ((struct monitor_target *)cl->monitoring.items[i])->nick);
	reply_flush(&r);
	send_reply(core, cl, RPL_ENDOFMONLIST, NULL);
}

static void
monitor_show(struct core *core, struct client *cl)
{
	struct monitor_reply	on, off;

	reply_init(&on, core, cl, RPL_MONONLINE);
	reply_init(&off, core, cl, RPL_MONOFFLINE);
	for (size_t i = 0; i < cl->monitoring.len; i++) {
		struct monitor_target	*t = cl->monitoring.items[i];

		monitor_status(core, t->nick, &on, &off);
	}
	reply_flush(&on);
	reply_flush(&off);
}

/* MONITOR + targets, - targets, C, L, S (modifiers case-insensitive). */
void
cmd_monitor(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const char	*op = m->params[0];
	char		 c = op[0] >= 'a' && op[0] <= 'z' ? op[0] - 32 : op[0];

	(void)now;
	if (op[0] == '\0' || op[1] != '\0' || strchr("+-CLS", c) == NULL) {
		send_numeric(core, cl, ERR_UNKNOWNERROR,
		    "MONITOR %s :Unknown MONITOR modifier", op);
		return;
	}
	if ((c == '+' || c == '-') && (m->nparams < 2 || m->params[1][0] == '\0')) {
		send_reply(core, cl, ERR_NEEDMOREPARAMS, "MONITOR");
		return;
	}
	switch (c) {
	case '+':
		monitor_plus(core, cl, (char *)m->params[1]);
		break;
	case '-':
		monitor_minus(core, cl, (char *)m->params[1]);
		break;
	case 'C':
		monitor_clear(core, cl);
		break;
	case 'L':
		monitor_list(core, cl);
		break;
	default:
		monitor_show(core, cl);
		break;
	}
}

void
monitor_online(struct core *core, struct client *cl)
{
	struct monitor_target	*t = map_get(&core->monitors, cl->nick);
	char			 prefix[CLIENT_PREFIX_MAX];

	if (t == NULL)
		return;
	client_prefix(cl, prefix, sizeof(prefix));
	for (size_t i = 0; i < t->watchers.len; i++)
		send_numeric(core, t->watchers.items[i], RPL_MONONLINE, ":%s", prefix);
}

void
monitor_notify(struct core *core, struct client *cl, capset with, const char *line,
    size_t len)
{
	struct monitor_target	*t;
	capset			 need = with | CAP_BIT(CAP_EXTENDED_MONITOR);

	if (cl->state != CLIENT_REGISTERED ||
	    (t = map_get(&core->monitors, cl->nick)) == NULL)
		return;
	/* send_peers_caps stamped everyone it reached with this serial. */
	for (size_t i = 0; i < t->watchers.len; i++) {
		struct client	*w = t->watchers.items[i];

		if (w == cl || w->seen == core->serial || (w->caps & need) != need)
			continue;
		w->seen = core->serial;
		send_line(core, w, line, len);
	}
}

void
monitor_offline(struct core *core, struct client *cl)
{
	struct monitor_target	*t = map_get(&core->monitors, cl->nick);

	if (t == NULL)
		return;
	for (size_t i = 0; i < t->watchers.len; i++)
		if (t->watchers.items[i] != cl)
			send_numeric(core, t->watchers.items[i], RPL_MONOFFLINE, ":%s",
			    cl->nick);
}
