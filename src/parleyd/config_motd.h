#ifndef PARLEY_PARLEYD_CONFIG_MOTD_H
#define PARLEY_PARLEYD_CONFIG_MOTD_H

#include <stddef.h>

/*
 * The text of the MOTD file at path, CRs dropped, at most CONFIG_MOTD_MAX bytes (config.h);
 * the caller frees it.  NULL with a reason naming path in why.
 */
char	*config_motd_read(const char *path, char *why, size_t whylen);

#endif
