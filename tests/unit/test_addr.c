/*
 * core/addr.c: numeric addresses read and written without the socket library, held to
 * what inet_pton and inet_ntop (and net/sock.c's mapping of IPv4-mapped addresses)
 * make of the same text: a table of edge cases, then random texts.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/addr.h"

/* What the driver writes for text: the reference. */
static bool
reference(const char *text, char *buf, size_t cap)
{
	unsigned char	a[16];
	char		v6[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET, text, a) == 1)
		return inet_ntop(AF_INET, a, buf, (socklen_t)cap) != NULL;
	if (inet_pton(AF_INET6, text, a) != 1)
		return false;
	if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)a))
		return inet_ntop(AF_INET, a + 12, buf, (socklen_t)cap) != NULL;
	inet_ntop(AF_INET6, a, v6, sizeof(v6));
	snprintf(buf, cap, "%s%s", v6[0] == ':' ? "0" : "", v6);
	return true;
}

static void
same(const char *text)
{
	char	want[64], got[64];
	bool	ok = reference(text, want, sizeof(want));

	if (addr_host(text, got, sizeof(got)) != ok) {
		fprintf(stderr, "'%s': addr_host says %s\n", text, ok ? "no" : "yes");
		fail();
	}
	if (ok && strcmp(want, got) != 0) {
		fprintf(stderr, "'%s': want %s, got %s\n", text, want, got);
		fail();
	}
}

static void
test_table(void **state)
{
	static const char	*texts[] = {
		"1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5",
		"01.2.3.4", "1..2.3", "1.2.3.4 ", " 1.2.3.4", "", ".", "1.2.3.",
		"::", "::1", "1::", "::ffff:1.2.3.4", "::ffff:0102:0304", "::1.2.3.4",
		"2001:db8::1", "2001:DB8:0:0:1:0:0:1", "2001:db8:0:1:1:1:1:1",
		"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "1:2:3:4:5:6::7", "1:2:3:4:5:6:7:8:9",
		"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:1.2.3.4", "::1.2.3", ":::", "1:::2",
		"1::2::3", ":1::", "1:", "12345::", "fffff::1", "g::1", "1:2:3:4:5:6:7:",
		"0:0:0:0:0:0:0:0", "0:0:1:0:0:1:0:0", "fe80::1%eth0", "[::1]", "::ffff:1.2.3.256",
		"0::0:0", "a:b:c:d:e:f:0:0", "0:0:a:b:c:d:e:f", "1.2.3.04",
	};
	char	 small[4];

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		same(texts[i]);
	/* A buffer too small is a refusal, never a cut address. */
	assert_false(addr_host("1.2.3.4", small, sizeof(small)));
}

/* Random texts over the characters addresses are made of. */
static void
test_random(void **state)
{
	static const char	alphabet[] = "0123456789abcdefABCDEF:.:.:";
	char			text[48];

	(void)state;
	srandom(1);
	for (int n = 0; n < 200000; n++) {
		size_t	len = (size_t)(random() % 40);

		for (size_t i = 0; i < len; i++)
			text[i] = alphabet[random() % (sizeof(alphabet) - 1)];
		text[len] = '\0';
		same(text);
	}
	/* Random addresses, written by inet_ntop: every one must come back the same. */
	for (int n = 0; n < 100000; n++) {
		unsigned char	a[16];
		char		v6[INET6_ADDRSTRLEN];

		for (size_t i = 0; i < sizeof(a); i++)
			a[i] = random() % 3 == 0 ? 0 : (unsigned char)random();
		inet_ntop(AF_INET6, a, v6, sizeof(v6));
		same(v6);
	}
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
