/*
 * The configuration file: INI through libinih, checked strictly.  Every key is known,
 * every value is range-checked, and every error names the file and line, because a
 * server that starts with a silently ignored typo is worse than one that refuses.
 * This file reads the file through config_settings.c's table; config_values.c checks and
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
#include "parleyd/config_settings.h"
#include "parleyd/config_values.h"
#include "parleyd/config_webirc.h"


/* One config_load in progress: inih's reader and handler share it. */
struct load {
	struct config	*cfg;		/* the copy being filled */
	const char	*path;
	FILE		*fp;
	char		*line;		/* getline's buffer */
	size_t		 linecap;
	int		 lineno;
	int		*seen;		/* line each setting was first set on; 0: not */
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
	for (size_t i = 0; i < config_nsettings; i++)
		if (strcmp(config_settings[i].section, section) == 0 &&
		    (key == NULL || strcmp(config_settings[i].key, key) == 0))
			return &config_settings[i];
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
	i = (size_t)(s - config_settings);
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
				    config_settings];

	if (cfg->motd == NULL)
		return 0;
	need = core_config_welcome_size(cfg->core.nicklen, cfg->motd);
	if (cfg->net.sendq >= need)
		return 0;
	ld->lineno = sendq_line != 0 ? sendq_line :
	    ld->seen[setting_find("server", "motd") - config_settings];
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
	if ((ld.seen = calloc(config_nsettings, sizeof(*ld.seen))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if ((ld.fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(ld.seen);
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
	if (rc == 0 && !ld.failed && load_check_sendq(&ld) == -1)
		ld.failed = true;
	free(ld.seen);
	if (rc != 0 || ld.failed) {
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
