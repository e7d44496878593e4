/*
 * Read markers in the core (history.h): every account's marker for every target, from
 * the store's load at start and each MARKREAD since, so that a get and the MARKREAD
 * after a JOIN never wait on the disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cap.h"
#include "core/casemap.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/core.h"
#include "core/history.h"
#include "core/names.h"
#include "core/reply.h"
#include "core/server.h"
#include "core/session.h"
#include "core/tags.h"

/* A read marker in core->history.markers, its key inside it. */
struct history_mark {
	int64_t	time;
	char	key[ACCOUNT_NAME_MAX + 1 + CONFIG_CHANNELLEN_MAX + 1];
};

void
history_init(struct core *core, const uint8_t *hash_key)
{
	map_init(&core->history.markers, hash_key);
}

static void
marker_key(char *key, size_t cap, const char *account, const char *target)
{
	snprintf(key, cap, "%s %s", account, target);
}

int64_t
history_marker(const struct core *core, const char *account, const char *target)
{
	char			 key[sizeof(((struct history_mark *)0)->key)];
	struct history_mark	*mk;

	marker_key(key, sizeof(key), account, target);
	return (mk = map_get(&core->history.markers, key)) != NULL ? mk->time : 0;
}

int
history_marker_keep(struct core *core, const struct history_marker *m)
{
	struct history_mark	*mk;
	char			 key[sizeof(mk->key)];

	marker_key(key, sizeof(key), m->account, m->target);
	if ((mk = map_get(&core->history.markers, key)) != NULL) {
		if (m->time > mk->time)
			mk->time = m->time;
		return 0;
	}
	if ((mk = calloc(1, sizeof(*mk))) == NULL)
		return -1;
	mk->time = m->time;
	memcpy(mk->key, key, sizeof(key));
	if (map_put(&core->history.markers, mk->key, mk) == -1) {
		free(mk);
		return -1;
	}
	return 0;
}

void
history_markers_free(struct core *core)
{
	size_t		 pos = 0;
	const char	*key;
	void		*mk;

	while (map_next(&core->history.markers, &pos, &key, &mk))
		free(mk);
	map_clear(&core->history.markers);
}

int
core_restore_marker(struct core *core, const struct history_marker *m)
{
	return history_marker_keep(core, m);
}

void
history_join_marker(struct core *core, struct client *cl, const struct channel *ch)
{
	char	account[ACCOUNT_NAME_MAX + 1], target[CONFIG_CHANNELLEN_MAX + 1];
	char	when[48] = "*";
	int64_t	time = 0;

	/* multiclient: the caps of the connection it answers (session.h). */
	if (!(session_caps(core, cl) & CAP_BIT(CAP_READ_MARKER)))
		return;
	if (cl->account[0] != '\0') {
		names_fold(core, account, sizeof(account), cl->account);
		names_fold(core, target, sizeof(target), ch->name);
		time = history_marker(core, account, target);
	}
	if (time > 0) {
		memcpy(when, "timestamp=", 10);
		tags_time_format(when + 10, sizeof(when) - 10, time);
	}
	send_fmt(core, cl, ":%s MARKREAD %s %s", core->cfg.server_name, ch->name, when);
}
