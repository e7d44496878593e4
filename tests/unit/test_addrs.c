/*
 * Connections by address (net/addrs.h): the key of an address under the prefix lengths,
 * the per-address limit from take to put, the share kept for newcomers, TLS handshakes
 * per address, the connect rate, the line a refused connection gets, and the sources
 * exempt from all of it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "net/addrs.h"
#include "net/net.h"

static const uint8_t	key[MAP_KEY_LEN] = { 7 };

/* An address from its text (IPv4 or IPv6). */
static struct sockaddr_storage
sa(const char *text)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return ss;
	}
	assert_int_equal(inet_pton(AF_INET6, text, &sin6->sin6_addr), 1);
	sin6->sin6_family = AF_INET6;
	return ss;
}

static void
key_is(const char *text, unsigned v4, unsigned v6, const char *want)
{
	struct sockaddr_storage	 ss = sa(text);
	char			 buf[ADDRS_KEY_MAX];

	addrs_key((struct sockaddr *)&ss, v4, v6, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void
test_key_cuts_to_the_prefix(void **state)
{
	(void)state;
	key_is("192.0.2.7", 32, 64, "192.0.2.7");
	key_is("192.0.2.7", 24, 64, "192.0.2.0/24");
	key_is("192.0.2.255", 20, 64, "192.0.0.0/20");
	/* One /64 is one address; the next /64 is another. */
	key_is("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 32, 64, "2001:db8:1:2::/64");
	key_is("2001:db8:1:2::1", 32, 64, "2001:db8:1:2::/64");
	key_is("2001:db8:1:3::1", 32, 64, "2001:db8:1:3::/64");
	key_is("2001:db8:1:2f::1", 32, 60, "2001:db8:1:20::/60");
	key_is("2001:db8::1", 32, 128, "2001:db8::1");
	key_is("::1", 32, 64, "::/64");
	key_is("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 32, 127,
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127");
	/* A v4-mapped address is the IPv4 host it maps, under the IPv4 prefix. */
	key_is("::ffff:192.0.2.7", 32, 64, "192.0.2.7");
	key_is("::ffff:192.0.2.7", 16, 64, "192.0.0.0/16");
}

struct fx {
	struct addrs		 t;
	struct net_config	 cfg;
};

static struct fx *
fx_new(void)
{
	static struct fx	 fx;

	net_config_defaults(&fx.cfg);
	fx.cfg.connect_rate = 0;
	addrs_init(&fx.t, key);
	return &fx;
}

/* Take a connection from text; NULL and *why when refused. */
static struct addr *
take(struct fx *fx, const char *text, bool tls, unsigned share, int64_t now,
    enum addrs_refusal *why)
{
	struct sockaddr_storage	 ss = sa(text);

	return addrs_take(&fx->t, &fx->cfg, (struct sockaddr *)&ss, tls, share, now, why);
}

static void
test_limit_counts_from_take_to_put(void **state)
{
	struct fx		*fx = fx_new();
	struct addr		*a, *b;
	enum addrs_refusal	 why;

	(void)state;
	fx->cfg.max_per_address = 2;
	assert_non_null(a = take(fx, "10.0.0.1", false, 0, 0, &why));
	assert_non_null(b = take(fx, "10.0.0.1", false, 0, 0, &why));
	assert_ptr_equal(a, b);
	assert_null(take(fx, "10.0.0.1", false, 0, 0, &why));
	assert_int_equal(why, ADDRS_TOO_MANY);
	/* The refused one holds nothing; others are counted apart. */
	assert_int_equal(a->conns, 2);
	assert_non_null(take(fx, "10.0.0.10", false, 0, 0, &why));
	/* A slot comes back only when its connection is put back. */
	addrs_put(&fx->t, a, 0);
	assert_non_null(take(fx, "10.0.0.1", false, 0, 0, &why));
	assert_null(take(fx, "10.0.0.1", false, 0, 0, &why));
	addrs_free(&fx->t);
}

static void
test_one_slash64_is_one_address(void **state)
{
	struct fx		*fx = fx_new();
	enum addrs_refusal	 why;

	(void)state;
	fx->cfg.max_per_address = 2;
	assert_non_null(take(fx, "2001:db8:0:1::1", false, 0, 0, &why));
	assert_non_null(take(fx, "2001:db8:0:1::2", false, 0, 0, &why));
	assert_null(take(fx, "2001:db8:0:1:ffff::3", false, 0, 0, &why));
	assert_int_equal(why, ADDRS_TOO_MANY);
	assert_non_null(take(fx, "2001:db8:0:2::1", false, 0, 0, &why));
	/* With /128, each is its own. */
	fx->cfg.ipv6_prefix = 128;
	assert_non_null(take(fx, "2001:db8:0:1:ffff::3", false, 0, 0, &why));
	addrs_free(&fx->t);
}

static void
test_zero_is_no_limit(void **state)
{
	struct fx		*fx = fx_new();
	enum addrs_refusal	 why;

	(void)state;
	fx->cfg.max_per_address = 0;
	fx->cfg.handshakes_per_address = 0;
	for (int i = 0; i < 1000; i++)
		assert_non_null(take(fx, "10.0.0.1", true, 0, 0, &why));
	addrs_free(&fx->t);
}

static void
test_share_keeps_room_for_newcomers(void **state)
{
	struct fx		*fx = fx_new();
	enum addrs_refusal	 why;

	(void)state;
	fx->cfg.max_per_address = 0;
	for (int i = 0; i < 5; i++)
		assert_non_null(take(fx, "10.0.0.1", false, 0, 0, &why));
	/* Descriptors short: the address that holds its share is refused, a newcomer and
	 * one holding less are not. */
	assert_null(take(fx, "10.0.0.1", false, 4, 0, &why));
	assert_int_equal(why, ADDRS_SHARE);
	assert_non_null(take(fx, "10.0.0.2", false, 4, 0, &why));
	assert_non_null(take(fx, "10.0.0.2", false, 4, 0, &why));
	addrs_free(&fx->t);
}

static void
test_handshakes_per_address(void **state)
{
	struct fx		*fx = fx_new();
	struct addr		*a = NULL;
	enum addrs_refusal	 why;

	(void)state;
	fx->cfg.handshakes_per_address = 2;
	for (int i = 0; i < 2; i++) {
		assert_non_null(a = take(fx, "10.0.0.1", true, 0, 0, &why));
		addrs_handshake(a, 1);
	}
	assert_null(take(fx, "10.0.0.1", true, 0, 0, &why));
	assert_int_equal(why, ADDRS_HANDSHAKES);
	/* Plaintext is not held back by handshakes, and a finished one makes room. */
	assert_non_null(take(fx, "10.0.0.1", false, 0, 0, &why));
	addrs_handshake(a, -1);
	assert_non_null(take(fx, "10.0.0.1", true, 0, 0, &why));
	addrs_free(&fx->t);
}

static void
test_connect_rate(void **state)
{
	struct fx		*fx = fx_new();
	struct addr		*a;
	enum addrs_refusal	 why;

	(void)state;
	fx->cfg.connect_rate = 5;
	fx->cfg.connect_window = 60000;
	/* Five connect and leave at once; the sixth is too fast, though none is held. */
	for (int i = 0; i < 5; i++) {
		assert_non_null(a = take(fx, "10.0.0.1", false, 0, 1000, &why));
		addrs_put(&fx->t, a, 1000);
	}
	assert_null(take(fx, "10.0.0.1", false, 0, 1000, &why));
	assert_int_equal(why, ADDRS_TOO_FAST);
	assert_null(take(fx, "10.0.0.1", false, 0, 12999, &why));
	assert_non_null(take(fx, "10.0.0.2", false, 0, 12999, &why));
	/* One more every window / rate. */
	assert_non_null(a = take(fx, "10.0.0.1", false, 0, 13000, &why));
	addrs_put(&fx->t, a, 13000);
	assert_null(take(fx, "10.0.0.1", false, 0, 13000, &why));
	/* A whole window later, the address is forgotten, and may burst again. */
	assert_non_null(map_get(&fx->t.map, "10.0.0.1"));
	assert_non_null(take(fx, "10.0.0.3", false, 0, 73000, &why));
	assert_null(map_get(&fx->t.map, "10.0.0.1"));
	for (int i = 0; i < 5; i++)
		assert_non_null(take(fx, "10.0.0.1", false, 0, 73000, &why));
	assert_null(take(fx, "10.0.0.1", false, 0, 73000, &why));
	addrs_free(&fx->t);
}

static void
test_loopback_is_exempt_by_default(void **state)
{
	struct fx		*fx = fx_new();
	struct addr		*a;
	enum addrs_refusal	 why;
	char			 err[128];

	(void)state;
	fx->cfg.max_per_address = 2;
	fx->cfg.connect_rate = 2;
	for (int i = 0; i < 100; i++) {
		assert_non_null(take(fx, "127.0.0.1", false, 0, 0, &why));
		assert_non_null(take(fx, "127.3.2.1", true, 4, 0, &why));
		assert_non_null(take(fx, "::1", false, 0, 0, &why));
		assert_non_null(take(fx, "::ffff:127.0.0.9", false, 0, 0, &why));
	}
	/* Other addresses are limited as before. */
	assert_non_null(take(fx, "10.0.0.1", false, 0, 0, &why));
	assert_non_null(take(fx, "10.0.0.1", false, 0, 0, &why));
	assert_null(take(fx, "10.0.0.1", false, 0, 0, &why));
	assert_int_equal(why, ADDRS_TOO_MANY);
	/* ::1's connections do not count against the rest of its /64. */
	for (int i = 0; i < 2; i++) {
		assert_non_null(a = take(fx, "::2", false, 0, 0, &why));
		addrs_put(&fx->t, a, 0);
	}
	assert_null(take(fx, "::2", false, 0, 0, &why));
	assert_int_equal(why, ADDRS_TOO_FAST);
	/* An empty list exempts nothing; a configured one exactly its ranges. */
	assert_int_equal(net_cidrs_parse("", &fx->cfg.exempt, err, sizeof(err)), 0);
	assert_null(take(fx, "127.0.0.1", false, 0, 0, &why));
	assert_int_equal(why, ADDRS_TOO_MANY);
	assert_int_equal(net_cidrs_parse("10.0.0.0/31, 2001:db8::/32", &fx->cfg.exempt,
	    err, sizeof(err)), 0);
	assert_non_null(take(fx, "10.0.0.1", false, 0, 0, &why));
	assert_non_null(take(fx, "2001:db8:ffff::1", false, 0, 0, &why));
	assert_non_null(take(fx, "2001:db8:ffff::1", false, 0, 0, &why));
	assert_non_null(take(fx, "2001:db8:ffff::1", false, 0, 0, &why));
	assert_non_null(take(fx, "10.0.0.2", false, 0, 0, &why));
	assert_non_null(take(fx, "10.0.0.2", false, 0, 0, &why));
	assert_null(take(fx, "10.0.0.2", false, 0, 0, &why));
	assert_int_equal(why, ADDRS_TOO_MANY);
	addrs_free(&fx->t);
}

static void
line_is(const char *text, enum addrs_refusal why, const char *want)
{
	struct sockaddr_storage	 ss = sa(text);
	char			 buf[128];
	size_t			 n;

	n = addrs_refusal_line((struct sockaddr *)&ss, why, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void
test_refusal_lines(void **state)
{
	(void)state;
	line_is("127.0.0.1", ADDRS_TOO_MANY, "ERROR :Closing Link: 127.0.0.1 "
	    "(Too many connections from your address)\r\n");
	/* The host as the core writes it: never a parameter starting with ':'. */
	line_is("::1", ADDRS_TOO_MANY, "ERROR :Closing Link: 0::1 "
	    "(Too many connections from your address)\r\n");
	line_is("::ffff:10.1.2.3", ADDRS_TOO_FAST, "ERROR :Closing Link: 10.1.2.3 "
	    "(Connecting too fast; try again later)\r\n");
	line_is("2001:db8::5", ADDRS_HANDSHAKES, "ERROR :Closing Link: 2001:db8::5 "
	    "(Too many TLS handshakes from your address)\r\n");
	line_is("10.0.0.1", ADDRS_SHARE, "ERROR :Server is full\r\n");
	line_is("10.0.0.1", ADDRS_NOMEM, "ERROR :Server is full\r\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_cuts_to_the_prefix),
		cmocka_unit_test(test_limit_counts_from_take_to_put),
		cmocka_unit_test(test_one_slash64_is_one_address),
		cmocka_unit_test(test_zero_is_no_limit),
		cmocka_unit_test(test_share_keeps_room_for_newcomers),
		cmocka_unit_test(test_handshakes_per_address),
		cmocka_unit_test(test_connect_rate),
		cmocka_unit_test(test_refusal_lines),
		cmocka_unit_test(test_loopback_is_exempt_by_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
