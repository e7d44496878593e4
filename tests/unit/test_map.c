/*
 * The name map: put, get, replace, delete, lookups under the casemapping, growth,
 * tombstones and their reuse, and iteration; SipHash against the published vectors,
 * and the keyed hash spreading names a client chose to collide under FNV-1a (the
 * map's hash before it had a key).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/casemap.h"
#include "core/client.h"
#include "core/core.h"
#include "core/map.h"
#include "core/siphash.h"
#include "fixture_core.h"

/* A value that holds its own key, as clients and channels do. */
struct item {
	char	name[32];
	int	seen;
};

static struct item *
items_new(size_t n, const char *fmt)
{
	struct item	*it = calloc(n, sizeof(*it));

	assert_non_null(it);
	for (size_t i = 0; i < n; i++)
		snprintf(it[i].name, sizeof(it[i].name), fmt, i);
	return it;
}

static void
test_empty_map(void **state)
{
	struct map	 m = MAP_INIT;
	size_t		 pos = 0;
	const char	*key;
	void		*value;

	(void)state;
	assert_null(map_get(&m, "x"));
	assert_null(map_del(&m, "x"));
	assert_int_equal(map_len(&m), 0);
	assert_false(map_next(&m, &pos, &key, &value));
	map_clear(&m);
	assert_int_equal(m.cap, 0);
}

static void
test_put_get(void **state)
{
	struct map	m = MAP_INIT;
	int		a, b;

	(void)state;
	assert_int_equal(map_put(&m, "alice", &a), 0);
	assert_int_equal(map_put(&m, "bob", &b), 0);
	assert_int_equal(map_len(&m), 2);
	assert_ptr_equal(map_get(&m, "alice"), &a);
	assert_ptr_equal(map_get(&m, "bob"), &b);
	assert_null(map_get(&m, "carol"));
	assert_null(map_get(&m, "alic"));
	assert_null(map_get(&m, "alicee"));
	map_clear(&m);
	assert_int_equal(map_len(&m), 0);
	assert_null(map_get(&m, "alice"));
}

static void
test_casemapped_lookup(void **state)
{
	struct map	m = MAP_INIT;
	int		a, b;

	(void)state;
	assert_int_equal(map_put(&m, "Foo[", &a), 0);
	assert_ptr_equal(map_get(&m, "foo{"), &a);
	assert_ptr_equal(map_get(&m, "FOO["), &a);
	assert_ptr_equal(map_get(&m, "fOo{"), &a);
	assert_null(map_get(&m, "foo"));
	assert_int_equal(map_put(&m, "A\\B~", &b), 0);
	assert_ptr_equal(map_get(&m, "a|b^"), &b);
	assert_int_equal(map_len(&m), 2);
	map_clear(&m);
}

static void
test_rfc8265_lookup(void **state)
{
	struct map	m = MAP_INIT;
	int		a, b, c;

	(void)state;
	map_set_casemap(&m, CASEMAP_RFC8265);
	/* Éric in any case and width; []\~ are themselves. */
	assert_int_equal(map_put(&m, "\xc3\x89ric", &a), 0);
	assert_ptr_equal(map_get(&m, "\xc3\xa9RIC"), &a);
	assert_ptr_equal(map_get(&m, "E\xcc\x81ric"), &a);		/* NFC */
	assert_int_equal(map_put(&m, "foo[", &b), 0);
	assert_null(map_get(&m, "foo{"));
	assert_int_equal(map_put(&m, "foo{", &c), 0);
	assert_ptr_equal(map_get(&m, "FOO["), &b);
	assert_ptr_equal(map_get(&m, "\xef\xbd\x86oo{"), &c);		/* fullwidth f */
	assert_ptr_equal(map_del(&m, "\xc3\x89RIC"), &a);
	assert_int_equal(map_len(&m), 2);
	/* map_clear keeps the mapping. */
	map_clear(&m);
	assert_int_equal(map_put(&m, "\xc3\x89", &a), 0);
	assert_ptr_equal(map_get(&m, "\xc3\xa9"), &a);
	map_clear(&m);
}

static void
test_replace(void **state)
{
	struct map	 m = MAP_INIT;
	struct item	 old = { "Nick", 0 }, new = { "NICK", 0 };
	size_t		 pos = 0;
	const char	*key;
	void		*value;

	(void)state;
	assert_int_equal(map_put(&m, old.name, &old), 0);
	assert_int_equal(map_put(&m, new.name, &new), 0);
	assert_int_equal(map_len(&m), 1);
	assert_ptr_equal(map_get(&m, "nick"), &new);
	/* The entry now keys on the new value's name, not the old one's. */
	assert_true(map_next(&m, &pos, &key, &value));
	assert_ptr_equal(key, new.name);
	assert_ptr_equal(value, &new);
	assert_false(map_next(&m, &pos, &key, &value));
	map_clear(&m);
}

static void
test_del(void **state)
{
	struct map	m = MAP_INIT;
	int		a, b;

	(void)state;
	assert_int_equal(map_put(&m, "a", &a), 0);
	assert_int_equal(map_put(&m, "b", &b), 0);
	assert_ptr_equal(map_del(&m, "A"), &a);
	assert_int_equal(map_len(&m), 1);
	assert_null(map_get(&m, "a"));
	assert_null(map_del(&m, "a"));
	assert_ptr_equal(map_get(&m, "b"), &b);
	assert_ptr_equal(map_del(&m, "b"), &b);
	assert_int_equal(map_len(&m), 0);
	/* Empty again: the table is gone, and the map still works. */
	assert_null(m.slots);
	assert_int_equal(map_put(&m, "a", &a), 0);
	assert_ptr_equal(map_get(&m, "a"), &a);
	map_clear(&m);
}

static void
test_growth(void **state)
{
	enum { N = 10000 };
	struct map	 m = MAP_INIT;
	struct item	*it = items_new(N, "Nick%zu");
	char		 lower[32];

	(void)state;
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(map_put(&m, it[i].name, &it[i]), 0);
		assert_int_equal(map_len(&m), i + 1);
		assert_true(m.used * 10 <= m.cap * 7);
	}
	assert_int_equal(m.cap & (m.cap - 1), 0);
	for (size_t i = 0; i < N; i++) {
		snprintf(lower, sizeof(lower), "nICK%zu", i);
		assert_ptr_equal(map_get(&m, lower), &it[i]);
	}
	assert_null(map_get(&m, "nick10000"));
	map_clear(&m);
	free(it);
}

static void
test_delete_half_then_lookup(void **state)
{
	enum { N = 2000 };
	struct map	 m = MAP_INIT;
	struct item	*it = items_new(N, "chan#%zu");

	(void)state;
	for (size_t i = 0; i < N; i++)
		assert_int_equal(map_put(&m, it[i].name, &it[i]), 0);
	for (size_t i = 0; i < N; i += 2)
		assert_ptr_equal(map_del(&m, it[i].name), &it[i]);
	assert_int_equal(map_len(&m), N / 2);
	/* Probe chains run through the tombstones to the survivors. */
	for (size_t i = 0; i < N; i++) {
		if (i % 2 == 0)
			assert_null(map_get(&m, it[i].name));
		else
			assert_ptr_equal(map_get(&m, it[i].name), &it[i]);
	}
	map_clear(&m);
	free(it);
}

static void
test_tombstone_reuse(void **state)
{
	struct map	m = MAP_INIT;
	int		keep, a, b;
	size_t		cap, used;

	(void)state;
	assert_int_equal(map_put(&m, "keep", &keep), 0);
	assert_int_equal(map_put(&m, "a", &a), 0);
	cap = m.cap;
	used = m.used;
	assert_ptr_equal(map_del(&m, "a"), &a);
	/* A tombstone: still counted as used. */
	assert_int_equal(m.used, used);
	assert_int_equal(map_len(&m), 1);
	/* Putting the same name back takes the tombstone, not a fresh slot. */
	assert_int_equal(map_put(&m, "A", &b), 0);
	assert_int_equal(m.used, used);
	assert_int_equal(m.cap, cap);
	assert_ptr_equal(map_get(&m, "a"), &b);
	map_clear(&m);
}

static void
test_churn_stays_bounded(void **state)
{
	/* Many put/del cycles over few live names: tombstones are swept by rebuilds
	 * rather than growing the table without bound. */
	enum { N = 5000 };
	struct map	 m = MAP_INIT;
	struct item	*it = items_new(N, "user%zu");
	int		 keep;

	(void)state;
	assert_int_equal(map_put(&m, "keep", &keep), 0);
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(map_put(&m, it[i].name, &it[i]), 0);
		assert_ptr_equal(map_del(&m, it[i].name), &it[i]);
		assert_true(m.used * 10 <= m.cap * 7);
	}
	assert_int_equal(map_len(&m), 1);
	assert_true(m.cap <= 16);
	assert_ptr_equal(map_get(&m, "KEEP"), &keep);
	map_clear(&m);
	free(it);
}

static void
test_iteration(void **state)
{
	enum { N = 3000 };
	struct map	 m = MAP_INIT;
	struct item	*it = items_new(N, "x%zu");
	size_t		 pos = 0, count = 0;
	const char	*key;
	void		*value;

	(void)state;
	for (size_t i = 0; i < N; i++)
		assert_int_equal(map_put(&m, it[i].name, &it[i]), 0);
	for (size_t i = 0; i < N; i += 3)
		assert_ptr_equal(map_del(&m, it[i].name), &it[i]);
	while (map_next(&m, &pos, &key, &value)) {
		struct item	*p = value;

		assert_ptr_equal(key, p->name);
		p->seen++;
		count++;
	}
	assert_int_equal(count, map_len(&m));
	for (size_t i = 0; i < N; i++)
		assert_int_equal(it[i].seen, i % 3 == 0 ? 0 : 1);
	/* At the end it stays at the end. */
	assert_false(map_next(&m, &pos, &key, &value));
	map_clear(&m);
	free(it);
}

static void
test_iteration_null_outputs(void **state)
{
	struct map	m = MAP_INIT;
	int		a;
	size_t		pos = 0;

	(void)state;
	assert_int_equal(map_put(&m, "a", &a), 0);
	assert_true(map_next(&m, &pos, NULL, NULL));
	assert_false(map_next(&m, &pos, NULL, NULL));
	map_clear(&m);
}

/* The key of the SipHash paper's appendix and of the reference vectors: 00 01 .. 0f;
 * message i is the bytes 00 01 .. i-1. */
static void
vector_key(struct siphash_key *key, uint8_t msg[64])
{
	uint8_t	bytes[SIPHASH_KEY_LEN];

	for (int i = 0; i < SIPHASH_KEY_LEN; i++)
		bytes[i] = (uint8_t)i;
	siphash_key_set(key, bytes);
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
}

struct vector {
	size_t		len;
	uint64_t	hash;
};

static void
check_vectors(unsigned c, unsigned d, const struct vector *v, size_t n)
{
	struct siphash_key	key;
	uint8_t			msg[64];

	vector_key(&key, msg);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(siphash(&key, c, d, msg, v[i].len), v[i].hash);
}

static void
test_siphash24_vectors(void **state)
{
	/* 15 bytes: the paper's appendix (a129ca6149be45e5); the others are entries of
	 * the reference implementation's table, read as little-endian words. */
	static const struct vector	v[] = {
		{ 0, 0x726fdb47dd0e0e31ULL }, { 1, 0x74f839c593dc67fdULL },
		{ 7, 0xab0200f58b01d137ULL }, { 8, 0x93f5f5799a932462ULL },
		{ 15, 0xa129ca6149be45e5ULL }, { 63, 0x958a324ceb064572ULL },
	};

	(void)state;
	check_vectors(2, 4, v, sizeof(v) / sizeof(v[0]));
}

static void
test_siphash13_vectors(void **state)
{
	/* SipHash-1-3 as OpenSSL's SIPHASH (c-rounds 1, d-rounds 3) and CPython's
	 * siphash13 compute it, for the same key and messages. */
	static const struct vector	v[] = {
		{ 0, 0xabac0158050fc4dcULL }, { 1, 0xc9f49bf37d57ca93ULL },
		{ 7, 0xd3927d989bb11140ULL }, { 8, 0x369095118d299a8eULL },
		{ 15, 0xd320d86d2a519956ULL }, { 63, 0x9d199062b7bbb3a8ULL },
	};

	(void)state;
	check_vectors(1, 3, v, sizeof(v) / sizeof(v[0]));
}

static const uint8_t	key_a[MAP_KEY_LEN] = "key A of a map.";
static const uint8_t	key_b[MAP_KEY_LEN] = "key B of a map.";

static const struct map_entry *
entry_of(const struct map *m, const char *name)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key == name)
			return &m->slots[i];
	fail_msg("%s is not in the map", name);
	return NULL;
}

static uint64_t
keyed_hash(const uint8_t bytes[MAP_KEY_LEN], const char *folded)
{
	struct siphash_key	key;

	siphash_key_set(&key, bytes);
	return siphash(&key, 1, 3, folded, strlen(folded));
}

static void
test_hash_is_keyed_siphash13_of_folded_name(void **state)
{
	struct map	m;
	struct item	it = { "Al[ice]", 0 };
	char		long_name[150], folded[sizeof(long_name)];
	int		a;

	(void)state;
	map_init(&m, key_a);
	assert_int_equal(map_put(&m, it.name, &it), 0);
	assert_int_equal(entry_of(&m, it.name)->hash,
	    (size_t)keyed_hash(key_a, "al{ice}"));
	/* A long name: many words, folded as they are built. */
	for (size_t i = 0; i < sizeof(long_name) - 1; i++) {
		long_name[i] = (char)('A' + i % 26);
		folded[i] = (char)('a' + i % 26);
	}
	long_name[sizeof(long_name) - 1] = folded[sizeof(folded) - 1] = '\0';
	assert_int_equal(map_put(&m, long_name, long_name), 0);
	assert_int_equal(entry_of(&m, long_name)->hash,
	    (size_t)keyed_hash(key_a, folded));
	/* Emptied (the table freed), the map keeps its key. */
	assert_ptr_equal(map_del(&m, it.name), &it);
	assert_ptr_equal(map_del(&m, long_name), long_name);
	assert_null(m.slots);
	assert_int_equal(map_put(&m, it.name, &a), 0);
	assert_int_equal(entry_of(&m, it.name)->hash,
	    (size_t)keyed_hash(key_a, "al{ice}"));
	map_clear(&m);
	assert_int_equal(map_put(&m, it.name, &a), 0);
	assert_int_equal(entry_of(&m, it.name)->hash,
	    (size_t)keyed_hash(key_a, "al{ice}"));
	map_clear(&m);
}

/* What the map used to hash with: FNV-1a of the folded bytes, high half folded in.
 * Anyone can run it, so anyone could choose names for one probe chain. */
static size_t
fnv1a(const char *name)
{
	uint64_t	h = 0xcbf29ce484222325ULL;

	for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++) {
		h ^= casemap_lower(*p);
		h *= 0x100000001b3ULL;
	}
	return (size_t)(h ^ (h >> 32));
}

enum { FLOOD = 256, FLOOD_BITS = 12 };

/* FLOOD nicks whose FNV-1a hashes agree in their low FLOOD_BITS bits: under FNV, one
 * home slot in any table of up to 2^FLOOD_BITS slots. */
static struct item *
fnv_flood(void)
{
	struct item	*it = calloc(FLOOD, sizeof(*it));
	size_t		 mask = ((size_t)1 << FLOOD_BITS) - 1, want = 0, n = 0;

	assert_non_null(it);
	for (unsigned long i = 0; n < FLOOD && i < 100000000UL; i++) {
		char	name[sizeof(it->name)];

		snprintf(name, sizeof(name), "f%lx", i);
		if (n == 0)
			want = fnv1a(name) & mask;
		if ((fnv1a(name) & mask) == want)
			memcpy(it[n++].name, name, sizeof(name));
	}
	assert_int_equal(n, FLOOD);
	return it;
}

/* The longest distance from an entry's home slot to where it lies: what a lookup of
 * the unluckiest name probes. */
static size_t
longest_probe(const struct map *m)
{
	size_t	mask = m->cap - 1, longest = 0;

	for (size_t i = 0; i < m->cap; i++) {
		const struct map_entry	*e = &m->slots[i];
		size_t			 d = (i - (e->hash & mask)) & mask;

		if (e->key != NULL && d > longest)
			longest = d;
	}
	return longest;
}

static void
test_fnv_collisions_spread_under_the_key(void **state)
{
	struct item	*it = fnv_flood();
	struct map	 a, b;
	size_t		 moved = 0;

	(void)state;
	map_init(&a, key_a);
	map_init(&b, key_b);
	for (size_t i = 0; i < FLOOD; i++) {
		assert_int_equal(map_put(&a, it[i].name, &it[i]), 0);
		assert_int_equal(map_put(&b, it[i].name, &it[i]), 0);
	}
	/* A table small enough that FNV would put every name on one home slot. */
	assert_true(a.cap <= (size_t)1 << FLOOD_BITS);
	assert_int_equal(a.cap, b.cap);
	/* Under FNV the last name would probe FLOOD - 1 slots; under the key a
	 * half-full table keeps every chain short. */
	assert_true(longest_probe(&a) <= 32);
	assert_true(longest_probe(&b) <= 32);
	/* Another key, another placement: no fixed set of names collides under both. */
	for (size_t i = 0; i < FLOOD; i++)
		if ((entry_of(&a, it[i].name)->hash & (a.cap - 1)) !=
		    (entry_of(&b, it[i].name)->hash & (b.cap - 1)))
			moved++;
	assert_true(moved > FLOOD * 9 / 10);
	for (size_t i = 0; i < FLOOD; i++) {
		assert_ptr_equal(map_get(&a, it[i].name), &it[i]);
		assert_ptr_equal(map_get(&b, it[i].name), &it[i]);
	}
	map_clear(&a);
	map_clear(&b);
	free(it);
}

static void
with_key_a(struct core_config *cfg)
{
	memcpy(cfg->hash_key, key_a, sizeof(cfg->hash_key));
}

static void
assert_key(const struct map *m, const uint8_t bytes[MAP_KEY_LEN])
{
	struct siphash_key	key;

	siphash_key_set(&key, bytes);
	assert_int_equal(m->key.k0, key.k0);
	assert_int_equal(m->key.k1, key.k1);
}

static void
test_core_maps_keep_the_key_of_core_new(void **state)
{
	struct fx		*fx = fx_new(with_key_a);
	unsigned		 c = fx_client(fx, "Alice");
	struct core_config	 cfg = fx->cfg;
	struct core		*core = fx->core;

	(void)state;
	fx_line(fx, c, "JOIN #Chan");
	fx_line(fx, c, "MONITOR + bob");
	assert_key(&core->nicks, key_a);
	assert_key(&core->channels, key_a);
	assert_key(&core->monitors, key_a);
	/* A reload brings another key: the maps hash as before, so every name is found. */
	memcpy(cfg.hash_key, key_b, sizeof(cfg.hash_key));
	assert_int_equal(core_configure(core, &cfg), 0);
	assert_key(&core->nicks, key_a);
	assert_key(&core->channels, key_a);
	assert_key(&core->monitors, key_a);
	assert_non_null(client_find(core, "ALICE"));
	assert_non_null(map_get(&core->channels, "#chan"));
	assert_non_null(map_get(&core->monitors, "BOB"));
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_empty_map),
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_casemapped_lookup),
		cmocka_unit_test(test_rfc8265_lookup),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_del),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_delete_half_then_lookup),
		cmocka_unit_test(test_tombstone_reuse),
		cmocka_unit_test(test_churn_stays_bounded),
		cmocka_unit_test(test_iteration),
		cmocka_unit_test(test_iteration_null_outputs),
		cmocka_unit_test(test_siphash24_vectors),
		cmocka_unit_test(test_siphash13_vectors),
		cmocka_unit_test(test_hash_is_keyed_siphash13_of_folded_name),
		cmocka_unit_test(test_fnv_collisions_spread_under_the_key),
		cmocka_unit_test(test_core_maps_keep_the_key_of_core_new),
	};

	return cmocka_run_group_tests(tests, 0, NULL);
}
