/*
 * draft/metadata-2 in memory: METADATA target GET | LIST | SET | CLEAR | SUB | UNSUB |
 * SUBS | SYNC, its numerics (761, 766, 768, 770-772) and FAIL METADATA codes, the
 * metadata batches, and METADATA notifications to subscribed clients.  Users set their
 * own keys, channel operators their channel's.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/casemap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/command.h"
#include "core/core.h"
#include "core/metadata.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/session.h"

struct metadata_entry {
	char	*key;		/* lower case */
	char	*value;
};

void
metadata_clear(struct vec *entries)
{
	for (size_t i = 0; i < entries->len; i++) {
		struct metadata_entry	*e = entries->items[i];

		free(e->key);
		free(e->value);
		free(e);
	}
	vec_clear(entries);
}

/* A key name: 1..METADATA_KEY_MAX of A-Za-z0-9_.:- not starting with ':'; folded to
 * lower case into out. */
static bool
metadata_key(const char *key, char out[METADATA_KEY_MAX + 1])
{
	size_t	n = strlen(key);

	if (n == 0 || n > METADATA_KEY_MAX || key[0] == ':' ||
	    strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.:-") != n)
		return false;
	for (size_t i = 0; i <= n; i++)
		out[i] = (char)tolower((unsigned char)key[i]);
	return true;
}

static struct metadata_entry *
metadata_find(const struct vec *entries, const char *key, size_t *at)
{
	for (size_t i = 0; i < entries->len; i++) {
		struct metadata_entry	*e = entries->items[i];

		if (strcmp(e->key, key) == 0) {
			if (at != NULL)
				*at = i;
			return e;
		}
	}
	return NULL;
}

static bool
metadata_subscribed(const struct client *cl, const char *key)
{
	for (size_t i = 0; i < cl->metadata_subs.len; i++)
		if (strcmp(cl->metadata_subs.items[i], key) == 0)
			return true;
	return false;
}

/* FAIL METADATA code params :text (params: one or two words, already checked). */
static void
metadata_fail(struct core *core, struct client *cl, const char *code,
    const char *params, const char *text)
{
	send_fmt(core, cl, ":%s FAIL METADATA %s %s :%s", core->cfg.server_name, code,
	    params, text);
}

/* A word of the client's that may go back as a middle parameter, or "*". */
static const char *
metadata_word(const char *s)
{
	return s[0] != '\0' && s[0] != ':' && strchr(s, ' ') == NULL ? s : "*";
}

/* A metadata batch around the replies to one command (only with batch negotiated;
 * lines inside it bypass any label, which metadata_begin took). */
struct metadata_batch {
	char	 first[32];	/* "batch=ID", or "" without a batch */
	char	 id[24];
};

static void
metadata_begin(struct core *core, struct client *cl, struct metadata_batch *b)
{
	char	label[2 * TAGS_LABEL_MAX + 1];
	char	line[MSG_BODY_MAX + 1];
	size_t	len;

	tags_label_take(core, cl, label, sizeof(label));
	b->first[0] = '\0';
	if (!(session_caps(core, cl) & CAP_BIT(CAP_BATCH)))
		return;
	snprintf(b->id, sizeof(b->id), "md%" PRIx64, ++core->serial);
	snprintf(b->first, sizeof(b->first), "batch=%s", b->id);
	len = format_line(line, ":%s BATCH +%s metadata", core->cfg.server_name, b->id);
	tags_send_plain(core, cl, "", line, len);
}

static void
metadata_end(struct core *core, struct client *cl, const struct metadata_batch *b)
{
	char	line[MSG_BODY_MAX + 1];
	size_t	len;

	if (b->first[0] == '\0')
		return;
	len = format_line(line, ":%s BATCH -%s", core->cfg.server_name, b->id);
	tags_send_plain(core, cl, "", line, len);
}

/* One line of a batch: "@batch=ID :server fmt..." */
static void
metadata_put(struct core *core, struct client *cl, const struct metadata_batch *b,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
metadata_put(struct core *core, struct client *cl, const struct metadata_batch *b,
    const char *fmt, ...)
{
	char	body[MSG_BODY_MAX], line[MSG_BODY_MAX + 1];
	size_t	len;
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	len = format_line(line, ":%s %s", core->cfg.server_name, body);
	tags_send_plain(core, cl, b->first, line, len);
}

/* ":source METADATA target key * [:value]" to one client. */
static void
metadata_notify_one(struct core *core, struct client *to, const char *source,
    const char *target, const char *key, const char *value,
    const struct metadata_batch *b)
{
	char	line[MSG_BODY_MAX + 1];
	size_t	len;

	if (value != NULL)
		len = format_msg(line, sizeof(line), source, "METADATA", 4, target, key, "*",
		    value);
	else
		len = format_msg(line, sizeof(line), source, "METADATA", 3, target, key, "*");
	if (b != NULL)
		tags_send_plain(core, to, b->first, line, len);
	else
		send_user_caps(core, to, CAP_BIT(CAP_METADATA), line, len);
}

/* Whether one of user to's connections (multiclient: its own, its sessions') has the
 * capability; metadata_notify_one() sends to those alone. */
static bool
metadata_capable(const struct client *to)
{
	if (!(to->flags & CLIENT_HOLLOW) && (to->caps & CAP_BIT(CAP_METADATA)))
		return true;
	for (size_t i = 0; i < to->sessions.len; i++)
		if (((struct client *)to->sessions.items[i])->caps & CAP_BIT(CAP_METADATA))
			return true;
	return false;
}

/* Whether to hears about a change of key: the capability and a subscription. */
static bool
metadata_hears(const struct client *to, const char *key)
{
	return metadata_capable(to) && metadata_subscribed(to, key);
}

/* A change of key on a user (ch NULL: who) or a channel, by setter: every client that
 * receives updates for the target and subscribed to key, the setter aside. */
static void
metadata_changed(struct core *core, struct client *setter, struct client *who,
    struct channel *ch, const char *key, const char *value)
{
	char		 source[CLIENT_PREFIX_MAX];
	uint64_t	 serial;

	/* cluster: every node keeps the keys; each tells its own subscribers */
	if (core->cluster != NULL && setter->local)
		peer_send_metadata(core, setter, who, ch, key, value);
	serial = ++core->serial;
	client_prefix(setter, source, sizeof(source));
	setter->seen = serial;
	if (ch != NULL) {
		for (size_t i = 0; i < ch->members.len; i++) {
			struct client	*to = ((struct member *)ch->members.items[i])->client;

			if (to != setter && metadata_hears(to, key))
				metadata_notify_one(core, to, source, ch->name, key, value,
				    NULL);
		}
		return;
	}
	for (size_t i = 0; i < who->channels.len; i++) {
		struct channel	*c = ((struct member *)who->channels.items[i])->channel;

		for (size_t j = 0; j < c->members.len; j++) {
			struct client	*to = ((struct member *)c->members.items[j])->client;

			if (to->seen == serial)
				continue;
			to->seen = serial;
			if (metadata_hears(to, key))
				metadata_notify_one(core, to, source, who->nick, key, value,
				    NULL);
		}
	}
}

/* The target of a METADATA command: cl itself ("*" or its nick), another user, or a
 * channel cl may see.  NULL after FAIL METADATA INVALID_TARGET. */
static struct vec *
metadata_target(struct core *core, struct client *cl, const char *name,
    struct client **who, struct channel **ch)
{
	*who = NULL;
	*ch = NULL;
	if (strcmp(name, "*") == 0) {
		*who = cl;
		return &cl->metadata;
	}
	if (name[0] == '#') {
		if ((*ch = channel_find_visible(core, name, cl)) != NULL)
			return &(*ch)->metadata;
	} else if ((*who = client_find(core, name)) != NULL &&
	    (*who)->state == CLIENT_REGISTERED)
		return &(*who)->metadata;
	metadata_fail(core, cl, "INVALID_TARGET", metadata_word(name),
	    "invalid metadata target");
	return NULL;
}

/* Whether cl may change the target's keys: its own, or a channel it is operator of. */
static bool
metadata_may_set(const struct client *cl, const struct client *who,
    const struct channel *ch)
{
	const struct member	*mb;

	if (ch == NULL)
		return who == cl;
	mb = channel_member(ch, cl);
	return mb != NULL && (mb->modes & MEMBER_OP);
}

/* SET key [value]: 761 with the new value (none when deleted). */
static void
metadata_set(struct core *core, struct client *cl, struct msg *m, struct vec *v,
    struct client *who, struct channel *ch, const char *tname)
{
	char			 key[METADATA_KEY_MAX + 1], params[CHANNEL_NAME_MAX + 80];
	const char		*value = m->nparams > 3 ? m->params[3] : NULL;
	struct metadata_entry	*e;
	size_t			 at;
	char			*copy;

	if (m->nparams < 3) {
		send_reply(core, cl, ERR_NEEDMOREPARAMS, "METADATA");
		return;
	}
	if (!metadata_key(m->params[2], key)) {
		metadata_fail(core, cl, "INVALID_KEY", metadata_word(m->params[2]),
		    "invalid key");
		return;
	}
	snprintf(params, sizeof(params), "%s %s", tname, key);
	if (!metadata_may_set(cl, who, ch)) {
		metadata_fail(core, cl, "KEY_NO_PERMISSION", params, "permission denied");
		return;
	}
	e = metadata_find(v, key, &at);
	if (value == NULL || value[0] == '\0') {
		if (e == NULL) {
			send_numeric(core, cl, ERR_KEYNOTSET, "%s %s :key not set", tname,
			    key);
			return;
		}
		free(e->key);
		free(e->value);
		free(e);
		vec_remove_at(v, at);
		send_numeric(core, cl, RPL_KEYVALUE, "%s %s *", tname, key);
		metadata_changed(core, cl, who, ch, key, NULL);
		return;
	}
	if (strlen(value) > METADATA_VALUE_MAX) {
		metadata_fail(core, cl, "VALUE_INVALID", metadata_word(key),
		    "value too long");
		return;
	}
	if (e == NULL && v->len >= METADATA_MAX_KEYS) {
		metadata_fail(core, cl, "LIMIT_REACHED", tname, "metadata limit reached");
		return;
	}
	if ((copy = strdup(value)) == NULL)
		goto nomem;
	if (e == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL || (e->key = strdup(key)) == NULL ||
		    vec_push(v, e) == -1) {
			if (e != NULL)
				free(e->key);
			free(e);
			free(copy);
			goto nomem;
		}
	}
	free(e->value);
	e->value = copy;
	send_numeric(core, cl, RPL_KEYVALUE, "%s %s * :%s", tname, key, copy);
	metadata_changed(core, cl, who, ch, key, copy);
	return;
nomem:
	send_numeric(core, cl, ERR_UNKNOWNERROR, "METADATA " NUMERIC_NOMEM);
}

/* GET key...: in a batch, 761 or 766 (or FAIL INVALID_KEY) for each key in order. */
static void
metadata_get(struct core *core, struct client *cl, struct msg *m, struct vec *v,
    const char *tname)
{
	struct metadata_batch	 b;
	char			 key[METADATA_KEY_MAX + 1];

	if (m->nparams < 3) {
		send_reply(core, cl, ERR_NEEDMOREPARAMS, "METADATA");
		return;
	}
	metadata_begin(core, cl, &b);
	for (unsigned i = 2; i < m->nparams; i++) {
		struct metadata_entry	*e;

		if (!metadata_key(m->params[i], key)) {
			metadata_put(core, cl, &b, "FAIL METADATA INVALID_KEY %s :invalid key",
			    metadata_word(m->params[i]));
		} else if ((e = metadata_find(v, key, NULL)) == NULL) {
			metadata_put(core, cl, &b, "%s %s %s %s :no matching key",
			    numeric_code(ERR_NOMATCHINGKEY), cl->nick, tname, key);
		} else
			metadata_put(core, cl, &b, "%s %s %s %s * :%s",
			    numeric_code(RPL_KEYVALUE), cl->nick, tname, key, e->value);
	}
	metadata_end(core, cl, &b);
}

/* LIST, and CLEAR after deleting (a batch of 761s); SYNC (a batch of METADATA). */
static void
metadata_list(struct core *core, struct client *cl, struct vec *v, const char *tname,
    bool values)
{
	struct metadata_batch	b;

	metadata_begin(core, cl, &b);
	for (size_t i = 0; i < v->len; i++) {
		struct metadata_entry	*e = v->items[i];

		if (values)
			metadata_put(core, cl, &b, "%s %s %s %s * :%s",
			    numeric_code(RPL_KEYVALUE), cl->nick, tname, e->key, e->value);
		else
			metadata_put(core, cl, &b, "%s %s %s %s *",
			    numeric_code(RPL_KEYVALUE), cl->nick, tname, e->key);
	}
	metadata_end(core, cl, &b);
}

static void
metadata_clear_cmd(struct core *core, struct client *cl, struct vec *v,
    struct client *who, struct channel *ch, const char *tname)
{
	char	params[CHANNEL_NAME_MAX + 4];

	if (!metadata_may_set(cl, who, ch)) {
		snprintf(params, sizeof(params), "%s *", tname);
		metadata_fail(core, cl, "KEY_NO_PERMISSION", params, "permission denied");
		return;
	}
	metadata_list(core, cl, v, tname, false);
	for (size_t i = 0; i < v->len; i++)
		metadata_changed(core, cl, who, ch,
		    ((struct metadata_entry *)v->items[i])->key, NULL);
	metadata_clear(v);
}

/* Send "NUM nick :k1 k2..." lines for a list of keys, several to a line. */
static void
metadata_keys_reply(struct core *core, struct client *cl, enum numeric num,
    char *const *keys, size_t n)
{
	char	list[MSG_BODY_MAX];
	size_t	len = 0;

	for (size_t i = 0; i < n; i++) {
		size_t	klen = strlen(keys[i]);

		if (len > 0 && len + 1 + klen > 300) {
			send_numeric(core, cl, num, ":%.*s", (int)len, list);
			len = 0;
		}
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
		    len > 0 ? " " : "", keys[i]);
	}
	if (len > 0)
		send_numeric(core, cl, num, ":%.*s", (int)len, list);
}

/* SUB / UNSUB key...: 770 / 771 with the keys taken, FAIL INVALID_KEY for bad ones,
 * FAIL TOO_MANY_SUBS naming the first key over maxsub (the rest are not looked at). */
static void
metadata_sub(struct core *core, struct client *cl, struct msg *m, bool sub)
{
	char	*done[MSG_MAX_PARAMS];
	char	 keys[MSG_MAX_PARAMS][METADATA_KEY_MAX + 1];
	size_t	 ndone = 0, at;

	for (unsigned i = 2; i < m->nparams; i++) {
		char	*key = keys[ndone];

		if (!metadata_key(m->params[i], key)) {
			metadata_fail(core, cl, "INVALID_KEY", metadata_word(m->params[i]),
			    "invalid key");
			continue;
		}
		at = cl->metadata_subs.len;
		for (size_t j = 0; j < cl->metadata_subs.len; j++)
			if (strcmp(cl->metadata_subs.items[j], key) == 0)
				at = j;
		if (!sub && at < cl->metadata_subs.len) {
			free(cl->metadata_subs.items[at]);
			vec_remove_at(&cl->metadata_subs, at);
		} else if (sub && at == cl->metadata_subs.len) {
			char	*copy;

			if (cl->metadata_subs.len >= METADATA_MAX_SUBS) {
				metadata_fail(core, cl, "TOO_MANY_SUBS", key,
				    "too many subscriptions");
				break;
			}
			if ((copy = strdup(key)) == NULL ||
			    vec_push(&cl->metadata_subs, copy) == -1) {
				free(copy);
				break;
			}
		}
		done[ndone++] = key;
	}
	metadata_keys_reply(core, cl, sub ? RPL_METADATASUBOK : RPL_METADATAUNSUBOK, done,
	    ndone);
}

/* The subscribed keys of one target's list, as METADATA lines in batch b. */
static void
metadata_sync_one(struct core *core, struct client *cl, const struct vec *v,
    const char *tname, const struct metadata_batch *b)
{
	for (size_t i = 0; i < v->len; i++) {
		const struct metadata_entry	*e = v->items[i];

		if (metadata_subscribed(cl, e->key))
			metadata_notify_one(core, cl, core->cfg.server_name, tname, e->key,
			    e->value, b);
	}
}

/* SYNC: the subscribed keys of the target, and of a channel's members. */
static void
metadata_sync(struct core *core, struct client *cl, struct vec *v, struct channel *ch,
    const char *tname)
{
	struct metadata_batch	b;

	metadata_begin(core, cl, &b);
	metadata_sync_one(core, cl, v, tname, &b);
	for (size_t i = 0; ch != NULL && i < ch->members.len; i++) {
		struct client	*who = ((struct member *)ch->members.items[i])->client;

		metadata_sync_one(core, cl, &who->metadata, who->nick, &b);
	}
	metadata_end(core, cl, &b);
}

void
metadata_join(struct core *core, struct client *cl, struct channel *ch)
{
	char	source[CLIENT_PREFIX_MAX];

	if ((session_caps(core, cl) & CAP_BIT(CAP_METADATA)) &&
	    cl->metadata_subs.len > 0)
		metadata_sync(core, cl, &ch->metadata, ch, ch->name);
	if (cl->metadata.len == 0)
		return;
	client_prefix(cl, source, sizeof(source));
	for (size_t i = 0; i < ch->members.len; i++) {
		struct client	*to = ((struct member *)ch->members.items[i])->client;

		if (to == cl || !metadata_capable(to))
			continue;
		for (size_t j = 0; j < cl->metadata.len; j++) {
			struct metadata_entry	*e = cl->metadata.items[j];

			if (metadata_subscribed(to, e->key))
				metadata_notify_one(core, to, source, cl->nick, e->key,
				    e->value, NULL);
		}
	}
}

void
metadata_cap_acked(struct core *core, struct client *cl)
{
	struct metadata_batch	b;

	metadata_begin(core, cl, &b);
	metadata_end(core, cl, &b);
}

/* METADATA target subcommand [params]: for clients with draft/metadata-2 (to the
 * others an unknown command). */
void
cmd_metadata(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const char	*sub = m->params[1];
	struct client	*who;
	struct channel	*ch;
	struct vec	*v;
	const char	*tname;

	(void)now;
	if (!(session_caps(core, cl) & CAP_BIT(CAP_METADATA))) {
		send_reply(core, cl, ERR_UNKNOWNCOMMAND, "%s", m->verb);
		return;
	}
	if (strcasecmp(sub, "SUB") == 0 || strcasecmp(sub, "UNSUB") == 0) {
		metadata_sub(core, cl, m, strcasecmp(sub, "SUB") == 0);
		return;
	}
	if (strcasecmp(sub, "SUBS") == 0) {
		metadata_keys_reply(core, cl, RPL_METADATASUBS,
		    (char *const *)cl->metadata_subs.items, cl->metadata_subs.len);
		return;
	}
	if (strcasecmp(sub, "GET") != 0 && strcasecmp(sub, "LIST") != 0 &&
	    strcasecmp(sub, "SET") != 0 && strcasecmp(sub, "CLEAR") != 0 &&
	    strcasecmp(sub, "SYNC") != 0) {
		metadata_fail(core, cl, "INVALID_SUBCOMMAND", metadata_word(sub),
		    "invalid subcommand");
		return;
	}
	if ((v = metadata_target(core, cl, m->params[0], &who, &ch)) == NULL)
		return;
	tname = ch != NULL ? ch->name : who->nick;
	if (strcasecmp(sub, "GET") == 0)
		metadata_get(core, cl, m, v, tname);
	else if (strcasecmp(sub, "LIST") == 0)
		metadata_list(core, cl, v, tname, true);
	else if (strcasecmp(sub, "SET") == 0)
		metadata_set(core, cl, m, v, who, ch, tname);
	else if (strcasecmp(sub, "CLEAR") == 0)
		metadata_clear_cmd(core, cl, v, who, ch, tname);
	else
		metadata_sync(core, cl, v, ch, tname);
}

void
metadata_peer(struct core *core, struct client *setter, struct client *who,
    struct channel *ch, const char *key, const char *value)
{
	struct vec		*v = ch != NULL ? &ch->metadata : &who->metadata;
	struct metadata_entry	*e;
	char			 name[METADATA_KEY_MAX + 1];
	char			*copy = NULL;
	size_t			 at;

	if (!metadata_key(key, name) || (value != NULL &&
	    strlen(value) > METADATA_VALUE_MAX))
		return;
	e = metadata_find(v, name, &at);
	if (value == NULL) {
		if (e == NULL)
			return;
		free(e->key);
		free(e->value);
		free(e);
		vec_remove_at(v, at);
	} else {
		if ((e == NULL && v->len >= METADATA_MAX_KEYS) ||
		    (copy = strdup(value)) == NULL)
			return;
		if (e == NULL && ((e = calloc(1, sizeof(*e))) == NULL ||
		    (e->key = strdup(name)) == NULL || vec_push(v, e) == -1)) {
			if (e != NULL)
				free(e->key);
			free(e);
			free(copy);
			return;
		}
		free(e->value);
		e->value = copy;
	}
	metadata_changed(core, setter, who, ch, name, value);
}

void
metadata_each(const struct vec *entries, void (*fn)(void *ctx, const char *key,
    const char *value), void *ctx)
{
	for (size_t i = 0; i < entries->len; i++) {
		const struct metadata_entry	*e = entries->items[i];

		fn(ctx, e->key, e->value);
	}
}
