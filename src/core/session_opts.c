/*
 * Multiclient and always-on per account: NickServ SET MULTICLIENT and SET ALWAYS-ON,
 * the accounts' choices the core keeps (a map filled from the store at start), and
 * what applies to an account: its choice, or the server's setting (session.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/client.h"
#include "core/core.h"
#include "core/job_owner.h"
#include "core/reply.h"
#include "core/server.h"
#include "core/services.h"
#include "core/session.h"

/* account's choices, NULL when it made none. */
static const struct account_opts *
opts_get(const struct core *core, const char *account)
{
	return map_get(&core->account_opts, account);
}

/* Keep o as its account's choices; -1 out of memory. */
static int
opts_put(struct core *core, const struct account_opts *o)
{
	struct account_opts	*copy;

	if ((copy = map_get(&core->account_opts, o->name)) != NULL) {
		copy->multiclient = o->multiclient;
		copy->always_on = o->always_on;
		return 0;
	}
	if ((copy = malloc(sizeof(*copy))) == NULL)
		return -1;
	*copy = *o;
	if (map_put(&core->account_opts, copy->name, copy) == -1) {
		free(copy);
		return -1;
	}
	return 0;
}

bool
session_multiclient(const struct core *core, const char *account)
{
	const struct account_opts	*o = opts_get(core, account);

	if (o != NULL && o->multiclient != ACCOUNT_OPT_DEFAULT)
		return o->multiclient == ACCOUNT_OPT_ON;
	return core->cfg.accounts_multiclient;
}

bool
session_always_on_for(const struct core *core, const char *account)
{
	const struct account_opts	*o = opts_get(core, account);

	if (o != NULL && o->always_on != ACCOUNT_OPT_DEFAULT)
		return o->always_on == ACCOUNT_OPT_ON;
	return core->cfg.accounts_always_on;
}

int
core_restore_account_opts(struct core *core, const struct account_opts *o)
{
	return opts_put(core, o);
}

void
session_opts_forget(struct core *core, const char *account)
{
	free(map_del(&core->account_opts, account));
}

void
session_opts_clear(struct core *core)
{
	size_t		 pos = 0;
	const char	*key;
	void		*value;

	while (map_next(&core->account_opts, &pos, &key, &value))
		free(value);
	map_clear(&core->account_opts);
}

static const char *
opts_word(uint8_t v)
{
	return v == ACCOUNT_OPT_ON ? "ON" : v == ACCOUNT_OPT_OFF ? "OFF" :
	    "DEFAULT (the server's)";
}

static void
opts_stored(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	const struct account_opts	*o = &job->in.opts;

	(void)label, (void)now;
	if (job->status != 0 || opts_put(core, o) == -1) {
		core_log(core, PLOG_WARN, "store: NickServ SET for %s failed: %s", o->name,
		    strerror(job->status != 0 ? -job->status : ENOMEM));
		services_notice(core, cl, &nickserv, "The account store failed: nothing was "
		    "changed, try again later");
		return;
	}
	services_notice(core, cl, &nickserv, "%s: MULTICLIENT %s, ALWAYS-ON %s", o->name,
	    opts_word(o->multiclient), opts_word(o->always_on));
}

bool
session_opts_set(struct core *core, struct client *cl, const char *which,
    const char *value, int64_t now)
{
	const struct account_opts	*now_opts = opts_get(core, cl->account);
	struct account_opts		 o;
	struct job			*job;
	uint8_t				 v;

	if (strcasecmp(which, "MULTICLIENT") != 0 && strcasecmp(which, "ALWAYS-ON") != 0)
		return false;
	if (value != NULL && strcasecmp(value, "ON") == 0)
		v = ACCOUNT_OPT_ON;
	else if (value != NULL && strcasecmp(value, "OFF") == 0)
		v = ACCOUNT_OPT_OFF;
	else if (value != NULL && strcasecmp(value, "DEFAULT") == 0)
		v = ACCOUNT_OPT_DEFAULT;
	else {
		services_notice(core, cl, &nickserv, "Syntax: SET %s ON|OFF|DEFAULT", which);
		return true;
	}
	memset(&o, 0, sizeof(o));
	if (now_opts != NULL)
		o = *now_opts;
	snprintf(o.name, sizeof(o.name), "%s", cl->account);
	if (strcasecmp(which, "MULTICLIENT") == 0)
		o.multiclient = v;
	else
		o.always_on = v;
	if ((job = job_new(core, cl, JOB_ACCOUNT_SET_OPTS, opts_stored, "")) == NULL) {
		services_notice(core, cl, &nickserv, "Out of memory, try again");
		return true;
	}
	job->in.opts = o;
	job_submit(core, job, now);
	return true;
}
