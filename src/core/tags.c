/*
 * Outgoing message tags (server-time, message-tags with msgid and client-only tags,
 * account-tag) and labeled-response, applied where lines leave the core.  See tags.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "core/client.h"
#include "core/core.h"
#include "core/reply.h"

void
tags_init(struct core *core, uint64_t msgid_seed)
{
	core->tags.msgid_seed = msgid_seed;
}

size_t
tags_time_format(char *buf, size_t cap, int64_t wall_ms)
{
	int64_t	days, ms, year;
	int	month, day, n;

	if (wall_ms < 0)
		wall_ms = 0;
	days = calendar_floor_div(wall_ms, 86400000);
	ms = wall_ms - days * 86400000;
	calendar_civil_from_days(days, &year, &month, &day);
	n = snprintf(buf, cap, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)year,
	    month, day, (int)(ms / 3600000), (int)(ms / 60000 % 60), (int)(ms / 1000 % 60),
	    (int)(ms % 1000));
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

void
tags_clock(struct core *core, int64_t now)
{
	core->tags.now = now;
	core->tags.time[0] = '\0';
}

/* The event's time tag value, formatted on first use. */
static const char *
event_time(struct core *core)
{
	struct tags_event	*ev = &core->tags;

	if (ev->time[0] == '\0')
		tags_time_format(ev->time, sizeof(ev->time), ev->now + core->wall_offset);
	return ev->time;
}

/* Whether the same key appears again after m->tags[i]: the last one counts. */
static bool
tag_repeated(const struct msg *m, unsigned i)
{
	for (unsigned j = i + 1; j < m->ntags; j++)
		if (strcmp(m->tags[j].key, m->tags[i].key) == 0)
			return true;
	return false;
}

/*
 * Keep m's client-only tags for relaying, normalised: each key once, values unescaped
 * and escaped again (so a bad escape from the sender never reaches anyone), "key=" sent
 * as "key".  Never longer than what the client sent, which the core has checked; a tag
 * that would not fit is left out whole all the same.
 */
static void
keep_client_tags(struct tags_event *ev, const struct msg *m)
{
	char	value[MSG_TAGS_MAX_CLIENT + 1];
	size_t	room = sizeof(ev->client), len = 0;

	for (unsigned i = 0; i < m->ntags; i++) {
		const struct msg_tag	*t = &m->tags[i];
		size_t			 klen = strlen(t->key), vlen, elen = 0;

		if (t->key[0] != '+' || tag_repeated(m, i))
			continue;
		if ((vlen = msg_tag_unescape(value, sizeof(value), t->value)) > 0)
			elen = msg_tag_escape(NULL, 0, value);
		if (len + (len > 0) + klen + (vlen > 0) + elen >= room)
			break;
		if (len > 0)
			ev->client[len++] = ';';
		memcpy(ev->client + len, t->key, klen);
		len += klen;
		if (vlen > 0) {
			ev->client[len++] = '=';
			len += msg_tag_escape(ev->client + len, room - len, value);
		}
	}
	ev->client[len] = '\0';
	ev->client_len = len;
}

/* Take m's label when cl may have labeled responses.  A label that is empty or over
 * TAGS_LABEL_MAX bytes is not used (a WARN says so to clients with standard-replies). */
static void
keep_label(struct core *core, struct client *cl, const struct msg *m)
{
	const capset		 need = CAP_BIT(CAP_LABELED_RESPONSE) | CAP_BIT(CAP_BATCH);
	struct tags_event	*ev = &core->tags;
	const char		*raw;
	char			 value[MSG_TAGS_MAX_CLIENT + 1];
	size_t			 len;

	if ((cl->caps & need) != need || (raw = msg_tag_get(m, "label")) == NULL)
		return;
	len = msg_tag_unescape(value, sizeof(value), raw);
	if (len == 0 || len > TAGS_LABEL_MAX) {
		if (cl->caps & CAP_BIT(CAP_STANDARD_REPLIES))
			send_standard(core, cl, "WARN", m->verb, "INVALID_LABEL", NULL,
			    "Labels are 1 to 64 bytes; this one was ignored");
		return;
	}
	msg_tag_escape(ev->label, sizeof(ev->label), value);
	ev->labeled = cl;
	ev->label_state = TAGS_LABEL_NONE;
}

/* A new event at now: no message, no label, no client tags yet. */
static void
tags_event_start(struct core *core, int64_t now)
{
	struct tags_event	*ev = &core->tags;

	tags_clock(core, now);
	ev->message = false;
	ev->unlabeled = false;
	ev->labeled = NULL;
	ev->client_len = 0;
	ev->client[0] = '\0';
}

void
tags_event(struct core *core, struct client *cl, const struct msg *m, int64_t now)
{
	struct tags_event	*ev = &core->tags;

	tags_event_start(core, now);
	if (m->ntags == 0)
		return;
	/* Client-only tags belong to message-tags: others' are not relayed. */
	if (cl->caps & CAP_BIT(CAP_MESSAGE_TAGS))
		keep_client_tags(ev, m);
	keep_label(core, cl, m);
}

void
tags_event_peer(struct core *core, int64_t now)
{
	tags_event_start(core, now);
}

void
tags_label_take(struct core *core, const struct client *cl, char *label, size_t cap)
{
	struct tags_event	*ev = &core->tags;

	label[0] = '\0';
	/* Only a whole reply moves: once a line is held or a batch open, the rest of it
	 * follows unlabeled rather than under a label already used. */
	if (cl == NULL || ev->labeled != cl || ev->label_state != TAGS_LABEL_NONE)
		return;
	snprintf(label, cap, "%s", ev->label);
	ev->labeled = NULL;
}

void
tags_event_label(struct core *core, struct client *cl, const char *label, int64_t now)
{
	struct tags_event	*ev = &core->tags;

	tags_event_start(core, now);
	if (label[0] == '\0')
		return;
	snprintf(ev->label, sizeof(ev->label), "%s", label);
	ev->labeled = cl;
	ev->label_state = TAGS_LABEL_NONE;
}

/* The account a message's sender is logged in to, or NULL: no account tag. */
static const char *
client_account(const struct client *cl)
{
	return cl->account[0] != '\0' ? cl->account : NULL;
}

void
tags_message(struct core *core, const struct client *source, bool on)
{
	struct tags_event	*ev = &core->tags;

	ev->message = on;
	ev->account = on ? client_account(source) : NULL;
	ev->bot = on && (source->flags & CLIENT_MODE_BOT);
	/* Formatted when a recipient first needs it (event_msgid): most have no tags. */
	if (on) {
		ev->msgid_next++;
		ev->msgid[0] = '\0';
	}
}

/* This message's msgid: the run's seed and the message's number. */
static const char *
event_msgid(struct tags_event *ev)
{
	if (ev->msgid[0] == '\0')
		snprintf(ev->msgid, sizeof(ev->msgid), "%" PRIx64 "-%" PRIx64,
		    ev->msgid_seed, ev->msgid_next);
	return ev->msgid;
}

const char *
tags_msgid(struct core *core)
{
	return event_msgid(&core->tags);
}

const char *
tags_time(struct core *core)
{
	return event_time(core);
}

void
tags_message_peer(struct core *core, const struct client *source, const char *msgid,
    const char *time, const char *client)
{
	struct tags_event	*ev = &core->tags;
	size_t			 len = strlen(client);

	tags_message(core, source, true);
	snprintf(ev->msgid, sizeof(ev->msgid), "%s", msgid);
	if (time[0] != '\0')
		snprintf(ev->time, sizeof(ev->time), "%s", time);
	if (len >= sizeof(ev->client))
		len = 0;
	memcpy(ev->client, client, len);
	ev->client[len] = '\0';
	ev->client_len = len;
}

void
tags_unlabeled(struct core *core, bool on)
{
	core->tags.unlabeled = on;
}

/* The tag groups cl gets for what is being sent now. */
static unsigned
tags_bits(const struct core *core, const struct client *cl)
{
	const struct tags_event	*ev = &core->tags;
	unsigned		 bits = 0;

	if (cl->caps & CAP_BIT(CAP_SERVER_TIME))
		bits |= TAGS_TIME;
	if (ev->message) {
		if (cl->caps & CAP_BIT(CAP_MESSAGE_TAGS))
			bits |= TAGS_MESSAGE;
		if ((cl->caps & CAP_BIT(CAP_ACCOUNT_TAG)) && ev->account != NULL)
			bits |= TAGS_ACCOUNT;
	}
	return bits;
}

/* Output bounded by cap bytes; the caller sized dst for the longest case, so a cut
 * only guards against a bug. */
static size_t
put(char *dst, size_t off, size_t cap, const char *s, size_t n)
{
	if (off > cap || n > cap - off)
		return cap;
	memcpy(dst + off, s, n);
	return off + n;
}

/* Add "key=value" (value already escaped), after a ';' unless it is the first. */
static size_t
put_tag(char *dst, size_t off, size_t cap, const char *key, const char *value)
{
	if (off > 0)
		off = put(dst, off, cap, ";", 1);
	off = put(dst, off, cap, key, strlen(key));
	if (value == NULL || value[0] == '\0')
		return off;
	off = put(dst, off, cap, "=", 1);
	return put(dst, off, cap, value, strlen(value));
}

/* The tag data for bits (no '@', no space) into dst; server tags first, as message-tags
 * requires, so the client's never push them out.  Returns its length. */
static size_t
tags_data(struct core *core, unsigned bits, char *dst, size_t cap)
{
	struct tags_event	*ev = &core->tags;
	char			 account[2 * MSG_BODY_MAX + 1];
	size_t			 off = 0;

	if (bits & TAGS_TIME)
		off = put_tag(dst, off, cap, "time", event_time(core));
	if ((bits & TAGS_ACCOUNT) && ev->account != NULL) {
		msg_tag_escape(account, sizeof(account), ev->account);
		off = put_tag(dst, off, cap, "account", account);
	}
	if (bits & TAGS_MESSAGE) {
		off = put_tag(dst, off, cap, "msgid", event_msgid(ev));
		/* bot-mode: a bare "bot" tag, for clients with message-tags. */
		if (ev->bot)
			off = put_tag(dst, off, cap, "bot", NULL);
		if (ev->client_len > 0)
			off = put_tag(dst, off, cap, ev->client, NULL);
	}
	if (off < cap)
		dst[off] = '\0';
	return off;
}

/* "@first;data line" into dst (TAGS_LINE_MAX bytes); first and data may be empty, and
 * with both empty the line is copied as it is.  Returns the length. */
static size_t
tags_build(char *dst, const char *first, const char *data, size_t dlen, const char *line,
    size_t len)
{
	size_t	off = 0, cap = TAGS_LINE_MAX - 1;

	if (first[0] != '\0' || dlen > 0) {
		off = put(dst, off, cap, "@", 1);
		off = put(dst, off, cap, first, strlen(first));
		if (first[0] != '\0' && dlen > 0)
			off = put(dst, off, cap, ";", 1);
		off = put(dst, off, cap, data, dlen);
		off = put(dst, off, cap, " ", 1);
	}
	off = put(dst, off, cap, line, len);
	return off;
}

static void
queue(struct core *core, struct client *cl, const char *buf, size_t len)
{
	core->out.queue(core->out.ctx, cl->conn, buf, len);
}

/* Send line to cl with the tag first ("" for none) and the pre-formatted data. */
static void
emit(struct core *core, struct client *cl, const char *first, const char *data,
    size_t dlen, const char *line, size_t len)
{
	char	*buf = core->tags.line;

	queue(core, cl, buf, tags_build(buf, first, data, dlen, line, len));
}

/* Send line to cl inside the open labeled-response batch, with the tags of bits. */
static void
emit_batched(struct core *core, struct client *cl, const char *data, size_t dlen,
    const char *line, size_t len)
{
	char	first[sizeof(core->tags.batch) + 8];

	snprintf(first, sizeof(first), "batch=%s", core->tags.batch);
	emit(core, cl, first, data, dlen, line, len);
}

/* A line of the server's own (BATCH, ACK) to cl, after first and cl's time tag. */
static void
emit_server(struct core *core, struct client *cl, const char *first, const char *body,
    size_t len)
{
	char	data[64];
	size_t	dlen;

	dlen = tags_data(core, tags_bits(core, cl) & TAGS_TIME, data, sizeof(data));
	emit(core, cl, first, data, dlen, body, len);
}

/* A second line for the requester: open the batch and send the held line in it. */
static void
label_open_batch(struct core *core, struct client *cl)
{
	struct tags_event	*ev = &core->tags;
	char			 first[sizeof(ev->label) + 8];
	char			 body[MSG_BODY_MAX + 1];
	size_t			 len;

	snprintf(ev->batch, sizeof(ev->batch), "%" PRIx64, ++ev->batch_next);
	snprintf(first, sizeof(first), "label=%s", ev->label);
	len = format_line(body, ":%s BATCH +%s labeled-response", core->cfg.server_name,
	    ev->batch);
	emit_server(core, cl, first, body, len);
	emit_batched(core, cl, ev->held_tags, ev->held_tags_len, ev->held, ev->held_len);
	ev->label_state = TAGS_LABEL_BATCH;
}

/* A line for the labeled requester: hold the first, batch from the second on. */
static void
label_collect(struct core *core, struct client *cl, unsigned bits, const char *line,
    size_t len)
{
	struct tags_event	*ev = &core->tags;
	size_t			 dlen;

	switch (ev->label_state) {
	case TAGS_LABEL_NONE:
		ev->held_tags_len = tags_data(core, bits, ev->held_tags,
		    sizeof(ev->held_tags));
		if (len > sizeof(ev->held) - 1)
			len = sizeof(ev->held) - 1;
		memcpy(ev->held, line, len);
		ev->held_len = len;
		ev->label_state = TAGS_LABEL_HELD;
		return;
	case TAGS_LABEL_HELD:
		label_open_batch(core, cl);
		break;
	case TAGS_LABEL_BATCH:
		break;
	}
	dlen = tags_data(core, bits, ev->data, sizeof(ev->data));
	emit_batched(core, cl, ev->data, dlen, line, len);
}

void
tags_label_end(struct core *core, struct client *cl)
{
	struct tags_event	*ev = &core->tags;
	char			 first[sizeof(ev->label) + 8];
	char			 body[MSG_BODY_MAX + 1];
	size_t			 len;

	if (ev->labeled == NULL || ev->labeled != cl)
		return;
	ev->labeled = NULL;
	snprintf(first, sizeof(first), "label=%s", ev->label);
	switch (ev->label_state) {
	case TAGS_LABEL_NONE:
		len = format_line(body, ":%s ACK", core->cfg.server_name);
		emit_server(core, cl, first, body, len);
		break;
	case TAGS_LABEL_HELD:
		emit(core, cl, first, ev->held_tags, ev->held_tags_len, ev->held,
		    ev->held_len);
		break;
	case TAGS_LABEL_BATCH:
		len = format_line(body, ":%s BATCH -%s", core->cfg.server_name, ev->batch);
		emit_server(core, cl, "", body, len);
		break;
	}
}

void
tags_event_end(struct core *core)
{
	struct tags_event	*ev = &core->tags;

	if (ev->labeled != NULL)
		tags_label_end(core, ev->labeled);
	ev->message = false;
	ev->unlabeled = false;
	ev->client_len = 0;
	ev->client[0] = '\0';
}

void
tags_forget(struct core *core, const struct client *cl)
{
	if (core->tags.labeled == cl)
		core->tags.labeled = NULL;
}

void
tags_send(struct core *core, struct client *cl, const char *line, size_t len)
{
	struct tags_event	*ev = &core->tags;
	unsigned		 bits = tags_bits(core, cl);
	size_t			 dlen;

	if (cl == ev->labeled && !ev->unlabeled) {
		label_collect(core, cl, bits, line, len);
		return;
	}
	if (bits == 0) {
		queue(core, cl, line, len);
		return;
	}
	dlen = tags_data(core, bits, ev->data, sizeof(ev->data));
	emit(core, cl, "", ev->data, dlen, line, len);
}

void
tags_send_plain_conn(struct core *core, struct client *cl, const char *first,
    const char *line, size_t len)
{
	struct tags_event	*ev = &core->tags;
	size_t			 dlen;

	if (!cl->local || (cl->flags & CLIENT_HOLLOW))
		return;
	dlen = tags_data(core, tags_bits(core, cl) & ~(unsigned)TAGS_MESSAGE, ev->data,
	    sizeof(ev->data));
	emit(core, cl, first, ev->data, dlen, line, len);
}

void
tags_send_plain(struct core *core, struct client *cl, const char *first,
    const char *line, size_t len)
{
	/* As send_line: what the running command queues for its client counts and goes
	 * to the asking connection; any other line to each of the user's connections. */
	if (cl == core->running) {
		core->running_bytes += len;
		tags_send_plain_conn(core, core->session != NULL ? core->session : cl,
		    first, line, len);
		return;
	}
	tags_send_plain_conn(core, cl, first, line, len);
	for (size_t i = 0; i < cl->sessions.len; i++)
		tags_send_plain_conn(core, cl->sessions.items[i], first, line, len);
}

void
tags_send_cached(struct core *core, struct tags_cache *tc, struct client *cl,
    const char *line, size_t len)
{
	struct tags_event	*ev = &core->tags;
	unsigned		 bits;
	size_t			 dlen;

	if (cl == ev->labeled) {
		tags_send(core, cl, line, len);
		return;
	}
	bits = tags_bits(core, cl);
	if (bits == 0) {
		queue(core, cl, line, len);
		return;
	}
	if (tc->len[bits] == 0) {
		dlen = tags_data(core, bits, ev->data, sizeof(ev->data));
		tc->len[bits] = tags_build(ev->variant[bits], "", ev->data, dlen, line, len);
	}
	queue(core, cl, ev->variant[bits], tc->len[bits]);
}
