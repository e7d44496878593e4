#ifndef PARLEY_CORE_MULTILINE_H
#define PARLEY_CORE_MULTILINE_H

#include <stdbool.h>

/*
 * draft/multiline: a client's BATCH +ref draft/multiline target, its PRIVMSG lines
 * tagged batch=ref, and BATCH -ref, which delivers them as one message: in a batch to
 * recipients with draft/multiline and batch, line by line (the first with the msgid,
 * blank lines left out) to the others.
 */
struct core;
struct client;
struct msg;

#define MULTILINE_MAX_BYTES	4096	/* the cap value's max-bytes */
#define MULTILINE_MAX_LINES	24	/* and max-lines */
#define MULTILINE_REF_MAX	16	/* bytes of a client's batch reference */

/* Whether m (a PRIVMSG from cl) carries a batch tag and so belongs to cl's open batch:
 * it is then taken (or the batch refused with FAIL BATCH) and must not be delivered. */
bool	multiline_line(struct core *core, struct client *cl, struct msg *m);
/* Drop cl's open batch, if any (client_free). */
void	multiline_free(struct client *cl);
/* cluster (peer.h): remote cl's batch as its node sends it, one line at a time (a new
 * ref starts a new batch; lines beyond the limits are dropped), then delivered here to
 * ch's local members or to local user to.  Returns nothing: a node line that makes no
 * sense is dropped. */
void	multiline_peer_part(struct client *cl, const char *ref, bool concat,
	    const char *text);
void	multiline_peer_end(struct core *core, struct client *cl, const char *ref,
	    struct channel *ch, struct client *to);

#endif
