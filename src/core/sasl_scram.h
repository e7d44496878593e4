#ifndef PARLEY_CORE_SASL_SCRAM_H
#define PARLEY_CORE_SASL_SCRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/records.h"

/*
 * SASL SCRAM-SHA-256 (RFC 5802, 7677) on the server's side, as messages in and out:
 * no channel binding is offered (a "p=" header is refused), and an account that does
 * not exist gets a salt derived from its name, so that nothing tells it from a wrong
 * password before the proof.  The caller decodes and encodes the base64 around it.
 */
struct core;

#define SCRAM_MSG_MAX		1024	/* the longest message taken or made */
#define SCRAM_NONCE_LEN		24	/* our part of the nonce */

struct sasl_scram {
	char	name[ACCOUNT_NAME_MAX + 1];	/* the authcid, unescaped */
	char	gs2[SCRAM_MSG_MAX];		/* "n,," or "y,a=...," as sent */
	char	auth[3 * SCRAM_MSG_MAX];	/* the AuthMessage, built as it goes */
	size_t	authlen;
	char	nonce[SCRAM_MSG_MAX];		/* the client's and ours */
	uint8_t	stored[SCRAM_KEY_LEN];
	uint8_t	server[SCRAM_KEY_LEN];
	bool	real;				/* the keys are an account's */
};

/* Parse the client-first message (msg[len]): 0 with st->name set, or -1. */
int	scram_client_first(struct sasl_scram *st, const char *msg, size_t len);

/* The server-first message for st into out (SCRAM_MSG_MAX): from rec's keys, or with
 * rec NULL (no such account, or one without SCRAM keys) a salt derived from the name.
 * Returns its length, or -1. */
int	scram_server_first(struct core *core, struct sasl_scram *st,
	    const struct account_rec *rec, char *out);

/* Check the client-final message: 0 with the server-final message in out
 * (SCRAM_MSG_MAX) when its proof holds, or -1 (malformed, wrong nonce, bad proof). */
int	scram_client_final(struct sasl_scram *st, const char *msg, size_t len, char *out);

#endif
