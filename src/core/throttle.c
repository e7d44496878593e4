/*
 * Failure counting per name with a sliding window (throttle.h): a clock per name, like
 * flood control's, kept in a map and on a list in the order they last failed, so that
 * the names whose clocks ran down are dropped from the front as new failures come.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/throttle.h"

struct throttle_entry {
	struct list	link;		/* on throttle.lru */
	int64_t		clock;		/* blocked while clock - now reaches the limit */
	int64_t		last;		/* the last failure */
	char		name[THROTTLE_NAME_MAX + 1];
};

void
throttle_init(struct throttle *t, const uint8_t key[MAP_KEY_LEN])
{
	map_init(&t->map, key);
	list_init(&t->lru);
}

static void
throttle_drop(struct throttle *t, struct throttle_entry *e)
{
	map_del(&t->map, e->name);
	list_del(&e->link);
	free(e);
}

void
throttle_clear(struct throttle *t)
{
	while (!list_empty(&t->lru))
		throttle_drop(t, list_entry(t->lru.next, struct throttle_entry, link));
	map_clear(&t->map);
}

/* What one failure costs on the clock. */
static int64_t
throttle_cost(unsigned limit, int64_t window)
{
	int64_t	cost = window / (int64_t)limit;

	return cost > 0 ? cost : 1;
}

/* Drop the entries at the front whose clocks ran down: the list is in the order of
 * their last failure, and none of those is more than a window ahead of it. */
static void
throttle_expire(struct throttle *t, int64_t window, int64_t now)
{
	struct throttle_entry	*e;

	while (!list_empty(&t->lru)) {
		e = list_entry(t->lru.next, struct throttle_entry, link);
		if (e->clock > now && e->last + window > now)
			break;
		throttle_drop(t, e);
	}
}

bool
throttle_blocked(struct throttle *t, const char *name, unsigned limit, int64_t window,
    int64_t now)
{
	struct throttle_entry	*e;

	if (limit == 0)
		return false;
	throttle_expire(t, window, now);
	if ((e = map_get(&t->map, name)) == NULL)
		return false;
	return e->clock - now > (int64_t)(limit - 1) * throttle_cost(limit, window);
}

int
throttle_fail(struct throttle *t, const char *name, unsigned limit, int64_t window,
    int64_t now)
{
	struct throttle_entry	*e;

	if (limit == 0)
		return 0;
	throttle_expire(t, window, now);
	if ((e = map_get(&t->map, name)) == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return -1;
		snprintf(e->name, sizeof(e->name), "%s", name);
		if (map_put(&t->map, e->name, e) == -1) {
			free(e);
			return -1;
		}
		e->clock = now;
		list_init(&e->link);
	}
	if (e->clock < now)
		e->clock = now;
	e->clock += throttle_cost(limit, window);
	e->last = now;
	list_move_tail(&t->lru, &e->link);
	return 0;
}
