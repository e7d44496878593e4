/*
 * The configuration file: INI through libinih, checked strictly.  Every key is known,
 * every value is range-checked, and every error names the file and line, because a
 * server that starts with a silently ignored typo is worse than one that refuses.
 * This file holds the table of settings and reads the file; config_values.c checks and
 * parses each value, config_motd.c reads the MOTD file, config_oper.c and
 * config_webirc.c take the [oper NAME] and [webirc NAME] blocks.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "core/msg.h"
#include "net/iothreads.h"
#include "net/jobs.h"
#include "net/http.h"
#include "net/log.h"
#include "parleyd/config.h"
#include "parleyd/config_cluster.h"
#include "parleyd/config_motd.h"
#include "parleyd/config_oper.h"
#include "parleyd/config_values.h"
#include "parleyd/config_webirc.h"

#define SECOND_MS	1000
#define DAY_MS		(24 * 60 * 60 * SECOND_MS)
#define TEXT_MAX	(MSG_BODY_MAX - 2)	/* what one line holds without CR LF */

enum setting_kind {
	SET_NAME,	/* char[CONFIG_NAME_MAX + 1], hostname-like */
	SET_NETWORK,	/* char[CONFIG_NAME_MAX + 1], one ISUPPORT token */
	SET_PASSWORD,	/* char[CONFIG_PASSWORD_MAX + 1] */
	SET_MOTD,	/* a path; the file's text goes to cfg->motd */
	SET_ADDRESS,	/* appended to net.listen; repeats */
	SET_TLS_ADDRESS, /* the same, a TLS listener; repeats */
	SET_PATH,	/* char[PATH_MAX], relative to the file's directory */
	SET_COUNT,	/* unsigned */
	SET_BYTES,	/* size_t, with k/K or m/M (KiB, MiB) */
	SET_SECONDS,	/* int64_t milliseconds, written as seconds */
	SET_LEVEL,	/* enum log_level */
	SET_BOOL,	/* bool: yes/no, true/false, on/off, 1/0 */
	SET_MODEL,	/* enum net_model: event, fork or threads */
	/* Connection policy and proxies (h-ops). */
	SET_CIDRS,	/* struct net_cidrs: address ranges, blank- or comma-separated */
	SET_PROXY_ADDRESS, /* a listener expecting a PROXY header; repeats */
	SET_PROXY_TLS_ADDRESS, /* the same, TLS after the header; repeats */
	SET_ONE_ADDRESS, /* char[SOCK_ADDR_MAX]: one "ADDR:PORT", or "" for none */
	SET_GUEST_PREFIX, /* char[CONFIG_GUEST_PREFIX_MAX + 1], the start of a nick */
	SET_WEB_ADDRESS, /* appended to net.listen, a web listener; repeats */
	SET_WEB_TLS_ADDRESS, /* the same, over TLS; repeats */
	SET_ORIGINS,	/* net.web_origins: words */
	SET_HISTORY_PRIVATE, /* unsigned CONFIG_HISTORY_PRIVATE_*: all, accounts, none */
	SET_AUTO_AWAY,	/* char[CONFIG_AUTO_AWAY_MAX + 1], an AWAY text ("" = none) */
	SET_CASEMAPPING, /* enum casemapping: rfc1459 or rfc8265 */
	/* The cluster (issue 18, config_cluster.c). */
	SET_NATS_URL,	/* appended to net.cluster.urls; repeats */
	SET_NODE,	/* char[NATS_NAME_MAX], a node's name */
	SET_NATS_SECRET, /* char[NATS_SECRET_MAX]: a user, password or token */
};

struct setting {
	const char		*section;
	const char		*key;
	enum setting_kind	 kind;
	size_t			 off;		/* into struct config */
	uint64_t		 min, max;	/* SET_COUNT, SET_BYTES; ms for SET_SECONDS */
};

#define AT(field)	offsetof(struct config, field)

/*
 * Nicks, users and channel names are refused above the core's ceilings (core/config.h):
 * the core would clamp them.
 */
static const struct setting settings[] = {
	{ "server",	"name",		SET_NAME,	AT(core.server_name), 0, 0 },
	{ "server",	"network",	SET_NETWORK,	AT(core.network), 0, 0 },
	{ "server",	"password",	SET_PASSWORD,	AT(core.password), 0, 0 },
	{ "server",	"motd",		SET_MOTD,	0, 0, 0 },
	{ "server",	"model",	SET_MODEL,	AT(net.model), 0, 0 },
	{ "server",	"io_threads",	SET_COUNT,	AT(net.io_threads), 1, IOTHREADS_MAX },
	{ "server",	"workers",	SET_COUNT,	AT(net.workers), 1, JOBS_MAX },
	{ "server",	"allow_die",	SET_BOOL,	AT(core.allow_die), 0, 0 },
	{ "server",	"allow_restart", SET_BOOL,	AT(core.allow_restart), 0, 0 },
	{ "server",	"utf8_only",	SET_BOOL,	AT(core.utf8_only), 0, 0 },
	{ "server",	"casemapping",	SET_CASEMAPPING, AT(core.casemapping), 0, 0 },
	/* Free text for ADMIN: SET_PASSWORD's rules (no control characters, 127 bytes). */
	{ "server",	"admin_name",	SET_PASSWORD,	AT(core.admin_name), 0, 0 },
	{ "server",	"admin_email",	SET_PASSWORD,	AT(core.admin_email), 0, 0 },
	{ "server",	"admin_location", SET_PASSWORD,	AT(core.admin_location), 0, 0 },
	/* h-proto: shown by LINKS, WHOIS and VERSION; ADMIN's rules. */
	{ "server",	"description",	SET_PASSWORD,	AT(core.description), 0, 0 },
	{ "listen",	"address",	SET_ADDRESS,	0, 0, 0 },
	{ "listen",	"tls_address",	SET_TLS_ADDRESS, 0, 0, 0 },
	{ "listen",	"proxy_address", SET_PROXY_ADDRESS, 0, 0, 0 },
	{ "listen",	"proxy_tls_address", SET_PROXY_TLS_ADDRESS, 0, 0, 0 },
	{ "proxy",	"trusted",	SET_CIDRS,	AT(net.proxy_trusted), 0, 0 },
	{ "proxy",	"timeout",	SET_SECONDS,	AT(net.proxy_timeout), 1, 60 * SECOND_MS },
	{ "metrics",	"address",	SET_ONE_ADDRESS, AT(net.metrics_address), 0, 0 },
	{ "tls",	"cert",		SET_PATH,	AT(net.tls_cert), 0, 0 },
	{ "tls",	"key",		SET_PATH,	AT(net.tls_key), 0, 0 },
	{ "tls",	"handshake_timeout", SET_SECONDS, AT(net.tls_handshake_timeout), 1,
	    3600 * SECOND_MS },
	{ "tls",	"sts",		SET_BOOL,	AT(net.sts), 0, 0 },
	{ "tls",	"max_handshakes", SET_COUNT,	AT(net.max_handshakes), 0, 1048576 },
	{ "tls",	"handshakes_per_address", SET_COUNT, AT(net.handshakes_per_address),
	    0, 1048576 },
	/* 0 tells clients to forget a policy; a year is as long as any server asks. */
	{ "tls",	"sts_duration",	SET_SECONDS,	AT(core.sts_duration), 0,
	    366 * (uint64_t)DAY_MS },
	{ "limits",	"nicklen",	SET_COUNT,	AT(core.nicklen), 1,
	    CONFIG_NICKLEN_MAX },
	{ "limits",	"channellen",	SET_COUNT,	AT(core.channellen), 2,
	    CONFIG_CHANNELLEN_MAX },
	{ "limits",	"topiclen",	SET_COUNT,	AT(core.topiclen), 1, TEXT_MAX },
	{ "limits",	"userlen",	SET_COUNT,	AT(core.userlen), 1,
	    CONFIG_USERLEN_MAX },
	{ "limits",	"max_channels",	SET_COUNT,	AT(core.max_channels), 1, 10000 },
	/* A 512-byte line cannot name more than about 250 targets. */
	{ "limits",	"max_targets",	SET_COUNT,	AT(core.max_targets), 1, 255 },
	{ "limits",	"awaylen",	SET_COUNT,	AT(core.awaylen), 1, TEXT_MAX },
	/* About 250 bytes an entry: 100000 is some 25 MB. */
	{ "limits",	"whowas_history", SET_COUNT,	AT(core.whowas_history), 0, 100000 },
	{ "limits",	"max_list",	SET_COUNT,	AT(core.max_list), 1, 10000 },
	{ "limits",	"modes_per_line", SET_COUNT,	AT(core.modes_per_line), 1, 20 },
	{ "limits",	"kicklen",	SET_COUNT,	AT(core.kicklen), 1, TEXT_MAX },
	{ "limits",	"namelen",	SET_COUNT,	AT(core.namelen), 1, TEXT_MAX },
	{ "limits",	"monitor_max",	SET_COUNT,	AT(core.monitor_max), 1, 10000 },
	{ "limits",	"max_matches",	SET_COUNT,	AT(core.max_matches), 1, 1000000 },
	{ "limits",	"whowas_max",	SET_COUNT,	AT(core.whowas_max), 1, 100000 },
	/* Steps of wildcard matching: a billion is a second or so of one core. */
	{ "limits",	"match_work",	SET_COUNT,	AT(core.match_work), 1000, 1000000000 },
	{ "limits",	"max_list_per_client", SET_COUNT, AT(core.max_list_per_client), 1,
	    1000000 },
	/* At least the longest line the server may send, so one line never overflows. */
	{ "limits",	"sendq",	SET_BYTES,	AT(net.sendq), MSG_LINE_MAX,
	    1024 * 1024 * 1024 },
	{ "limits",	"sendq_unregistered", SET_BYTES, AT(net.sendq_unregistered),
	    MSG_LINE_MAX, 1024 * 1024 * 1024 },
	{ "limits",	"line_max",	SET_BYTES,	AT(net.line_max), MSG_BODY_MAX,
	    MSG_LINE_MAX },
	/* 0 is "no limit"; 1048576 is Linux's default ceiling on descriptors. */
	{ "limits",	"max_clients",	SET_COUNT,	AT(net.max_clients), 0, 1048576 },
	{ "limits",	"max_per_address", SET_COUNT,	AT(net.max_per_address), 0, 1048576 },
	{ "limits",	"connect_rate",	SET_COUNT,	AT(net.connect_rate), 0, 1048576 },
	{ "limits",	"connect_window", SET_SECONDS,	AT(net.connect_window), SECOND_MS,
	    DAY_MS },
	/* An address is named by its first bits: 8 and 16 are the widest sane nets. */
	{ "limits",	"ipv4_prefix",	SET_COUNT,	AT(net.ipv4_prefix), 8, 32 },
	{ "limits",	"ipv6_prefix",	SET_COUNT,	AT(net.ipv6_prefix), 16, 128 },
	{ "limits",	"exempt",	SET_CIDRS,	AT(net.exempt), 0, 0 },
	/* Flood control: 0 lines of burst turns it off; the queue holds one line at least. */
	{ "limits",	"flood_burst",	SET_COUNT,	AT(core.flood_burst), 0, 100000 },
	{ "limits",	"flood_interval", SET_SECONDS,	AT(core.flood_interval), 1, 60 * SECOND_MS },
	{ "limits",	"flood_queue",	SET_BYTES,	AT(core.flood_queue), MSG_BODY_MAX,
	    1024 * 1024 * 1024 },
	{ "timeouts",	"registration",	SET_SECONDS,	AT(core.registration_timeout), 1,
	    DAY_MS },
	{ "timeouts",	"ping_interval", SET_SECONDS,	AT(core.ping_interval), 1, DAY_MS },
	{ "timeouts",	"ping_timeout",	SET_SECONDS,	AT(core.ping_timeout), 1, DAY_MS },
	{ "timeouts",	"linger",	SET_SECONDS,	AT(net.linger), 1, DAY_MS },
	{ "timeouts",	"shutdown_grace", SET_SECONDS,	AT(net.shutdown_grace), 1, DAY_MS },
	{ "timeouts",	"upgrade_timeout", SET_SECONDS,	AT(net.upgrade_timeout), 1,
	    10 * 60 * SECOND_MS },
	{ "log",	"level",	SET_LEVEL,	AT(log_level), 0, 0 },
	/* accounts: argon2id's own bounds on passes and memory (libsodium). */
	{ "accounts",	"registration",	SET_BOOL,	AT(core.accounts_registration), 0, 0 },
	{ "accounts",	"email_required", SET_BOOL,	AT(core.accounts_email_required), 0, 0 },
	{ "accounts",	"password_min",	SET_COUNT,	AT(core.accounts_password_min), 1,
	    TEXT_MAX },
	{ "accounts",	"argon2_passes", SET_COUNT,	AT(core.accounts_argon2_ops), 1, 100 },
	{ "accounts",	"argon2_memory", SET_BYTES,	AT(core.accounts_argon2_mem), 8192,
	    1024 * 1024 * 1024 },
	{ "accounts",	"scram_iterations", SET_COUNT,	AT(core.accounts_scram_iterations),
	    4096, 1000000 },
	{ "accounts",	"fail_limit",	SET_COUNT,	AT(core.accounts_fail_limit), 0, 100000 },
	{ "accounts",	"fail_window",	SET_SECONDS,	AT(core.accounts_fail_window), 1,
	    DAY_MS },
	/* Nick ownership: a day of grace is as long as any network gives. */
	{ "accounts",	"nick_grace",	SET_SECONDS,	AT(core.nick_grace), 0, DAY_MS },
	{ "accounts",	"guest_prefix",	SET_GUEST_PREFIX, AT(core.guest_prefix), 0, 0 },
	/* multiclient: an account's devices, a few hundred at the very most. */
	{ "accounts",	"multiclient",	SET_BOOL,	AT(core.accounts_multiclient), 0, 0 },
	{ "accounts",	"max_connections", SET_COUNT,	AT(core.accounts_max_connections), 1,
	    1000 },
	{ "accounts",	"always_on",	SET_BOOL,	AT(core.accounts_always_on), 0, 0 },
	{ "accounts",	"auto_away",	SET_AUTO_AWAY,	AT(core.accounts_auto_away), 0, 0 },
	/* store: the file, read at start ("" = no store). */
	{ "store",	"path",		SET_PATH,	AT(store_path), 0, 0 },
	/* The web listener (docs/web.md). */
	{ "listen",	"web_address",	SET_WEB_ADDRESS, 0, 0, 0 },
	{ "listen",	"web_tls_address", SET_WEB_TLS_ADDRESS, 0, 0, 0 },
	{ "web",	"origins",	SET_ORIGINS,	0, 0, 0 },
	{ "web",	"trusted_proxies", SET_CIDRS,	AT(net.web_proxies), 0, 0 },
	{ "web",	"header_max",	SET_BYTES,	AT(net.web_header_max), 1024,
	    64 * 1024 },
	{ "web",	"max_headers",	SET_COUNT,	AT(net.web_headers_max), 8,
	    HTTP_FIELDS_MAX },
	{ "web",	"header_timeout", SET_SECONDS,	AT(net.web_header_timeout), SECOND_MS,
	    3600 * SECOND_MS },
	/* history: kept on the store (off without one); ten years at most. */
	{ "history",	"enabled",	SET_BOOL,	AT(core.history_enabled), 0, 0 },
	{ "history",	"max_age",	SET_SECONDS,	AT(core.history_max_age), 0,
	    3650LL * DAY_MS },
	{ "history",	"max_lines",	SET_COUNT,	AT(core.history_max_lines), 0,
	    100000000 },
	{ "history",	"query_max",	SET_COUNT,	AT(core.history_query_max), 1, 1000 },
	{ "history",	"join_replay",	SET_COUNT,	AT(core.history_join_replay), 0, 1000 },
	{ "history",	"private",	SET_HISTORY_PRIVATE, AT(core.history_private), 0, 0 },
	/* cluster: NATS, and how soon a silent node is gone (docs/cluster.md). */
	{ "cluster",	"nats_url",	SET_NATS_URL,	0, 0, 0 },
	{ "cluster",	"node",		SET_NODE,	AT(net.cluster.node), 0, 0 },
	{ "cluster",	"user",		SET_NATS_SECRET, AT(net.cluster.user), 0, 0 },
	{ "cluster",	"password",	SET_NATS_SECRET, AT(net.cluster.password), 0, 0 },
	{ "cluster",	"token",	SET_NATS_SECRET, AT(net.cluster.token), 0, 0 },
	{ "cluster",	"creds",	SET_PATH,	AT(net.cluster.creds), 0, 0 },
	{ "cluster",	"tls_ca",	SET_PATH,	AT(net.cluster.tls_ca), 0, 0 },
	{ "cluster",	"tls_cert",	SET_PATH,	AT(net.cluster.tls_cert), 0, 0 },
	{ "cluster",	"tls_key",	SET_PATH,	AT(net.cluster.tls_key), 0, 0 },
	/* A heartbeat of 10 ms is a hundred messages a second per node; an hour is as
	 * long as anyone would let a dead node's users linger. */
	{ "cluster",	"heartbeat",	SET_SECONDS,	AT(net.cluster.heartbeat), 10,
	    60 * SECOND_MS },
	{ "cluster",	"timeout",	SET_SECONDS,	AT(net.cluster.timeout), 20,
	    3600 * SECOND_MS },
	{ "cluster",	"sync_timeout",	SET_SECONDS,	AT(net.cluster.sync_timeout), 0,
	    3600 * SECOND_MS },
	/* At least a few longest lines; a GiB is more than any burst. */
	{ "cluster",	"queue",	SET_BYTES,	AT(net.cluster.queue), 64 * 1024,
	    1024 * 1024 * 1024 },
};

#define NSETTINGS	(sizeof(settings) / sizeof(settings[0]))

/* One config_load in progress: inih's reader and handler share it. */
struct load {
	struct config	*cfg;		/* the copy being filled */
	const char	*path;
	FILE		*fp;
	char		*line;		/* getline's buffer */
	size_t		 linecap;
	int		 lineno;
	int		 seen[NSETTINGS];	/* line a setting was first set on; 0: not */
	struct oper_load oper;		/* the open [oper NAME] block */
	struct webirc_load webirc;	/* the open [webirc NAME] block (h-ops) */
	bool		 listen_replaced;	/* the file's first address cleared the list */
	bool		 failed;
	int		 errline;	/* line of the first error; 0: not a line's */
	char		*err;
	size_t		 errlen;
};

static void	load_error(struct load *ld, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/* The MOTD path as given, or relative to the configuration file's directory. */
static int
motd_path(const char *conf, const char *value, char *buf, size_t cap)
{
	const char	*slash = strrchr(conf, '/');
	int		 n;

	if (value[0] == '/' || slash == NULL)
		n = snprintf(buf, cap, "%s", value);
	else
		n = snprintf(buf, cap, "%.*s/%s", (int)(slash - conf), conf, value);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int
set_motd(struct load *ld, const char *value, char *why, size_t whylen)
{
	char	path[PATH_MAX];

	ld->cfg->motd = NULL;
	if (*value == '\0')
		return 0;
	if (motd_path(ld->path, value, path, sizeof(path)) == -1) {
		snprintf(why, whylen, "path too long");
		return -1;
	}
	return (ld->cfg->motd = config_motd_read(path, why, whylen)) == NULL ? -1 : 0;
}

static int
set_number(struct load *ld, const struct setting *s, const char *value, char *why,
    size_t whylen)
{
	void		*field = (char *)ld->cfg + s->off;
	uint64_t	 v;

	switch (s->kind) {
	case SET_COUNT:
		if (config_count_parse(value, &v) == -1) {
			snprintf(why, whylen, "'%s' is not a number", value);
			return -1;
		}
		break;
	case SET_BYTES:
		if (config_bytes_parse(value, &v) == -1) {
			snprintf(why, whylen, "'%s' is not a size (bytes, or with k or m: "
			    "64k, 2m)", value);
			return -1;
		}
		break;
	default:
		if (config_seconds_parse(value, &v) == -1) {
			snprintf(why, whylen, "'%s' is not a number of seconds (60, 0.5; at "
			    "most 3 decimals)", value);
			return -1;
		}
		break;
	}
	if (v < s->min || v > s->max) {
		if (s->kind == SET_SECONDS)
			snprintf(why, whylen, "'%s' is out of range (0.001..%llu seconds)",
			    value, (unsigned long long)s->max / SECOND_MS);
		else
			snprintf(why, whylen, "'%s' is out of range (%llu..%llu%s)", value,
			    (unsigned long long)s->min, (unsigned long long)s->max,
			    s->kind == SET_BYTES ? " bytes" : "");
		return -1;
	}
	if (s->kind == SET_COUNT)
		*(unsigned *)field = (unsigned)v;
	else if (s->kind == SET_BYTES)
		*(size_t *)field = (size_t)v;
	else
		*(int64_t *)field = (int64_t)v;
	return 0;
}

static int
set_value(struct load *ld, const struct setting *s, const char *value, char *why,
    size_t whylen)
{
	struct config	*cfg = ld->cfg;
	char		*field = (char *)cfg + s->off;

	switch (s->kind) {
	case SET_NAME:
		if (config_name_check(value, why, whylen) == -1)
			return -1;
		snprintf(field, CONFIG_NAME_MAX + 1, "%s", value);
		return 0;
	case SET_NETWORK:
		if (config_network_check(value, why, whylen) == -1)
			return -1;
		snprintf(field, CONFIG_NAME_MAX + 1, "%s", value);
		return 0;
	case SET_PASSWORD:
		if (config_password_check(value, why, whylen) == -1)
			return -1;
		snprintf(field, CONFIG_PASSWORD_MAX + 1, "%s", value);
		return 0;
	case SET_MOTD:
		return set_motd(ld, value, why, whylen);
	case SET_ORIGINS:
		return config_origins_parse(value, cfg->net.web_origins,
		    &cfg->net.nweb_origins, why, whylen);
	case SET_WEB_ADDRESS:
	case SET_WEB_TLS_ADDRESS:
	case SET_ADDRESS:
	case SET_TLS_ADDRESS:
	case SET_PROXY_ADDRESS:
	case SET_PROXY_TLS_ADDRESS:
		/* The file's addresses replace the default list rather than add to it. */
		if (!ld->listen_replaced)
			cfg->net.nlisten = 0;
		ld->listen_replaced = true;
		if (config_listen_add(cfg->net.listen, &cfg->net.nlisten, value, why,
		    whylen) == -1)
			return -1;
		cfg->net.listen_tls[cfg->net.nlisten - 1] = s->kind == SET_TLS_ADDRESS ||
		    s->kind == SET_PROXY_TLS_ADDRESS || s->kind == SET_WEB_TLS_ADDRESS;
		cfg->net.listen_proxy[cfg->net.nlisten - 1] = s->kind == SET_PROXY_ADDRESS ||
		    s->kind == SET_PROXY_TLS_ADDRESS;
		cfg->net.listen_web[cfg->net.nlisten - 1] = s->kind == SET_WEB_ADDRESS ||
		    s->kind == SET_WEB_TLS_ADDRESS;
		return 0;
	case SET_PATH:
		if (*value != '\0' && motd_path(ld->path, value, field, PATH_MAX) == -1) {
			snprintf(why, whylen, "path too long");
			return -1;
		}
		if (*value == '\0')
			*field = '\0';
		return 0;
	case SET_LEVEL:
		return config_level_check(value, &cfg->log_level, why, whylen);
	case SET_BOOL:
		return config_bool_parse(value, (bool *)field, why, whylen);
	case SET_MODEL:
		return config_model_check(value, &cfg->net.model, why, whylen);
	case SET_ONE_ADDRESS:
		return config_address_check(value, field, why, whylen);
	case SET_CIDRS:
		return net_cidrs_parse(value, (struct net_cidrs *)(void *)field, why,
		    whylen);
	case SET_GUEST_PREFIX:
		if (config_guest_prefix_check(value, why, whylen) == -1)
			return -1;
		snprintf(field, CONFIG_GUEST_PREFIX_MAX + 1, "%s", value);
		return 0;
	case SET_AUTO_AWAY:
		if (config_auto_away_check(value, why, whylen) == -1)
			return -1;
		snprintf(field, CONFIG_AUTO_AWAY_MAX + 1, "%s", value);
		return 0;
	case SET_HISTORY_PRIVATE:
		return config_history_private_check(value, (unsigned *)(void *)field, why,
		    whylen);
	case SET_CASEMAPPING:
		return config_casemapping_check(value, (enum casemapping *)(void *)field,
		    why, whylen);
	case SET_NATS_URL:
		return config_cluster_url_add(&cfg->net.cluster, value, why, whylen);
	case SET_NODE:
		return config_cluster_node_check(value, field, why, whylen);
	case SET_NATS_SECRET:
		return config_cluster_secret_check(value, field, why, whylen);
	default:
		return set_number(ld, s, value, why, whylen);
	}
}

static void
load_error(struct load *ld, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	ld->failed = true;
	ld->errline = ld->lineno;
	if (ld->lineno > 0)
		n = snprintf(ld->err, ld->errlen, "%s:%d: ", ld->path, ld->lineno);
	else
		n = snprintf(ld->err, ld->errlen, "%s: ", ld->path);
	if (n < 0 || (size_t)n >= ld->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static const struct setting *
setting_find(const char *section, const char *key)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].section, section) == 0 &&
		    (key == NULL || strcmp(settings[i].key, key) == 0))
			return &settings[i];
	return NULL;
}

/* "[oper NAME]" (config_oper.c). */
static int
oper_open(struct load *ld, const char *name)
{
	char	why[256];

	if (config_oper_open(ld->cfg, &ld->oper, name, ld->lineno, why,
	    sizeof(why)) == 0)
		return 0;
	load_error(ld, "%s", why);
	return -1;
}

/* An open [oper NAME] block is over: an error is its header's line's. */
static int
oper_close(struct load *ld)
{
	char	why[256];
	int	line = ld->lineno, block = ld->oper.line;

	if (config_oper_close(ld->cfg, &ld->oper, why, sizeof(why)) == 0)
		return 0;
	ld->lineno = block;
	load_error(ld, "%s", why);
	ld->lineno = line;
	return -1;
}

/* "[webirc NAME]" (config_webirc.c). */
static int
webirc_open(struct load *ld, const char *name)
{
	char	why[256];

	if (config_webirc_open(ld->cfg, &ld->webirc, name, ld->lineno, why,
	    sizeof(why)) == 0)
		return 0;
	load_error(ld, "%s", why);
	return -1;
}

/* An open [webirc NAME] block is over: an error is its header's line's. */
static int
webirc_close(struct load *ld)
{
	char	why[256];
	int	line = ld->lineno, block = ld->webirc.line;

	if (config_webirc_close(ld->cfg, &ld->webirc, why, sizeof(why)) == 0)
		return 0;
	ld->lineno = block;
	load_error(ld, "%s", why);
	ld->lineno = line;
	return -1;
}

/*
 * inih's reader, fed one whole line at a time so that the line count is ours: inih
 * does not pass line numbers to the handler, splits lines longer than its buffer, and
 * calls nothing for a section without keys.  Leading blanks are dropped, so an indented
 * line is a line of its own rather than inih's continuation of the previous value.
 */
static char *
load_read(char *buf, int cap, void *arg)
{
	struct load	*ld = arg;
	const char	*start, *end;
	ssize_t		 n;
	size_t		 len;

	if (ld->failed)
		return NULL;
	if ((n = getline(&ld->line, &ld->linecap, ld->fp)) == -1) {
		if (ferror(ld->fp)) {
			ld->failed = true;
			snprintf(ld->err, ld->errlen, "%s: %s", ld->path, strerror(errno));
		} else {
			(void)oper_close(ld);
			(void)webirc_close(ld);
		}
		return NULL;
	}
	ld->lineno++;
	if (memchr(ld->line, '\0', (size_t)n) != NULL) {
		load_error(ld, "contains a NUL byte");
		return NULL;
	}
	start = ld->line;
	if (ld->lineno == 1 && strncmp(start, "\xef\xbb\xbf", 3) == 0)
		start += 3;
	start += strspn(start, " \t");
	len = strcspn(start, "\r\n");
	if (len + 1 >= (size_t)cap) {
		load_error(ld, "line longer than %d bytes", cap - 2);
		return NULL;
	}
	if (*start == '[' && (end = memchr(start, ']', len)) != NULL) {
		char	section[CONFIG_NAME_MAX + 16];

		snprintf(section, sizeof(section), "%.*s", (int)(end - start - 1),
		    start + 1);
		if (oper_close(ld) == -1 || webirc_close(ld) == -1)
			return NULL;
		if (strncmp(section, "oper ", 5) == 0) {
			if (oper_open(ld, section + 5) == -1)
				return NULL;
		} else if (strncmp(section, "webirc ", 7) == 0) {
			if (webirc_open(ld, section + 7) == -1)
				return NULL;
		} else if (setting_find(section, NULL) == NULL) {
			load_error(ld, "unknown section [%s]", section);
			return NULL;
		}
	}
	memcpy(buf, start, len);
	buf[len] = '\0';
	return buf;
}

static int
load_handle(void *arg, const char *section, const char *key, const char *value)
{
	struct load		*ld = arg;
	const struct setting	*s;
	size_t			 i;
	char			 why[PATH_MAX + 128];	/* room for a MOTD path */

	if (*section == '\0') {
		load_error(ld, "'%s' is outside any section", key);
		return 0;
	}
	if (ld->oper.line != 0) {
		if (config_oper_key(ld->cfg, &ld->oper, key, value, ld->lineno, why,
		    sizeof(why)) == -1) {
			load_error(ld, "%s", why);
			return 0;
		}
		return 1;
	}
	if (ld->webirc.line != 0) {
		if (config_webirc_key(ld->cfg, &ld->webirc, key, value, ld->lineno, why,
		    sizeof(why)) == -1) {
			load_error(ld, "%s", why);
			return 0;
		}
		return 1;
	}
	if ((s = setting_find(section, key)) == NULL) {
		load_error(ld, "unknown key '%s' in [%s]", key, section);
		return 0;
	}
	i = (size_t)(s - settings);
	if (s->kind != SET_ADDRESS && s->kind != SET_TLS_ADDRESS &&
	    s->kind != SET_PROXY_ADDRESS && s->kind != SET_PROXY_TLS_ADDRESS &&
	    s->kind != SET_WEB_ADDRESS && s->kind != SET_WEB_TLS_ADDRESS &&
	    s->kind != SET_NATS_URL && ld->seen[i] != 0) {
		load_error(ld, "%s: already set on line %d", key, ld->seen[i]);
		return 0;
	}
	if (set_value(ld, s, value, why, sizeof(why)) == -1) {
		load_error(ld, "%s: %s", key, why);
		return 0;
	}
	if (ld->seen[i] == 0)
		ld->seen[i] = ld->lineno;
	return 1;
}

/*
 * The registration burst, MOTD included, is queued in one go; a sendq it does not fit
 * in would cut off every client as it registers.
 */
static int
load_check_sendq(struct load *ld)
{
	const struct config	*cfg = ld->cfg;
	size_t			 need;
	int			 sendq_line = ld->seen[setting_find("limits", "sendq") -
				    settings];

	if (cfg->motd == NULL)
		return 0;
	need = core_config_welcome_size(cfg->core.nicklen, cfg->motd);
	if (cfg->net.sendq >= need)
		return 0;
	ld->lineno = sendq_line != 0 ? sendq_line :
	    ld->seen[setting_find("server", "motd") - settings];
	load_error(ld, "sendq (%zu bytes) cannot hold the MOTD as sent at registration "
	    "(about %zu bytes): raise sendq or shorten the MOTD", cfg->net.sendq, need);
	return -1;
}

void
config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	core_config_defaults(&cfg->core);
	net_config_defaults(&cfg->net);
	cfg->motd = NULL;
	cfg->core.motd = NULL;
	cfg->log_level = PLOG_INFO;
	snprintf(cfg->store_path, sizeof(cfg->store_path), "%s", CONFIG_STORE_DEFAULT);
}

int
config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	struct config	tmp = *cfg;
	struct load	ld;
	int		rc;

	memset(&ld, 0, sizeof(ld));
	/* The file's operator blocks replace any there were. */
	tmp.opers = NULL;
	tmp.nopers = 0;
	tmp.webircs = NULL;
	tmp.nwebircs = 0;
	ld.cfg = &tmp;
	ld.path = path;
	ld.err = err;
	ld.errlen = errlen;
	if ((ld.fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(load_read, &ld, load_handle, &ld);
	fclose(ld.fp);
	free(ld.line);
	/* inih reports lines it could not parse itself; keep whichever error came first. */
	if (rc > 0 && (!ld.failed || rc < ld.errline))
		snprintf(err, errlen, "%s:%d: expected '[section]' or 'key = value'", path,
		    rc);
	else if (rc < 0 && !ld.failed)
		snprintf(err, errlen, "%s: out of memory", path);
	if (rc != 0 || ld.failed || load_check_sendq(&ld) == -1) {
		if (tmp.motd != cfg->motd)
			free(tmp.motd);
		free(tmp.opers);
		free(tmp.webircs);
		return -1;
	}
	if (cfg->motd != tmp.motd)
		free(cfg->motd);
	free(cfg->opers);
	free(cfg->webircs);
	tmp.core.motd = tmp.motd;
	tmp.core.opers = tmp.opers;
	tmp.core.nopers = tmp.nopers;
	tmp.core.webircs = tmp.webircs;
	tmp.core.nwebircs = tmp.nwebircs;
	*cfg = tmp;
	return 0;
}

void
config_free(struct config *cfg)
{
	free(cfg->motd);
	cfg->motd = NULL;
	cfg->core.motd = NULL;
	free(cfg->opers);
	cfg->opers = NULL;
	cfg->nopers = 0;
	cfg->core.opers = NULL;
	cfg->core.nopers = 0;
	free(cfg->webircs);
	cfg->webircs = NULL;
	cfg->nwebircs = 0;
	cfg->core.webircs = NULL;
	cfg->core.nwebircs = 0;
}
