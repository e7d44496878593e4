/*
 * Account passwords (job_password.h): the argon2id string and the SCRAM-SHA-256 keys
 * made from a new password, the argon2id check of a given one, and the SCRAM
 * arithmetic.  PBKDF2 is written here over libsodium's HMAC-SHA-256; every secret on
 * the stack is wiped before it goes.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "core/job_password.h"

void
password_pbkdf2(const void *pw, size_t pwlen, const void *salt, size_t saltlen,
    uint32_t iter, uint8_t out[SCRAM_KEY_LEN])
{
	crypto_auth_hmacsha256_state	 base, st;
	uint8_t				 u[SCRAM_KEY_LEN];
	static const uint8_t		 block1[4] = { 0, 0, 0, 1 };

	/* U1 = HMAC(P, S || INT(1)); Ui = HMAC(P, Ui-1); T = U1 ^ ... ^ Uc. */
	crypto_auth_hmacsha256_init(&base, pw, pwlen);
	st = base;
	crypto_auth_hmacsha256_update(&st, salt, saltlen);
	crypto_auth_hmacsha256_update(&st, block1, sizeof(block1));
	crypto_auth_hmacsha256_final(&st, u);
	memcpy(out, u, SCRAM_KEY_LEN);
	for (uint32_t i = 1; i < iter; i++) {
		st = base;
		crypto_auth_hmacsha256_update(&st, u, sizeof(u));
		crypto_auth_hmacsha256_final(&st, u);
		for (size_t j = 0; j < SCRAM_KEY_LEN; j++)
			out[j] ^= u[j];
	}
	sodium_memzero(&base, sizeof(base));
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(u, sizeof(u));
}

/* HMAC-SHA-256 of a short text under a 32-byte key. */
static void
password_hmac(const uint8_t key[SCRAM_KEY_LEN], const void *text, size_t len,
    uint8_t out[SCRAM_KEY_LEN])
{
	crypto_auth_hmacsha256_state	st;

	crypto_auth_hmacsha256_init(&st, key, SCRAM_KEY_LEN);
	crypto_auth_hmacsha256_update(&st, text, len);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

void
password_scram_keys(const char *password, const uint8_t *salt, size_t saltlen,
    uint32_t iter, uint8_t stored[SCRAM_KEY_LEN], uint8_t server[SCRAM_KEY_LEN])
{
	uint8_t		salted[SCRAM_KEY_LEN], client[SCRAM_KEY_LEN];

	password_pbkdf2(password, strlen(password), salt, saltlen, iter, salted);
	password_hmac(salted, "Client Key", 10, client);
	crypto_hash_sha256(stored, client, sizeof(client));
	password_hmac(salted, "Server Key", 10, server);
	sodium_memzero(salted, sizeof(salted));
	sodium_memzero(client, sizeof(client));
}

bool
password_scram_proof_ok(const uint8_t stored[SCRAM_KEY_LEN], const char *auth,
    size_t authlen, const uint8_t proof[SCRAM_KEY_LEN])
{
	uint8_t		sig[SCRAM_KEY_LEN], key[SCRAM_KEY_LEN], hashed[SCRAM_KEY_LEN];
	bool		ok;

	password_hmac(stored, auth, authlen, sig);
	for (size_t i = 0; i < SCRAM_KEY_LEN; i++)
		key[i] = proof[i] ^ sig[i];
	crypto_hash_sha256(hashed, key, sizeof(key));
	ok = sodium_memcmp(hashed, stored, SCRAM_KEY_LEN) == 0;
	sodium_memzero(sig, sizeof(sig));
	sodium_memzero(key, sizeof(key));
	return ok;
}

void
password_scram_signature(const uint8_t server[SCRAM_KEY_LEN], const char *auth,
    size_t authlen, uint8_t out[SCRAM_KEY_LEN])
{
	password_hmac(server, auth, authlen, out);
}

void
job_password_hash(struct job *job)
{
	const struct job_password	*in = &job->in.password;
	struct account_rec		*out = &job->result.hashed;
	char				 str[crypto_pwhash_STRBYTES];

	_Static_assert(sizeof(out->pwhash) >= crypto_pwhash_STRBYTES,
	    "an argon2id string fits a record");
	if (sodium_init() < 0) {
		job->status = -EIO;
		return;
	}
	/* libsodium fails here only for want of memory for the argon2 blocks. */
	if (crypto_pwhash_str_alg(str, in->password, strlen(in->password),
	    in->argon2_ops, in->argon2_mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		job->status = -ENOMEM;
		return;
	}
	memcpy(out->pwhash, str, sizeof(str));
	randombytes_buf(out->scram_salt, sizeof(out->scram_salt));
	out->scram_iter = in->scram_iter;
	password_scram_keys(in->password, out->scram_salt, sizeof(out->scram_salt),
	    in->scram_iter, out->scram_stored, out->scram_server);
	job->status = 0;
}

void
job_password_check(struct job *job)
{
	const struct job_password	*in = &job->in.password;
	int				 rc;

	job->result.password_ok = false;
	if (sodium_init() < 0) {
		job->status = -EIO;
		return;
	}
	/* -1 for a mismatch, a string that is not argon2id, or no memory: all "no". */
	rc = crypto_pwhash_str_verify(in->pwhash, in->password, strlen(in->password));
	job->result.password_ok = rc == 0;
	job->status = 0;
}
