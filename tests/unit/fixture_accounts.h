#ifndef PARLEY_TESTS_FIXTURE_ACCOUNTS_H
#define PARLEY_TESTS_FIXTURE_ACCOUNTS_H

#include <stddef.h>

#include "core/config.h"
#include "fixture_core.h"

/*
 * What the account tests share (test_core_regaccount.c, test_core_sasl.c,
 * test_core_scram.c): a cheap configuration, an account made by REGISTER, a
 * connection waiting at CAP END with sasl, and AUTHENTICATE messages in base64.
 */
#define FXA_PASSWORD	"sesame open"

/* argon2id and SCRAM at their least, no flood control (the throttle alone: its flood
 * cost is test_core_account.c's), and timeouts that let a test wait out the throttle. */
void		 fxa_cheap(struct core_config *cfg);
/* Register account nick with FXA_PASSWORD, as a registered client, then drop it. */
void		 fxa_account(struct fx *fx, const char *nick);
/* A connection that asked for sasl and gave NICK and USER, waiting at CAP END. */
unsigned	 fxa_sasl_conn(struct fx *fx, const char *nick);
/* "AUTHENTICATE <base64 of len bytes of msg>", in one line. */
void		 fxa_send_b64(struct fx *fx, unsigned c, const char *msg, size_t len);
/* The same in chunks of 400, as a client sends a long message (and "+" after a full
 * last chunk). */
void		 fxa_send_chunks(struct fx *fx, unsigned c, const char *msg, size_t len);

#endif
