#ifndef PARLEY_PARLEYD_CONFIG_SETTINGS_H
#define PARLEY_PARLEYD_CONFIG_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "core/msg.h"

/*
 * The table of parleyd.conf's settings: each [section] key, what kind of value it takes,
 * where in struct config it goes and its range.  config.c reads the file through it.
 */
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

extern const struct setting	config_settings[];
extern const size_t		config_nsettings;

#endif
