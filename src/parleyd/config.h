#ifndef PARLEY_PARLEYD_CONFIG_H
#define PARLEY_PARLEYD_CONFIG_H

#include <stddef.h>

#include "core/config.h"
#include "core/out.h"	/* enum log_level */
#include "net/net.h"

/*
 * parleyd's configuration: the embedded defaults, overlaid by an INI file (see
 * etc/parleyd.conf and docs/configuration.md).
 */

#define CONFIG_MOTD_MAX		65536	/* bytes of MOTD file accepted */

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
	enum log_level		 log_level;
};

/* The embedded default configuration; owns nothing yet. */
void	config_defaults(struct config *cfg);

/*
 * Overlay the INI file at path onto *cfg, reading the MOTD file it names.  Returns 0, or
 * -1 with one line in err ("FILE:LINE: reason" or "FILE: reason"); *cfg is then untouched.
 * On success a MOTD *cfg owned before is freed when the file replaced it, and the
 * file's operator blocks replace those *cfg had.
 */
int	config_load(struct config *cfg, const char *path, char *err, size_t errlen);

/* Free the owned MOTD and operator blocks; cfg may be loaded again afterwards. */
void	config_free(struct config *cfg);

/*
 * Checks shared by the file and the command-line flags.  Each returns 0, or -1 with a
 * reason that quotes the value in why.
 */
int	config_name_check(const char *name, char *why, size_t whylen);
int	config_password_check(const char *password, char *why, size_t whylen);
int	config_level_check(const char *text, enum log_level *level, char *why,
	    size_t whylen);
/* "event", "fork" or "threads" into *model. */
int	config_model_check(const char *text, enum net_model *model, char *why,
	    size_t whylen);
/* The threads model's io_threads: 1 .. IOTHREADS_MAX (net/iothreads.h) into *n. */
int	config_io_threads_check(const char *text, unsigned *n, char *why, size_t whylen);
/* An operator password as the file must hold it: a complete crypt(3) hash of a method
 * this libcrypt supports and recommends, never the password itself. */
int	config_hash_check(const char *hash, char *why, size_t whylen);

/*
 * Append the listen address addr ("ADDR:PORT", "[v6]:PORT") to list, which holds *n.
 * Refuses an invalid address, a 17th listener and an address already listed (port 0,
 * "any free port", may repeat).  Returns 0, or -1 with a reason in why.
 */
int	config_listen_add(char list[][SOCK_ADDR_MAX], unsigned *n, const char *addr,
	    char *why, size_t whylen);

#endif
