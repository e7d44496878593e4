/*
 * ChanServ: registering a channel to an account (REGISTER, INFO, DROP), its access
 * list (ACCESS: auto-op, auto-voice), OP/DEOP/VOICE/DEVOICE, HELP.  Changes to the
 * registration are acknowledged once the store has them (chanreg.h keeps the state).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/account.h"
#include "core/calendar.h"
#include "core/casemap.h"
#include "core/chanreg.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/core.h"
#include "core/job_owner.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/services.h"

#define CS	(&chanserv)

static void
cs_store_failed(struct core *core, struct client *cl, const struct job *job)
{
	core_log(core, PLOG_WARN, "store: ChanServ job %llu failed: %s",
	    (unsigned long long)job->id, strerror(-job->status));
	services_notice(core, cl, CS, "The channel store failed: nothing was changed, try "
	    "again later");
}

/* A new store job for cl, or NULL after a notice. */
static struct job *
cs_job(struct core *core, struct client *cl, enum job_kind kind, job_done_fn *done)
{
	struct job	*job;

	if ((job = job_new(core, cl, kind, done, "")) == NULL)
		services_notice(core, cl, CS, "Out of memory, try again");
	return job;
}

/* The registered channel name as cl may see it, or NULL after a notice. */
static struct channel *
cs_registered(struct core *core, struct client *cl, const char *name)
{
	struct channel	*ch = channel_find_visible(core, name, cl);

	if (ch == NULL || ch->reg == NULL) {
		services_notice(core, cl, CS, "%s is not registered", name);
		return NULL;
	}
	return ch;
}

/* Whether cl may manage ch's registration (its founder or an operator); a notice if not. */
static bool
cs_founder(struct core *core, struct client *cl, const struct channel *ch)
{
	if (chanreg_is_founder(ch->reg, cl) || (cl->flags & CLIENT_MODE_OPER))
		return true;
	services_notice(core, cl, CS, "Only the founder of %s (%s) may do that", ch->name,
	    ch->reg->rec.founder);
	return false;
}

/* ---- REGISTER, INFO, DROP ---- */

static void
cs_registered_done(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	const struct chanreg_rec	*r = &job->in.chanreg;
	struct channel			*ch;

	(void)label;
	if (job->status == -EEXIST) {
		services_notice(core, cl, CS, "%s is already registered", r->name);
		return;
	}
	if (job->status != 0) {
		cs_store_failed(core, cl, job);
		return;
	}
	if ((ch = chanreg_channel(core, r)) == NULL) {
		services_notice(core, cl, CS, "Out of memory: %s is registered from the "
		    "next restart", r->name);
		return;
	}
	/* Its lists, and whatever changed while the store wrote. */
	chanreg_changed(core, ch, cl, now);
	/* cluster: every node keeps the channel as registered (the record is shared) */
	if (core->cluster != NULL)
		peer_send_node(core, NULL, "CHANREG %s %s %lld", ch->name, r->founder,
		    (long long)r->registered);
	services_notice(core, cl, CS, "%s is registered to %s", ch->name, r->founder);
}

static void
cs_register(struct core *core, struct client *cl, const struct service_args *a,
    int64_t now)
{
	struct channel	*ch = channel_find_visible(core, a->argv[1], cl);
	struct member	*mb;
	struct job	*job;

	if (cl->account[0] == '\0') {
		services_notice(core, cl, CS, "Log in first: /msg NickServ HELP IDENTIFY");
		return;
	}
	if (ch == NULL || (mb = channel_member(ch, cl)) == NULL) {
		services_notice(core, cl, CS, "Join %s first", a->argv[1]);
		return;
	}
	if (!(mb->modes & MEMBER_OP)) {
		services_notice(core, cl, CS, "You must be a channel operator of %s",
		    ch->name);
		return;
	}
	if (ch->reg != NULL) {
		services_notice(core, cl, CS, "%s is already registered", ch->name);
		return;
	}
	if ((job = cs_job(core, cl, JOB_CHANNEL_REGISTER, cs_registered_done)) == NULL)
		return;
	chanreg_record(ch, cl->account, core_wall_seconds(core, now), &job->in.chanreg);
	job_submit(core, job, now);
}

static void
cs_info(struct core *core, struct client *cl, const struct service_args *a,
    int64_t now)
{
	struct channel	*ch;
	char		 when[64];
	size_t		 naccess = 0;

	(void)now;
	if ((ch = cs_registered(core, cl, a->argv[1])) == NULL)
		return;
	for (size_t i = 0; i < ch->reg->entries.len; i++)
		naccess += strchr("ov", ((struct chanreg_entry *)
		    ch->reg->entries.items[i])->kind) != NULL;
	calendar_time_string(when, sizeof(when), ch->reg->rec.registered);
	services_notice(core, cl, CS, "%s, founder %s, registered %s", ch->name,
	    ch->reg->rec.founder, when);
	services_notice(core, cl, CS, "Access entries: %zu", naccess);
}

static void
cs_dropped(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	struct channel	*ch;

	(void)label, (void)now;
	if (job->status != 0 && job->status != -ENOENT) {
		cs_store_failed(core, cl, job);
		return;
	}
	if (core->cluster != NULL)
		peer_send_node(core, NULL, "CHANDROP %s", job->in.name);
	if ((ch = channel_find(core, job->in.name)) != NULL)
		chanreg_detach(core, ch);
	services_notice(core, cl, CS, "%s is no longer registered", job->in.name);
}

static void
cs_drop(struct core *core, struct client *cl, const struct service_args *a,
    int64_t now)
{
	struct channel	*ch;
	struct job	*job;

	if ((ch = cs_registered(core, cl, a->argv[1])) == NULL || !cs_founder(core, cl, ch))
		return;
	if ((job = cs_job(core, cl, JOB_CHANNEL_DROP, cs_dropped)) == NULL)
		return;
	snprintf(job->in.name, sizeof(job->in.name), "%s", ch->name);
	job_submit(core, job, now);
}

/* ---- ACCESS ---- */

static const char *
cs_level(char kind)
{
	return kind == 'o' ? "op" : "voice";
}

static void
cs_access_done(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	const struct chanreg_entry	*e = &job->in.entry;
	struct channel			*ch = channel_find(core, e->channel);
	bool				 add = job->kind == JOB_CHANNEL_ENTRY_ADD;

	(void)label, (void)now;
	if (job->status != 0 && !(job->status == -ENOENT && !add)) {
		if (job->status == -EEXIST)
			services_notice(core, cl, CS, "%s is already on the access list of "
			    "%s", e->mask, e->channel);
		else
			cs_store_failed(core, cl, job);
		return;
	}
	if (ch != NULL && ch->reg != NULL) {
		chanreg_forget(ch->reg, e->kind, e->mask);
		if (add && chanreg_keep(ch->reg, e) == -1)
			core_log(core, PLOG_WARN, "out of memory keeping an access entry "
			    "of %s", e->channel);
	}
	/* cluster: auto-op and auto-voice happen where the user joins, any node */
	if (core->cluster != NULL)
		peer_send_node(core, NULL, "CHANACC %s %c %c %s %s %lld", e->channel,
		    add ? '+' : '-', e->kind, e->mask, e->setter[0] != '\0' ? e->setter : "*",
		    (long long)e->time);
	if (add)
		services_notice(core, cl, CS, "%s gets %s on %s", e->mask, cs_level(e->kind),
		    e->channel);
	else
		services_notice(core, cl, CS, "%s is off the access list of %s", e->mask,
		    e->channel);
}

static void
cs_access_list(struct core *core, struct client *cl, struct channel *ch)
{
	for (size_t i = 0; i < ch->reg->entries.len; i++) {
		const struct chanreg_entry	*e = ch->reg->entries.items[i];

		if (e->kind == 'o' || e->kind == 'v')
			services_notice(core, cl, CS, "  %s %s (by %s)", e->mask,
			    cs_level(e->kind), e->setter);
	}
	services_notice(core, cl, CS, "End of the access list of %s", ch->name);
}

/* ACCESS #chan ADD account op|voice: the entry to write into e, or false after a
 * notice. */
static bool
cs_access_entry(struct core *core, struct client *cl, struct channel *ch,
    const struct service_args *a, struct chanreg_entry *e)
{
	const struct chanreg_entry	*old;
	const char			*level = a->argc > 4 ? a->argv[4] : "";
	char				 prefix[CLIENT_PREFIX_MAX];

	if (strcasecmp(level, "op") != 0 && strcasecmp(level, "voice") != 0) {
		services_notice(core, cl, CS, "Syntax: ACCESS %s ADD <account> op|voice",
		    ch->name);
		return false;
	}
	if (!account_exists(core, a->argv[3])) {
		services_notice(core, cl, CS, "No account named %s", a->argv[3]);
		return false;
	}
	if ((old = chanreg_access(ch->reg, a->argv[3])) != NULL) {
		services_notice(core, cl, CS, "%s has %s on %s already: DEL it first",
		    old->mask, cs_level(old->kind), ch->name);
		return false;
	}
	memset(e, 0, sizeof(*e));
	snprintf(e->channel, sizeof(e->channel), "%s", ch->name);
	e->kind = strcasecmp(level, "op") == 0 ? 'o' : 'v';
	/* The account's name as registered, whatever case it was given in. */
	snprintf(e->mask, sizeof(e->mask), "%s",
	    (const char *)map_get(&core->accounts, a->argv[3]));
	snprintf(e->setter, sizeof(e->setter), "%s", client_prefix(cl, prefix,
	    sizeof(prefix)));
	return true;
}

static void
cs_access(struct core *core, struct client *cl, const struct service_args *a,
    int64_t now)
{
	struct channel		*ch;
	struct chanreg_entry	 e, *old;
	struct job		*job;
	bool			 add;

	if ((ch = cs_registered(core, cl, a->argv[1])) == NULL || !cs_founder(core, cl, ch))
		return;
	if (strcasecmp(a->argv[2], "LIST") == 0) {
		cs_access_list(core, cl, ch);
		return;
	}
	add = strcasecmp(a->argv[2], "ADD") == 0;
	if ((!add && strcasecmp(a->argv[2], "DEL") != 0) || a->argc < 4) {
		services_notice(core, cl, CS, "Syntax: ACCESS %s ADD <account> op|voice | "
		    "DEL <account> | LIST", ch->name);
		return;
	}
	if (add && !cs_access_entry(core, cl, ch, a, &e))
		return;
	if (!add) {
		if ((old = chanreg_access(ch->reg, a->argv[3])) == NULL) {
			services_notice(core, cl, CS, "%s is not on the access list of %s",
			    a->argv[3], ch->name);
			return;
		}
		e = *old;
	}
	if ((job = cs_job(core, cl, add ? JOB_CHANNEL_ENTRY_ADD : JOB_CHANNEL_ENTRY_DEL,
	    cs_access_done)) == NULL)
		return;
	e.time = core_wall_seconds(core, now);
	job->in.entry = e;
	job_submit(core, job, now);
}

/* ---- OP, DEOP, VOICE, DEVOICE ---- */

/* Whether cl may give or take flag on ch for who: the founder and op entries for
 * anyone, voice entries their own voice. */
static bool
cs_may_mode(const struct channel *ch, const struct client *cl, const struct client *who,
    unsigned flag)
{
	const struct chanreg_entry	*e;

	if (chanreg_is_founder(ch->reg, cl))
		return true;
	if (cl->account[0] == '\0' || (e = chanreg_access(ch->reg, cl->account)) == NULL)
		return false;
	return e->kind == 'o' || (flag == MEMBER_VOICE && who == cl);
}

static void
cs_mode(struct core *core, struct client *cl, const struct service_args *a,
    unsigned flag, char dir)
{
	struct channel	*ch;
	struct client	*who;
	struct member	*mb;
	char		 line[MSG_BODY_MAX + 1], prefix[CLIENT_PREFIX_MAX];
	size_t		 len;

	if ((ch = cs_registered(core, cl, a->argv[1])) == NULL)
		return;
	who = a->argc > 2 ? client_find(core, a->argv[2]) : cl;
	if (who == NULL || (mb = channel_member(ch, who)) == NULL) {
		services_notice(core, cl, CS, "%s is not on %s", a->argc > 2 ? a->argv[2] :
		    cl->nick, ch->name);
		return;
	}
	if (!cs_may_mode(ch, cl, who, flag)) {
		services_notice(core, cl, CS, "You have no access to do that on %s",
		    ch->name);
		return;
	}
	if ((dir == '+') == !!(mb->modes & flag))
		return;
	mb->modes ^= flag;
	len = format_line(line, ":%s MODE %s %c%c %s", services_prefix(core, CS, prefix,
	    sizeof(prefix)), ch->name, dir, flag == MEMBER_OP ? 'o' : 'v', who->nick);
	send_channel(core, ch, NULL, line, len);
	if (core->cluster != NULL)
		peer_send_status(core, ch, who, dir, flag);
}

static void
cs_op(struct core *core, struct client *cl, const struct service_args *a, int64_t now)
{
	(void)now;
	cs_mode(core, cl, a, MEMBER_OP, '+');
}

static void
cs_deop(struct core *core, struct client *cl, const struct service_args *a, int64_t now)
{
	(void)now;
	cs_mode(core, cl, a, MEMBER_OP, '-');
}

static void
cs_voice(struct core *core, struct client *cl, const struct service_args *a, int64_t now)
{
	(void)now;
	cs_mode(core, cl, a, MEMBER_VOICE, '+');
}

static void
cs_devoice(struct core *core, struct client *cl, const struct service_args *a,
    int64_t now)
{
	(void)now;
	cs_mode(core, cl, a, MEMBER_VOICE, '-');
}

static const struct service_cmd cs_cmds[] = {
	{ "REGISTER", cs_register, 1, "<#channel>",
	    "Register a channel you are an operator of to your account" },
	{ "INFO", cs_info, 1, "<#channel>", "Who founded a channel, and when" },
	{ "DROP", cs_drop, 1, "<#channel>", "Unregister a channel (its founder)" },
	{ "ACCESS", cs_access, 2, "<#channel> ADD <account> op|voice | DEL <account> | LIST",
	    "Accounts that get op or voice when they join (the founder manages it)" },
	{ "OP", cs_op, 1, "<#channel> [nick]", "Give op (founder and op entries)" },
	{ "DEOP", cs_deop, 1, "<#channel> [nick]", "Take op (founder and op entries)" },
	{ "VOICE", cs_voice, 1, "<#channel> [nick]",
	    "Give voice (founder and op entries; voice entries to themselves)" },
	{ "DEVOICE", cs_devoice, 1, "<#channel> [nick]",
	    "Take voice (founder and op entries; voice entries from themselves)" },
	{ "HELP", NULL, 0, "[command]", "This list, or how to use one command" },
};

const struct service chanserv = {
	"ChanServ", cs_cmds, sizeof(cs_cmds) / sizeof(cs_cmds[0]), SERVICES_CHANSERV_COST
};
