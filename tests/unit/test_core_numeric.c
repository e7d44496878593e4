/*
 * The numerics table, and replies with a fixed text that run past the protocol's 512
 * bytes: cut after 510 bytes, never inside a UTF-8 character, CR LF last.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/numeric.h"
#include "fixture_core.h"

static void
test_every_numeric_has_a_code(void **state)
{
	const char	*prev = "000";

	(void)state;
	for (int n = 0; n < NUMERIC_COUNT; n++) {
		const char	*code = numeric_code((enum numeric)n);

		assert_non_null(code);
		assert_int_equal(strlen(code), 3);
		assert_true(strspn(code, "0123456789") == 3);
		/* In code order, each once. */
		assert_true(strcmp(prev, code) < 0 || n == 0);
		prev = code;
	}
	assert_string_equal(numeric_code(RPL_WELCOME), "001");
	assert_string_equal(numeric_code(ERR_NOSUCHNICK), "401");
	assert_string_equal(numeric_text(ERR_NOSUCHNICK), "No such nick/channel");
	assert_null(numeric_text(RPL_WELCOME));
}

/* The line a 401 for target would be, cut as every outgoing line is. */
static void
expect_cut(char *buf, size_t cap, const char *target)
{
	size_t	len;

	snprintf(buf, cap, ":irc.localhost 401 a %s :No such nick/channel", target);
	len = strlen(buf);
	if (len > 510) {
		len = 510;
		while (len > 0 && ((unsigned char)buf[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(buf + len, "\r\n", 3);
}

static void
check_long_target(size_t ascii, const char *tail)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_client(fx, "a");
	char		 target[512], line[600], want[1100];

	memset(target, 'x', ascii);
	snprintf(target + ascii, sizeof(target) - ascii, "%s", tail);
	snprintf(line, sizeof(line), "PRIVMSG %s :hi", target);
	fx_line(fx, c, line);
	expect_cut(want, sizeof(want), target);
	assert_string_equal(fx_take(fx, c), want);
	assert_true(strlen(want) <= 512);
	fx_free(fx);
}

static void
test_long_reply_cut(void **state)
{
	(void)state;
	/* The text itself is cut. */
	check_long_target(470, "");
	/* The parameter runs past the end: no text at all. */
	check_long_target(495, "");
	/* A three-byte character across byte 510 goes whole. */
	check_long_target(487, "\xe2\x82\xac\xe2\x82\xac");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_numeric_has_a_code),
		cmocka_unit_test(test_long_reply_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
