/*
 * ChanServ and registered channels through the core: REGISTER, INFO, DROP, ACCESS,
 * OP/DEOP/VOICE/DEVOICE over the fixture's memory store; a registered channel outliving
 * its members and a restart (a new core loaded from the same store) with its topic,
 * modes and lists; its founder and access entries given op or voice on join.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_core.h"
#include "store/store.h"
#include "store/store_memory.h"

#define CS	":ChanServ!ChanServ@services.irc.localhost "

static void
unlimited(struct core_config *cfg)
{
	cfg->flood_burst = 0;
}

/* A client on nick with account nick registered (password "hunter22"), logged in. */
static unsigned
registered(struct fx *fx, const char *nick)
{
	unsigned	c = fx_client(fx, nick);

	fx_line(fx, c, "PRIVMSG NickServ :REGISTER hunter22");
	fx_take(fx, c);
	return c;
}

/* alice, logged in, founder of #c. */
static unsigned
founder(struct fx *fx)
{
	unsigned	a = registered(fx, "alice");

	fx_line(fx, a, "JOIN #c");
	fx_line(fx, a, "CS REGISTER #c");
	assert_string_equal(strstr(fx_take(fx, a), CS), CS "NOTICE alice :#c is "
	    "registered to alice\r\n");
	return a;
}

static int
restore_account(void *arg, const char *name)
{
	return core_restore_account(arg, name);
}

static int
restore_channel(void *arg, const struct chanreg_rec *rec)
{
	return core_restore_channel(arg, rec);
}

static int
restore_entry(void *arg, const struct chanreg_entry *entry)
{
	return core_restore_entry(arg, entry);
}

static int
restore_presence(void *arg, const struct presence_rec *rec)
{
	return core_restore_presence(arg, rec);
}

static int
restore_opts(void *arg, const struct account_opts *o)
{
	return core_restore_account_opts(arg, o);
}

/* The server restarts on the same store: every connection is gone. */
static void
restart(struct fx *fx)
{
	static const struct store_visitor v = {
		restore_account, restore_channel, restore_entry, NULL, restore_presence,
		restore_opts
	};

	core_free(fx->core);
	for (unsigned i = 1; i <= fx->nconns; i++)
		fx->conns[i].client = NULL;
	if ((fx->core = core_new(&fx->cfg, &fx->out)) == NULL)
		abort();
	core_clock(fx->core, fx->now, 1700000100000LL);
	assert_int_equal(store_memory.load(fx->store, &v, fx->core), 0);
}

static void
test_register_checks(void **state)
{
	struct fx	*fx = fx_new(unlimited);
	unsigned	 a = fx_client(fx, "alice"), b = registered(fx, "bob");

	(void)state;
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, b, "JOIN #c");
	fx_drain(fx);
	fx_line(fx, a, "CS REGISTER #c");
	assert_string_equal(fx_take(fx, a), CS "NOTICE alice :Log in first: /msg NickServ "
	    "HELP IDENTIFY\r\n");
	fx_line(fx, b, "CS REGISTER #c");
	assert_string_equal(fx_take(fx, b), CS "NOTICE bob :You must be a channel "
	    "operator of #c\r\n");
	fx_line(fx, b, "CS REGISTER #elsewhere");
	assert_string_equal(fx_take(fx, b), CS "NOTICE bob :Join #elsewhere first\r\n");
	fx_line(fx, b, "CS INFO #c");
	assert_string_equal(fx_take(fx, b), CS "NOTICE bob :#c is not registered\r\n");
	fx_free(fx);
}

static void
test_register_info_drop(void **state)
{
	struct fx	*fx = fx_new(unlimited);
	unsigned	 a = founder(fx), b = registered(fx, "bob");

	(void)state;
	fx_line(fx, b, "CS INFO #C");
	assert_string_equal(fx_take(fx, b),
	    CS "NOTICE bob :#c, founder alice, registered Tuesday November 14 2023 -- "
	    "22:13:20 UTC\r\n"
	    CS "NOTICE bob :Access entries: 0\r\n");
	fx_line(fx, a, "CS REGISTER #c");
	assert_string_equal(fx_take(fx, a), CS "NOTICE alice :#c is already "
	    "registered\r\n");
	fx_line(fx, b, "CS DROP #c");
	assert_string_equal(fx_take(fx, b), CS "NOTICE bob :Only the founder of #c "
	    "(alice) may do that\r\n");
	/* Registered, the channel stays when its last member leaves. */
	fx_line(fx, a, "PART #c");
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(fx_take(fx, b), ":bob!u@127.0.0.1 JOIN #c\r\n"
	    ":irc.localhost 353 bob = #c :bob\r\n"
	    ":irc.localhost 366 bob #c :End of /NAMES list\r\n");
	fx_line(fx, b, "PART #c");
	fx_drain(fx);
	fx_line(fx, a, "CS DROP #c");
	assert_string_equal(fx_take(fx, a), CS "NOTICE alice :#c is no longer "
	    "registered\r\n");
	fx_line(fx, b, "CS INFO #c");
	assert_string_equal(fx_take(fx, b), CS "NOTICE bob :#c is not registered\r\n");
	/* Dropped and empty, it is gone: the next to join creates it, as an operator. */
	fx_line(fx, b, "JOIN #c");
	assert_non_null(strstr(fx_take(fx, b), " 353 bob = #c :@bob\r\n"));
	fx_free(fx);
}

/* Topic, modes, key, limit and lists are written as they change, and come back. */
static void
test_survives_restart(void **state)
{
	struct fx	*fx = fx_new(unlimited);
	unsigned	 a = founder(fx), b, c;

	(void)state;
	fx_line(fx, a, "TOPIC #c :the topic");
	fx_line(fx, a, "MODE #c +mk-t sesame");
	fx_line(fx, a, "MODE #c +l 42");
	fx_line(fx, a, "MODE #c +bb spam!*@* ham!*@*");
	fx_line(fx, a, "MODE #c -b ham!*@*");
	fx_line(fx, a, "MODE #c +e friend!*@*");
	fx_advance(fx, 1000);
	restart(fx);
	b = fx_client(fx, "bob");
	fx_line(fx, b, "MODE #c");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 324 bob #c +mnkl * 42\r\n"
	    ":irc.localhost 329 bob #c 1700000000\r\n");
	fx_line(fx, b, "TOPIC #c");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 332 bob #c :the topic\r\n"
	    ":irc.localhost 333 bob #c alice!u@127.0.0.1 1700000000\r\n");
	fx_line(fx, b, "MODE #c b");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 367 bob #c spam!*@* alice!u@127.0.0.1 1700000000\r\n"
	    ":irc.localhost 368 bob #c :End of channel ban list\r\n");
	fx_line(fx, b, "MODE #c e");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 348 bob #c friend!*@* alice!u@127.0.0.1 1700000000\r\n"
	    ":irc.localhost 349 bob #c :End of channel exception list\r\n");
	fx_line(fx, b, "JOIN #c sesame");
	assert_non_null(strstr(fx_take(fx, b), " 353 bob = #c :bob\r\n"));
	/* The founder, logged in, gets op from ChanServ. */
	c = fx_client(fx, "alice");
	fx_line(fx, c, "NS IDENTIFY hunter22");
	fx_line(fx, c, "JOIN #c sesame");
	assert_string_equal(strstr(fx_take(fx, c), CS), CS "MODE #c +o alice\r\n");
	assert_string_equal(fx_take(fx, b), ":alice!u@127.0.0.1 JOIN #c\r\n"
	    CS "MODE #c +o alice\r\n");
	fx_free(fx);
}

static void
test_access(void **state)
{
	struct fx	*fx = fx_new(unlimited);
	unsigned	 a = founder(fx), b = registered(fx, "bob"), c = registered(fx, "carol");

	(void)state;
	fx_line(fx, a, "CS ACCESS #c ADD nobody op");
	assert_string_equal(fx_take(fx, a), CS "NOTICE alice :No account named nobody\r\n");
	fx_line(fx, a, "CS ACCESS #c ADD BOB op");
	assert_string_equal(fx_take(fx, a), CS "NOTICE alice :bob gets op on #c\r\n");
	fx_line(fx, a, "CS ACCESS #c ADD carol voice");
	fx_line(fx, a, "CS ACCESS #c ADD carol op");
	assert_string_equal(fx_take(fx, a), CS "NOTICE alice :carol gets voice on #c\r\n"
	    CS "NOTICE alice :carol has voice on #c already: DEL it first\r\n");
	fx_line(fx, b, "CS ACCESS #c DEL carol");
	assert_string_equal(fx_take(fx, b), CS "NOTICE bob :Only the founder of #c "
	    "(alice) may do that\r\n");
	fx_line(fx, a, "CS ACCESS #c LIST");
	assert_string_equal(fx_take(fx, a),
	    CS "NOTICE alice :  bob op (by alice!u@127.0.0.1)\r\n"
	    CS "NOTICE alice :  carol voice (by alice!u@127.0.0.1)\r\n"
	    CS "NOTICE alice :End of the access list of #c\r\n");
	fx_line(fx, b, "JOIN #c");
	fx_line(fx, c, "JOIN #c");
	fx_take(fx, b);
	fx_take(fx, c);
	assert_string_equal(fx_take(fx, a), ":bob!u@127.0.0.1 JOIN #c\r\n"
	    CS "MODE #c +o bob\r\n"
	    ":carol!u@127.0.0.1 JOIN #c\r\n"
	    CS "MODE #c +v carol\r\n");
	/* A voice entry may take its own voice, not give op; an op entry may. */
	fx_line(fx, c, "CS DEVOICE #c");
	fx_line(fx, c, "CS OP #c");
	assert_string_equal(fx_take(fx, c), CS "MODE #c -v carol\r\n"
	    CS "NOTICE carol :You have no access to do that on #c\r\n");
	fx_take(fx, b);
	fx_line(fx, b, "CS OP #c carol");
	fx_line(fx, b, "CS DEOP #c carol");
	fx_line(fx, b, "CS VOICE #c nobody");
	assert_string_equal(fx_take(fx, b), CS "MODE #c +o carol\r\n"
	    CS "MODE #c -o carol\r\n"
	    CS "NOTICE bob :nobody is not on #c\r\n");
	fx_line(fx, a, "CS ACCESS #c DEL carol");
	fx_line(fx, a, "CS ACCESS #c DEL carol");
	assert_string_equal(fx_take(fx, a), ":ChanServ!ChanServ@services.irc.localhost "
	    "MODE #c -v carol\r\n"
	    ":ChanServ!ChanServ@services.irc.localhost MODE #c +o carol\r\n"
	    ":ChanServ!ChanServ@services.irc.localhost MODE #c -o carol\r\n"
	    CS "NOTICE alice :carol is off the access list of #c\r\n"
	    CS "NOTICE alice :carol is not on the access list of #c\r\n");
	/* The entries are in the store: after a restart bob still gets op. */
	restart(fx);
	b = fx_client(fx, "bob");
	fx_line(fx, b, "NS IDENTIFY hunter22");
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(strstr(fx_take(fx, b), CS), CS "MODE #c +o bob\r\n");
	fx_free(fx);
}

/* A change the store could not write is said to be lost. */
static void
test_store_failure(void **state)
{
	struct fx	*fx = fx_new(unlimited);
	unsigned	 a = founder(fx);

	(void)state;
	fx->store_fail = -ENOSPC;
	fx_line(fx, a, "TOPIC #c :lost");
	assert_string_equal(fx_take(fx, a), ":alice!u@127.0.0.1 TOPIC #c lost\r\n"
	    CS "NOTICE alice :The topic and modes of #c could not be saved (No space left "
	    "on device): it will be lost at a restart\r\n");
	fx_line(fx, a, "CS ACCESS #c ADD alice op");
	assert_string_equal(fx_take(fx, a), CS "NOTICE alice :The channel store failed: "
	    "nothing was changed, try again later\r\n");
	fx_free(fx);
}

/* Dropping the founder's account drops its channels. */
static void
test_account_drop(void **state)
{
	struct fx	*fx = fx_new(unlimited);
	unsigned	 a = founder(fx);

	(void)state;
	fx_line(fx, a, "NS DROP alice hunter22");
	fx_line(fx, a, "CS INFO #c");
	assert_string_equal(strstr(fx_take(fx, a), CS), CS "NOTICE alice :#c is not "
	    "registered\r\n");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_checks),
		cmocka_unit_test(test_register_info_drop),
		cmocka_unit_test(test_survives_restart),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_store_failure),
		cmocka_unit_test(test_account_drop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
