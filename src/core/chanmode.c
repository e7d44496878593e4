/*
 * The channel modes of issue 20 as other commands see them: the relaying refusals
 * (+C, +T, +c, +q) and the join throttle (+j).  MODE itself sets them (cmd_mode.c).
 */
#include <stdio.h>
#include <string.h>

#include "core/chanmode.h"
#include "core/channel.h"
#include "core/client.h"

/* A CTCP other than ACTION: "\1VERB ...\1" (the closing \1 is optional in practice). */
static bool
chanmode_is_ctcp(const char *text)
{
	return text[0] == '\001' && strncmp(text + 1, "ACTION", 6) != 0;
}

/* mIRC colours (^C) and hex colours (^D). */
static bool
chanmode_has_colour(const char *text)
{
	return strpbrk(text, "\003\004") != NULL;
}

const char *
chanmode_send_refused(const struct channel *ch, const struct client *cl, bool notice,
    const char *text)
{
	const struct member	*mb;

	if (notice && (ch->modes & CHANNEL_NO_NOTICE))
		return "You cannot send NOTICEs to this channel (+T)";
	if (text != NULL && (ch->modes & CHANNEL_NO_CTCP) && chanmode_is_ctcp(text))
		return "You cannot send CTCPs to this channel (+C)";
	if (text != NULL && (ch->modes & CHANNEL_NO_COLOUR) && chanmode_has_colour(text))
		return "You cannot send colours to this channel (+c)";
	if (ch->quiets.len == 0)
		return NULL;
	/* Voice and op speak through a quiet, as through a ban. */
	mb = channel_member(ch, cl);
	if (mb != NULL && (mb->modes & (MEMBER_OP | MEMBER_VOICE)))
		return NULL;
	if (channel_list_matches(&ch->quiets, cl) && !channel_list_matches(&ch->excepts, cl))
		return "You are muted in this channel (+q)";
	return NULL;
}

bool
chanmode_join_throttled(const struct channel *ch, int64_t now)
{
	if (ch->join_max == 0)
		return false;
	return now - ch->join_window < (int64_t)ch->join_secs * 1000 &&
	    ch->join_count >= ch->join_max;
}

void
chanmode_join_count(struct channel *ch, int64_t now)
{
	if (ch->join_max == 0)
		return;
	if (now - ch->join_window >= (int64_t)ch->join_secs * 1000) {
		ch->join_window = now;
		ch->join_count = 0;
	}
	ch->join_count++;
}

/* A decimal number 1..1000 from *s, which moves past it.  Returns 0 when none. */
static unsigned
chanmode_number(const char **s)
{
	unsigned	n = 0;

	while (**s >= '0' && **s <= '9' && n <= 1000)
		n = n * 10 + (unsigned)(*(*s)++ - '0');
	return n <= 1000 ? n : 0;
}

int
chanmode_throttle_parse(const char *s, unsigned *joins, unsigned *secs)
{
	*joins = chanmode_number(&s);
	if (*joins == 0 || *s++ != ':')
		return -1;
	*secs = chanmode_number(&s);
	return *secs == 0 || *s != '\0' ? -1 : 0;
}
