/*
 * The [oper NAME] blocks: a name, and how OPER knows the operator: the crypt(3) hash
 * of a password (never the password itself), a certificate fingerprint or an account,
 * with an optional mask the operator's host must match.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parleyd/config_oper.h"
#include "parleyd/config_values.h"

#define NAME_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._"

int
config_oper_open(struct config *cfg, struct oper_load *ol, const char *name,
    int lineno, char *why, size_t whylen)
{
	struct core_oper	*o;
	size_t			 len;

	name += strspn(name, " ");
	len = strlen(name);
	if (len == 0 || len > CONFIG_NAME_MAX || strspn(name, NAME_CHARS) != len) {
		snprintf(why, whylen, "[oper %s]: the name must be letters, digits, '-', "
		    "'.' or '_', at most %d bytes", name, CONFIG_NAME_MAX);
		return -1;
	}
	for (size_t i = 0; i < cfg->nopers; i++) {
		if (strcmp(cfg->opers[i].name, name) == 0) {
			snprintf(why, whylen, "[oper %s] appears twice", name);
			return -1;
		}
	}
	if ((o = realloc(cfg->opers, (cfg->nopers + 1) * sizeof(*o))) == NULL) {
		snprintf(why, whylen, "%s", strerror(ENOMEM));
		return -1;
	}
	cfg->opers = o;
	o = &cfg->opers[cfg->nopers++];
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", name);
	memset(ol, 0, sizeof(*ol));
	ol->line = lineno;
	return 0;
}

int
config_oper_key(struct config *cfg, struct oper_load *ol, const char *key,
    const char *value, int lineno, char *why, size_t whylen)
{
	struct core_oper	*o = &cfg->opers[cfg->nopers - 1];
	int			*seen;
	char			 reason[256];

	if (strcmp(key, "password") == 0)
		seen = &ol->password;
	else if (strcmp(key, "host") == 0)
		seen = &ol->host;
	else if (strcmp(key, "certfp") == 0)
		seen = &ol->certfp;
	else if (strcmp(key, "account") == 0)
		seen = &ol->account;
	else {
		snprintf(why, whylen, "unknown key '%s' in [oper %s]", key, o->name);
		return -1;
	}
	if (*seen != 0) {
		snprintf(why, whylen, "%s: already set on line %d", key, *seen);
		return -1;
	}
	if (seen == &ol->password) {
		if (config_hash_check(value, reason, sizeof(reason)) == -1) {
			snprintf(why, whylen, "password: %s", reason);
			return -1;
		}
		snprintf(o->hash, sizeof(o->hash), "%s", value);
	} else if (seen == &ol->certfp) {
		if (config_certfp_parse(value, o->certfp, reason, sizeof(reason)) == -1) {
			snprintf(why, whylen, "certfp: %s", reason);
			return -1;
		}
	} else if (seen == &ol->account) {
		if (config_account_check(value, reason, sizeof(reason)) == -1) {
			snprintf(why, whylen, "account: %s", reason);
			return -1;
		}
		snprintf(o->account, sizeof(o->account), "%s", value);
	} else {
		if (config_mask_check(value, reason, sizeof(reason)) == -1) {
			snprintf(why, whylen, "host: %s", reason);
			return -1;
		}
		snprintf(o->host, sizeof(o->host), "%s", value);
	}
	*seen = lineno;
	return 0;
}

int
config_oper_close(const struct config *cfg, struct oper_load *ol, char *why,
    size_t whylen)
{
	if (ol->line == 0 || ol->password != 0 || ol->certfp != 0 || ol->account != 0) {
		ol->line = 0;
		return 0;
	}
	snprintf(why, whylen, "[oper %s] has no password, certfp or account",
	    cfg->opers[cfg->nopers - 1].name);
	return -1;
}
