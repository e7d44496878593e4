/*
 * The embedded default configuration of the core: what parleyd runs with when no
 * configuration file says otherwise; and what a configuration costs a driver.
 */
#include <string.h>

#include "core/config.h"

#define SECOND	1000	/* the core counts time in milliseconds */

void
core_config_defaults(struct core_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	/* A name with a dot, so clients never mistake the server for a nick. */
	strcpy(cfg->server_name, "irc.localhost");
	strcpy(cfg->network, "parley");
	/* password "" (none), created "" and motd NULL: the program fills created in. */

	cfg->nicklen = 30;
	cfg->channellen = 50;
	cfg->topiclen = 390;
	cfg->userlen = 10;
	cfg->max_channels = 50;
	cfg->max_targets = 4;
	cfg->awaylen = 200;
	cfg->whowas_history = 1000;
	cfg->max_list = 100;
	cfg->modes_per_line = 4;
	cfg->kicklen = 255;
	/* Room for a full name and an address; 311 and 352 replies still fit one line. */
	cfg->namelen = 128;
	/* A long buddy list; each entry costs one small allocation. */
	cfg->monitor_max = 100;
	/* Every client today speaks UTF-8, and relaying other bytes breaks those that do. */
	cfg->utf8_only = true;
	cfg->casemapping = CASEMAP_RFC1459;	/* rfc8265: [server] casemapping */

	/* A LIST of a big network or WHO of a crowd still fits; WHOWAS answers what a
	 * person looks for, not a nick's whole history.  A million steps of wildcard
	 * matching is about 2 ms: a plain "*name*" mask over some 5,000 users, where a
	 * crafted one against crafted realnames once cost 7 ms per 1,000 users. */
	cfg->max_matches = 1000;
	cfg->whowas_max = 20;
	cfg->match_work = 1000000;
	/* Three full lists: an operator of many channels keeps room; a client that sets
	 * 100 bans in each of its 50 channels does not hold 15,000 entries. */
	cfg->max_list_per_client = 300;

	/* Two lines a second sustained, as ergo's fakelag allows, after a burst of 20 so a
	 * client's reconnect (JOINs, WHOs, MODEs) or a short paste is never slowed; 8 KiB
	 * of delayed input is a long paste, and far more than any client that paces itself
	 * ever has waiting. */
	cfg->flood_burst = 20;
	cfg->flood_interval = SECOND / 2;
	cfg->flood_queue = 8192;

	/* A policy clients keep should follow a certificate from a public CA: the
	 * administrator raises it then.  0 upgrades plaintext clients, remembering nothing. */
	cfg->sts_port = 0;
	cfg->sts_duration = 0;

	/* accounts: libsodium's interactive argon2id costs (2 passes, 64 MiB: about 0.1 s
	 * of a worker), RFC 7677's 4096 SCRAM rounds; five failed logins per account and
	 * per address in ten minutes, then no more tries until the oldest one lapses. */
	cfg->accounts_registration = true;
	cfg->accounts_email_required = false;
	cfg->accounts_password_min = 8;
	cfg->accounts_argon2_ops = 2;
	cfg->accounts_argon2_mem = 64 * 1024 * 1024;
	cfg->accounts_scram_iterations = 4096;
	cfg->accounts_fail_limit = 5;
	cfg->accounts_fail_window = 600 * SECOND;

	cfg->registration_timeout = 60 * SECOND;
	cfg->ping_interval = 120 * SECOND;
	cfg->ping_timeout = 60 * SECOND;

	/* A minute to log in after connecting, as services daemons give. */
	cfg->nick_grace = 60 * SECOND;
	strcpy(cfg->guest_prefix, "Guest");
	/* history */
	cfg->history_enabled = true;
	cfg->history_max_age = 0;
	cfg->history_max_lines = 0;
	cfg->history_query_max = 100;
	cfg->history_join_replay = 0;
	cfg->history_private = CONFIG_HISTORY_PRIVATE_ALL;

	/* Phone, laptop, desktop and a few more share one nick. */
	cfg->accounts_multiclient = true;
	cfg->accounts_max_connections = 8;
	/* Off: a server keeps its users only on the operator's word. */
	cfg->accounts_always_on = false;
	strcpy(cfg->accounts_auto_away, "Not connected");

	/* No operator blocks; an operator may stop or restart the server once there are. */
	strcpy(cfg->config_file, "parleyd.conf");
	cfg->allow_die = true;
	cfg->allow_restart = true;
	strcpy(cfg->admin_name, "The parley administrator");
	strcpy(cfg->admin_email, "root@localhost");
	strcpy(cfg->admin_location, "Somewhere on the network");
	strcpy(cfg->description, "parley IRC server");
}

/*
 * 001-005 and LUSERS take less than WELCOME_BASE bytes; each MOTD line adds its text and
 * ":" server " 372 " nick " :- " CR LF around it.
 */
#define WELCOME_BASE		4096
#define MOTD_LINE_COST(nicklen)	(1 + CONFIG_NAME_MAX + 5 + (nicklen) + 4 + 2)

size_t
core_config_welcome_size(unsigned nicklen, const char *motd)
{
	size_t	lines = 1;

	if (motd == NULL)
		return WELCOME_BASE;
	for (const char *p = motd; *p != '\0'; p++)
		lines += *p == '\n';
	return WELCOME_BASE + strlen(motd) + lines * MOTD_LINE_COST(nicklen);
}
