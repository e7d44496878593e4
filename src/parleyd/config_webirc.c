/*
 * The [webirc NAME] blocks: a name, the crypt(3) hash of the gateway's password (never
 * the password itself), and the mask its own address must match.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parleyd/config_values.h"
#include "parleyd/config_webirc.h"

#define NAME_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._"
/* What an address mask may hold: an address's characters and the wildcards. */
#define HOST_CHARS	"0123456789abcdefABCDEF.:*?"

int
config_webirc_open(struct config *cfg, struct webirc_load *wl, const char *name,
    int lineno, char *why, size_t whylen)
{
	struct core_webirc	*w;
	size_t			 len;

	name += strspn(name, " ");
	len = strlen(name);
	if (len == 0 || len > CONFIG_NAME_MAX || strspn(name, NAME_CHARS) != len) {
		snprintf(why, whylen, "[webirc %s]: the name must be letters, digits, '-', "
		    "'.' or '_', at most %d bytes", name, CONFIG_NAME_MAX);
		return -1;
	}
	for (size_t i = 0; i < cfg->nwebircs; i++) {
		if (strcmp(cfg->webircs[i].name, name) == 0) {
			snprintf(why, whylen, "[webirc %s] appears twice", name);
			return -1;
		}
	}
	if ((w = realloc(cfg->webircs, (cfg->nwebircs + 1) * sizeof(*w))) == NULL) {
		snprintf(why, whylen, "%s", strerror(ENOMEM));
		return -1;
	}
	cfg->webircs = w;
	w = &cfg->webircs[cfg->nwebircs++];
	memset(w, 0, sizeof(*w));
	snprintf(w->name, sizeof(w->name), "%s", name);
	memset(wl, 0, sizeof(*wl));
	wl->line = lineno;
	return 0;
}

int
config_webirc_key(struct config *cfg, struct webirc_load *wl, const char *key,
    const char *value, int lineno, char *why, size_t whylen)
{
	struct core_webirc	*w = &cfg->webircs[cfg->nwebircs - 1];
	int			*seen;
	char			 reason[256];
	size_t			 len = strlen(value);

	if (strcmp(key, "password") == 0)
		seen = &wl->password;
	else if (strcmp(key, "host") == 0)
		seen = &wl->host;
	else {
		snprintf(why, whylen, "unknown key '%s' in [webirc %s]", key, w->name);
		return -1;
	}
	if (*seen != 0) {
		snprintf(why, whylen, "%s: already set on line %d", key, *seen);
		return -1;
	}
	if (seen == &wl->password) {
		if (config_hash_check(value, reason, sizeof(reason)) == -1) {
			snprintf(why, whylen, "password: %s", reason);
			return -1;
		}
		snprintf(w->hash, sizeof(w->hash), "%s", value);
	} else {
		if (len == 0 || len > CONFIG_MASK_MAX || strspn(value, HOST_CHARS) != len) {
			snprintf(why, whylen, "host: '%.64s' is not an address mask (digits, "
			    "'.', ':', '*', '?')", value);
			return -1;
		}
		snprintf(w->host, sizeof(w->host), "%s", value);
	}
	*seen = lineno;
	return 0;
}

int
config_webirc_close(const struct config *cfg, struct webirc_load *wl, char *why,
    size_t whylen)
{
	bool	 ok = wl->line == 0 || wl->password != 0;

	if (!ok)
		snprintf(why, whylen, "[webirc %s] has no password",
		    cfg->webircs[cfg->nwebircs - 1].name);
	wl->line = 0;
	return ok ? 0 : -1;
}
