/*
 * Queries about the server itself (VERSION, TIME, ADMIN, INFO, STATS, LINKS), the
 * disabled USERS and SUMMON, and the quick presence checks ISON and USERHOST.
 */
#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "core/casemap.h"
#include "core/client.h"
#include "core/command.h"
#include "core/mask.h"
#include "core/peer.h"
#include "core/reply.h"

/*
 * The optional <target> parameter at index i: this server's name, a user's nick, or
 * (a cluster) another node's name; this node answers for the whole network.  Anything
 * else gets ERR_NOSUCHSERVER; returns false then.
 */
static bool
info_target_ok(struct core *core, struct client *cl, const struct msg *m, unsigned i)
{
	const char	*target;
	struct client	*who;

	if (m->nparams <= i || m->params[i][0] == '\0')
		return true;
	target = m->params[i];
	if (casemap_eq(target, core->cfg.server_name))
		return true;
	if ((who = client_find(core, target)) != NULL && who->state == CLIENT_REGISTERED)
		return true;
	if (core->cluster != NULL && cluster_node_known(core, target))
		return true;
	send_reply(core, cl, ERR_NOSUCHSERVER, "%s", target);
	return false;
}

void
cmd_version(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	(void)now;
	if (!info_target_ok(core, cl, m, 0))
		return;
	send_numeric(core, cl, RPL_VERSION, "parley-%s %s :%s", PARLEY_VERSION,
	    core->cfg.server_name, core->cfg.description);
	for (unsigned i = 0; i < core->nisupport; i++)
		send_reply(core, cl, RPL_ISUPPORT, "%s", core->isupport[i]);
}

void
cmd_time(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	char	text[64];

	if (!info_target_ok(core, cl, m, 0))
		return;
	calendar_time_string(text, sizeof(text), core_wall_seconds(core, now));
	send_numeric(core, cl, RPL_TIME, "%s :%s", core->cfg.server_name, text);
}

void
cmd_admin(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const struct core_config	*c = &core->cfg;

	(void)now;
	if (!info_target_ok(core, cl, m, 0))
		return;
	send_reply(core, cl, RPL_ADMINME, "%s", c->server_name);
	send_numeric(core, cl, RPL_ADMINLOC1, ":%s", c->admin_location);
	send_numeric(core, cl, RPL_ADMINLOC2, ":%s", c->admin_name);
	send_numeric(core, cl, RPL_ADMINEMAIL, ":%s", c->admin_email);
}

void
cmd_info(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	char	started[64];

	(void)now;
	if (!info_target_ok(core, cl, m, 0))
		return;
	calendar_time_string(started, sizeof(started), core->started);
	send_numeric(core, cl, RPL_INFO, ":parley %s, an IRC server in C11",
	    PARLEY_VERSION);
	send_numeric(core, cl, RPL_INFO,
	    ":A sans-I/O protocol core driven by an epoll loop.");
	send_numeric(core, cl, RPL_INFO, ":Built %s", core->cfg.created);
	send_numeric(core, cl, RPL_INFO, ":Running since %s", started);
	send_reply(core, cl, RPL_ENDOFINFO, NULL);
}

static void
stats_uptime(struct core *core, struct client *cl, int64_t now)
{
	int64_t	up = core_wall_seconds(core, now) - core->started;

	if (up < 0)
		up = 0;
	send_numeric(core, cl, RPL_STATSUPTIME, ":Server Up %lld days %lld:%02d:%02d",
	    (long long)(up / 86400), (long long)(up / 3600 % 24), (int)(up / 60 % 60),
	    (int)(up % 60));
}

static void
stats_commands(struct core *core, struct client *cl)
{
	const struct command	*table;
	size_t			 n;

	table = command_table(&n);
	for (size_t i = 0; i < n; i++) {
		if (core->command_counts[i] > 0)
			send_numeric(core, cl, RPL_STATSCOMMANDS, "%s %llu", table[i].verb,
			    (unsigned long long)core->command_counts[i]);
	}
}

/* STATS u (uptime) and m (commands used); other letters have nothing to report. */
void
cmd_stats(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	char	query = m->nparams > 0 ? m->params[0][0] : '\0';

	if (!info_target_ok(core, cl, m, 1))
		return;
	if (query == 'u')
		stats_uptime(core, cl, now);
	else if (query == 'm')
		stats_commands(core, cl);
	if (query == '\0')
		send_reply(core, cl, RPL_ENDOFSTATS, "*");
	else
		send_reply(core, cl, RPL_ENDOFSTATS, "%c", query);
}

/* LINKS: this server, and a cluster's other nodes that are up, unless a mask leaves
 * them out. */
void
cmd_links(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const char	*mask = m->nparams > 0 ? m->params[m->nparams - 1] : "*";

	(void)now;
	if (m->nparams > 1 && !info_target_ok(core, cl, m, 0))
		return;
	if (mask_match(mask, core->cfg.server_name))
		send_numeric(core, cl, RPL_LINKS, "%s %s :0 %s", core->cfg.server_name,
		    core->cfg.server_name, core->cfg.description);
	if (core->cluster != NULL)
		cluster_links(core, cl, mask);
	send_reply(core, cl, RPL_ENDOFLINKS, "%s", mask);
}

void
cmd_users(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	(void)m, (void)now;
	send_reply(core, cl, ERR_USERSDISABLED, NULL);
}

void
cmd_summon(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	(void)m, (void)now;
	send_reply(core, cl, ERR_SUMMONDISABLED, NULL);
}

/* Append word to the reply list in buf (cap bytes, *len used), space-separated; words
 * that no longer fit in one line are dropped. */
static void
info_append(char *buf, size_t cap, size_t *len, const char *word, size_t wlen)
{
	size_t	need = wlen + (*len > 0);

	if (*len + need >= cap)
		return;
	if (*len > 0)
		buf[(*len)++] = ' ';
	memcpy(buf + *len, word, wlen);
	*len += wlen;
	buf[*len] = '\0';
}

/*
 * Call fn for each space-separated word of every parameter (clients send ISON's nicks
 * both as separate parameters and as one trailing list), at most max words.
 */
static void
info_words(struct core *core, const struct msg *m, unsigned max, char *buf, size_t cap,
    size_t *len, void (*fn)(struct core *, const char *, char *, size_t, size_t *))
{
	char		 word[CLIENT_NICK_MAX + 1];
	unsigned	 n = 0;

	for (unsigned i = 0; i < m->nparams; i++) {
		const char	*p = m->params[i];

		while (*p != '\0' && n < max) {
			size_t	wlen;

			p += strspn(p, " ");
			if ((wlen = strcspn(p, " ")) == 0)
				break;
			n++;
			if (wlen < sizeof(word)) {
				memcpy(word, p, wlen);
				word[wlen] = '\0';
				fn(core, word, buf, cap, len);
			}
			p += wlen;
		}
	}
}

static void
ison_one(struct core *core, const char *nick, char *buf, size_t cap, size_t *len)
{
	struct client	*who = client_find(core, nick);

	/* Stamped with this ISON's serial: a nick asked for twice is listed once. */
	if (who == NULL || who->state != CLIENT_REGISTERED || who->seen == core->serial)
		return;
	who->seen = core->serial;
	info_append(buf, cap, len, who->nick, strlen(who->nick));
}

/* The reply text fits one line with the numeric's prefix in front. */
#define INFO_LIST_MAX	(MSG_BODY_MAX - CONFIG_NAME_MAX - CLIENT_NICK_MAX - 16)

void
cmd_ison(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	char	list[INFO_LIST_MAX] = "";
	size_t	len = 0;

	(void)now;
	core->serial++;
	info_words(core, m, MSG_BODY_MAX, list, sizeof(list), &len, ison_one);
	send_numeric(core, cl, RPL_ISON, ":%s", list);
}

static void
userhost_one(struct core *core, const char *nick, char *buf, size_t cap, size_t *len)
{
	char		 entry[CLIENT_PREFIX_MAX + 4];
	struct client	*who = client_find(core, nick);
	int		 n;

	if (who == NULL || who->state != CLIENT_REGISTERED)
		return;
	n = snprintf(entry, sizeof(entry), "%s%s=%c%s@%s", who->nick,
	    (who->flags & CLIENT_MODE_OPER) ? "*" : "", who->away != NULL ? '-' : '+',
	    who->user, who->host);
	if (n > 0 && (size_t)n < sizeof(entry))
		info_append(buf, cap, len, entry, (size_t)n);
}

#define USERHOST_MAX	5	/* nicks per USERHOST (RFC 2812 4.8) */

void
cmd_userhost(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	char	list[INFO_LIST_MAX] = "";
	size_t	len = 0;

	(void)now;
	info_words(core, m, USERHOST_MAX, list, sizeof(list), &len, userhost_one);
	send_numeric(core, cl, RPL_USERHOST, ":%s", list);
}
