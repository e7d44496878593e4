/*
 * The name map: put, get, replace, delete, lookups under the casemapping, growth,
 * tombstones and their reuse, and iteration.
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

#include "core/map.h"

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

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_empty_map),
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_casemapped_lookup),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_del),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_delete_half_then_lookup),
		cmocka_unit_test(test_tombstone_reuse),
		cmocka_unit_test(test_churn_stays_bounded),
		cmocka_unit_test(test_iteration),
		cmocka_unit_test(test_iteration_null_outputs),
	};

	return cmocka_run_group_tests(tests, 0, NULL);
}
