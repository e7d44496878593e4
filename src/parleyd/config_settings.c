/*
 * The table of parleyd.conf's settings (config_settings.h); config_values.c checks each
 * kind of value, config.c reads the file.
 */
#include <limits.h>
#include <stddef.h>

#include "core/msg.h"
#include "net/iothreads.h"
#include "net/jobs.h"
#include "net/http.h"
#include "net/log.h"
#include "parleyd/config.h"
#include "parleyd/config_settings.h"

#define AT(field)	offsetof(struct config, field)

/*
 * Nicks, users and channel names are refused above the core's ceilings (core/config.h):
 * the core would clamp them.
 */
const struct setting config_settings[] = {
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

const size_t	config_nsettings = sizeof(config_settings) / sizeof(config_settings[0]);
