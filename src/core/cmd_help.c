/*
 * HELP and HELPOP [topic]: the help text of a command (command.c keeps it with the
 * command table) as 704, 705... 706, or the list of commands without a topic; 524 for
 * a topic there is no help on.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/client.h"
#include "core/command.h"
#include "core/reply.h"

/* ":server 70x nick subject :" and CR LF around the text. */
#define HELP_LINE	400

/* The verbs of the command table, several to a 705 line. */
static void
help_index(struct core *core, struct client *cl)
{
	const struct command	*c;
	size_t			 n, len = 0;
	char			 line[HELP_LINE];

	c = command_table(&n);
	send_numeric(core, cl, RPL_HELPSTART, "* :Commands (HELP <command> for more):");
	for (size_t i = 0; i < n; i++) {
		size_t	vlen = strlen(c[i].verb);

		if (len > 0 && len + 1 + vlen > 60) {
			send_numeric(core, cl, RPL_HELPTXT, "* :%.*s", (int)len, line);
			len = 0;
		}
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s",
		    len > 0 ? " " : "", c[i].verb);
	}
	if (len > 0)
		send_numeric(core, cl, RPL_HELPTXT, "* :%.*s", (int)len, line);
	send_numeric(core, cl, RPL_ENDOFHELP, "* :End of /HELP");
}

void
cmd_help(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const char	*topic = m->nparams > 0 ? m->params[0] : "";
	const char	*text, *p;
	char		 subject[32];
	size_t		 i;

	(void)now;
	if (topic[0] == '\0') {
		help_index(core, cl);
		return;
	}
	/* The subject as asked, casefolded (upper); "*" for one that cannot be a
	 * parameter, as the modern document asks. */
	for (i = 0; topic[i] != '\0' && i + 1 < sizeof(subject); i++)
		subject[i] = (char)toupper((unsigned char)topic[i]);
	subject[i] = '\0';
	if (topic[i] != '\0' || subject[0] == ':' || strchr(subject, ' ') != NULL)
		snprintf(subject, sizeof(subject), "*");
	if ((text = command_help(topic)) == NULL) {
		send_reply(core, cl, ERR_HELPNOTFOUND, "%s", subject);
		return;
	}
	p = text;
	for (enum numeric num = RPL_HELPSTART; *p != '\0'; num = RPL_HELPTXT) {
		size_t	len = strcspn(p, "\n");

		send_numeric(core, cl, num, "%s :%.*s", subject, (int)len, p);
		p += len;
		if (*p == '\n')
			p++;
	}
	send_numeric(core, cl, RPL_ENDOFHELP, "%s :End of /HELP", subject);
}
