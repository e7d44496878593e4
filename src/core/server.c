/*
 * The core's entry points: the five events a driver feeds in, and the server's lifetime.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/account.h"
#include "core/cap.h"
#include "core/chanreg.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/command.h"
#include "core/core.h"
#include "core/flood.h"
#include "core/peer.h"
#include "core/presence.h"
#include "core/reply.h"
#include "core/server.h"
#include "core/session.h"
#include "core/silence.h"
#include "core/timer.h"
#include "core/utf8.h"

static void	isupport_build(struct core *core);

/* Keep configured lengths inside the ceilings the state structures are sized for. */
static void
config_clamp(struct core_config *cfg)
{
	if (cfg->nicklen == 0 || cfg->nicklen > CLIENT_NICK_MAX)
		cfg->nicklen = CLIENT_NICK_MAX;
	if (cfg->userlen == 0 || cfg->userlen > CLIENT_USER_MAX)
		cfg->userlen = CLIENT_USER_MAX;
	if (cfg->channellen == 0 || cfg->channellen > CHANNEL_NAME_MAX)
		cfg->channellen = CHANNEL_NAME_MAX;
	if (cfg->topiclen == 0 || cfg->topiclen > MSG_BODY_MAX)
		cfg->topiclen = MSG_BODY_MAX;
	if (cfg->max_targets == 0)
		cfg->max_targets = 1;
	if (cfg->awaylen == 0 || cfg->awaylen > MSG_BODY_MAX)
		cfg->awaylen = MSG_BODY_MAX;
	if (cfg->kicklen == 0 || cfg->kicklen > MSG_BODY_MAX)
		cfg->kicklen = MSG_BODY_MAX;
	if (cfg->namelen == 0 || cfg->namelen > MSG_BODY_MAX)
		cfg->namelen = MSG_BODY_MAX;
}

struct core *
core_new(const struct core_config *cfg, const struct core_out *out)
{
	struct core	*core;

	if ((core = calloc(1, sizeof(*core))) == NULL)
		return NULL;
	core->out = *out;
	tags_init(core, cfg->msgid_seed);
	map_init(&core->nicks, cfg->hash_key);
	map_init(&core->channels, cfg->hash_key);
	map_init(&core->monitors, cfg->hash_key);
	map_init(&core->accounts, cfg->hash_key);
	map_init(&core->account_opts, cfg->hash_key);
	history_init(core, cfg->hash_key);
	throttle_init(&core->fail_accounts, cfg->hash_key);
	throttle_init(&core->fail_hosts, cfg->hash_key);
	throttle_init(&core->register_hosts, cfg->hash_key);
	memcpy(core->secret, cfg->secret, sizeof(core->secret));
	list_init(&core->clients);
	list_init(&core->flooded);
	list_init(&core->nick_grace);
	list_init(&core->chanregs);
	for (int i = 0; i < TIMER_KINDS; i++)
		list_init(&core->timers[i]);
	if (core_configure(core, cfg) == -1) {
		free(core);
		return NULL;
	}
	return core;
}

int
core_configure(struct core *core, const struct core_config *cfg)
{
	char			*motd = NULL;
	struct core_oper	*opers = NULL;
	struct core_webirc	*webircs = NULL;
	capset			 offered = cap_available(core);

	if (cfg->motd != NULL && (motd = strdup(cfg->motd)) == NULL)
		return -1;
	if (cfg->nopers > 0) {
		if ((opers = calloc(cfg->nopers, sizeof(*opers))) == NULL) {
			free(motd);
			return -1;
		}
		memcpy(opers, cfg->opers, cfg->nopers * sizeof(*opers));
	}
	if (cfg->nwebircs > 0) {
		if ((webircs = calloc(cfg->nwebircs, sizeof(*webircs))) == NULL) {
			free(motd);
			free(opers);
			return -1;
		}
		memcpy(webircs, cfg->webircs, cfg->nwebircs * sizeof(*webircs));
	}
	free(core->motd);
	free(core->opers);
	free(core->webircs);
	core->motd = motd;
	core->opers = opers;
	core->webircs = webircs;
	core->cfg = *cfg;
	core->cfg.motd = motd;
	core->cfg.opers = opers;
	core->cfg.webircs = webircs;
	/* A node's server name is its node name (core/cluster.h), whatever REHASH reads. */
	if (core->cluster != NULL)
		snprintf(core->cfg.server_name, sizeof(core->cfg.server_name), "%s",
		    core->cluster->node);
	config_clamp(&core->cfg);
	isupport_build(core);
	cap_notify_changes(core, offered);
	return 0;
}

void
core_free(struct core *core)
{
	if (core == NULL)
		return;
	while (!list_empty(&core->clients))
		client_free(core, list_entry(core->clients.next, struct client, all));
	chanreg_clear(core);
	map_clear(&core->nicks);
	channel_free_all(core);
	map_clear(&core->channels);
	map_clear(&core->monitors);
	account_clear(core);
	session_opts_clear(core);
	throttle_clear(&core->fail_accounts);
	throttle_clear(&core->fail_hosts);
	throttle_clear(&core->register_hosts);
	whowas_clear(&core->whowas);
	history_free(core);
	cluster_free(core);
	free(core->fanout);
	free(core->motd);
	free(core->opers);
	free(core->webircs);
	free(core);
}

void
core_clock(struct core *core, int64_t now, int64_t wall)
{
	core->wall_offset = wall - now;
	tags_clock(core, now);
	if (!core->clock_set) {
		core->started = wall / 1000;
		core->clock_set = true;
	}
}

int64_t
core_wall_seconds(const struct core *core, int64_t now)
{
	return (now + core->wall_offset) / 1000;
}

size_t
core_client_count(const struct core *core)
{
	return core->nclients;
}

struct client *
core_open(struct core *core, uint64_t conn, const char *host, int64_t now)
{
	tags_clock(core, now);
	return client_new(core, conn, host, now);
}

void
core_secure(struct core *core, struct client *cl, const char *certfp)
{
	(void)core;
	cl->flags |= CLIENT_SECURE;
	/* Anything but a fingerprint's hex digits would be a driver's bug: keep none. */
	if (certfp != NULL && strlen(certfp) <= CLIENT_CERTFP_MAX &&
	    strspn(certfp, "0123456789abcdef") == strlen(certfp))
		snprintf(cl->certfp, sizeof(cl->certfp), "%s", certfp);
}

void
core_line(struct core *core, struct client *cl, char *line, size_t len, int64_t now)
{
	/* Arrival is activity, even for a line that waits: it answers a PING. */
	timer_activity(core, cl, now);
	core->counted.lines_in++;
	switch (flood_line(core, cl, line, len, now)) {
	case FLOOD_RUN:
		core_line_run(core, cl, line, len, now);
		break;
	case FLOOD_QUEUED:
		break;
	case FLOOD_EXCESS:
		client_exit(core, cl, "Excess Flood", true);
		break;
	case FLOOD_NOMEM:
		client_exit(core, cl, "Out of memory", true);
		break;
	}
}

/* Run a parsed line; everything it sends is inside its tag event (core_line_run). */
static void
line_dispatch(struct core *core, struct client *cl, struct msg *m, const char *line,
    size_t len, int64_t now)
{
	/* UTF8ONLY: nothing that is not UTF-8 gets in, so none is ever relayed.  The whole
	 * line is checked (parsing only turned separators into NULs). */
	if (core->cfg.utf8_only && !utf8_valid(line, len)) {
		send_standard(core, cl, "FAIL", msg_verb_valid(m->verb) ? m->verb : "*",
		    "INVALID_UTF8", NULL, "Message rejected, your IRC software MUST use "
		    "UTF-8 encoding on this network");
		return;
	}
	if (!msg_verb_valid(m->verb)) {
		send_reply(core, cl, ERR_UNKNOWNCOMMAND, "%s", m->verb);
		return;
	}
	command_dispatch(core, cl, m, now);
}

void
core_line_run(struct core *core, struct client *cl, char *line, size_t len, int64_t now)
{
	struct msg		m;
	enum msg_status		st;

	tags_clock(core, now);
	st = msg_parse(&m, line, len);
	/* message-tags: a client's tag data, '@' and space aside, is at most 4094 bytes. */
	if (st == MSG_OK && m.tags_len > 2 && m.tags_len - 2 > MSG_TAGS_MAX_CLIENT)
		st = MSG_TAGS_TOO_LONG;
	switch (st) {
	case MSG_OK:
		break;
	case MSG_EMPTY:
		return;
	case MSG_TAGS_TOO_LONG:
	case MSG_TOO_MANY_TAGS:
	case MSG_BODY_TOO_LONG:
		send_reply(core, cl, ERR_INPUTTOOLONG, NULL);
		return;
	case MSG_BAD_TAGS:
		if (cl->caps & CAP_BIT(CAP_STANDARD_REPLIES))
			send_standard(core, cl, "FAIL", "*", "INVALID_TAGS", NULL,
			    "Malformed message tags; the line was dropped");
		/* FALLTHROUGH */
	default:
		/* Malformed framing (NUL, stray CR, broken tags): drop the line, keep the
		 * connection, and say why so a client author can find the problem. */
		core_log(core, PLOG_DEBUG, "conn %llu: dropped line: %s",
		    (unsigned long long)cl->conn, msg_status_str(st));
		return;
	}
	/* Replies to a labeled command are collected until it has run (tags.h). */
	tags_event(core, cl, &m, now);
	line_dispatch(core, cl, &m, line, len, now);
	tags_event_end(core);
}

void
core_line_too_long(struct core *core, struct client *cl, int64_t now)
{
	tags_clock(core, now);
	timer_activity(core, cl, now);
	send_reply(core, cl, ERR_INPUTTOOLONG, NULL);
}

void
core_closed(struct core *core, struct client *cl, const char *reason)
{
	client_exit(core, cl, reason, false);
}

void
core_shutdown(struct core *core, const char *reason)
{
	/* The last lines said go to the store before the store goes. */
	history_flush(core, core->tags.now);
	/* Nobody stays to see a QUIT: send ERROR and close, without broadcasts.  The
	 * always-on users are kept for the next start first. */
	presence_shutdown(core);
	while (!list_empty(&core->clients)) {
		struct client	*cl;
		char		 line[MSG_BODY_MAX + 1];
		size_t		 len;

		cl = list_entry(core->clients.next, struct client, all);
		if (cl->local && !(cl->flags & CLIENT_HOLLOW)) {
			/* Each connection its own ERROR: a user's sessions have theirs. */
			len = format_line(line, "ERROR :Closing Link: %s (%s)", cl->host,
			    reason);
			send_conn(core, cl, line, len);
			core->out.hangup(core->out.ctx, cl->conn, reason);
		}
		client_free(core, cl);
	}
}

/* Append one "TOKEN" to the ISUPPORT lines, starting a new line when this one is full. */
static void
isupport_add(struct core *core, unsigned *count, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
isupport_add(struct core *core, unsigned *count, const char *fmt, ...)
{
	char	 token[128];
	char	*line;
	size_t	 len;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(token, sizeof(token), fmt, ap);
	va_end(ap);

	/* At most 13 tokens a line, as the ISUPPORT document asks. */
	if (core->nisupport == 0 || *count == 13) {
		if (core->nisupport == ISUPPORT_LINES)
			return;
		core->isupport[core->nisupport++][0] = '\0';
		*count = 0;
	}
	line = core->isupport[core->nisupport - 1];
	len = strlen(line);
	snprintf(line + len, sizeof(core->isupport[0]) - len, "%s%s", len ? " " : "", token);
	(*count)++;
}

/* ISUPPORT tokens: only what the server really does, with the configured limits. */
static void
isupport_build(struct core *core)
{
	const struct core_config	*c = &core->cfg;
	unsigned			 n = 0;

	core->nisupport = 0;
	isupport_add(core, &n, "ACCOUNTEXTBAN=a");
	isupport_add(core, &n, "AWAYLEN=%u", c->awaylen);
	isupport_add(core, &n, "BOT=B");
	isupport_add(core, &n, "CASEMAPPING=rfc1459");
	isupport_add(core, &n, "CHANLIMIT=#:%u", c->max_channels);
	isupport_add(core, &n, "CHANMODES=beIq,k,fjl,CMPRTWcimnpstz");
	isupport_add(core, &n, "CHANNELLEN=%u", c->channellen);
	isupport_add(core, &n, "CHANTYPES=#");
	/* history (cmd_chathistory.c) */
	if (history_on(core))
		isupport_add(core, &n, "CHATHISTORY=%u", c->history_query_max);
	isupport_add(core, &n, "ELIST=%s", QUERY_ELIST);
	isupport_add(core, &n, "EXCEPTS");
	isupport_add(core, &n, "EXTBAN=$,a");
	isupport_add(core, &n, "INVEX");
	isupport_add(core, &n, "KICKLEN=%u", c->kicklen);
	isupport_add(core, &n, "MAXLIST=beIq:%u", c->max_list);
	isupport_add(core, &n, "MAXTARGETS=%u", c->max_targets);
	isupport_add(core, &n, "MODES=%u", c->modes_per_line);
	isupport_add(core, &n, "MONITOR=%u", c->monitor_max);
	if (history_on(core))
		isupport_add(core, &n, "MSGREFTYPES=timestamp,msgid");
	isupport_add(core, &n, "NAMELEN=%u", c->namelen);
	isupport_add(core, &n, "NETWORK=%s", c->network);
	isupport_add(core, &n, "NICKLEN=%u", c->nicklen);
	isupport_add(core, &n, "PREFIX=(ov)@+");
	isupport_add(core, &n,
	    "TARGMAX=JOIN:,NAMES:,PART:,PRIVMSG:%u,NOTICE:%u,TAGMSG:%u,WHOIS:%u,KICK:%u",
	    c->max_targets, c->max_targets, c->max_targets, c->max_targets,
	    c->max_targets);
	isupport_add(core, &n, "TOPICLEN=%u", c->topiclen);
	isupport_add(core, &n, "USERLEN=%u", c->userlen);
	if (c->utf8_only)
		isupport_add(core, &n, "UTF8ONLY");
	isupport_add(core, &n, "WHOX");
	/* h-proto: issue 20's tokens. */
	isupport_add(core, &n, "SILENCE=%u", SILENCE_MAX);
	isupport_add(core, &n, "STATUSMSG=@+");
}
