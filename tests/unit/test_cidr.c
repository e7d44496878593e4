/*
 * Address ranges (net/cidr.h): what parses as a range and a list, what a list matches,
 * and the reason a bad list is refused with.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "net/cidr.h"

static bool
matches(const char *list, const char *addr)
{
	struct net_cidrs	 l;
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	char			 why[128];

	assert_int_equal(net_cidrs_parse(list, &l, why, sizeof(why)), 0);
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else {
		assert_int_equal(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
		sin6->sin6_family = AF_INET6;
	}
	return net_cidrs_match(&l, (struct sockaddr *)&ss);
}

static void
test_ranges_match_their_prefix(void **state)
{
	(void)state;
	assert_true(matches("192.0.2.0/24", "192.0.2.255"));
	assert_false(matches("192.0.2.0/24", "192.0.3.0"));
	/* Bits past the prefix are ignored in the range itself. */
	assert_true(matches("192.0.2.77/25", "192.0.2.1"));
	assert_false(matches("192.0.2.77/25", "192.0.2.128"));
	assert_true(matches("10.0.0.1", "10.0.0.1"));
	assert_false(matches("10.0.0.1", "10.0.0.2"));
	assert_true(matches("0.0.0.0/0", "203.0.113.9"));
	assert_false(matches("0.0.0.0/0", "2001:db8::1"));
	assert_true(matches("2001:db8::/33", "2001:db8:7fff::1"));
	assert_false(matches("2001:db8::/33", "2001:db8:8000::1"));
	/* A v4-mapped peer is its IPv4 address. */
	assert_true(matches("127.0.0.0/8", "::ffff:127.1.2.3"));
	assert_false(matches("::ffff:0:0/96", "127.0.0.1"));
	/* Blanks and commas separate; any range matching is enough. */
	assert_true(matches(" 10.0.0.0/8 ,, ::1\t192.0.2.1 ", "::1"));
	assert_false(matches("", "127.0.0.1"));
}

static void
refused(const char *list, const char *want)
{
	struct net_cidrs	 l = { .n = 7 };
	char			 why[128];

	assert_int_equal(net_cidrs_parse(list, &l, why, sizeof(why)), -1);
	assert_string_equal(why, want);
	assert_int_equal(l.n, 7);
}

static void
test_bad_lists_are_refused(void **state)
{
	char	 many[40 * 12] = "";

	(void)state;
	refused("10.0.0.0/33", "'10.0.0.0/33' is not an address or ADDRESS/BITS");
	refused("::1 ::/129", "'::/129' is not an address or ADDRESS/BITS");
	refused("10.0.0.0/", "'10.0.0.0/' is not an address or ADDRESS/BITS");
	refused("10.0.0.0/-1", "'10.0.0.0/-1' is not an address or ADDRESS/BITS");
	refused("10.0.0.0/8x", "'10.0.0.0/8x' is not an address or ADDRESS/BITS");
	refused("localhost", "'localhost' is not an address or ADDRESS/BITS");
	refused("/8", "'/8' is not an address or ADDRESS/BITS");
	for (int i = 0; i < NET_CIDR_MAX + 1; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "10.0.0.%d ", i);
	refused(many, "more than 32 ranges");
	many[strlen(many) - strlen("10.0.0.32 ")] = '\0';
	assert_true(matches(many, "10.0.0.31"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranges_match_their_prefix),
		cmocka_unit_test(test_bad_lists_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
