/*
 * CAP: listing, atomic requests, registration held during negotiation, bad input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "fixture_core.h"

/* The one line of a reply, without ":irc.localhost CAP nick SUB " and CR LF. */
static const char *
cap_list(const char *out, const char *head)
{
	size_t	n = strlen(head);

	assert_memory_equal(out, head, n);
	assert_non_null(strstr(out, "\r\n"));
	/* A single line. */
	assert_true(strstr(out, "\r\n")[2] == '\0');
	return out + n;
}

/* Whether name is one of the space-separated words of list (ending at CR). */
static int
has_word(const char *list, const char *name)
{
	size_t	n = strlen(name);

	for (const char *p = list; *p != '\0' && *p != '\r';) {
		size_t	len = strcspn(p, " \r");

		if (len == n && strncmp(p, name, n) == 0)
			return 1;
		p += len;
		if (*p == ' ')
			p++;
	}
	return 0;
}

static void
test_ls_302_lists_and_holds(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);
	const char	*list;

	(void)state;
	fx_line(fx, c, "CAP LS 302");
	/* More than one line holds: the first one says so with "*". */
	list = fx_take(fx, c);
	assert_memory_equal(list, ":irc.localhost CAP * LS * :", 27);
	list += 27;
	assert_true(has_word(list, "multi-prefix"));
	assert_true(has_word(list, "cap-notify"));
	assert_true(has_word(list, "server-time"));
	assert_false(has_word(list, "sasl"));
	fx_line(fx, c, "NICK a");
	fx_line(fx, c, "USER a 0 * :a");
	assert_string_equal(fx_take(fx, c), "");
	fx_line(fx, c, "CAP END");
	assert_non_null(strstr(fx_take(fx, c), " 001 a "));
	fx_free(fx);
}

static void
test_ls_302_enables_cap_notify(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "CAP LS 302");
	fx_take(fx, c);
	fx_line(fx, c, "CAP LIST");
	assert_string_equal(fx_take(fx, c), ":irc.localhost CAP * LIST :cap-notify\r\n");
	/* Version 302 turned it on for good. */
	fx_line(fx, c, "CAP REQ -cap-notify");
	assert_string_equal(fx_take(fx, c), ":irc.localhost CAP * NAK :-cap-notify\r\n");
	fx_free(fx);
}

static void
test_plain_ls_enables_nothing(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "CAP LS");
	assert_true(has_word(cap_list(fx_take(fx, c), ":irc.localhost CAP * LS :"),
	    "echo-message"));
	fx_line(fx, c, "CAP LIST");
	assert_string_equal(fx_take(fx, c), ":irc.localhost CAP * LIST :\r\n");
	fx_free(fx);
}

static void
test_req_ack_and_list(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "CAP REQ :multi-prefix server-time");
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost CAP * ACK :multi-prefix server-time\r\n");
	/* server-time applies from the line after its ACK, up to the ACK that ends it. */
	fx_line(fx, c, "CAP LIST");
	assert_string_equal(fx_take(fx, c), "@time=2023-11-14T22:13:20.000Z "
	    ":irc.localhost CAP * LIST :multi-prefix server-time\r\n");
	fx_line(fx, c, "CAP REQ -server-time");
	assert_string_equal(fx_take(fx, c), "@time=2023-11-14T22:13:20.000Z "
	    ":irc.localhost CAP * ACK :-server-time\r\n");
	fx_line(fx, c, "CAP LIST");
	assert_string_equal(fx_take(fx, c), ":irc.localhost CAP * LIST :multi-prefix\r\n");
	fx_free(fx);
}

/* One bad name refuses the whole request: nothing of it is enabled. */
static void
test_req_is_atomic(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "CAP REQ :multi-prefix no-such-cap");
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost CAP * NAK :multi-prefix no-such-cap\r\n");
	fx_line(fx, c, "CAP REQ :Multi-Prefix");
	assert_string_equal(fx_take(fx, c), ":irc.localhost CAP * NAK :Multi-Prefix\r\n");
	fx_line(fx, c, "CAP REQ :multi-prefix -multi-prefix");
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost CAP * NAK :multi-prefix -multi-prefix\r\n");
	fx_line(fx, c, "CAP LIST");
	assert_string_equal(fx_take(fx, c), ":irc.localhost CAP * LIST :\r\n");
	fx_free(fx);
}

/* REQ alone holds registration too, as the specification asks. */
static void
test_req_holds_registration(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "NICK a");
	fx_line(fx, c, "CAP REQ away-notify");
	assert_string_equal(fx_take(fx, c), ":irc.localhost CAP a ACK :away-notify\r\n");
	fx_line(fx, c, "USER a 0 * :a");
	assert_string_equal(fx_take(fx, c), "");
	fx_line(fx, c, "CAP END");
	assert_non_null(strstr(fx_take(fx, c), " 001 a "));
	/* After registration END changes nothing. */
	fx_line(fx, c, "CAP END");
	assert_string_equal(fx_take(fx, c), "");
	fx_free(fx);
}

static void
test_registered_client_negotiates(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, c, "CAP LS");
	assert_true(has_word(cap_list(fx_take(fx, c), ":irc.localhost CAP alice LS :"),
	    "batch"));
	fx_line(fx, c, "CAP REQ :batch");
	assert_string_equal(fx_take(fx, c), ":irc.localhost CAP alice ACK :batch\r\n");
	/* Nothing is held: commands still run. */
	fx_line(fx, c, "PING x");
	assert_non_null(strstr(fx_take(fx, c), "PONG"));
	fx_free(fx);
}

static void
test_bad_subcommands(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "CAP FOO");
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost 410 * FOO :Invalid CAP command\r\n");
	fx_line(fx, c, "CAP REQ");
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost 461 * CAP :Not enough parameters\r\n");
	fx_line(fx, c, "CAP");
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost 461 * CAP :Not enough parameters\r\n");
	/* The connection goes on. */
	fx_line(fx, c, "NICK a");
	fx_line(fx, c, "USER a 0 * :a");
	assert_non_null(strstr(fx_take(fx, c), " 001 a "));
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_ls_302_lists_and_holds),
		cmocka_unit_test(test_ls_302_enables_cap_notify),
		cmocka_unit_test(test_plain_ls_enables_nothing),
		cmocka_unit_test(test_req_ack_and_list),
		cmocka_unit_test(test_req_is_atomic),
		cmocka_unit_test(test_req_holds_registration),
		cmocka_unit_test(test_registered_client_negotiates),
		cmocka_unit_test(test_bad_subcommands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
