/*
 * The account password jobs and SCRAM's arithmetic (core/job_password.c): PBKDF2 and
 * the SCRAM-SHA-256 keys against published vectors (RFC 7914 11, RFC 7677 3), the
 * argon2id string a hash job makes and the check job's verdicts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/job_password.h"

static void
hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void
pbkdf2_vectors(void **state)
{
	uint8_t		out[SCRAM_KEY_LEN];
	char		text[2 * SCRAM_KEY_LEN + 1];

	(void)state;
	/* RFC 7914 11, the first 32 bytes. */
	password_pbkdf2("passwd", 6, "salt", 4, 1, out);
	hex(out, sizeof(out), text);
	assert_string_equal(text,
	    "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
	password_pbkdf2("password", 8, "salt", 4, 4096, out);
	hex(out, sizeof(out), text);
	assert_string_equal(text,
	    "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
}

/* RFC 7677 3: user "user", password "pencil". */
static const uint8_t rfc_salt[SCRAM_SALT_LEN] = {
	0x5b, 0x6d, 0x99, 0x68, 0x9d, 0x12, 0x35, 0x8e,
	0xec, 0xa0, 0x4b, 0x14, 0x12, 0x36, 0xfa, 0x81,	/* W22ZaJ0SNY7soEsUEjb6gQ== */
};
#define RFC_AUTH "n=user,r=rOprNGfwEbeRWgbNEkqO," \
	"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," \
	"s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096," \
	"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
/* p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ= */
static const uint8_t rfc_proof[SCRAM_KEY_LEN] = {
	0x74, 0x7c, 0xdb, 0x65, 0xaa, 0x56, 0x22, 0x4e, 0x23, 0x52, 0x13, 0x7e,
	0x52, 0xd7, 0xbd, 0xca, 0xd6, 0xa0, 0xf7, 0x38, 0xdf, 0x30, 0x78, 0x2c,
	0xaa, 0x69, 0xa2, 0xcf, 0xb0, 0x27, 0x75, 0x54,
};
/* v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4= */
static const uint8_t rfc_verifier[SCRAM_KEY_LEN] = {
	0xea, 0xba, 0xe2, 0x4d, 0x10, 0x62, 0xdb, 0x75, 0xa9, 0x45, 0x1f, 0xf0,
	0xb6, 0xea, 0x7e, 0x98, 0xc8, 0x54, 0x65, 0x49, 0xff, 0x74, 0x1e, 0x67,
	0x2d, 0x32, 0x51, 0xb2, 0x39, 0x7d, 0xe4, 0x6e,
};

static void
scram_rfc7677(void **state)
{
	uint8_t		stored[SCRAM_KEY_LEN], server[SCRAM_KEY_LEN], sig[SCRAM_KEY_LEN];
	uint8_t		bad[SCRAM_KEY_LEN];

	(void)state;
	password_scram_keys("pencil", rfc_salt, sizeof(rfc_salt), 4096, stored, server);
	assert_true(password_scram_proof_ok(stored, RFC_AUTH, strlen(RFC_AUTH), rfc_proof));
	password_scram_signature(server, RFC_AUTH, strlen(RFC_AUTH), sig);
	assert_memory_equal(sig, rfc_verifier, sizeof(sig));
	/* One bit off in the proof, or the message, and it fails. */
	memcpy(bad, rfc_proof, sizeof(bad));
	bad[31] ^= 1;
	assert_false(password_scram_proof_ok(stored, RFC_AUTH, strlen(RFC_AUTH), bad));
	assert_false(password_scram_proof_ok(stored, RFC_AUTH, strlen(RFC_AUTH) - 1,
	    rfc_proof));
	/* Another password gives other keys. */
	password_scram_keys("pencil!", rfc_salt, sizeof(rfc_salt), 4096, stored, server);
	assert_false(password_scram_proof_ok(stored, RFC_AUTH, strlen(RFC_AUTH), rfc_proof));
}

/* A hash job at the lowest costs, then checks of the right and a wrong password. */
static void
hash_then_check(void **state)
{
	struct job	*job = calloc(1, sizeof(*job));
	struct job	*chk = calloc(1, sizeof(*chk));
	uint8_t		 stored[SCRAM_KEY_LEN], server[SCRAM_KEY_LEN];

	(void)state;
	assert_non_null(job);
	assert_non_null(chk);
	job->kind = JOB_PASSWORD_HASH;
	strcpy(job->in.password.password, "correct horse");
	job->in.password.argon2_ops = 1;
	job->in.password.argon2_mem = 8192;
	job->in.password.scram_iter = 16;
	job_run(job);
	assert_int_equal(job->status, 0);
	assert_memory_equal(job->result.hashed.pwhash, "$argon2id$v=19$m=8,t=1,p=1$", 27);
	assert_int_equal(job->result.hashed.scram_iter, 16);
	password_scram_keys("correct horse", job->result.hashed.scram_salt, SCRAM_SALT_LEN,
	    16, stored, server);
	assert_memory_equal(stored, job->result.hashed.scram_stored, SCRAM_KEY_LEN);
	assert_memory_equal(server, job->result.hashed.scram_server, SCRAM_KEY_LEN);

	chk->kind = JOB_PASSWORD_CHECK;
	strcpy(chk->in.password.pwhash, job->result.hashed.pwhash);
	strcpy(chk->in.password.password, "correct horse");
	job_run(chk);
	assert_int_equal(chk->status, 0);
	assert_true(chk->result.password_ok);
	strcpy(chk->in.password.password, "correct horse ");
	job_run(chk);
	assert_int_equal(chk->status, 0);
	assert_false(chk->result.password_ok);
	/* Not an argon2id string at all: no, not a crash. */
	strcpy(chk->in.password.pwhash, "$6$x$y");
	strcpy(chk->in.password.password, "correct horse");
	job_run(chk);
	assert_false(chk->result.password_ok);
	free(job);
	free(chk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pbkdf2_vectors),
		cmocka_unit_test(scram_rfc7677),
		cmocka_unit_test(hash_then_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
