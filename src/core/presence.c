/*
 * Always-on users in the store: what is kept of one (records.h's presence_rec), the
 * jobs that keep and drop it, and the user put back at start (presence.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/account.h"
#include "core/casemap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/core.h"
#include "core/job_owner.h"
#include "core/peer.h"
#include "core/presence.h"
#include "core/reply.h"
#include "core/server.h"
#include "core/session.h"

static void
presence_done(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	(void)cl, (void)label, (void)now;
	if (job->status != 0)
		core_log(core, PLOG_WARN, "store: an always-on presence was not kept: %s",
		    strerror(-job->status));
}

/* cl's channels into buf, each name followed by a space; those past its end are lost. */
static void
presence_channels(const struct client *cl, char *buf, size_t cap)
{
	size_t	len = 0, n;

	buf[0] = '\0';
	for (size_t i = 0; i < cl->channels.len; i++) {
		const char	*name = ((struct member *)cl->channels.items[i])->channel->name;

		n = strlen(name);
		if (len + n + 2 > cap)
			break;
		memcpy(buf + len, name, n);
		buf[len + n] = ' ';
		len += n + 1;
		buf[len] = '\0';
	}
}

void
presence_save(struct core *core, const struct client *cl)
{
	struct job		*job;
	struct presence_rec	*p;

	if ((job = job_new_core(core, JOB_PRESENCE_SET, presence_done)) == NULL) {
		core_log(core, PLOG_WARN, "out of memory for an always-on presence");
		return;
	}
	p = &job->in.presence;
	snprintf(p->account, sizeof(p->account), "%s", cl->account);
	snprintf(p->nick, sizeof(p->nick), "%s", cl->nick);
	snprintf(p->user, sizeof(p->user), "%s", cl->user);
	snprintf(p->host, sizeof(p->host), "%s", cl->host);
	snprintf(p->realname, sizeof(p->realname), "%s",
	    cl->realname != NULL ? cl->realname : "");
	snprintf(p->away, sizeof(p->away), "%s", cl->away != NULL ? cl->away : "");
	p->signon = cl->signon;
	p->gone = cl->gone_since;
	presence_channels(cl, p->channels, sizeof(p->channels));
	job_submit(core, job, core->tags.now);
}

void
presence_forget(struct core *core, const struct client *cl)
{
	struct job	*job;

	if (cl->account[0] == '\0')
		return;
	if ((job = job_new_core(core, JOB_PRESENCE_DEL, presence_done)) == NULL) {
		core_log(core, PLOG_WARN, "out of memory for an always-on presence");
		return;
	}
	snprintf(job->in.name, sizeof(job->in.name), "%s", cl->account);
	job_submit(core, job, core->tags.now);
}

void
presence_shutdown(struct core *core)
{
	for (struct list *n = core->clients.next; n != &core->clients; n = n->next) {
		struct client	*cl = list_entry(n, struct client, all);

		if (cl->local && cl->state == CLIENT_REGISTERED &&
		    !(cl->flags & CLIENT_SESSION) && cl->account[0] != '\0' &&
		    session_always_on_for(core, cl->account))
			presence_save(core, cl);
	}
}

/* Back in each of the stored channels, creating those that went (their op again). */
static int
presence_rejoin(struct core *core, struct client *cl, char *channels)
{
	char	*name, *rest = channels;

	while ((name = strsep(&rest, " ")) != NULL) {
		struct channel	*ch;
		bool		 created = false;

		if (!casemap_channel_valid(name, core->cfg.channellen))
			continue;
		if ((ch = channel_find(core, name)) == NULL) {
			if ((ch = channel_create(core, name)) == NULL)
				return -1;
			created = true;
		}
		if (channel_member(ch, cl) == NULL &&
		    channel_join(core, ch, cl, created ? MEMBER_OP : 0) == NULL)
			return -1;
	}
	return 0;
}

int
core_restore_presence(struct core *core, const struct presence_rec *rec)
{
	struct client	*cl;
	char		 channels[sizeof(rec->channels)];

	/* Off now, or no longer valid: the record waits, harmless. */
	if (!account_exists(core, rec->account) ||
	    !session_always_on_for(core, rec->account) ||
	    !casemap_nick_valid(rec->nick, core->cfg.nicklen) ||
	    client_find(core, rec->nick) != NULL)
		return 0;
	if ((cl = client_new(core, 0, rec->host, core->tags.now)) == NULL)
		return -1;
	list_del(&cl->timer);
	snprintf(cl->user, sizeof(cl->user), "%s", rec->user);
	snprintf(cl->account, sizeof(cl->account), "%s", rec->account);
	cl->signon = rec->signon;
	/* Connected when the server stopped: gone since the restart. */
	cl->gone_since = rec->gone != 0 ? rec->gone : core->tags.now + core->wall_offset;
	cl->state = CLIENT_REGISTERED;
	cl->flags |= CLIENT_HOLLOW | CLIENT_MODE_REGISTERED;
	if (++core->nregistered > core->max_registered)
		core->max_registered = core->nregistered;
	if ((cl->realname = strdup(rec->realname)) == NULL ||
	    (rec->away[0] != '\0' && (cl->away = strdup(rec->away)) == NULL) ||
	    client_set_nick(core, cl, rec->nick) == -1) {
		client_free(core, cl);
		return -1;
	}
	if (cl->away != NULL && strcmp(cl->away, core->cfg.accounts_auto_away) == 0)
		cl->flags |= CLIENT_AUTO_AWAY;
	memcpy(channels, rec->channels, sizeof(channels));
	if (presence_rejoin(core, cl, channels) == -1) {
		client_free(core, cl);
		return -1;
	}
	if (core->cluster != NULL)
		cluster_restored(core, cl);
	core_log(core, PLOG_INFO, "always-on: %s (%s) is back in %zu channels", cl->nick,
	    cl->account, cl->channels.len);
	return 0;
}
