/*
 * Registrations made through another node (peer.h; docs/cluster-protocol.md): the
 * records are in the shared store already, so these lines only keep this core's
 * tables in step: the account names (logins and nick ownership check them), which
 * channels are registered (they outlive their members) and their access lists
 * (auto-op and auto-voice happen on the node a user joins through).
 */
#include <stdio.h>
#include <string.h>

#include "core/account.h"
#include "core/casemap.h"
#include "core/chanreg.h"
#include "core/channel.h"
#include "core/core.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/session.h"

/* A name a node line may give: one word, not too long. */
static bool
name_ok(const char *s, size_t max)
{
	size_t	n = strlen(s);

	return n > 0 && n <= max && strpbrk(s, " ,\a") == NULL;
}

/* Only the node itself speaks of its registrations. */
static bool
from_node(const struct cluster_node *node, const struct msg *m)
{
	return casemap_eq(m->source, node->name);
}

/* REGACCT name */
void
peer_regacct(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	(void)now;
	if (from_node(node, m) && name_ok(m->params[0], ACCOUNT_NAME_MAX) &&
	    account_known(core, m->params[0]) == -1)
		core_log(core, PLOG_WARN, "account %s: out of memory for its name",
		    m->params[0]);
}

/* DROPACCT name */
void
peer_dropacct(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	if (!from_node(node, m) || !name_ok(m->params[0], ACCOUNT_NAME_MAX))
		return;
	account_dropped(core, m->params[0], now);
	session_account_gone(core, m->params[0]);
}

/* CHANREG #chan founder registered: the channel, kept as registered. */
void
peer_chanreg(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct channel		*ch = channel_find(core, m->params[0]);
	struct chanreg_rec	 rec;
	int64_t			 when = peer_number(m->params[2]);

	(void)now;
	if (!from_node(node, m) || (ch != NULL && ch->reg != NULL) || when < 0 ||
	    !name_ok(m->params[1], ACCOUNT_NAME_MAX) ||
	    !casemap_channel_valid(m->params[0], CHANNEL_NAME_MAX))
		return;
	/* Without members here (nor a burst of them), it exists as a restart makes it. */
	if (ch != NULL)
		chanreg_record(ch, m->params[1], when, &rec);
	else {
		memset(&rec, 0, sizeof(rec));
		snprintf(rec.name, sizeof(rec.name), "%s", m->params[0]);
		snprintf(rec.founder, sizeof(rec.founder), "%s", m->params[1]);
		rec.registered = when;
	}
	if (chanreg_channel(core, &rec) == NULL)
		core_log(core, PLOG_WARN, "%s: out of memory keeping it registered",
		    m->params[0]);
}

/* CHANDROP #chan */
void
peer_chandrop(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct channel	*ch = channel_find(core, m->params[0]);

	(void)now;
	if (from_node(node, m) && ch != NULL)
		chanreg_detach(core, ch);
}

/* CHANACC #chan +|- kind mask setter time: an access entry added or removed. */
void
peer_chanacc(struct core *core, struct cluster_node *node, struct msg *m, int64_t now)
{
	struct channel		*ch = channel_find(core, m->params[0]);
	struct chanreg_entry	 e;
	const char		*dir = m->params[1], *kind = m->params[2];
	int64_t			 when = peer_number(m->params[5]);

	(void)now;
	if (!from_node(node, m) || ch == NULL || ch->reg == NULL || when < 0 ||
	    (strcmp(dir, "+") != 0 && strcmp(dir, "-") != 0) || strlen(kind) != 1 ||
	    strchr("ov", kind[0]) == NULL || !name_ok(m->params[3], sizeof(e.mask) - 1) ||
	    !name_ok(m->params[4], sizeof(e.setter) - 1))
		return;
	memset(&e, 0, sizeof(e));
	snprintf(e.channel, sizeof(e.channel), "%s", ch->name);
	e.kind = kind[0];
	snprintf(e.mask, sizeof(e.mask), "%s", m->params[3]);
	snprintf(e.setter, sizeof(e.setter), "%s", m->params[4]);
	e.time = when;
	chanreg_forget(ch->reg, e.kind, e.mask);
	if (dir[0] == '+' && chanreg_keep(ch->reg, &e) == -1)
		core_log(core, PLOG_WARN, "out of memory keeping an access entry of %s",
		    ch->name);
}
