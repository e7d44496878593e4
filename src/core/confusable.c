/*
 * Confusable nicks: the skeleton table of an rfc8265 core.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/casemap_utf8.h"
#include "core/client.h"
#include "core/confusable.h"
#include "core/core.h"
#include "core/services.h"

/* A skeleton may be longer than its nick ("m" is "rn"). */
#define SKELETON_MAX	(CLIENT_NICK_MAX * 8)

/* The services' nicks are taken too: their skeletons stand in the map, with the
 * service as the value and a key of their own. */
static const struct service *const services[] = { &nickserv, &chanserv };

static bool
is_service(const void *value)
{
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (value == services[i])
			return true;
	return false;
}

int
confusable_init(struct core *core)
{
	char	 skel[SKELETON_MAX];
	char	*key;

	if (core->cfg.casemapping != CASEMAP_RFC8265)
		return 0;
	/* Skeletons are case-folded already: the map folds them again only to compare. */
	map_set_casemap(&core->skeletons, CASEMAP_RFC8265);
	if ((core->skel = casemap_skel_open()) == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		if (casemap_skeleton(core->skel, skel, sizeof(skel), services[i]->nick) == -1 ||
		    (key = strdup(skel)) == NULL)
			return -1;
		if (map_put(&core->skeletons, key, (void *)(uintptr_t)services[i]) == -1) {
			free(key);
			return -1;
		}
	}
	return 0;
}

void
confusable_free(struct core *core)
{
	size_t		 pos = 0;
	const char	*key;
	void		*value;

	/* The clients' skeletons went with them; the services' are left. */
	while (map_next(&core->skeletons, &pos, &key, &value))
		if (is_service(value))
			free((char *)(uintptr_t)key);
	map_clear(&core->skeletons);
	casemap_skel_close(core->skel);
	core->skel = NULL;
}

bool
confusable_taken(struct core *core, const struct client *cl, const char *nick)
{
	char		 skel[SKELETON_MAX];
	struct client	*other;

	if (core->skel == NULL || casemap_skeleton(core->skel, skel, sizeof(skel),
	    nick) == -1)
		return false;
	other = map_get(&core->skeletons, skel);
	return other != NULL && other != cl;
}

void
confusable_track(struct core *core, struct client *cl)
{
	char	skel[SKELETON_MAX];

	confusable_forget(core, cl);
	if (core->skel == NULL || casemap_skeleton(core->skel, skel, sizeof(skel),
	    cl->nick) == -1 || (cl->skeleton = strdup(skel)) == NULL)
		return;
	/* A nick that came in past NICK's check (a restored always-on user) may share
	 * one: the first keeps it. */
	if (map_get(&core->skeletons, skel) != NULL ||
	    map_put(&core->skeletons, cl->skeleton, cl) == -1) {
		free(cl->skeleton);
		cl->skeleton = NULL;
	}
}

void
confusable_forget(struct core *core, struct client *cl)
{
	if (cl->skeleton == NULL)
		return;
	if (map_get(&core->skeletons, cl->skeleton) == cl)
		map_del(&core->skeletons, cl->skeleton);
	free(cl->skeleton);
	cl->skeleton = NULL;
}
