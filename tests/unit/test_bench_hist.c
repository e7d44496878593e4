/*
 * parley-bench's latency histogram: bucket edges, percentiles, merge.  The histogram is
 * part of the parley-bench program, not a library, so its source is compiled in here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "parley-bench/hist.c"

static void
test_empty_is_zero(void **state)
{
	struct hist	 h;

	(void)state;
	hist_init(&h);
	assert_int_equal(hist_percentile(&h, 50), 0);
	assert_int_equal(hist_percentile(&h, 100), 0);
	assert_int_equal(h.count, 0);
}

static void
test_small_values_exact(void **state)
{
	uint64_t	 v;

	(void)state;
	for (v = 0; v < HIST_SUB; v++) {
		assert_int_equal(hist_bucket(v), v);
		assert_int_equal(hist_bucket_top(hist_bucket(v)), v);
	}
}

static void
test_bucket_holds_value(void **state)
{
	uint64_t	 v, top;
	unsigned	 b;

	(void)state;
	/* Every value lies at or under its bucket's top, within 1/HIST_SUB above it. */
	for (v = 1; v < UINT64_MAX / 3; v = v * 3 + 1) {
		b = hist_bucket(v);
		assert_true(b < HIST_BUCKETS);
		top = hist_bucket_top(b);
		assert_true(top >= v);
		assert_true(top - v <= v / HIST_SUB);
		if (b > 0)
			assert_true(hist_bucket_top(b - 1) < v);
	}
	assert_true(hist_bucket(UINT64_MAX) == HIST_BUCKETS - 1);
	assert_true(hist_bucket_top(HIST_BUCKETS - 1) == UINT64_MAX);
}

static void
test_percentiles_of_uniform(void **state)
{
	struct hist	 h;
	uint64_t	 v, p50, p99;

	(void)state;
	hist_init(&h);
	for (v = 1; v <= 100000; v++)
		hist_record(&h, v * 1000);
	p50 = hist_percentile(&h, 50);
	p99 = hist_percentile(&h, 99);
	assert_true(p50 >= 50000000 && p50 <= 50000000 + 50000000 / HIST_SUB);
	assert_true(p99 >= 99000000 && p99 <= 99000000 + 99000000 / HIST_SUB);
	assert_int_equal(hist_percentile(&h, 100), 100000000);
	assert_int_equal(h.max, 100000000);
	assert_int_equal(h.count, 100000);
}

static void
test_percentile_never_above_max(void **state)
{
	struct hist	 h;

	(void)state;
	hist_init(&h);
	hist_record(&h, 1000);
	assert_int_equal(hist_percentile(&h, 50), 1000);
	assert_int_equal(hist_percentile(&h, 99.9), 1000);
}

static void
test_outlier_shows_only_at_tail(void **state)
{
	struct hist	 h;
	int		 i;

	(void)state;
	hist_init(&h);
	for (i = 0; i < 999; i++)
		hist_record(&h, 10);
	hist_record(&h, 5000000);
	assert_int_equal(hist_percentile(&h, 50), 10);
	assert_int_equal(hist_percentile(&h, 99), 10);
	assert_int_equal(hist_percentile(&h, 100), 5000000);
}

static void
test_out_of_range_percentile_clamped(void **state)
{
	struct hist	 h;

	(void)state;
	hist_init(&h);
	hist_record(&h, 7);
	hist_record(&h, 9);
	assert_int_equal(hist_percentile(&h, -5), 7);
	assert_int_equal(hist_percentile(&h, 250), 9);
}

static void
test_merge_adds(void **state)
{
	struct hist	 a, b;

	(void)state;
	hist_init(&a);
	hist_init(&b);
	hist_record(&a, 5);
	hist_record(&b, 20);
	hist_record(&b, 30);
	hist_merge(&a, &b);
	assert_int_equal(a.count, 3);
	assert_int_equal(a.max, 30);
	assert_int_equal(hist_percentile(&a, 1), 5);
	assert_int_equal(hist_percentile(&a, 100), 30);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_zero),
		cmocka_unit_test(test_small_values_exact),
		cmocka_unit_test(test_bucket_holds_value),
		cmocka_unit_test(test_percentiles_of_uniform),
		cmocka_unit_test(test_percentile_never_above_max),
		cmocka_unit_test(test_outlier_shows_only_at_tail),
		cmocka_unit_test(test_out_of_range_percentile_clamped),
		cmocka_unit_test(test_merge_adds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
