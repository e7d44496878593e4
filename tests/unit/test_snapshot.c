/*
 * The core's state snapshot (core/snapshot.h): a busy core snapshotted and restored
 * into a second one behaves the same to its clients, its own snapshot is the same
 * bytes, and a snapshot of another version, or cut short, is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/config.h"
#include "core/server.h"
#include "core/snapshot.h"
#include "fixture_core.h"

#define PW	"sesame-open"

/* The restored clients on the same connection numbers as the first core's. */
static void
bind_conn(void *arg, uint64_t conn, struct client *cl)
{
	struct fx	*fx = arg;

	assert_true(conn >= 1 && conn <= FX_CONNS);
	fx->conns[conn].client = cl;
	if (conn > fx->nconns)
		fx->nconns = (unsigned)conn;
}

/* Three users, one unregistered connection, a channel with modes and lists, an away
 * message, a monitor list, a silence, a delayed line, a departed nick. */
static struct fx *
busy_core(void)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a, b, c, u;

	a = fx_client(fx, "alice");
	b = fx_client(fx, "bob");
	c = fx_client(fx, "carol");
	u = fx_connect(fx);
	fx_line(fx, u, "NICK half");
	fx_line(fx, a, "JOIN #a");
	fx_line(fx, b, "JOIN #a");
	fx_line(fx, c, "JOIN #b");
	fx_line(fx, a, "TOPIC #a :the topic");
	fx_line(fx, a, "MODE #a +kv-t sesame bob");
	fx_line(fx, a, "MODE #a +b evil!*@*");
	fx_line(fx, b, "AWAY :lunch");
	fx_line(fx, c, "MONITOR + alice,dave");
	fx_line(fx, c, "SILENCE +spam!*@*");
	fx_line(fx, c, "CAP REQ :multi-prefix");
	fx_line(fx, c, "NICK carl");
	fx_line(fx, c, "NICK carol");
	fx_line(fx, a, "MODE #a +i");
	fx_line(fx, a, "INVITE carol #a");
	fx_advance(fx, 1000);
	/* Past the flood burst: the rest wait in alice's queue. */
	for (int i = 0; i < 40; i++) {
		char	line[64];

		snprintf(line, sizeof(line), "PRIVMSG #a :line %d", i);
		fx_line(fx, a, line);
	}
	fx_drain(fx);
	return fx;
}

static struct fx *
restored_as(struct fx *from, char **bytes, size_t *len,
    void (*edit)(struct core_config *), const char *account)
{
	struct fx	*to = fx_new(edit);
	char		 err[256];

	assert_int_equal(core_snapshot(from->core, bytes, len), 0);
	to->now = from->now;
	/* What the new process loads from the store before the snapshot. */
	if (account != NULL)
		assert_int_equal(core_restore_account(to->core, account), 0);
	if (core_restore_snapshot(to->core, *bytes, *len, to->now, bind_conn, to, err,
	    sizeof(err)) == -1)
		fail_msg("%s", err);
	return to;
}

static struct fx *
restored(struct fx *from, char **bytes, size_t *len)
{
	return restored_as(from, bytes, len, NULL, NULL);
}

/* The same line on both cores: the same answer, byte for byte. */
static void
same(struct fx *x, struct fx *y, unsigned c, const char *line, unsigned seen)
{
	char	*one;

	fx_line(x, c, line);
	fx_line(y, c, line);
	one = strdup(fx_take(x, seen));
	assert_non_null(one);
	assert_string_equal(one, fx_take(y, seen));
	free(one);
}

static void
test_restore_behaves_the_same(void **state)
{
	struct fx	*x = busy_core(), *y;
	char		*bytes, *again;
	size_t		 len, again_len;

	(void)state;
	y = restored(x, &bytes, &len);
	assert_int_equal(core_snapshot(y->core, &again, &again_len), 0);
	assert_int_equal(again_len, len);
	assert_memory_equal(again, bytes, len);
	/* The delayed lines come out the same, at the same times. */
	for (int i = 0; i < 20; i++) {
		char	*one;

		fx_advance(x, 1000);
		fx_advance(y, 1000);
		one = strdup(fx_take(x, 2));
		assert_string_equal(one, fx_take(y, 2));
		free(one);
	}
	same(x, y, 1, "WHOIS bob", 1);
	same(x, y, 1, "NAMES #a", 1);
	same(x, y, 1, "MODE #a", 1);
	same(x, y, 1, "MODE #a b", 1);
	same(x, y, 1, "TOPIC #a", 1);
	same(x, y, 1, "WHOWAS carl", 1);
	same(x, y, 3, "CAP LIST", 3);
	/* A message reaches the member, and carol's monitor hears alice leave. */
	same(x, y, 1, "PRIVMSG #a :hello", 2);
	same(x, y, 1, "QUIT :bye", 3);
	/* The invite is carol's still. */
	same(x, y, 3, "JOIN #a sesame", 3);
	/* The unregistered connection still registers. */
	same(x, y, 4, "USER u 0 * :Half", 4);
	fx_line(y, 2, "PRIVMSG #a :once more");
	assert_string_equal(fx_take(y, 3), ":bob!u@127.0.0.1 PRIVMSG #a :once more\r\n");
	fx_free(x);
	fx_free(y);
	free(bytes);
	free(again);
}

static void
test_other_version_refused(void **state)
{
	struct fx	*x = busy_core(), *y = fx_new(NULL);
	char		*bytes, err[256];
	size_t		 len, at;

	(void)state;
	assert_int_equal(core_snapshot(x->core, &bytes, &len), 0);
	/* The version follows the magic's length and bytes. */
	at = 8 + strlen(SNAPSHOT_MAGIC);
	assert_int_equal((unsigned char)bytes[at], SNAPSHOT_VERSION);
	bytes[at]++;
	assert_int_equal(core_restore_snapshot(y->core, bytes, len, 0, bind_conn, y, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "state snapshot: a snapshot of another format version");
	assert_int_equal(core_client_count(y->core), 0);
	fx_free(x);
	fx_free(y);
	free(bytes);
}

static void
test_truncated_refused(void **state)
{
	struct fx	*x = busy_core(), *y;
	char		*bytes, err[256];
	size_t		 len;

	(void)state;
	assert_int_equal(core_snapshot(x->core, &bytes, &len), 0);
	for (size_t cut = 0; cut < len; cut += len / 97 + 1) {
		y = fx_new(NULL);
		assert_int_equal(core_restore_snapshot(y->core, bytes, cut, 0, NULL, NULL,
		    err, sizeof(err)), -1);
		assert_non_null(strstr(err, "state snapshot: "));
		fx_free(y);
	}
	fx_free(x);
	free(bytes);
}

/* Cheap hashes, no flood control: accounts in a unit test. */
static void
cheap(struct core_config *cfg)
{
	cfg->flood_burst = 0;
	cfg->accounts_argon2_ops = 1;
	cfg->accounts_argon2_mem = 8192;
	cfg->accounts_scram_iterations = 16;
}

/* A connection logged in to account alice with SASL PLAIN as nick. */
static unsigned
login(struct fx *fx, const char *nick)
{
	unsigned	c = fx_connect(fx);
	char		line[256];

	fx_line(fx, c, "CAP REQ :sasl");
	snprintf(line, sizeof(line), "NICK %s", nick);
	fx_line(fx, c, line);
	fx_line(fx, c, "USER u 0 * :R");
	fx_line(fx, c, "AUTHENTICATE PLAIN");
	strcpy(line, "AUTHENTICATE ");
	assert_true(base64_encode(line + 13, sizeof(line) - 13, "\0alice\0" PW,
	    7 + strlen(PW)) >= 0);
	fx_line(fx, c, line);
	assert_non_null(strstr(fx_take(fx, c), " 903 "));
	fx_line(fx, c, "CAP END");
	return c;
}

/* A user on two connections (multiclient) is one user still, on both. */
static void
test_sessions_come_through(void **state)
{
	struct fx	*x = fx_new(cheap), *y;
	char		*bytes, *again;
	size_t		 len, again_len;
	unsigned	 reg, a, b, bob;

	(void)state;
	reg = fx_client(x, "alice");
	fx_line(x, reg, "REGISTER * * :" PW);
	assert_non_null(strstr(fx_take(x, reg), "REGISTER SUCCESS alice "));
	fx_drop(x, reg, "done");
	a = login(x, "alice");
	bob = fx_client(x, "bob");
	fx_line(x, a, "JOIN #c");
	fx_line(x, bob, "JOIN #c");
	b = login(x, "alice2");
	fx_drain(x);
	y = restored_as(x, &bytes, &len, cheap, "alice");
	assert_int_equal(core_snapshot(y->core, &again, &again_len), 0);
	assert_int_equal(again_len, len);
	assert_memory_equal(again, bytes, len);
	/* What the user receives, both connections receive. */
	same(x, y, bob, "PRIVMSG alice :to both", b);
	same(x, y, bob, "PRIVMSG alice :to both again", a);
	same(x, y, bob, "LUSERS", bob);
	same(x, y, a, "WHOIS alice", a);
	/* One connection leaves; the user stays on the other. */
	same(x, y, a, "QUIT :one of two", bob);
	same(x, y, bob, "NAMES #c", bob);
	fx_free(x);
	fx_free(y);
	free(bytes);
	free(again);
}

static void
rfc8265(struct core_config *cfg)
{
	cfg->casemapping = CASEMAP_RFC8265;
}

/* Under rfc8265 a restored user's nick still guards its look-alikes (433). */
static void
test_lookalikes_still_taken(void **state)
{
	struct fx	*x = fx_new(rfc8265), *y;
	char		*bytes;
	size_t		 len;
	unsigned	 c;

	(void)state;
	fx_client(x, "paypal");
	y = restored_as(x, &bytes, &len, rfc8265, NULL);
	c = fx_connect(y);
	/* Cyrillic er and a: the look of "paypal". */
	fx_line(y, c, "NICK \xd1\x80\xd0\xb0ypal");
	assert_non_null(strstr(fx_take(y, c), " 433 "));
	fx_line(y, c, "NICK paypal2");
	fx_line(y, c, "USER u 0 * :R");
	assert_non_null(strstr(fx_take(y, c), " 001 paypal2 "));
	fx_free(x);
	fx_free(y);
	free(bytes);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restore_behaves_the_same),
		cmocka_unit_test(test_other_version_refused),
		cmocka_unit_test(test_truncated_refused),
		cmocka_unit_test(test_sessions_come_through),
		cmocka_unit_test(test_lookalikes_still_taken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
