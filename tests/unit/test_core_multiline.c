/*
 * draft/multiline: client batches, their limits and FAIL codes, delivery in a batch
 * and the fallback line by line, with the exact bytes each connection receives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "fixture_core.h"

#define S	":irc.localhost "
#define A	":alice!u@127.0.0.1 "

static unsigned
cap_client(struct fx *fx, const char *nick, const char *caps)
{
	unsigned	c = fx_connect(fx);
	char		line[256];

	snprintf(line, sizeof(line), "CAP REQ :%s", caps);
	fx_line(fx, c, line);
	snprintf(line, sizeof(line), "NICK %s", nick);
	fx_line(fx, c, line);
	fx_line(fx, c, "USER u 0 * :Real Name");
	fx_line(fx, c, "CAP END");
	fx_take(fx, c);
	return c;
}

/* No flood control: a batch's lines arrive all at once. */
static void
no_flood(struct core_config *cfg)
{
	cfg->flood_burst = 0;
}

/* alice and bob negotiate multiline, carol message-tags only; all in #c. */
static struct fx *
setup(unsigned *a, unsigned *b, unsigned *c)
{
	struct fx	*fx = fx_new(no_flood);

	*a = cap_client(fx, "alice", "batch draft/multiline");
	*b = cap_client(fx, "bob", "batch draft/multiline");
	*c = cap_client(fx, "carol", "message-tags");
	fx_line(fx, *a, "JOIN #c");
	fx_line(fx, *b, "JOIN #c");
	fx_line(fx, *c, "JOIN #c");
	fx_drain(fx);
	return fx;
}

static void
test_batch_and_fallback(void **state)
{
	unsigned	 a, b, c;
	struct fx	*fx = setup(&a, &b, &c);
	const char	*out;

	(void)state;
	fx_line(fx, a, "BATCH +x1 draft/multiline #c");
	fx_line(fx, a, "@batch=x1 PRIVMSG #c hello");
	fx_line(fx, a, "@batch=x1 PRIVMSG #c :");
	fx_line(fx, a, "@batch=x1 PRIVMSG #c :how is ");
	fx_line(fx, a, "@batch=x1;draft/multiline-concat PRIVMSG #c :everyone?");
	assert_string_equal(fx_take(fx, b), "");
	fx_line(fx, a, "BATCH -x1");
	assert_string_equal(fx_take(fx, b),
	    A "BATCH +x1 draft/multiline #c\r\n"
	    "@batch=x1 " A "PRIVMSG #c hello\r\n"
	    "@batch=x1 " A "PRIVMSG #c :\r\n"
	    "@batch=x1 " A "PRIVMSG #c :how is \r\n"
	    "@batch=x1;draft/multiline-concat " A "PRIVMSG #c everyone?\r\n"
	    S "BATCH -x1\r\n");
	/* The fallback: no blank line, the msgid on the first line only. */
	out = fx_take(fx, c);
	assert_true(strncmp(out, "@msgid=", 7) == 0);
	out = strchr(out, ' ') + 1;
	assert_string_equal(out, A "PRIVMSG #c hello\r\n"
	    A "PRIVMSG #c :how is \r\n"
	    A "PRIVMSG #c everyone?\r\n");
	assert_string_equal(fx_take(fx, a), "");
	fx_free(fx);
}

static void
test_limits_and_errors(void **state)
{
	unsigned	 a, b, c;
	struct fx	*fx = setup(&a, &b, &c);
	char		 line[64];

	(void)state;
	/* Without the capability, BATCH is an unknown command. */
	fx_line(fx, c, "BATCH +x draft/multiline #c");
	assert_string_equal(fx_take(fx, c), S "421 carol BATCH :Unknown command\r\n");
	fx_line(fx, a, "BATCH +x draft/multiline #c");
	fx_line(fx, a, "@batch=x PRIVMSG #other :hi");
	assert_string_equal(fx_take(fx, a), S "FAIL BATCH MULTILINE_INVALID_TARGET #c "
	    "#other :Invalid multiline target\r\n");
	/* The rest of a refused batch is dropped without a word, its end too. */
	fx_line(fx, a, "@batch=x PRIVMSG #c :more");
	fx_line(fx, a, "BATCH -x");
	assert_string_equal(fx_take(fx, a), "");
	fx_line(fx, a, "BATCH -x");
	assert_string_equal(fx_take(fx, a),
	    S "FAIL BATCH MULTILINE_INVALID :No such batch open\r\n");
	fx_line(fx, a, "BATCH +y draft/multiline #c");
	for (int i = 0; i < 25; i++) {
		snprintf(line, sizeof(line), "@batch=y PRIVMSG #c :line %d", i);
		fx_line(fx, a, line);
	}
	assert_string_equal(fx_take(fx, a), S "FAIL BATCH MULTILINE_MAX_LINES 24 "
	    ":Multiline batch max-lines exceeded\r\n");
	fx_line(fx, a, "BATCH -y");
	fx_line(fx, a, "BATCH +z draft/multiline #c");
	fx_line(fx, a, "@batch=z PRIVMSG #c :");
	fx_line(fx, a, "BATCH -z");
	assert_string_equal(fx_take(fx, a), S "FAIL BATCH MULTILINE_INVALID "
	    ":A multiline batch needs a line that is not blank\r\n");
	assert_string_equal(fx_take(fx, b), "");
	fx_free(fx);
}

static void
test_max_bytes(void **state)
{
	unsigned	 a, b, c;
	struct fx	*fx = setup(&a, &b, &c);
	char		 line[512];

	(void)state;
	memset(line, 0, sizeof(line));
	fx_line(fx, a, "BATCH +w draft/multiline #c");
	/* Eleven lines of 400 bytes and their line feeds pass 4096. */
	for (int i = 0; i < 11; i++) {
		snprintf(line, sizeof(line), "@batch=w PRIVMSG #c :%0400d", i);
		fx_line(fx, a, line);
	}
	assert_string_equal(fx_take(fx, a), S "FAIL BATCH MULTILINE_MAX_BYTES 4096 "
	    ":Multiline batch max-bytes exceeded\r\n");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_and_fallback),
		cmocka_unit_test(test_limits_and_errors),
		cmocka_unit_test(test_max_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
