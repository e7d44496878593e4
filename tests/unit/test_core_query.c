/*
 * The query and information commands through the core: LIST, WHO and WHOX, WHOIS,
 * WHOWAS, AWAY, ISON, USERHOST, VERSION, TIME, ADMIN, INFO, LINKS, STATS, USERS,
 * SUMMON and LUSERS, with the exact bytes each connection receives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "fixture_core.h"

/* crypt(3) yescrypt hash of "s3cret". */
#define HASH_Y	"$y$j9T$p3q3GEAif3thzMIBFOJng/$O/jX6xivikQq30VtskiE7ZwISoD3.tuLWTHdNk70KVC"

static const struct core_oper opers[] = {
	{ "admin", HASH_Y, "", "", "" },
};

static void
with_opers(struct core_config *cfg)
{
	cfg->opers = opers;
	cfg->nopers = 1;
}

static void
short_history(struct core_config *cfg)
{
	cfg->whowas_history = 2;
	cfg->awaylen = 5;
}

#define S	":irc.localhost "

/* ---- LIST ---- */

static void
test_list_all_and_filters(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, a, "JOIN #big");
	fx_line(fx, b, "JOIN #big");
	fx_line(fx, a, "TOPIC #big :the topic");
	fx_drain(fx);
	fx_line(fx, a, "LIST");
	assert_string_equal(fx_take(fx, a),
	    S "321 alice Channel :Users  Name\r\n"
	    S "322 alice #big 2 :the topic\r\n"
	    S "323 alice :End of /LIST\r\n");
	fx_line(fx, b, "JOIN #small");
	fx_drain(fx);
	fx_line(fx, a, "LIST >1");
	assert_string_equal(fx_take(fx, a),
	    S "321 alice Channel :Users  Name\r\n"
	    S "322 alice #big 2 :the topic\r\n"
	    S "323 alice :End of /LIST\r\n");
	fx_line(fx, a, "LIST <2");
	assert_string_equal(fx_take(fx, a),
	    S "321 alice Channel :Users  Name\r\n"
	    S "322 alice #small 1 :\r\n"
	    S "323 alice :End of /LIST\r\n");
	fx_line(fx, a, "LIST #SM*");
	assert_string_equal(fx_take(fx, a),
	    S "321 alice Channel :Users  Name\r\n"
	    S "322 alice #small 1 :\r\n"
	    S "323 alice :End of /LIST\r\n");
	/* Every count filter applies; any mask may match. */
	fx_line(fx, a, "LIST #s*,#b?g,>1");
	assert_string_equal(fx_take(fx, a),
	    S "321 alice Channel :Users  Name\r\n"
	    S "322 alice #big 2 :the topic\r\n"
	    S "323 alice :End of /LIST\r\n");
	fx_line(fx, a, "LIST #none*");
	assert_string_equal(fx_take(fx, a),
	    S "321 alice Channel :Users  Name\r\n"
	    S "323 alice :End of /LIST\r\n");
	fx_line(fx, a, "LIST <1");
	assert_string_equal(fx_take(fx, a),
	    S "321 alice Channel :Users  Name\r\n"
	    S "323 alice :End of /LIST\r\n");
	fx_free(fx);
}

static void
test_isupport_advertises(void **state)
{
	struct fx	*fx = fx_new(short_history);
	unsigned	 c = fx_connect(fx);
	const char	*out;

	(void)state;
	fx_line(fx, c, "NICK alice");
	fx_line(fx, c, "USER u 0 * :Real Name");
	out = fx_take(fx, c);
	assert_non_null(strstr(out, " ELIST=CMNTU "));
	assert_non_null(strstr(out, " AWAYLEN=5 "));
	assert_non_null(strstr(out, " WHOX "));
	fx_free(fx);
}

/* ---- WHO ---- */

static void
test_who_channel_flags_and_prefix(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, b, "JOIN #c");
	fx_line(fx, b, "AWAY :lunch");
	fx_line(fx, a, "OPER admin s3cret");
	fx_drain(fx);
	fx_line(fx, a, "WHO #C");
	assert_string_equal(fx_take(fx, a),
	    S "352 alice #c u 127.0.0.1 irc.localhost alice H*@ :0 Real Name\r\n"
	    S "352 alice #c u 127.0.0.1 irc.localhost bob G :0 Real Name\r\n"
	    S "315 alice #C :End of /WHO list\r\n");
	fx_line(fx, b, "WHO alice");
	assert_string_equal(fx_take(fx, b),
	    S "352 bob * u 127.0.0.1 irc.localhost alice H* :0 Real Name\r\n"
	    S "315 bob alice :End of /WHO list\r\n");
	fx_line(fx, b, "WHO * o");
	assert_string_equal(fx_take(fx, b),
	    S "352 bob * u 127.0.0.1 irc.localhost alice H* :0 Real Name\r\n"
	    S "315 bob * :End of /WHO list\r\n");
	fx_line(fx, b, "WHO nobody");
	assert_string_equal(fx_take(fx, b), S "315 bob nobody :End of /WHO list\r\n");
	fx_free(fx);
}

static void
test_who_masks(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_client(fx, "bob");
	fx_line(fx, a, "WHO b*");
	assert_string_equal(fx_take(fx, a),
	    S "352 alice * u 127.0.0.1 irc.localhost bob H :0 Real Name\r\n"
	    S "315 alice b* :End of /WHO list\r\n");
	/* Masks match the realname and host too, casemapped. */
	fx_line(fx, a, "WHO *NAME");
	assert_string_equal(fx_take(fx, a),
	    S "352 alice * u 127.0.0.1 irc.localhost alice H :0 Real Name\r\n"
	    S "352 alice * u 127.0.0.1 irc.localhost bob H :0 Real Name\r\n"
	    S "315 alice *NAME :End of /WHO list\r\n");
	fx_line(fx, a, "WHO 127.0.0.?");
	assert_non_null(strstr(fx_take(fx, a), " bob H :0 Real Name\r\n"));
	fx_line(fx, a, "WHO 0");
	assert_non_null(strstr(fx_take(fx, a), S "315 alice 0 :End of /WHO list\r\n"));
	fx_free(fx);
}

static void
test_who_invisible(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");
	unsigned	 c = fx_client(fx, "carol");

	(void)state;
	fx_line(fx, b, "MODE bob +i");
	fx_line(fx, b, "JOIN #c");
	fx_line(fx, c, "JOIN #c");
	fx_drain(fx);
	/* A stranger sees an invisible user neither by mask nor in the channel. */
	fx_line(fx, a, "WHO b*");
	assert_string_equal(fx_take(fx, a), S "315 alice b* :End of /WHO list\r\n");
	fx_line(fx, a, "WHO #c");
	assert_string_equal(fx_take(fx, a),
	    S "352 alice #c u 127.0.0.1 irc.localhost carol H :0 Real Name\r\n"
	    S "315 alice #c :End of /WHO list\r\n");
	/* The exact nick still answers. */
	fx_line(fx, a, "WHO bob");
	assert_string_equal(fx_take(fx, a),
	    S "352 alice * u 127.0.0.1 irc.localhost bob H :0 Real Name\r\n"
	    S "315 alice bob :End of /WHO list\r\n");
	/* Sharing a channel makes them visible. */
	fx_line(fx, c, "WHO b*");
	assert_string_equal(fx_take(fx, c),
	    S "352 carol * u 127.0.0.1 irc.localhost bob H :0 Real Name\r\n"
	    S "315 carol b* :End of /WHO list\r\n");
	fx_free(fx);
}

static void
test_whox_fields(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "JOIN #c");
	fx_drain(fx);
	/* Fields come back in WHOX order whatever order they were asked in. */
	fx_line(fx, a, "WHO #c %rnuhtc,42");
	assert_string_equal(fx_take(fx, a),
	    S "354 alice 42 #c u 127.0.0.1 alice :Real Name\r\n"
	    S "315 alice #c :End of /WHO list\r\n");
	fx_advance(fx, 5000);
	fx_line(fx, a, "WHO alice %tsfdlaoi");
	assert_string_equal(fx_take(fx, a),
	    S "354 alice 0 127.0.0.1 irc.localhost H 0 5 0 n/a\r\n"
	    S "315 alice alice :End of /WHO list\r\n");
	/* A bad token (not 1-3 digits) is replaced by 0. */
	fx_line(fx, a, "WHO alice %tn,abcd");
	assert_string_equal(fx_take(fx, a),
	    S "354 alice 0 alice\r\n"
	    S "315 alice alice :End of /WHO list\r\n");
	fx_free(fx);
}

/* ---- WHOIS ---- */

static void
test_whois_full(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, b, "JOIN #one");
	fx_line(fx, a, "JOIN #two");
	fx_line(fx, b, "JOIN #two");
	fx_line(fx, b, "OPER admin s3cret");
	fx_line(fx, b, "AWAY :gone fishing");
	fx_advance(fx, 3000);
	fx_line(fx, b, "PRIVMSG #two :hi");
	fx_advance(fx, 7000);
	fx_drain(fx);
	fx_line(fx, a, "WHOIS BOB");
	assert_string_equal(fx_take(fx, a),
	    S "311 alice bob u 127.0.0.1 * :Real Name\r\n"
	    S "319 alice bob :@#one #two\r\n"
	    S "312 alice bob irc.localhost :parley IRC server\r\n"
	    S "313 alice bob :is an IRC operator\r\n"
	    S "301 alice bob :gone fishing\r\n"
	    S "317 alice bob 7 1700000000 :seconds idle, signon time\r\n"
	    S "318 alice bob :End of /WHOIS list\r\n");
	fx_free(fx);
}

#define FP	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* Connect over "TLS" (core_secure before any line) and register as nick. */
static unsigned
secure_client(struct fx *fx, const char *nick, const char *certfp)
{
	unsigned	c = fx_connect(fx);
	char		line[64];

	core_secure(fx->core, fx->conns[c].client, certfp);
	snprintf(line, sizeof(line), "NICK %s", nick);
	fx_line(fx, c, line);
	fx_line(fx, c, "USER u 0 * :Real Name");
	fx_take(fx, c);
	return c;
}

/* 671 for anyone; the fingerprint (276) for the user and operators only. */
static void
test_whois_secure_and_certfp(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 s = secure_client(fx, "sec", FP);
	unsigned	 p = fx_client(fx, "plain");
	unsigned	 o = fx_client(fx, "oper");

	(void)state;
	fx_line(fx, o, "OPER admin s3cret");
	fx_drain(fx);
	fx_line(fx, p, "WHOIS sec");
	assert_string_equal(fx_take(fx, p),
	    S "311 plain sec u 127.0.0.1 * :Real Name\r\n"
	    S "312 plain sec irc.localhost :parley IRC server\r\n"
	    S "671 plain sec :is using a secure connection\r\n"
	    S "317 plain sec 0 1700000000 :seconds idle, signon time\r\n"
	    S "318 plain sec :End of /WHOIS list\r\n");
	fx_line(fx, s, "WHOIS sec");
	assert_non_null(strstr(fx_take(fx, s),
	    S "671 sec sec :is using a secure connection\r\n"
	    S "276 sec sec :has client certificate fingerprint " FP "\r\n"));
	fx_line(fx, o, "WHOIS sec");
	assert_non_null(strstr(fx_take(fx, o),
	    S "276 oper sec :has client certificate fingerprint " FP "\r\n"));
	/* Plaintext: neither line. */
	fx_line(fx, s, "WHOIS plain");
	assert_null(strstr(fx_take(fx, s), " 671 "));
	fx_free(fx);
}

/* Secure without a certificate; a malformed fingerprint is not kept. */
static void
test_whois_secure_without_certfp(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = secure_client(fx, "nocert", NULL);
	unsigned	 b = secure_client(fx, "badfp", "ABC DEF");
	const char	*out;

	(void)state;
	fx_line(fx, a, "WHOIS nocert");
	out = fx_take(fx, a);
	assert_non_null(strstr(out, " 671 "));
	assert_null(strstr(out, " 276 "));
	fx_line(fx, b, "WHOIS badfp");
	out = fx_take(fx, b);
	assert_non_null(strstr(out, " 671 "));
	assert_null(strstr(out, " 276 "));
	fx_free(fx);
}

static void
test_whois_errors_and_forms(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "WHOIS");
	assert_string_equal(fx_take(fx, a), S "431 alice :No nickname given\r\n");
	fx_line(fx, a, "WHOIS ghost");
	assert_string_equal(fx_take(fx, a),
	    S "401 alice ghost :No such nick/channel\r\n"
	    S "318 alice ghost :End of /WHOIS list\r\n");
	fx_line(fx, a, "WHOIS irc.localhost alice");
	assert_string_equal(fx_take(fx, a),
	    S "311 alice alice u 127.0.0.1 * :Real Name\r\n"
	    S "312 alice alice irc.localhost :parley IRC server\r\n"
	    S "317 alice alice 0 1700000000 :seconds idle, signon time\r\n"
	    S "318 alice alice :End of /WHOIS list\r\n");
	fx_line(fx, a, "WHOIS other.server alice");
	assert_string_equal(fx_take(fx, a), S "402 alice other.server :No such server\r\n");
	fx_line(fx, a, "WHOIS ghost,alice");
	assert_string_equal(fx_take(fx, a),
	    S "401 alice ghost :No such nick/channel\r\n"
	    S "318 alice ghost :End of /WHOIS list\r\n"
	    S "311 alice alice u 127.0.0.1 * :Real Name\r\n"
	    S "312 alice alice irc.localhost :parley IRC server\r\n"
	    S "317 alice alice 0 1700000000 :seconds idle, signon time\r\n"
	    S "318 alice alice :End of /WHOIS list\r\n");
	fx_free(fx);
}

/* ---- WHOWAS ---- */

static void
test_whowas_history(void **state)
{
	struct fx	*fx = fx_new(short_history);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, a, "WHOWAS bob");
	assert_string_equal(fx_take(fx, a),
	    S "406 alice bob :There was no such nickname\r\n"
	    S "369 alice bob :End of WHOWAS\r\n");
	fx_line(fx, b, "NICK robert");
	fx_advance(fx, 60000);
	fx_line(fx, b, "QUIT :bye");
	fx_drain(fx);
	fx_line(fx, a, "WHOWAS BOB");
	assert_string_equal(fx_take(fx, a),
	    S "314 alice bob u 127.0.0.1 * :Real Name\r\n"
	    S "312 alice bob irc.localhost :Tuesday November 14 2023 -- 22:13:20 UTC\r\n"
	    S "369 alice BOB :End of WHOWAS\r\n");
	fx_line(fx, a, "WHOWAS robert");
	assert_string_equal(fx_take(fx, a),
	    S "314 alice robert u 127.0.0.1 * :Real Name\r\n"
	    S "312 alice robert irc.localhost :Tuesday November 14 2023 -- 22:14:20 UTC\r\n"
	    S "369 alice robert :End of WHOWAS\r\n");
	fx_line(fx, a, "WHOWAS");
	assert_string_equal(fx_take(fx, a), S "431 alice :No nickname given\r\n");
	fx_free(fx);
}

static void
test_whowas_ring_bounded_and_count(void **state)
{
	struct fx	*fx = fx_new(short_history);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "x");
	unsigned	 c;

	(void)state;
	fx_line(fx, b, "NICK y");
	c = fx_client(fx, "x");
	fx_line(fx, c, "NICK z");
	fx_drain(fx);
	fx_line(fx, a, "WHOWAS x");
	assert_string_equal(fx_take(fx, a),
	    S "314 alice x u 127.0.0.1 * :Real Name\r\n"
	    S "312 alice x irc.localhost :Tuesday November 14 2023 -- 22:13:20 UTC\r\n"
	    S "314 alice x u 127.0.0.1 * :Real Name\r\n"
	    S "312 alice x irc.localhost :Tuesday November 14 2023 -- 22:13:20 UTC\r\n"
	    S "369 alice x :End of WHOWAS\r\n");
	fx_line(fx, a, "WHOWAS x 1");
	assert_string_equal(fx_take(fx, a),
	    S "314 alice x u 127.0.0.1 * :Real Name\r\n"
	    S "312 alice x irc.localhost :Tuesday November 14 2023 -- 22:13:20 UTC\r\n"
	    S "369 alice x :End of WHOWAS\r\n");
	/* The ring holds 2: a third departure pushes the oldest "x" out. */
	fx_line(fx, c, "NICK w");
	fx_line(fx, a, "WHOWAS x");
	assert_string_equal(fx_take(fx, a),
	    S "314 alice x u 127.0.0.1 * :Real Name\r\n"
	    S "312 alice x irc.localhost :Tuesday November 14 2023 -- 22:13:20 UTC\r\n"
	    S "369 alice x :End of WHOWAS\r\n");
	fx_line(fx, a, "WHOWAS z");
	assert_non_null(strstr(fx_take(fx, a), " 314 alice z u "));
	fx_free(fx);
}

/* Unregistered connections leave no history. */
static void
test_whowas_ignores_unregistered(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "NICK early");
	fx_line(fx, c, "NICK later");
	fx_drop(fx, c, "EOF");
	fx_line(fx, a, "WHOWAS early");
	assert_string_equal(fx_take(fx, a),
	    S "406 alice early :There was no such nickname\r\n"
	    S "369 alice early :End of WHOWAS\r\n");
	fx_free(fx);
}

/* ---- AWAY ---- */

static void
test_away_cycle(void **state)
{
	struct fx	*fx = fx_new(short_history);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, b, "AWAY :lunch break");
	assert_string_equal(fx_take(fx, b), S "306 bob :You have been marked as being away\r\n");
	fx_line(fx, a, "PRIVMSG bob :hi");
	assert_string_equal(fx_take(fx, b), ":alice!u@127.0.0.1 PRIVMSG bob hi\r\n");
	/* Cut at awaylen (5 here). */
	assert_string_equal(fx_take(fx, a), S "301 alice bob :lunch\r\n");
	fx_line(fx, a, "NOTICE bob :hi");
	assert_string_equal(fx_take(fx, a), "");
	fx_take(fx, b);
	fx_line(fx, a, "USERHOST bob alice");
	assert_string_equal(fx_take(fx, a),
	    S "302 alice :bob=-u@127.0.0.1 alice=+u@127.0.0.1\r\n");
	fx_line(fx, b, "AWAY");
	assert_string_equal(fx_take(fx, b),
	    S "305 bob :You are no longer marked as being away\r\n");
	fx_line(fx, a, "PRIVMSG bob :back?");
	assert_string_equal(fx_take(fx, a), "");
	fx_take(fx, b);
	fx_line(fx, b, "AWAY :");
	assert_string_equal(fx_take(fx, b),
	    S "305 bob :You are no longer marked as being away\r\n");
	fx_free(fx);
}

static void
test_away_cut_keeps_utf8_whole(void **state)
{
	struct fx	*fx = fx_new(short_history);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	/* "abcd" then a 2-byte character straddling byte 5. */
	fx_line(fx, b, "AWAY :abcd\xc3\xa9");
	fx_line(fx, a, "PRIVMSG bob :hi");
	assert_string_equal(fx_take(fx, a), S "301 alice bob :abcd\r\n");
	fx_free(fx);
}

/* ---- ISON, USERHOST ---- */

static void
test_ison(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_client(fx, "Bob[");
	fx_line(fx, a, "ISON bob{ ghost ALICE");
	assert_string_equal(fx_take(fx, a), S "303 alice :Bob[ alice\r\n");
	fx_line(fx, a, "ISON :ghost bob{");
	assert_string_equal(fx_take(fx, a), S "303 alice :Bob[\r\n");
	fx_line(fx, a, "ISON ghost");
	assert_string_equal(fx_take(fx, a), S "303 alice :\r\n");
	fx_line(fx, a, "ISON");
	assert_string_equal(fx_take(fx, a), S "461 alice ISON :Not enough parameters\r\n");
	fx_free(fx);
}

static void
test_userhost(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "OPER admin s3cret");
	fx_take(fx, a);
	fx_line(fx, a, "USERHOST alice ghost");
	assert_string_equal(fx_take(fx, a), S "302 alice :alice*=+u@127.0.0.1\r\n");
	/* At most five nicks are looked at. */
	fx_line(fx, a, "USERHOST a b c d e alice");
	assert_string_equal(fx_take(fx, a), S "302 alice :\r\n");
	fx_line(fx, a, "USERHOST");
	assert_string_equal(fx_take(fx, a),
	    S "461 alice USERHOST :Not enough parameters\r\n");
	fx_free(fx);
}

/* ---- Server information ---- */

static void
test_version(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	const char	*out;
	char		 want[128];

	(void)state;
	fx_line(fx, a, "VERSION");
	out = fx_take(fx, a);
	snprintf(want, sizeof(want), S "351 alice parley-%s irc.localhost :parley IRC server\r\n"
	    S "005 alice ACCOUNTEXTBAN=a AWAYLEN=", PARLEY_VERSION);
	assert_memory_equal(out, want, strlen(want));
	assert_non_null(strstr(out, " :are supported by this server\r\n"));
	fx_line(fx, a, "VERSION elsewhere.net");
	assert_string_equal(fx_take(fx, a), S "402 alice elsewhere.net :No such server\r\n");
	fx_line(fx, a, "VERSION IRC.LOCALHOST");
	assert_non_null(strstr(fx_take(fx, a), " 351 alice "));
	fx_free(fx);
}

static void
test_time(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "TIME");
	assert_string_equal(fx_take(fx, a),
	    S "391 alice irc.localhost :Tuesday November 14 2023 -- 22:13:20 UTC\r\n");
	/* A day and a bit later, across midnight. */
	fx_advance(fx, (int64_t)(86400 + 6400) * 1000);
	fx_drain(fx);
	fx_line(fx, a, "TIME alice");
	assert_string_equal(fx_take(fx, a),
	    S "391 alice irc.localhost :Thursday November 16 2023 -- 00:00:00 UTC\r\n");
	fx_free(fx);
}

static void
clock_edges(int64_t wall_ms, const char *want)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	char		 line[160];

	core_clock(fx->core, fx->now, wall_ms);
	fx_line(fx, a, "TIME");
	snprintf(line, sizeof(line), S "391 alice irc.localhost :%s\r\n", want);
	assert_string_equal(fx_take(fx, a), line);
	fx_free(fx);
}

/* Leap days, the epoch, a century that is not leap, and before 1970. */
static void
test_time_calendar_edges(void **state)
{
	(void)state;
	clock_edges(0, "Thursday January 1 1970 -- 00:00:00 UTC");
	clock_edges(951782400000LL, "Tuesday February 29 2000 -- 00:00:00 UTC");
	clock_edges(4107542399000LL, "Sunday February 28 2100 -- 23:59:59 UTC");
	clock_edges(4107542400000LL, "Monday March 1 2100 -- 00:00:00 UTC");
	clock_edges(-1000, "Wednesday December 31 1969 -- 23:59:59 UTC");
	clock_edges(1709164800000LL, "Thursday February 29 2024 -- 00:00:00 UTC");
}

static void
admin_config(struct core_config *cfg)
{
	strcpy(cfg->admin_name, "Ada Admin");
	strcpy(cfg->admin_email, "ada@example.org");
	strcpy(cfg->admin_location, "Room 101, Example House");
}

static void
test_admin(void **state)
{
	struct fx	*fx = fx_new(admin_config);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "ADMIN");
	assert_string_equal(fx_take(fx, a),
	    S "256 alice irc.localhost :Administrative info\r\n"
	    S "257 alice :Room 101, Example House\r\n"
	    S "258 alice :Ada Admin\r\n"
	    S "259 alice :ada@example.org\r\n");
	fx_free(fx);
}

static void
test_info(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	const char	*out;

	(void)state;
	fx_line(fx, a, "INFO");
	out = fx_take(fx, a);
	assert_non_null(strstr(out, S "371 alice :parley "));
	assert_non_null(strstr(out,
	    S "371 alice :Running since Tuesday November 14 2023 -- 22:13:20 UTC\r\n"));
	assert_non_null(strstr(out, S "374 alice :End of /INFO list\r\n"));
	assert_int_equal(strlen(strstr(out, " 374 ")), strlen(" 374 alice :End of /INFO list\r\n"));
	fx_free(fx);
}

static void
test_links(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "LINKS");
	assert_string_equal(fx_take(fx, a),
	    S "364 alice irc.localhost irc.localhost :0 parley IRC server\r\n"
	    S "365 alice * :End of /LINKS list\r\n");
	fx_line(fx, a, "LINKS *.LOCAL*");
	assert_string_equal(fx_take(fx, a),
	    S "364 alice irc.localhost irc.localhost :0 parley IRC server\r\n"
	    S "365 alice *.LOCAL* :End of /LINKS list\r\n");
	fx_line(fx, a, "LINKS *.org");
	assert_string_equal(fx_take(fx, a), S "365 alice *.org :End of /LINKS list\r\n");
	fx_free(fx);
}

static void
test_stats(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_advance(fx, (int64_t)((2 * 86400) + 3 * 3600 + 4 * 60 + 5) * 1000);
	fx_drain(fx);
	fx_line(fx, a, "STATS u");
	assert_string_equal(fx_take(fx, a),
	    S "242 alice :Server Up 2 days 3:04:05\r\n"
	    S "219 alice u :End of /STATS report\r\n");
	fx_line(fx, a, "PING x");
	fx_line(fx, a, "ping y");
	fx_line(fx, a, "STATS m");
	/* NICK and USER from registration, two PINGs, two STATS so far. */
	assert_string_equal(fx_take(fx, a),
	    S "PONG irc.localhost x\r\n"
	    S "PONG irc.localhost y\r\n"
	    S "212 alice NICK 1\r\n"
	    S "212 alice PING 2\r\n"
	    S "212 alice STATS 2\r\n"
	    S "212 alice USER 1\r\n"
	    S "219 alice m :End of /STATS report\r\n");
	fx_line(fx, a, "STATS k");
	assert_string_equal(fx_take(fx, a), S "219 alice k :End of /STATS report\r\n");
	fx_line(fx, a, "STATS");
	assert_string_equal(fx_take(fx, a), S "219 alice * :End of /STATS report\r\n");
	fx_free(fx);
}

static void
test_users_summon_disabled(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "USERS");
	assert_string_equal(fx_take(fx, a), S "446 alice :USERS has been disabled\r\n");
	fx_line(fx, a, "SUMMON bob");
	assert_string_equal(fx_take(fx, a), S "445 alice :SUMMON has been disabled\r\n");
	fx_free(fx);
}

static void
test_lusers_counts_operators(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = fx_client(fx, "alice");
	const char	*out;

	(void)state;
	fx_line(fx, a, "LUSERS");
	assert_null(strstr(fx_take(fx, a), " 252 "));
	fx_line(fx, a, "OPER admin s3cret");
	fx_take(fx, a);
	fx_line(fx, a, "LUSERS");
	out = fx_take(fx, a);
	assert_non_null(strstr(out,
	    S "251 alice :There are 1 users and 0 invisible on 1 servers\r\n"
	    S "252 alice 1 :operator(s) online\r\n"
	    S "254 alice 0 :channels formed\r\n"));
	fx_free(fx);
}

static void
test_unregistered_cannot_query(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "WHOIS x");
	assert_string_equal(fx_take(fx, c), S "451 * :You have not registered\r\n");
	fx_line(fx, c, "LIST");
	assert_string_equal(fx_take(fx, c), S "451 * :You have not registered\r\n");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_all_and_filters),
		cmocka_unit_test(test_isupport_advertises),
		cmocka_unit_test(test_who_channel_flags_and_prefix),
		cmocka_unit_test(test_who_masks),
		cmocka_unit_test(test_who_invisible),
		cmocka_unit_test(test_whox_fields),
		cmocka_unit_test(test_whois_full),
		cmocka_unit_test(test_whois_errors_and_forms),
		cmocka_unit_test(test_whois_secure_and_certfp),
		cmocka_unit_test(test_whois_secure_without_certfp),
		cmocka_unit_test(test_whowas_history),
		cmocka_unit_test(test_whowas_ring_bounded_and_count),
		cmocka_unit_test(test_whowas_ignores_unregistered),
		cmocka_unit_test(test_away_cycle),
		cmocka_unit_test(test_away_cut_keeps_utf8_whole),
		cmocka_unit_test(test_ison),
		cmocka_unit_test(test_userhost),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_time_calendar_edges),
		cmocka_unit_test(test_admin),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_users_summon_disabled),
		cmocka_unit_test(test_lusers_counts_operators),
		cmocka_unit_test(test_unregistered_cannot_query),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
