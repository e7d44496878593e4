#ifndef PARLEY_CORE_CAP_H
#define PARLEY_CORE_CAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * IRCv3 client capabilities (CAP).  A client's enabled set is one bit per capability
 * in client->caps; every behaviour that depends on one tests CAP_BIT(CAP_...).
 */
enum cap {
	CAP_ACCOUNT_NOTIFY,
	CAP_ACCOUNT_TAG,
	CAP_AWAY_NOTIFY,
	CAP_BATCH,
	CAP_CAP_NOTIFY,
	CAP_CHGHOST,
	CAP_ECHO_MESSAGE,
	CAP_EXTENDED_JOIN,
	CAP_INVITE_NOTIFY,
	CAP_LABELED_RESPONSE,
	CAP_MESSAGE_TAGS,
	CAP_MULTI_PREFIX,
	CAP_SERVER_TIME,
	CAP_SETNAME,
	CAP_STANDARD_REPLIES,
	CAP_STS,
	CAP_USERHOST_IN_NAMES,
	/* h-proto (issue 20) */
	CAP_EXTENDED_MONITOR,
	CAP_NO_IMPLICIT_NAMES,
	CAP_PRE_AWAY,
	CAP_CHANNEL_RENAME,
	CAP_MULTILINE,
	CAP_METADATA,
	/* history (cmd_chathistory.c, cmd_markread.c, cmd_redact.c) */
	CAP_CHATHISTORY,
	CAP_READ_MARKER,
	CAP_MESSAGE_REDACTION,
	CAP_EVENT_PLAYBACK,
	/* accounts (cmd_account.c, cmd_sasl.c) */
	CAP_ACCOUNT_REGISTRATION,
	CAP_SASL,
	CAP_COUNT
};

/* A set of capabilities, a bit each. */
typedef uint64_t	capset;
#define CAP_BIT(c)	(UINT64_C(1) << (c))

struct core;
struct client;

/* The capabilities this server offers now (a bit set); some depend on configuration. */
capset		cap_available(const struct core *core);
/* The name of c ("sasl"), and the capability of a name (len bytes), or -1. */
const char	*cap_name(enum cap c);
int		 cap_lookup(const char *name, size_t len);

/*
 * Tell clients that negotiated cap-notify what changed after a reload: CAP NEW for
 * capabilities that appeared, CAP DEL for those that went (and they are disabled).
 * `before` is cap_available() from before the change.
 */
void		cap_notify_changes(struct core *core, capset before);

/* The history capabilities' offer (history.c): while history is kept. */
bool		history_cap_offered(const struct core *core);

/* draft/account-registration's offer and value (cmd_account.c), sasl's (cmd_sasl.c). */
bool		cmd_account_cap_offered(const struct core *core);
const char	*cmd_account_cap_value(const struct core *core, const struct client *cl,
		    char *buf, size_t cap);
const char	*cmd_sasl_cap_value(const struct core *core, const struct client *cl,
		    char *buf, size_t cap);

#endif
