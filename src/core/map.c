/*
 * Name-keyed hash map: open addressing with linear probing over a power-of-two table.
 * A deleted slot becomes a tombstone so the probe chains through it stay intact; the
 * table is rebuilt (dropping tombstones) when live entries plus tombstones pass 70%.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/casemap.h"
#include "core/casemap_utf8.h"
#include "core/config.h"
#include "core/map.h"

_Static_assert(sizeof(((struct core_config *)0)->hash_key) == MAP_KEY_LEN,
    "core_config.hash_key is a map key");

#define MAP_MIN_CAP	8
/* SipHash-1-3: what hash tables keyed by untrusted names use (Python, Rust). */
#define MAP_CROUNDS	1
#define MAP_DROUNDS	3

/* The key of a deleted slot: only its address matters. */
static const char	map_tombstone[1];

static bool
slot_empty(const struct map_entry *e)
{
	return e->key == NULL;
}

static bool
slot_dead(const struct map_entry *e)
{
	return e->key == map_tombstone;
}

/* SipHash-1-3 of the folded bytes under the map's key, so names equal under the
 * casemapping hash alike; the words are built as the bytes are folded.  An rfc8265
 * name is folded first, and its rfc1459 fold hashed: equal names still hash alike. */
static size_t
map_hash(const struct map *m, const char *key)
{
	struct siphash		 s;
	char			 folded[CASEMAP_UTF8_FOLD_MAX];
	const unsigned char	*p = (const unsigned char *)key;
	uint64_t		 w = 0, len = 0;

	if (m->cm == CASEMAP_RFC8265) {
		casemap_utf8_fold(folded, sizeof(folded), key);
		p = (const unsigned char *)folded;
	}
	siphash_init(&s, &m->key);
	for (; *p != '\0'; p++, len++) {
		w |= (uint64_t)casemap_lower(*p) << (8 * (len & 7));
		if ((len & 7) == 7) {
			siphash_word(&s, w, MAP_CROUNDS);
			w = 0;
		}
	}
	return (size_t)siphash_end(&s, w, len, MAP_CROUNDS, MAP_DROUNDS);
}

/* The slot holding key, or NULL. */
static struct map_entry *
map_find(const struct map *m, const char *key, size_t hash)
{
	size_t	mask = m->cap - 1;

	for (size_t i = 0, at = hash & mask; i < m->cap; i++, at = (at + 1) & mask) {
		struct map_entry	*e = &m->slots[at];

		if (slot_empty(e))
			return NULL;
		if (!slot_dead(e) && e->hash == hash && (m->cm == CASEMAP_RFC1459 ?
		    casemap_eq(e->key, key) : casemap_utf8_eq(e->key, key)))
			return e;
	}
	return NULL;
}

/* Where key would go: the first tombstone or empty slot on its probe chain. */
static struct map_entry *
map_free_slot(const struct map *m, size_t hash)
{
	size_t	mask = m->cap - 1;

	for (size_t i = 0, at = hash & mask; i < m->cap; i++, at = (at + 1) & mask) {
		struct map_entry	*e = &m->slots[at];

		if (slot_empty(e) || slot_dead(e))
			return e;
	}
	return NULL;
}

static bool
map_too_full(size_t used, size_t cap)
{
	return used * 10 > cap * 7;
}

/* Rebuild the table with room for one more entry; tombstones are dropped.  The size
 * doubles only when live entries alone need it. */
static int
map_grow(struct map *m)
{
	struct map_entry	*slots;
	size_t			 cap = m->cap ? m->cap : MAP_MIN_CAP;

	while (map_too_full(m->len + 1, cap) || (m->len + 1) * 2 > cap) {
		if (cap > SIZE_MAX / 2 / sizeof(*slots))
			return -1;
		cap *= 2;
	}
	if ((slots = calloc(cap, sizeof(*slots))) == NULL)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		struct map_entry	*old = &m->slots[i];
		size_t			 at = old->hash & (cap - 1);

		if (slot_empty(old) || slot_dead(old))
			continue;
		while (!slot_empty(&slots[at]))
			at = (at + 1) & (cap - 1);
		slots[at] = *old;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	m->used = m->len;
	return 0;
}

void
map_init(struct map *m, const uint8_t key[MAP_KEY_LEN])
{
	*m = (struct map)MAP_INIT;
	siphash_key_set(&m->key, key);
}

void
map_set_casemap(struct map *m, enum casemapping cm)
{
	m->cm = cm;
}

void *
map_get(const struct map *m, const char *key)
{
	struct map_entry	*e;

	if (m->cap == 0)
		return NULL;
	e = map_find(m, key, map_hash(m, key));
	return e != NULL ? e->value : NULL;
}

int
map_put(struct map *m, const char *key, void *value)
{
	size_t			 hash = map_hash(m, key);
	struct map_entry	*e = NULL;

	if (m->cap > 0 && (e = map_find(m, key, hash)) != NULL) {
		/* The old key may live inside the old value: take the new one. */
		e->key = key;
		e->value = value;
		return 0;
	}
	if (m->cap > 0)
		e = map_free_slot(m, hash);
	if (e == NULL || (slot_empty(e) && map_too_full(m->used + 1, m->cap))) {
		if (map_grow(m) == -1)
			return -1;
		e = map_free_slot(m, hash);
	}
	if (slot_empty(e))
		m->used++;
	e->key = key;
	e->value = value;
	e->hash = hash;
	m->len++;
	return 0;
}

void *
map_del(struct map *m, const char *key)
{
	struct map_entry	*e;
	void			*value;

	if (m->cap == 0 || (e = map_find(m, key, map_hash(m, key))) == NULL)
		return NULL;
	value = e->value;
	e->key = map_tombstone;
	e->value = NULL;
	if (--m->len == 0)
		map_clear(m);
	return value;
}

size_t
map_len(const struct map *m)
{
	return m->len;
}

void
map_clear(struct map *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = m->used = 0;
}

bool
map_next(const struct map *m, size_t *pos, const char **key, void **value)
{
	for (size_t i = *pos; i < m->cap; i++) {
		const struct map_entry	*e = &m->slots[i];

		if (slot_empty(e) || slot_dead(e))
			continue;
		*pos = i + 1;
		if (key != NULL)
			*key = e->key;
		if (value != NULL)
			*value = e->value;
		return true;
	}
	*pos = m->cap;
	return false;
}
