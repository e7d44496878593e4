/*
 * draft/metadata-2: METADATA's subcommands, their numerics and FAIL codes, the
 * metadata batches, subscriptions and notifications, with the exact bytes each
 * connection receives (batch ids shown as mdX).
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

/* What was queued for c, each batch id ("md" and hex digits) written "mdX". */
static const char *
take(struct fx *fx, unsigned c)
{
	static char	 out[8192];
	const char	*in = fx_take(fx, c);
	size_t		 n = 0;

	while (*in != '\0' && n + 4 < sizeof(out)) {
		if (strncmp(in, "md", 2) == 0 && strchr("0123456789abcdef", in[2]) != NULL &&
		    in[2] != '\0') {
			memcpy(out + n, "mdX", 3);
			n += 3;
			in += 2;
			while (*in != '\0' && strchr("0123456789abcdef", *in) != NULL)
				in++;
		} else
			out[n++] = *in++;
	}
	out[n] = '\0';
	return out;
}

static void
test_cap_and_self(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);
	unsigned	 plain = fx_client(fx, "plain");

	(void)state;
	/* Negotiating it brings the client's stored metadata: none, an empty batch. */
	fx_line(fx, c, "CAP REQ :batch draft/metadata-2");
	assert_string_equal(take(fx, c), S "CAP * ACK :batch draft/metadata-2\r\n"
	    S "BATCH +mdX metadata\r\n" S "BATCH -mdX\r\n");
	fx_line(fx, c, "NICK alice");
	fx_line(fx, c, "USER u 0 * :A");
	fx_line(fx, c, "CAP END");
	fx_drain(fx);
	fx_line(fx, c, "METADATA * SET Display-Name :Alice A.");
	assert_string_equal(take(fx, c), S "761 alice alice display-name * :Alice A.\r\n");
	fx_line(fx, c, "METADATA alice GET display-name avatar $bad");
	assert_string_equal(take(fx, c), S "BATCH +mdX metadata\r\n"
	    "@batch=mdX " S "761 alice alice display-name * :Alice A.\r\n"
	    "@batch=mdX " S "766 alice alice avatar :no matching key\r\n"
	    "@batch=mdX " S "FAIL METADATA INVALID_KEY $bad :invalid key\r\n"
	    S "BATCH -mdX\r\n");
	fx_line(fx, c, "METADATA * SET avatar");
	assert_string_equal(take(fx, c), S "768 alice alice avatar :key not set\r\n");
	fx_line(fx, c, "METADATA plain SET avatar :x");
	assert_string_equal(take(fx, c), S "FAIL METADATA KEY_NO_PERMISSION plain avatar "
	    ":permission denied\r\n");
	fx_line(fx, c, "METADATA nobody LIST");
	assert_string_equal(take(fx, c), S "FAIL METADATA INVALID_TARGET nobody "
	    ":invalid metadata target\r\n");
	fx_line(fx, c, "METADATA * DESTROY");
	assert_string_equal(take(fx, c), S "FAIL METADATA INVALID_SUBCOMMAND DESTROY "
	    ":invalid subcommand\r\n");
	fx_line(fx, c, "METADATA * CLEAR");
	assert_string_equal(take(fx, c), S "BATCH +mdX metadata\r\n"
	    "@batch=mdX " S "761 alice alice display-name *\r\n" S "BATCH -mdX\r\n");
	/* Without the capability METADATA is an unknown command. */
	fx_line(fx, plain, "METADATA * LIST");
	assert_string_equal(take(fx, plain), S "421 plain METADATA :Unknown command\r\n");
	fx_free(fx);
}

static void
test_subscriptions_and_notifications(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = cap_client(fx, "alice", "batch draft/metadata-2");
	unsigned	 b = cap_client(fx, "bob", "batch draft/metadata-2");
	char		 line[512];

	(void)state;
	fx_line(fx, b, "METADATA * SUB avatar DISPLAY-NAME $x");
	assert_string_equal(take(fx, b), S "FAIL METADATA INVALID_KEY $x :invalid key\r\n"
	    S "770 bob :avatar display-name\r\n");
	fx_line(fx, b, "METADATA * SUBS");
	assert_string_equal(take(fx, b), S "772 bob :avatar display-name\r\n");
	fx_line(fx, a, "METADATA * SET avatar :https://example.com/a.png");
	fx_drain(fx);
	/* Joining, bob gets what he subscribed to of the channel and its members. */
	fx_line(fx, a, "JOIN #c");
	fx_drain(fx);
	fx_line(fx, a, "METADATA #c SET url :https://example.com");
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(take(fx, b), ":bob!u@127.0.0.1 JOIN #c\r\n"
	    S "353 bob = #c :@alice bob\r\n" S "366 bob #c :End of /NAMES list\r\n"
	    S "BATCH +mdX metadata\r\n"
	    "@batch=mdX " S "METADATA alice avatar * https://example.com/a.png\r\n"
	    S "BATCH -mdX\r\n");
	take(fx, a);
	/* Changes reach the subscribed members, not the one who made them. */
	fx_line(fx, a, "METADATA * SET display-name :Al");
	assert_string_equal(take(fx, b),
	    ":alice!u@127.0.0.1 METADATA alice display-name * Al\r\n");
	assert_string_equal(take(fx, a), S "761 alice alice display-name * :Al\r\n");
	/* Unsubscribed keys are not sent; a non-operator cannot set the channel's. */
	fx_line(fx, a, "METADATA * SET homepage :x");
	assert_string_equal(take(fx, b), "");
	fx_line(fx, b, "METADATA #c SET url :mine");
	assert_string_equal(take(fx, b), S "FAIL METADATA KEY_NO_PERMISSION #c url "
	    ":permission denied\r\n");
	fx_line(fx, b, "METADATA * UNSUB avatar");
	assert_string_equal(take(fx, b), S "771 bob :avatar\r\n");
	/* maxsub: the first key over it is named, the rest are not looked at. */
	snprintf(line, sizeof(line), "METADATA * SUB k1 k2 k3 k4 k5 k6 k7 k8 k9 k10 k11 "
	    "k12 k13");
	fx_line(fx, b, line);
	fx_line(fx, b, "METADATA * SUB m1 m2 m3 m4 m5 m6 m7 m8 m9");
	assert_string_equal(take(fx, b),
	    S "770 bob :k1 k2 k3 k4 k5 k6 k7 k8 k9 k10 k11 k12 k13\r\n"
	    S "FAIL METADATA TOO_MANY_SUBS m7 :too many subscriptions\r\n"
	    S "770 bob :m1 m2 m3 m4 m5 m6\r\n");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap_and_self),
		cmocka_unit_test(test_subscriptions_and_notifications),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
