/*
 * The services framework (services.h): the reserved nicks, reaching a service by
 * PRIVMSG or by its command, splitting a line into a subcommand and its words, HELP
 * from each service's table, and the notices a service answers with.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/casemap.h"
#include "core/client.h"
#include "core/command.h"
#include "core/core.h"
#include "core/flood.h"
#include "core/reply.h"
#include "core/services.h"

static const struct service *const services[] = { &nickserv, &chanserv };

static const struct service *
services_find(const char *nick)
{
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (casemap_eq(services[i]->nick, nick))
			return services[i];
	return NULL;
}

bool
services_reserved(const char *nick)
{
	return services_find(nick) != NULL;
}

const char *
services_prefix(const struct core *core, const struct service *sv, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s!%s@services.%s", sv->nick, sv->nick, core->cfg.server_name);
	return buf;
}

void
services_notice(struct core *core, struct client *cl, const struct service *sv,
    const char *fmt, ...)
{
	char	text[MSG_BODY_MAX], line[MSG_BODY_MAX + 1];
	char	prefix[CLIENT_PREFIX_MAX];
	size_t	len;
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	len = format_msg(line, sizeof(line), services_prefix(core, sv, prefix,
	    sizeof(prefix)), "NOTICE", 2, client_name(cl), text);
	send_line(core, cl, line, len);
}

static const struct service_cmd *
services_cmd(const struct service *sv, const char *name)
{
	for (unsigned i = 0; i < sv->ncmds; i++)
		if (strcasecmp(sv->cmds[i].name, name) == 0)
			return &sv->cmds[i];
	return NULL;
}

/* HELP: every subcommand with its line, or one subcommand's syntax and line. */
static void
services_help(struct core *core, struct client *cl, const struct service *sv,
    const struct service_args *a)
{
	const struct service_cmd	*c;

	if (a->argc > 1) {
		if ((c = services_cmd(sv, a->argv[1])) == NULL) {
			services_notice(core, cl, sv, "No help for %s. Type /msg %s HELP "
			    "for a list of commands.", a->argv[1], sv->nick);
			return;
		}
		services_notice(core, cl, sv, "Syntax: %s %s", c->name, c->syntax);
		services_notice(core, cl, sv, "%s", c->help);
		return;
	}
	services_notice(core, cl, sv, "%s commands (/msg %s HELP <command> for more):",
	    sv->nick, sv->nick);
	for (unsigned i = 0; i < sv->ncmds; i++)
		services_notice(core, cl, sv, "  %-10s %s", sv->cmds[i].name,
		    sv->cmds[i].help);
}

/* Split text (modified) into words, at most SERVICES_ARGS_MAX; the last keeps the
 * rest of the line. */
static void
services_split(char *text, struct service_args *a)
{
	a->argc = 0;
	while (a->argc < SERVICES_ARGS_MAX) {
		text += strspn(text, " ");
		if (*text == '\0')
			return;
		a->argv[a->argc++] = text;
		if (a->argc == SERVICES_ARGS_MAX)
			return;
		text += strcspn(text, " ");
		if (*text != '\0')
			*text++ = '\0';
	}
}

static void
services_run(struct core *core, struct client *cl, const struct service *sv,
    const char *text, int64_t now)
{
	char				 buf[MSG_BODY_MAX + 1];
	struct service_args		 a;
	const struct service_cmd	*c;

	snprintf(buf, sizeof(buf), "%s", text);
	services_split(buf, &a);
	if (a.argc == 0) {
		services_help(core, cl, sv, &a);
		return;
	}
	if ((c = services_cmd(sv, a.argv[0])) == NULL) {
		services_notice(core, cl, sv, "Unknown command %s. Type /msg %s HELP for "
		    "a list of commands.", a.argv[0], sv->nick);
		return;
	}
	if (c->fn == NULL) {
		services_help(core, cl, sv, &a);
		return;
	}
	if (a.argc - 1 < c->min_args) {
		services_notice(core, cl, sv, "Not enough parameters. Syntax: %s %s",
		    c->name, c->syntax);
		return;
	}
	c->fn(core, cl, &a, now);
}

bool
services_message(struct core *core, struct client *cl, const char *target,
    const char *text, int64_t now)
{
	const struct service	*sv;
	char			 nick[CLIENT_NICK_MAX + 1];

	/* "NickServ@services.irc.example" reaches it too, as on networks with services. */
	snprintf(nick, sizeof(nick), "%.*s", (int)strcspn(target, "@"), target);
	if ((sv = services_find(nick)) == NULL)
		return false;
	flood_charge(core, cl, sv->cost - 1, now);
	services_run(core, cl, sv, text, now);
	return true;
}

bool
services_whois(struct core *core, struct client *cl, const char *nick)
{
	const struct service	*sv;

	if ((sv = services_find(nick)) == NULL)
		return false;
	send_numeric(core, cl, RPL_WHOISUSER, "%s %s services.%s * :%s services",
	    sv->nick, sv->nick, core->cfg.server_name, sv->nick);
	send_numeric(core, cl, RPL_WHOISSERVER, "%s %s :%s", sv->nick,
	    core->cfg.server_name, core->cfg.description);
	send_numeric(core, cl, RPL_WHOISOPERATOR, "%s :is a network service", sv->nick);
	return true;
}

/* NICKSERV and CHANSERV (NS, CS): the parameters are the line a PRIVMSG would carry. */
static void
services_command(struct core *core, struct client *cl, const struct service *sv,
    struct msg *m, int64_t now)
{
	char	text[MSG_BODY_MAX + 1];
	size_t	len = 0;

	text[0] = '\0';
	for (unsigned i = 0; i < m->nparams && len < sizeof(text) - 1; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s",
		    i > 0 ? " " : "", m->params[i]);
	services_run(core, cl, sv, text, now);
}

void
cmd_nickserv(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	services_command(core, cl, &nickserv, m, now);
}

void
cmd_chanserv(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	services_command(core, cl, &chanserv, m, now);
}
