/*
 * WEBIRC: a web gateway names the address of the user it connects for, before that
 * user registers ("WEBIRC password gateway hostname ip").  The first [webirc NAME]
 * block whose host mask matches the gateway's own address decides; its password is
 * checked against a crypt(3) hash by a job, as OPER's is.  The client's host becomes
 * the address given (parleyd shows numeric addresses, so the hostname is only logged).
 * Anything amiss closes the connection: a gateway that gets it wrong must not have its
 * users shown as the gateway.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/addr.h"
#include "core/client.h"
#include "core/command.h"
#include "core/job_owner.h"
#include "core/mask.h"
#include "core/reply.h"

#define WEBIRC_REFUSED	"WEBIRC refused"

static const struct core_webirc *
webirc_by_host(const struct core *core, const char *host)
{
	for (size_t i = 0; i < core->cfg.nwebircs; i++)
		if (core->cfg.webircs[i].host[0] == '\0' ||
		    mask_match(core->cfg.webircs[i].host, host))
			return &core->cfg.webircs[i];
	return NULL;
}

/* The gateway gets no reason: only the log says which check failed. */
static void
webirc_refuse(struct core *core, struct client *cl, const char *why)
{
	core_log(core, PLOG_WARN, "WEBIRC from %s refused: %s", cl->host, why);
	client_exit(core, cl, WEBIRC_REFUSED, true);
}

/* The password check's result; label is the client's host to be.  A REHASH meanwhile
 * may have dropped the block or changed its password: then the check no longer counts. */
static void
webirc_checked(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	const struct core_webirc *w = webirc_by_host(core, cl->host);

	(void)now;
	if (job->status != 0 || !job->result.crypt_ok || w == NULL ||
	    strcmp(w->hash, job->in.crypt_check.hash) != 0) {
		webirc_refuse(core, cl, "bad password");
		return;
	}
	core_log(core, PLOG_INFO, "WEBIRC gateway %s (%s): client %s", w->name, cl->host,
	    label);
	snprintf(cl->host, sizeof(cl->host), "%s", label);
	cl->flags |= CLIENT_WEBIRC;
}

void
cmd_webirc(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const struct core_webirc *w;
	struct job		*job;
	char			 host[CLIENT_HOST_MAX + 1];

	if (cl->flags & CLIENT_WEBIRC) {
		webirc_refuse(core, cl, "WEBIRC again");
		return;
	}
	if ((w = webirc_by_host(core, cl->host)) == NULL) {
		webirc_refuse(core, cl, "no [webirc] block for this address");
		return;
	}
	if (!addr_host(m->params[3], host, sizeof(host))) {
		webirc_refuse(core, cl, "not a numeric address");
		return;
	}
	if ((job = job_new(core, cl, JOB_CRYPT_CHECK, webirc_checked, host)) == NULL) {
		client_exit(core, cl, "Out of memory", true);
		return;
	}
	snprintf(job->in.crypt_check.password, sizeof(job->in.crypt_check.password), "%s",
	    m->params[0]);
	snprintf(job->in.crypt_check.hash, sizeof(job->in.crypt_check.hash), "%s", w->hash);
	job_submit(core, job, now);
}
