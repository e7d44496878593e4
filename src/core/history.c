/*
 * History on the hot path: each relayed message becomes one record in the core's
 * buffer, and the buffer goes to the store as one append job a turn (history.h).
 * Retention runs from the timers as small prune jobs, one at a time.  Read markers are
 * history_marker.c's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cap.h"
#include "core/casemap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/core.h"
#include "core/history.h"
#include "core/job_owner.h"
#include "core/reply.h"

#define HISTORY_PRUNE_EVERY	(60 * 1000)	/* ms between retention passes */
#define HISTORY_PRUNE_BATCH	1000		/* lines one pass deletes, at most */
#define HISTORY_BUF_MAX		4096		/* lines held before a flush is forced */
#define HISTORY_TOUCHED_MAX	256		/* channels one pass caps, at most */
#define HISTORY_BUF_KEEP	256		/* lines of buffer kept between turns */

void
history_free(struct core *core)
{
	history_markers_free(core);
	free(core->history.touched);
	core->history.touched = NULL;
	core->history.ntouched = 0;
	free(core->history.buf);
	core->history.buf = NULL;
	core->history.n = core->history.cap = 0;
}

bool
history_on(const struct core *core)
{
	return core->cfg.history_enabled;
}

bool
history_cap_offered(const struct core *core)
{
	return history_on(core);
}

bool
history_channel_on(const struct core *core, const struct channel *ch)
{
	return history_on(core) && !(ch->modes & CHANNEL_NO_HISTORY);
}

void
history_ident(const struct core *core, const struct client *cl, char *buf)
{
	char	folded[ACCOUNT_NAME_MAX + 1];

	if (cl->account[0] != '\0') {
		casemap_fold(folded, sizeof(folded), cl->account);
		snprintf(buf, HISTORY_IDENT_MAX + 1, "a:%s", folded);
	} else
		snprintf(buf, HISTORY_IDENT_MAX + 1, "s:%" PRIx64 "-%" PRIx64,
		    core->tags.msgid_seed, cl->id);
}

/* Whether a client-only tag is ephemeral (a typing notice): never kept. */
static bool
tag_ephemeral(const char *tag, size_t len)
{
	static const char *const keys[] = { "+typing", "+draft/typing" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t	k = strlen(keys[i]);

		if (len >= k && strncmp(tag, keys[i], k) == 0 &&
		    (len == k || tag[k] == '='))
			return true;
	}
	return false;
}

/* The relayed client-only tags without the ephemeral ones into dst (cap bytes). */
static size_t
keep_tags(char *dst, size_t cap, const char *tags)
{
	size_t	len = 0, n;

	dst[0] = '\0';
	while (*tags != '\0') {
		n = strcspn(tags, ";");
		if (!tag_ephemeral(tags, n) && len + n + 2 < cap) {
			if (len > 0)
				dst[len++] = ';';
			memcpy(dst + len, tags, n);
			len += n;
			dst[len] = '\0';
		}
		tags += n;
		if (*tags == ';')
			tags++;
	}
	return len;
}

/* Whether private lines from cl to to are kept under history_private. */
static bool
history_private_on(const struct core *core, const struct client *cl,
    const struct client *to)
{
	switch (core->cfg.history_private) {
	case CONFIG_HISTORY_PRIVATE_ALL:
		return true;
	case CONFIG_HISTORY_PRIVATE_ACCOUNTS:
		return cl->account[0] != '\0' && to->account[0] != '\0';
	default:
		return false;
	}
}

/* Room for one more record at the end of the buffer, zeroed; NULL out of memory. */
static struct history_rec *
history_push(struct core *core)
{
	struct history_state	*h = &core->history;
	struct history_rec	*v;
	size_t			 cap;

	/* Full while the store still writes the last batch: the store is behind, and
	 * holding more would let one flooder grow the server without bound. */
	if (h->n >= HISTORY_BUF_MAX) {
		h->dropped++;
		return NULL;
	}
	if (h->n == h->cap) {
		cap = h->cap == 0 ? 16 : h->cap * 2;
		if ((v = reallocarray(h->buf, cap, sizeof(*v))) == NULL)
			return NULL;
		h->buf = v;
		h->cap = cap;
	}
	v = &h->buf[h->n++];
	memset(v, 0, offsetof(struct history_rec, tags));
	v->tags[0] = v->line[0] = '\0';
	return v;
}

/* Time, sender and line of a new record for ch (NULL: private), the rest zeroed. */
static struct history_rec *
history_record(struct core *core, const struct client *cl, const struct channel *ch,
    const char *line, size_t len)
{
	struct history_rec	*r;

	if ((r = history_push(core)) == NULL)
		return NULL;
	r->time = core->tags.now + core->wall_offset;
	if (r->time < core->history.last_time)
		r->time = core->history.last_time;
	core->history.last_time = r->time;
	casemap_fold(r->from_nick, sizeof(r->from_nick), cl->nick);
	history_ident(core, cl, r->from_ident);
	if (ch != NULL)
		casemap_fold(r->channel, sizeof(r->channel), ch->name);
	snprintf(r->account, sizeof(r->account), "%s", cl->account);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len > HISTORY_LINE_MAX)
		len = HISTORY_LINE_MAX;
	memcpy(r->line, line, len);
	r->line[len] = '\0';
	return r;
}

/* A full buffer goes now rather than at the end of the turn. */
static void
history_full(struct core *core)
{
	if (core->history.n >= HISTORY_BUF_MAX)
		history_turn(core, core->tags.now);
}

void
history_note(struct core *core, const struct client *cl, const struct channel *ch,
    const struct client *to, bool tagmsg, const char *line, size_t len)
{
	struct history_rec	*r;
	char			 tags[HISTORY_TAGS_MAX + 1];

	if (ch != NULL ? !history_channel_on(core, ch) :
	    !history_on(core) || !history_private_on(core, cl, to))
		return;
	keep_tags(tags, sizeof(tags), core->tags.client);
	/* A TAGMSG whose only tags were a typing notice leaves nothing to keep. */
	if (tagmsg && tags[0] == '\0')
		return;
	if ((r = history_record(core, cl, ch, line, len)) == NULL)
		return;
	snprintf(r->msgid, sizeof(r->msgid), "%s", tags_msgid(core));
	if (ch == NULL) {
		casemap_fold(r->to_nick, sizeof(r->to_nick), to->nick);
		history_ident(core, to, r->to_ident);
	}
	memcpy(r->tags, tags, strlen(tags) + 1);
	history_full(core);
}

void
history_note_part(struct core *core, const struct client *cl, const struct channel *ch,
    const struct client *to, unsigned n, const char *line, size_t len)
{
	struct history_rec	*r;
	size_t			 before = core->history.n;

	history_note(core, cl, ch, to, false, line, len);
	/* Kept (a new record at the end, the buffer not flushed meanwhile): rename it. */
	if (n == 0 || core->history.n != before + 1)
		return;
	r = &core->history.buf[before];
	snprintf(r->msgid, sizeof(r->msgid), "%s-%u", tags_msgid(core), n);
}

void
history_event(struct core *core, const struct client *cl, const struct channel *ch,
    const char *line, size_t len)
{
	struct history_rec	*r;

	/* cluster: a remote user's event was kept by its own node, once (its messages
	 * never come here: peer_cmd.c delivers them without a record) */
	if (!cl->local || !history_channel_on(core, ch) ||
	    (r = history_record(core, cl, ch, line, len)) == NULL)
		return;
	/* Events have no msgid on the wire; theirs are for paging, apart from messages'. */
	snprintf(r->msgid, sizeof(r->msgid), "%" PRIx64 "-e%" PRIx64,
	    core->tags.msgid_seed, ++core->history.event_next);
	r->event = true;
	history_full(core);
}

void
history_event_channels(struct core *core, const struct client *cl, const char *line,
    size_t len)
{
	for (size_t i = 0; i < cl->channels.len; i++) {
		const struct member	*m = cl->channels.items[i];

		history_event(core, cl, m->channel, line, len);
	}
}

/* An append is on disk, or lost with the disk: the log says which. */
static void
history_appended(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	(void)cl, (void)label;
	if (job->status != 0 && job->status != -ENOSYS)
		core_log(core, PLOG_WARN, "history: %zu lines not stored (%s)",
		    job->in.append.n, strerror(-job->status));
	core->history.appending = false;
	/* What gathered meanwhile goes at once, as one batch. */
	history_turn(core, now);
}

/* Note the channels of the buffered lines for the next pass of max_lines: a line to
 * the channel of the line before costs one comparison. */
static void
history_touch(struct history_state *h)
{
	const char	*last = NULL;
	size_t		 j;

	if (h->touched == NULL &&
	    (h->touched = calloc(HISTORY_TOUCHED_MAX, sizeof(*h->touched))) == NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		const char	*ch = h->buf[i].channel;

		if (ch[0] == '\0' || (last != NULL && strcmp(ch, last) == 0))
			continue;
		last = ch;
		for (j = 0; j < h->ntouched && strcmp(h->touched[j], ch) != 0; j++)
			;
		if (j == h->ntouched && h->ntouched < HISTORY_TOUCHED_MAX)
			memcpy(h->touched[h->ntouched++], ch, strlen(ch) + 1);
	}
}

void
history_turn(struct core *core, int64_t now)
{
	/* One append in flight at a time: the next batch gathers meanwhile, and is
	 * larger for it (group commit). */
	if (!core->history.appending)
		history_flush(core, now);
}

void
history_flush(struct core *core, int64_t now)
{
	struct history_state	*h = &core->history;
	struct job		*job;

	if (h->dropped > 0) {
		core_log(core, PLOG_WARN, "history: %zu lines not stored: the store fell "
		    "behind", h->dropped);
		h->dropped = 0;
	}
	if (h->n == 0)
		return;
	if (core->cfg.history_max_lines > 0)
		history_touch(h);
	/* The job gets a copy of what is used; the buffer stays, warm, for the next turn
	 * (unless a burst made it large). */
	if ((job = job_new_core(core, JOB_HISTORY_APPEND, history_appended)) == NULL ||
	    (job->in.append.v = malloc(h->n * sizeof(*h->buf))) == NULL) {
		core_log(core, PLOG_WARN, "history: %zu lines lost: out of memory", h->n);
		job_free(job);
		h->n = 0;
		return;
	}
	memcpy(job->in.append.v, h->buf, h->n * sizeof(*h->buf));
	job->in.append.n = h->n;
	h->n = 0;
	if (h->cap > HISTORY_BUF_KEEP) {
		free(h->buf);
		h->buf = NULL;
		h->cap = 0;
	}
	h->appending = true;
	job_submit(core, job, now);
}

static void
history_renamed(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	(void)cl, (void)label, (void)now;
	if (job->status != 0 && job->status != -ENOSYS)
		core_log(core, PLOG_WARN, "history: %s kept under its old name %s (%s)",
		    job->in.rename.to, job->in.rename.from, strerror(-job->status));
}

void
history_rename(struct core *core, const char *from, const char *to, int64_t now)
{
	struct job	*job;

	if (!history_on(core))
		return;
	/* The lines said before the rename are in the store first. */
	history_flush(core, now);
	if ((job = job_new_core(core, JOB_HISTORY_RENAME, history_renamed)) == NULL) {
		core_log(core, PLOG_WARN, "history: %s kept under its old name %s: out of "
		    "memory", to, from);
		return;
	}
	casemap_fold(job->in.rename.from, sizeof(job->in.rename.from), from);
	casemap_fold(job->in.rename.to, sizeof(job->in.rename.to), to);
	job_submit(core, job, now);
}

static void
history_pruned(struct core *core, struct client *cl, const struct job *job,
    const char *label, int64_t now)
{
	(void)cl, (void)label;
	core->history.pruning = false;
	/* A full batch: more are due, so the next pass comes at once. */
	if (job->status == 0 && job->result.count >= HISTORY_PRUNE_BATCH)
		core->history.pruned_at = now - HISTORY_PRUNE_EVERY;
}

int64_t
history_tick(struct core *core, int64_t now)
{
	struct history_state	*h = &core->history;
	struct job		*job;

	if (!history_on(core) || (core->cfg.history_max_age <= 0 &&
	    core->cfg.history_max_lines == 0))
		return -1;
	if (h->pruning)
		return -1;
	if (now - h->pruned_at < HISTORY_PRUNE_EVERY)
		return h->pruned_at + HISTORY_PRUNE_EVERY;
	h->pruned_at = now;
	if ((job = job_new_core(core, JOB_HISTORY_PRUNE, history_pruned)) == NULL)
		return now + HISTORY_PRUNE_EVERY;
	job->in.prune.before = core->cfg.history_max_age <= 0 ? INT64_MIN :
	    now + core->wall_offset - core->cfg.history_max_age;
	job->in.prune.limit = HISTORY_PRUNE_BATCH;
	/* The channels said something since the last pass: the job takes them. */
	job->in.prune.max_lines = core->cfg.history_max_lines;
	job->in.prune.channels = h->touched;
	job->in.prune.nchannels = h->ntouched;
	h->touched = NULL;
	h->ntouched = 0;
	h->pruning = true;
	job_submit(core, job, now);
	return h->pruning ? -1 : h->pruned_at + HISTORY_PRUNE_EVERY;
}
