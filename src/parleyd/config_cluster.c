/*
 * [cluster]: the values of a node's NATS settings that need more than a number or a
 * path, and the checks across them once the whole configuration is known.  Without a
 * nats_url, the rest of the section is checked but nothing of NATS is ever made.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "parleyd/config.h"
#include "parleyd/config_cluster.h"

/* A URL NATS can parse later: a scheme of its own or none, a host, a port; no blanks,
 * no control characters. */
static bool
url_plausible(const char *url)
{
	const char	*rest = url, *colon;

	if (strncmp(url, "nats://", 7) == 0)
		rest = url + 7;
	else if (strncmp(url, "tls://", 6) == 0)
		rest = url + 6;
	else if (strstr(url, "://") != NULL)
		return false;
	for (const char *p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	/* user:password@ may come first; the port follows the last colon. */
	if ((colon = strrchr(rest, ':')) == NULL || colon == rest || colon[1] == '\0')
		return false;
	return strspn(colon + 1, "0123456789") == strlen(colon + 1);
}

int
config_cluster_url_add(struct nats_conf *c, const char *url, char *why, size_t whylen)
{
	/* Empty, as in the example file: no server, a single server. */
	if (*url == '\0')
		return 0;
	if (strlen(url) >= NATS_URL_MAX || !url_plausible(url)) {
		snprintf(why, whylen, "'%s' is not a NATS URL (nats://HOST:PORT, tls://..., "
		    "at most %d bytes)", url, NATS_URL_MAX - 1);
		return -1;
	}
	for (unsigned i = 0; i < c->nurls; i++)
		if (strcmp(c->urls[i], url) == 0) {
			snprintf(why, whylen, "'%s' is listed twice", url);
			return -1;
		}
	if (c->nurls == NATS_URLS_MAX) {
		snprintf(why, whylen, "more than %d NATS URLs", NATS_URLS_MAX);
		return -1;
	}
	snprintf(c->urls[c->nurls++], NATS_URL_MAX, "%s", url);
	return 0;
}

/*
 * A node's name is a server name (RPL_WELCOME, WHOIS, LINKS), but need not have a dot:
 * "n1" names a node well.  No '_': the driver writes a node's '.' as '_' in a NATS
 * subject, which must not be another node's.
 */
int
config_cluster_node_check(const char *name, char node[NATS_NAME_MAX], char *why,
    size_t whylen)
{
	size_t	len = strlen(name);

	/* Empty: [server] name's (config_cluster_finish). */
	if (len == 0) {
		node[0] = '\0';
		return 0;
	}
	if (len < NATS_NAME_MAX && name[0] != '.' && name[0] != '-' &&
	    name[len - 1] != '.' && name[len - 1] != '-' && strstr(name, "..") == NULL &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-.") == len) {
		memcpy(node, name, len + 1);
		return 0;
	}
	snprintf(why, whylen, "'%s' is not a node name (letters, digits, '-' and inner "
	    "'.', at most %d bytes)", name, NATS_NAME_MAX - 1);
	return -1;
}

int
config_cluster_secret_check(const char *text, char out[NATS_SECRET_MAX], char *why,
    size_t whylen)
{
	size_t	len = strlen(text);

	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] < ' ' || text[i] == 0x7f) {
			snprintf(why, whylen, "contains a control character");
			return -1;
		}
	if (len >= NATS_SECRET_MAX) {
		snprintf(why, whylen, "longer than %d bytes", NATS_SECRET_MAX - 1);
		return -1;
	}
	memcpy(out, text, len + 1);
	return 0;
}

int
config_cluster_finish(struct config *cfg, char *err, size_t errlen)
{
	struct nats_conf	*c = &cfg->net.cluster;
	char			 why[256];

	if (c->nurls == 0)
		return 0;
	if (c->node[0] == '\0' && config_cluster_node_check(cfg->core.server_name,
	    c->node, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "[cluster] node: %s", why);
		return -1;
	}
	/* The node's name is the server name users see, wherever it came from. */
	snprintf(cfg->core.server_name, sizeof(cfg->core.server_name), "%s", c->node);
	snprintf(c->network, sizeof(c->network), "%s", cfg->core.network);
	if (c->timeout <= c->heartbeat) {
		snprintf(err, errlen, "[cluster] timeout (%lld ms) must be longer than the "
		    "heartbeat (%lld ms)", (long long)c->timeout, (long long)c->heartbeat);
		return -1;
	}
	if ((c->tls_cert[0] == '\0') != (c->tls_key[0] == '\0')) {
		snprintf(err, errlen, "[cluster] tls_cert and tls_key go together");
		return -1;
	}
	if (c->token[0] != '\0' && c->user[0] != '\0') {
		snprintf(err, errlen, "[cluster] token or user, not both");
		return -1;
	}
	return 0;
}
