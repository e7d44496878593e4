/*
 * The PROXY protocol header (net/proxy.h): versions 1 and 2 give the client's address
 * and port, LOCAL and UNKNOWN keep the connection's own, a beginning of a header asks
 * for more, and everything malformed is refused.
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

#include "net/proxy.h"
#include "net/sock.h"

#define SIG	"\r\n\r\n\0\r\nQUIT\n"

static int
parse(const char *p, size_t len, struct proxy_hdr *h)
{
	return proxy_parse((const unsigned char *)p, len, h);
}

/* The text of h's source, "ADDR:PORT" as sock_format_addr writes it. */
static const char *
src_text(const struct proxy_hdr *h)
{
	static char	 buf[SOCK_ADDR_MAX];

	sock_format_addr((const struct sockaddr *)&h->src, buf, sizeof(buf));
	return buf;
}

/* Every beginning of a whole header asks for more. */
static void
prefixes_ask_for_more(const char *p, size_t len)
{
	struct proxy_hdr	 h;

	for (size_t i = 0; i < len; i++)
		assert_int_equal(parse(p, i, &h), 0);
}

static void
test_v1(void **state)
{
	static const char	 v4[] = "PROXY TCP4 192.0.2.7 198.51.100.1 56324 6667\r\nNICK a";
	static const char	 v6[] = "PROXY TCP6 2001:db8::7 2001:db8::1 1 65535\r\n";
	struct proxy_hdr	 h;
	size_t			 n4 = strlen(v4) - strlen("NICK a");

	(void)state;
	assert_int_equal(parse(v4, strlen(v4), &h), (int)n4);
	assert_false(h.local);
	assert_string_equal(src_text(&h), "192.0.2.7:56324");
	prefixes_ask_for_more(v4, n4);
	assert_int_equal(parse(v6, strlen(v6), &h), (int)strlen(v6));
	assert_string_equal(src_text(&h), "[2001:db8::7]:1");
	assert_int_equal(parse("PROXY UNKNOWN\r\n", 15, &h), 15);
	assert_true(h.local);
	assert_int_equal(parse("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n", 35, &h), 35);
	assert_true(h.local);
}

static void
bad(const char *p, size_t len)
{
	struct proxy_hdr	 h;

	assert_int_equal(parse(p, len, &h), -1);
}

#define BAD(s)	bad(s, sizeof(s) - 1)

static void
test_v1_malformed(void **state)
{
	char	 longline[PROXY_V1_MAX + 8];

	(void)state;
	BAD("NICK alice\r\n");
	BAD("PROXY\r\n");
	BAD("proxy TCP4 1.2.3.4 1.2.3.5 1 2\r\n");
	BAD("PROXY TCP4 1.2.3.4 1.2.3.5 1 2\n");
	BAD("PROXY TCP4 1.2.3.4 1.2.3.5 1 2 \r\n");
	BAD("PROXY TCP4  1.2.3.4 1.2.3.5 1 2\r\n");
	BAD("PROXY TCP4 1.2.3.4 1.2.3.5 1\r\n");
	BAD("PROXY TCP4 1.2.3.4 1.2.3.5 01 2\r\n");
	BAD("PROXY TCP4 1.2.3.4 1.2.3.5 1 65536\r\n");
	BAD("PROXY TCP4 1.2.3.4 1.2.3.5 -1 2\r\n");
	BAD("PROXY TCP4 ::1 ::1 1 2\r\n");
	BAD("PROXY TCP6 1.2.3.4 1.2.3.5 1 2\r\n");
	BAD("PROXY TCP4 1.2.3.256 1.2.3.5 1 2\r\n");
	BAD("PROXY UDP4 1.2.3.4 1.2.3.5 1 2\r\n");
	BAD("PROXY UNKNOWNX\r\n");
	BAD("PROXY UNKNOWN \r \r\n");
	/* No LF within the longest line a header may be. */
	memset(longline, 'a', sizeof(longline));
	memcpy(longline, "PROXY UNKNOWN ", 14);
	bad(longline, PROXY_V1_MAX);
	assert_int_equal(parse(longline, PROXY_V1_MAX - 1, &(struct proxy_hdr){ 0 }), 0);
}

/* A version 2 header: command cmd, family fam, body of len bytes. */
static size_t
v2(char *buf, unsigned char cmd, unsigned char fam, const void *body, size_t len)
{
	memcpy(buf, SIG, 12);
	buf[12] = (char)cmd;
	buf[13] = (char)fam;
	buf[14] = (char)(len >> 8);
	buf[15] = (char)(len & 0xff);
	memcpy(buf + 16, body, len);
	return 16 + len;
}

static void
test_v2(void **state)
{
	static const unsigned char	 in4[] = { 192, 0, 2, 9, 10, 0, 0, 1, 0x1a, 0x0b,
	    0x1a, 0x0b, 0x20, 0x00, 0x01, 0x00 };	/* and a 4-byte TLV */
	unsigned char			 in6[36] = { 0x20, 0x01, 0x0d, 0xb8 };
	char				 buf[PROXY_MAX + 16];
	struct proxy_hdr		 h;
	size_t				 n;

	(void)state;
	in6[15] = 9;
	in6[32] = 0x30;
	in6[33] = 0x39;
	n = v2(buf, 0x21, 0x11, in4, sizeof(in4));
	memcpy(buf + n, "NICK", 4);
	assert_int_equal(parse(buf, n + 4, &h), (int)n);
	assert_false(h.local);
	assert_string_equal(src_text(&h), "192.0.2.9:6667");
	prefixes_ask_for_more(buf, n);
	n = v2(buf, 0x21, 0x21, in6, sizeof(in6));
	assert_int_equal(parse(buf, n, &h), (int)n);
	assert_string_equal(src_text(&h), "[2001:db8::9]:12345");
	/* LOCAL, UNSPEC and unix sockets: the proxy's own address stands. */
	n = v2(buf, 0x20, 0x00, "", 0);
	assert_int_equal(parse(buf, n, &h), 16);
	assert_true(h.local);
	n = v2(buf, 0x21, 0x31, in6, 36);
	assert_int_equal(parse(buf, n, &h), 52);
	assert_true(h.local);
}

static void
test_v2_malformed(void **state)
{
	static const unsigned char	 in4[12];
	char				 buf[PROXY_MAX + 16];
	size_t				 n;

	(void)state;
	n = v2(buf, 0x11, 0x11, in4, 12);	/* version 1 in binary */
	bad(buf, n);
	bad(buf, 13);
	n = v2(buf, 0x22, 0x11, in4, 12);	/* no such command */
	bad(buf, n);
	n = v2(buf, 0x21, 0x11, in4, 11);	/* too short for its family */
	bad(buf, n);
	n = v2(buf, 0x21, 0x21, in4, 12);
	bad(buf, n);
	n = v2(buf, 0x21, 0x41, in4, 12);	/* no such family */
	bad(buf, n);
	n = v2(buf, 0x21, 0x13, in4, 12);	/* no such transport */
	bad(buf, n);
	/* Longer than we take: refused as soon as the length is seen. */
	(void)v2(buf, 0x21, 0x11, in4, 12);
	buf[14] = (char)((PROXY_MAX - 15) >> 8);
	buf[15] = (char)((PROXY_MAX - 15) & 0xff);
	bad(buf, 16);
	BAD("\r\n\r\n\0\r\nQUIT\r");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1),
		cmocka_unit_test(test_v1_malformed),
		cmocka_unit_test(test_v2),
		cmocka_unit_test(test_v2_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
