/*
 * MODE: user modes (i, w) and channel modes (n, t, o, v).  The reply or broadcast shows
 * exactly the changes that were applied.
 */
#include <stdio.h>
#include <string.h>

#include "core/command.h"

/* The changes applied so far, as a mode string and its parameters. */
struct mode_change {
	char	modes[2 * 64 + 1];
	size_t	nmodes;
	char	dir;
	char	params[MSG_BODY_MAX];
	size_t	nparams_len;
};

static void
mode_change_add(struct mode_change *mc, char dir, char mode, const char *param)
{
	if (mc->nmodes + 2 >= sizeof(mc->modes))
		return;
	if (mc->dir != dir)
		mc->modes[mc->nmodes++] = mc->dir = dir;
	mc->modes[mc->nmodes++] = mode;
	mc->modes[mc->nmodes] = '\0';
	if (param != NULL) {
		int	n;

		n = snprintf(mc->params + mc->nparams_len,
		    sizeof(mc->params) - mc->nparams_len, " %s", param);
		if (n > 0 && mc->nparams_len + (size_t)n < sizeof(mc->params))
			mc->nparams_len += (size_t)n;
	}
}

static void
mode_user(struct core *core, struct client *cl, struct msg *m)
{
	struct client		*target = client_find(core, m->params[0]);
	struct mode_change	 mc = { .dir = 0 };
	char			 dir = '+';
	bool			 unknown = false;

	if (target == NULL) {
		send_numeric(core, cl, "401", "%s :No such nick/channel", m->params[0]);
		return;
	}
	if (target != cl) {
		send_numeric(core, cl, "502", ":Can't change mode for other users");
		return;
	}
	if (m->nparams < 2) {
		send_numeric(core, cl, "221", "+%s%s",
		    cl->flags & CLIENT_MODE_INVISIBLE ? "i" : "",
		    cl->flags & CLIENT_MODE_WALLOPS ? "w" : "");
		return;
	}
	for (const char *p = m->params[1]; *p != '\0'; p++) {
		unsigned	flag;

		if (*p == '+' || *p == '-') {
			dir = *p;
			continue;
		}
		if (*p == 'i')
			flag = CLIENT_MODE_INVISIBLE;
		else if (*p == 'w')
			flag = CLIENT_MODE_WALLOPS;
		else if (*p == 'o' && dir == '+')
			continue;	/* operator status comes from OPER only */
		else {
			unknown = true;
			continue;
		}
		if ((dir == '+') == !!(cl->flags & flag))
			continue;
		cl->flags ^= flag;
		mode_change_add(&mc, dir, *p, NULL);
	}
	if (unknown)
		send_numeric(core, cl, "501", ":Unknown MODE flag");
	if (mc.nmodes > 0)
		send_fmt(core, cl, ":%s MODE %s :%s", cl->nick, cl->nick, mc.modes);
}

/* Apply +o/-o/+v/-v for nick.  Returns false when nothing changed (error sent). */
static bool
mode_member(struct core *core, struct client *cl, struct channel *ch, char dir,
    char mode, const char *nick)
{
	struct client	*who = client_find(core, nick);
	struct member	*mb;
	unsigned	 flag = mode == 'o' ? MEMBER_OP : MEMBER_VOICE;

	if (who == NULL) {
		send_numeric(core, cl, "401", "%s :No such nick/channel", nick);
		return false;
	}
	if ((mb = channel_member(ch, who)) == NULL) {
		send_numeric(core, cl, "441", "%s %s :They aren't on that channel", who->nick,
		    ch->name);
		return false;
	}
	if ((dir == '+') == !!(mb->modes & flag))
		return false;
	mb->modes ^= flag;
	return true;
}

/* MODE #chan b|e|I: the lists exist (empty) before bans do, so clients that ask on join
 * get an honest end-of-list. */
static bool
mode_list_query(struct core *core, struct client *cl, struct channel *ch, char mode)
{
	switch (mode) {
	case 'b':
		send_numeric(core, cl, "368", "%s :End of channel ban list", ch->name);
		return true;
	case 'e':
		send_numeric(core, cl, "349", "%s :End of channel exception list", ch->name);
		return true;
	case 'I':
		send_numeric(core, cl, "347", "%s :End of channel invite list", ch->name);
		return true;
	default:
		return false;
	}
}

static void
mode_channel(struct core *core, struct client *cl, struct channel *ch, struct msg *m)
{
	struct member		*self = channel_member(ch, cl);
	struct mode_change	 mc = { .dir = 0 };
	unsigned		 next = 2, nparam_modes = 0;
	char			 dir = '+', prefix[CLIENT_PREFIX_MAX];
	char			 line[MSG_BODY_MAX + 1];
	bool			 op = self != NULL && (self->modes & MEMBER_OP);
	bool			 denied = false;
	size_t			 len;

	if (m->nparams < 2) {
		char	modes[16];

		channel_mode_string(ch, modes, sizeof(modes));
		send_numeric(core, cl, "324", "%s %s", ch->name, modes);
		return;
	}
	for (const char *p = m->params[1]; *p != '\0'; p++) {
		unsigned	flag = 0;

		if (*p == '+' || *p == '-') {
			dir = *p;
			continue;
		}
		if (next >= m->nparams && mode_list_query(core, cl, ch, *p))
			continue;
		if (*p != 'n' && *p != 't' && *p != 'o' && *p != 'v') {
			send_numeric(core, cl, "472", "%c :is unknown mode char to me", *p);
			continue;
		}
		if (!op) {
			if (!denied)
				send_numeric(core, cl, "482", "%s :You're not channel operator",
				    ch->name);
			denied = true;
			continue;
		}
		if (*p == 'o' || *p == 'v') {
			if (next >= m->nparams || nparam_modes == CORE_MODES_PER_LINE)
				continue;
			nparam_modes++;
			if (mode_member(core, cl, ch, dir, *p, m->params[next]))
				mode_change_add(&mc, dir, *p, client_find(core,
				    m->params[next])->nick);
			next++;
			continue;
		}
		flag = *p == 'n' ? CHANNEL_NO_EXTERNAL : CHANNEL_TOPIC_LOCK;
		if ((dir == '+') == !!(ch->modes & flag))
			continue;
		ch->modes ^= flag;
		mode_change_add(&mc, dir, *p, NULL);
	}
	if (mc.nmodes == 0)
		return;
	len = format_line(line, ":%s MODE %s %s%s",
	    client_prefix(cl, prefix, sizeof(prefix)), ch->name, mc.modes, mc.params);
	send_channel(core, ch, NULL, line, len);
}

void
cmd_mode(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	struct channel	*ch;

	(void)now;
	if (m->params[0][0] != '#') {
		mode_user(core, cl, m);
		return;
	}
	if ((ch = channel_find(core, m->params[0])) == NULL) {
		send_numeric(core, cl, "403", "%s :No such channel", m->params[0]);
		return;
	}
	mode_channel(core, cl, ch, m);
}
