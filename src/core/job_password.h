#ifndef PARLEY_CORE_JOB_PASSWORD_H
#define PARLEY_CORE_JOB_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/job.h"
#include "core/records.h"

/*
 * The account password jobs (JOB_PASSWORD_HASH, JOB_PASSWORD_CHECK) and the SCRAM-SHA-256
 * arithmetic of RFC 5802 and 7677 that SASL shares with them.  Pure computation over
 * libsodium: safe on any thread.
 */

/* PBKDF2-HMAC-SHA-256 (RFC 8018) with iter rounds, one 32-byte block: SCRAM's Hi(). */
void	password_pbkdf2(const void *pw, size_t pwlen, const void *salt, size_t saltlen,
	    uint32_t iter, uint8_t out[SCRAM_KEY_LEN]);

/* StoredKey and ServerKey for password with salt and iter rounds (RFC 5802 3). */
void	password_scram_keys(const char *password, const uint8_t *salt, size_t saltlen,
	    uint32_t iter, uint8_t stored[SCRAM_KEY_LEN], uint8_t server[SCRAM_KEY_LEN]);

/* Whether proof (the client's ClientProof) matches stored over auth, the AuthMessage:
 * H(proof XOR HMAC(stored, auth)) = stored, compared in constant time. */
bool	password_scram_proof_ok(const uint8_t stored[SCRAM_KEY_LEN], const char *auth,
	    size_t authlen, const uint8_t proof[SCRAM_KEY_LEN]);

/* ServerSignature = HMAC(server, auth), for the server-final message's v=. */
void	password_scram_signature(const uint8_t server[SCRAM_KEY_LEN], const char *auth,
	    size_t authlen, uint8_t out[SCRAM_KEY_LEN]);

/* job_run's part for JOB_PASSWORD_HASH and JOB_PASSWORD_CHECK: sets job->status (0,
 * -ENOMEM, -EIO when libsodium cannot start) and the result.  A hash job writes only
 * pwhash and scram_* of result.hashed: the submitter may keep the rest of the record
 * there (its name, email) for the step after. */
void	job_password_hash(struct job *job);
void	job_password_check(struct job *job);

#endif
