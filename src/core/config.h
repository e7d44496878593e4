#ifndef PARLEY_CORE_CONFIG_H
#define PARLEY_CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CONFIG_NAME_MAX		63	/* server and network names */
#define CONFIG_PASSWORD_MAX	127
#define CONFIG_DATE_MAX		63

/*
 * What the core needs to know about the server it runs.  Every default lives in
 * core_config_defaults(); every limit is advertised in ISUPPORT as configured.
 * Times are milliseconds.
 */
struct core_config {
	char		 server_name[CONFIG_NAME_MAX + 1];
	char		 network[CONFIG_NAME_MAX + 1];
	char		 password[CONFIG_PASSWORD_MAX + 1];	/* "" = none */
	char		 created[CONFIG_DATE_MAX + 1];		/* for RPL_CREATED */
	const char	*motd;		/* MOTD text, lines split on LF; NULL = none (422) */

	unsigned	 nicklen;
	unsigned	 channellen;
	unsigned	 topiclen;
	unsigned	 userlen;
	unsigned	 max_channels;	/* channels one user may be in (CHANLIMIT) */
	unsigned	 max_targets;	/* comma-separated targets per PRIVMSG/NOTICE */

	int64_t		 registration_timeout;	/* connect to welcome */
	int64_t		 ping_interval;		/* idle time before we send PING */
	int64_t		 ping_timeout;		/* PING to missing reply: "Ping timeout" */
};

/* Fill cfg with parley's defaults (the embedded default configuration). */
void	core_config_defaults(struct core_config *cfg);

#endif
