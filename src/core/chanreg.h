#ifndef PARLEY_CORE_CHANREG_H
#define PARLEY_CORE_CHANREG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/list.h"
#include "core/records.h"
#include "core/vec.h"

/*
 * Registered channels (ChanServ): the founder and the state the store keeps for each,
 * so that the channel survives being empty and restarts.  The core keeps a copy of what
 * the store holds; chanreg_changed() writes the difference with the live channel.
 */
struct core;
struct client;
struct channel;

struct chanreg {
	struct chanreg_rec	 rec;		/* as the store has it */
	struct vec		 entries;	/* struct chanreg_entry *: b, e, I, o, v */
	struct channel		*channel;
	struct list		 link;		/* core->chanregs */
};

/* Register ch with rec (its name, founder, registered time are kept).  Returns the
 * registration, or NULL out of memory. */
struct chanreg	*chanreg_attach(struct core *core, struct channel *ch,
		    const struct chanreg_rec *rec);
/* A channel named rec->name from rec's state, registered: the one there already, or a
 * new one.  NULL out of memory. */
struct channel	*chanreg_channel(struct core *core, const struct chanreg_rec *rec);
/* ch is no longer registered; an empty channel is freed. */
void		 chanreg_detach(struct core *core, struct channel *ch);
/* Every registration goes, and the channels left empty (core_free). */
void		 chanreg_clear(struct core *core);
/* The account's registrations go (the account was dropped; the store dropped them). */
void		 chanreg_drop_founder(struct core *core, const char *account);

/* ch's state (topic, modes, key, limit) as a record for the store, with founder and
 * registered. */
void		 chanreg_record(const struct channel *ch, const char *founder,
		    int64_t registered, struct chanreg_rec *r);
/* Something cl did changed ch (topic, modes, lists): when ch is registered, store what
 * differs from what the store has.  A failure is a notice from ChanServ to cl. */
void		 chanreg_changed(struct core *core, struct channel *ch, struct client *cl,
		    int64_t now);
/* cl joined ch: its founder or an access entry of cl's account gets op or voice. */
void		 chanreg_join(struct core *core, struct channel *ch, struct client *cl);

/* The access entry ('o' or 'v') of account on reg, or NULL. */
struct chanreg_entry *chanreg_access(const struct core *core, const struct chanreg *reg,
		    const char *account);
/* Keep a copy of entry as the store has it.  0, or -1 out of memory. */
int		 chanreg_keep(struct chanreg *reg, const struct chanreg_entry *entry);
/* Forget the stored entry of kind and mask, if any. */
void		 chanreg_forget(struct chanreg *reg, char kind, const char *mask);
/* Whether cl is logged in to ch's founder account. */
bool		 chanreg_is_founder(const struct core *core, const struct chanreg *reg,
		    const struct client *cl);

#endif
