#ifndef PARLEY_PARLEYD_CONFIG_H
#define PARLEY_PARLEYD_CONFIG_H

#include <limits.h>
#include <stddef.h>

#include "core/config.h"
#include "core/out.h"	/* enum log_level */
#include "net/net.h"

/*
 * parleyd's configuration: the embedded defaults, overlaid by an INI file (see
 * etc/parleyd.conf and docs/configuration.md).
 */

#define CONFIG_MOTD_MAX		65536	/* bytes of MOTD file accepted */
/* The store's file when neither [store] path nor --store names one. */
#define CONFIG_STORE_DEFAULT	"/var/lib/parleyd/parleyd.db"

/*
 * Everything parleyd runs with.  The struct owns motd and opers; core.motd and core.opers
 * point at them (or are NULL with them).  config_free releases them.
 */
struct config {
	struct core_config	 core;
	struct net_config	 net;
	char			*motd;
	struct core_oper	*opers;		/* the file's [oper NAME] blocks */
	size_t			 nopers;
	struct core_webirc	*webircs;	/* its [webirc NAME] blocks (h-ops) */
	size_t			 nwebircs;
	enum log_level		 log_level;
	char			 store_path[PATH_MAX];	/* [store] path; "" = no store */
};

/* The embedded default configuration; owns nothing yet. */
void	config_defaults(struct config *cfg);

/*
 * Overlay the INI file at path onto *cfg, reading the MOTD file it names.  Returns 0, or
 * -1 with one line in err ("FILE:LINE: reason" or "FILE: reason"); *cfg is then untouched.
 * On success a MOTD *cfg owned before is freed when the file replaced it, and the
 * file's operator and webirc blocks replace those *cfg had.
 */
int	config_load(struct config *cfg, const char *path, char *err, size_t errlen);

/* Free the owned MOTD, operator and webirc blocks; cfg may be loaded again afterwards. */
void	config_free(struct config *cfg);

#endif
