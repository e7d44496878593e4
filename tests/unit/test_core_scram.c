/*
 * SASL SCRAM-SHA-256 through the core (RFC 5802, 7677): a whole exchange played by the
 * test as the client, the server's signature checked; bad messages (gs2 headers,
 * missing attributes, wrong nonce, bad proof); an unknown account's salt.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/base64.h"
#include "core/job_password.h"
#include "fixture_accounts.h"

#define S	":irc.localhost "
#define PW	FXA_PASSWORD

struct scram_client {
	char	first_bare[256];
	char	server_first[512];
	char	nonce[256];
	uint8_t	salt[64];
	int	saltlen;
	unsigned iter;
};

/* The last AUTHENTICATE line's argument in out, decoded into buf. */
static void
take_authenticate(struct fx *fx, unsigned c, char *buf, size_t cap)
{
	const char	*out = fx_take(fx, c);
	int		 n;

	assert_memory_equal(out, "AUTHENTICATE ", 13);
	n = base64_decode(buf, cap - 1, out + 13, strcspn(out + 13, "\r"));
	assert_true(n >= 0);
	buf[n] = '\0';
}

/* Begin an exchange as user: client-first, then parse server-first. */
static void
scram_begin(struct fx *fx, unsigned c, const char *user, struct scram_client *sc)
{
	char	first[300], *p;

	fx_line(fx, c, "AUTHENTICATE SCRAM-SHA-256");
	assert_string_equal(fx_take(fx, c), "AUTHENTICATE +\r\n");
	snprintf(sc->first_bare, sizeof(sc->first_bare), "n=%s,r=fyko+d2lbbFgONRv9qkxdawL",
	    user);
	snprintf(first, sizeof(first), "n,,%s", sc->first_bare);
	fxa_send_b64(fx, c, first, strlen(first));
	take_authenticate(fx, c, sc->server_first, sizeof(sc->server_first));
	assert_memory_equal(sc->server_first, "r=fyko+d2lbbFgONRv9qkxdawL", 26);
	p = strstr(sc->server_first, ",s=");
	assert_non_null(p);
	snprintf(sc->nonce, sizeof(sc->nonce), "%.*s", (int)(p - sc->server_first - 2),
	    sc->server_first + 2);
	assert_int_equal(strlen(sc->nonce), 24 + 24);
	sc->saltlen = base64_decode(sc->salt, sizeof(sc->salt), p + 3,
	    strcspn(p + 3, ","));
	assert_int_equal(sc->saltlen, SCRAM_SALT_LEN);
	p = strstr(p, ",i=");
	assert_non_null(p);
	sc->iter = (unsigned)strtoul(p + 3, NULL, 10);
}

/* client-final for password with nonce; the expected v= into verifier. */
static void
scram_final(const struct scram_client *sc, const char *password, const char *nonce,
    char *msg, size_t cap, char *verifier)
{
	uint8_t		salted[32], ckey[32], stored[32], skey[32], sig[32], proof[32];
	char		auth[1200], noproof[300], proof64[64];

	password_pbkdf2(password, strlen(password), sc->salt, (size_t)sc->saltlen, sc->iter,
	    salted);
	crypto_auth_hmacsha256(ckey, (const uint8_t *)"Client Key", 10, salted);
	crypto_hash_sha256(stored, ckey, 32);
	crypto_auth_hmacsha256(skey, (const uint8_t *)"Server Key", 10, salted);
	snprintf(noproof, sizeof(noproof), "c=biws,r=%s", nonce);
	snprintf(auth, sizeof(auth), "%s,%s,%s", sc->first_bare, sc->server_first, noproof);
	crypto_auth_hmacsha256(sig, (const uint8_t *)auth, strlen(auth), stored);
	for (int i = 0; i < 32; i++)
		proof[i] = ckey[i] ^ sig[i];
	base64_encode(proof64, sizeof(proof64), proof, 32);
	snprintf(msg, cap, "%s,p=%s", noproof, proof64);
	crypto_auth_hmacsha256(sig, (const uint8_t *)auth, strlen(auth), skey);
	memcpy(verifier, "v=", 2);
	base64_encode(verifier + 2, 60, sig, 32);
}

static void
scram_login(void **state)
{
	struct fx		*fx = fx_new(fxa_cheap);
	struct scram_client	 sc;
	char			 msg[512], verifier[64], got[128];
	unsigned		 c;

	(void)state;
	fxa_account(fx, "alice");
	c = fxa_sasl_conn(fx, "bob");
	scram_begin(fx, c, "alice", &sc);
	assert_int_equal(sc.iter, 16);
	scram_final(&sc, PW, sc.nonce, msg, sizeof(msg), verifier);
	fxa_send_b64(fx, c, msg, strlen(msg));
	take_authenticate(fx, c, got, sizeof(got));
	assert_string_equal(got, verifier);
	fx_line(fx, c, "AUTHENTICATE +");
	assert_string_equal(fx_take(fx, c),
	    S "900 bob bob!u@127.0.0.1 alice :You are now logged in as alice\r\n"
	    S "903 bob :SASL authentication successful\r\n");
	fx_free(fx);
}

/* Each bad message fails with 904; an unknown account looks like a real one until
 * its proof, with the same salt each time. */
static void
scram_refused(void **state)
{
	struct fx		*fx = fx_new(fxa_cheap);
	struct scram_client	 sc, again;
	char			 msg[512], verifier[64];
	unsigned		 c;
	static const char *const bad_first[] = {
		"p=tls-unique,,n=alice,r=abc",	/* channel binding: not offered */
		"x,,n=alice,r=abc",		/* no such gs2 flag */
		"n,,r=abc",			/* no name */
		"n,,n=alice",			/* no nonce */
		"n,,n=al=2Xice,r=abc",		/* a bad escape */
		"n,a=bob,n=alice,r=abc",	/* another authzid */
		"n,,m=ext,n=alice,r=abc",	/* a mandatory extension */
	};

	(void)state;
	fxa_account(fx, "alice");
	c = fxa_sasl_conn(fx, "bob");
	for (size_t i = 0; i < sizeof(bad_first) / sizeof(bad_first[0]); i++) {
		fx_line(fx, c, "AUTHENTICATE SCRAM-SHA-256");
		fxa_send_b64(fx, c, bad_first[i], strlen(bad_first[i]));
		assert_string_equal(fx_take(fx, c),
		    "AUTHENTICATE +\r\n" S "904 bob :SASL authentication failed\r\n");
		fx_advance(fx, 120 * 1000);
		fx_take(fx, c);
	}
	/* A wrong password, a wrong nonce, a proof cut short, no proof. */
	scram_begin(fx, c, "alice", &sc);
	scram_final(&sc, "sesame shut", sc.nonce, msg, sizeof(msg), verifier);
	fxa_send_b64(fx, c, msg, strlen(msg));
	assert_string_equal(fx_take(fx, c), S "904 bob :SASL authentication failed\r\n");
	fx_advance(fx, 120 * 1000);
	scram_begin(fx, c, "alice", &sc);
	scram_final(&sc, PW, "fyko+d2lbbFgONRv9qkxdawLxxxxxxxxxxxxxxxxxxxxxxxx", msg,
	    sizeof(msg), verifier);
	fxa_send_b64(fx, c, msg, strlen(msg));
	assert_string_equal(fx_take(fx, c), S "904 bob :SASL authentication failed\r\n");
	fx_advance(fx, 120 * 1000);
	scram_begin(fx, c, "alice", &sc);
	scram_final(&sc, PW, sc.nonce, msg, sizeof(msg), verifier);
	msg[strlen(msg) - 4] = '\0';
	fxa_send_b64(fx, c, msg, strlen(msg));
	assert_string_equal(fx_take(fx, c), S "904 bob :SASL authentication failed\r\n");
	fx_advance(fx, 120 * 1000);
	scram_begin(fx, c, "alice", &sc);
	snprintf(msg, sizeof(msg), "c=biws,r=%s", sc.nonce);
	fxa_send_b64(fx, c, msg, strlen(msg));
	assert_string_equal(fx_take(fx, c), S "904 bob :SASL authentication failed\r\n");
	fx_advance(fx, 120 * 1000);
	/* Nobody: a salt and the same count of rounds, the same salt again; no proof
	 * passes. */
	scram_begin(fx, c, "nobody", &sc);
	assert_int_equal(sc.iter, 16);
	fx_line(fx, c, "AUTHENTICATE *");
	assert_string_equal(fx_take(fx, c), S "906 bob :SASL authentication aborted\r\n");
	scram_begin(fx, c, "NOBODY", &again);
	assert_memory_equal(sc.salt, again.salt, SCRAM_SALT_LEN);
	scram_final(&again, PW, again.nonce, msg, sizeof(msg), verifier);
	fxa_send_b64(fx, c, msg, strlen(msg));
	assert_string_equal(fx_take(fx, c), S "904 bob :SASL authentication failed\r\n");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scram_login),
		cmocka_unit_test(scram_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
