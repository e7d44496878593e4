/*
 * WEBIRC through the core: a gateway from an address its block's host matches, with the
 * right password, names its user's address before registration; the welcome, WHOIS
 * and the log show that address.  A wrong password, an unknown gateway address, a bad
 * address, a second WEBIRC and one after registration are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "fixture_core.h"

/* crypt(3) of "s3cret" (yescrypt). */
#define HASH_Y	"$y$j9T$p3q3GEAif3thzMIBFOJng/$O/jX6xivikQq30VtskiE7ZwISoD3.tuLWTHdNk70KVC"
#define REFUSED	"ERROR :Closing Link: %s (WEBIRC refused)\r\n"

static const struct core_webirc	 gateways[] = {
	{ "faraway", HASH_Y, "10.*" },
	{ "kiwi", HASH_Y, "127.0.0.*" },
};

static void
with_gateways(struct core_config *cfg)
{
	cfg->webircs = gateways;
	cfg->nwebircs = sizeof(gateways) / sizeof(gateways[0]);
}

/* Send lines on a new connection; what it was sent. */
static const char *
session(struct fx *fx, unsigned *c, const char *const *lines)
{
	*c = fx_connect(fx);
	for (; *lines != NULL; lines++)
		fx_line(fx, *c, *lines);
	return fx_take(fx, *c);
}

/* The first line of text, CR LF included; valid until the next call. */
static const char *
first_line(const char *text)
{
	static char	 buf[512];
	const char	*end = strstr(text, "\r\n");

	snprintf(buf, sizeof(buf), "%.*s", end != NULL ? (int)(end - text + 2) : 0, text);
	return buf;
}

static void
test_webirc_names_the_address(void **state)
{
	static const char *const	 lines[] = { "WEBIRC s3cret kiwiirc client.example "
	    "192.0.2.77", "NICK alice", "USER u 0 * :R", NULL };
	static const char *const	 v6[] = { "WEBIRC s3cret kiwiirc h :::1", "NICK bob",
	    "USER u 0 * :R", NULL };
	struct fx			*fx = fx_new(with_gateways);
	unsigned			 a, b;

	(void)state;
	assert_string_equal(first_line(session(fx, &a, lines)), ":irc.localhost 001 "
	    "alice :Welcome to the parley Network, alice!u@192.0.2.77\r\n");
	assert_string_equal(first_line(session(fx, &b, v6)), ":irc.localhost 001 bob "
	    ":Welcome to the parley Network, bob!u@0::1\r\n");
	fx_line(fx, b, "WHOIS alice");
	assert_string_equal(first_line(fx_take(fx, b)),
	    ":irc.localhost 311 bob alice u 192.0.2.77 * :R\r\n");
	fx_free(fx);
}

/* lines end in the refusal, to a client whose host is host by then. */
static void
refused(struct fx *fx, const char *const *lines, const char *host)
{
	char		 want[128];
	unsigned	 c;
	const char	*got = session(fx, &c, lines);

	snprintf(want, sizeof(want), REFUSED, host);
	assert_true(strlen(got) >= strlen(want));
	assert_string_equal(got + strlen(got) - strlen(want), want);
	assert_true(fx->conns[c].closed);
}

static void
test_webirc_refusals(void **state)
{
	static const char *const	 wrong[] = { "WEBIRC nope gw h 192.0.2.1",
	    NULL };
	static const char *const	 notip[] = { "WEBIRC s3cret gw h example.com",
	    NULL };
	static const char *const	 twice[] = { "WEBIRC s3cret gw h 192.0.2.1",
	    "WEBIRC s3cret gw h 192.0.2.2", NULL };
	struct fx			*fx = fx_new(with_gateways);
	struct fx			*none = fx_new(NULL);
	unsigned			 c;

	(void)state;
	refused(fx, wrong, "127.0.0.1");
	refused(fx, notip, "127.0.0.1");
	/* The first named the address already. */
	refused(fx, twice, "192.0.2.1");
	/* No block for 127.0.0.1: nobody may. */
	refused(none, wrong, "127.0.0.1");
	/* After registration it is a registration command. */
	c = fx_client(fx, "carol");
	fx_line(fx, c, "WEBIRC s3cret gw h 192.0.2.1");
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost 462 carol :You may not reregister\r\n");
	fx_line(fx, c, "WEBIRC s3cret gw h");
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost 462 carol :You may not reregister\r\n");
	fx_free(none);
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_webirc_names_the_address),
		cmocka_unit_test(test_webirc_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
