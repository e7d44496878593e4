#ifndef PARLEY_CORE_RECORDS_H
#define PARLEY_CORE_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"

/*
 * What the store keeps, as the core and every store backend see it: an account, a
 * registered channel and the entries of its lists.  Plain values of fixed size, so a
 * record can travel inside a job (job.h) to the store thread and back.  An always-on
 * user's presence too (below).  Names keep the
 * case they were registered with; the core compares them with its casemapping.
 */
#define ACCOUNT_NAME_MAX	CONFIG_NICKLEN_MAX	/* an account is named like a nick */
#define ACCOUNT_EMAIL_MAX	254
#define ACCOUNT_PWHASH_MAX	127	/* an argon2id string (crypto_pwhash_STRBYTES - 1) */
#define ACCOUNT_CODE_MAX	31	/* a VERIFY code */
#define ACCOUNT_CERTS_MAX	8	/* client certificate fingerprints per account */
#define SCRAM_SALT_LEN		16
#define SCRAM_KEY_LEN		32	/* SHA-256 */

struct account_rec {
	char		name[ACCOUNT_NAME_MAX + 1];
	char		email[ACCOUNT_EMAIL_MAX + 1];		/* "" = none given */
	char		pwhash[ACCOUNT_PWHASH_MAX + 1];		/* argon2id; "" = none */
	uint8_t		scram_salt[SCRAM_SALT_LEN];		/* SCRAM-SHA-256 (RFC 7677) */
	uint32_t	scram_iter;				/* 0 = no SCRAM keys */
	uint8_t		scram_stored[SCRAM_KEY_LEN];
	uint8_t		scram_server[SCRAM_KEY_LEN];
	int64_t		registered;				/* wall clock seconds */
	char		verify_code[ACCOUNT_CODE_MAX + 1];	/* "" once verified */
	unsigned	ncerts;
	char		certs[ACCOUNT_CERTS_MAX][CONFIG_CERTFP_MAX + 1];	/* lowercase hex */
};

#define CHANREG_TOPIC_MAX	511
#define CHANREG_SETTER_MAX	(CONFIG_NICKLEN_MAX + CONFIG_USERLEN_MAX + CONFIG_HOST_MAX + 3)
#define CHANREG_KEY_MAX		23	/* CHANNEL_KEY_MAX */

/* A registered channel: its founder and the state that survives it being empty. */
struct chanreg_rec {
	char		name[CONFIG_CHANNELLEN_MAX + 1];
	char		founder[ACCOUNT_NAME_MAX + 1];		/* an account */
	int64_t		registered;				/* wall clock seconds */
	char		topic[CHANREG_TOPIC_MAX + 1];		/* "" = none */
	char		topic_setter[CHANREG_SETTER_MAX + 1];
	int64_t		topic_time;
	unsigned	modes;					/* CHANNEL_* flag bits */
	char		key[CHANREG_KEY_MAX + 1];		/* "" = none */
	unsigned	limit;					/* 0 = none */
};

/*
 * One entry of a registered channel's lists.  kind says which list: 'b', 'e', 'I' (a
 * mask, as in MODE) or an access entry, 'o' (auto-op) or 'v' (auto-voice), whose mask is
 * an account name.  (channel, kind, mask) is unique.
 */
struct chanreg_entry {
	char		channel[CONFIG_CHANNELLEN_MAX + 1];
	char		kind;
	char		mask[CONFIG_MASK_MAX + 1];
	char		setter[CHANREG_SETTER_MAX + 1];
	int64_t		time;
};

/*
 * An account's own choices (NickServ SET MULTICLIENT, SET ALWAYS-ON): each is
 * ACCOUNT_OPT_DEFAULT (the server's [accounts] setting), _ON or _OFF.
 */
#define ACCOUNT_OPT_DEFAULT	0
#define ACCOUNT_OPT_ON		1
#define ACCOUNT_OPT_OFF		2
struct account_opts {
	char		name[ACCOUNT_NAME_MAX + 1];
	uint8_t		multiclient;
	uint8_t		always_on;
};

/*
 * Always-on (core/session.h): a user that stays on the network without a connection,
 * as it is put back at start.  account is the key, as registered; channels holds its
 * channels' names, each followed by a space.
 */
#define PRESENCE_TEXT_MAX	511	/* a realname, an AWAY text */
#define PRESENCE_CHANNELS_MAX	2047
struct presence_rec {
	char		account[ACCOUNT_NAME_MAX + 1];
	char		nick[CONFIG_NICKLEN_MAX + 1];
	char		user[CONFIG_USERLEN_MAX + 1];
	char		host[CONFIG_HOST_MAX + 1];
	char		realname[PRESENCE_TEXT_MAX + 1];
	char		away[PRESENCE_TEXT_MAX + 1];		/* "" = not away */
	int64_t		signon;					/* wall clock seconds */
	int64_t		gone;		/* wall clock ms its last connection went; 0 */
	char		channels[PRESENCE_CHANNELS_MAX + 1];
};

#endif
