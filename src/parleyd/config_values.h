#ifndef PARLEY_PARLEYD_CONFIG_VALUES_H
#define PARLEY_PARLEYD_CONFIG_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/out.h"	/* enum log_level */
#include "net/net.h"
#include "net/sock.h"	/* SOCK_ADDR_MAX */

/*
 * One configuration value at a time, as the file (config.c) and the command-line flags
 * (main.c) give it.  The checks return 0, or -1 with a reason that quotes the value in
 * why; they keep no state and touch no file.
 */

/* A server name: hostname-like, with a '.', at most CONFIG_NAME_MAX bytes. */
int	config_name_check(const char *name, char *why, size_t whylen);
/* A network name: one ISUPPORT token (letters, digits, '-', '.', '_'). */
int	config_network_check(const char *name, char *why, size_t whylen);
/* A guest nicks' prefix: the start of a nick, at most CONFIG_GUEST_PREFIX_MAX bytes. */
int	config_guest_prefix_check(const char *prefix, char *why, size_t whylen);
/* [accounts] auto_away: at most CONFIG_AUTO_AWAY_MAX bytes, no control characters. */
int	config_auto_away_check(const char *text, char *why, size_t whylen);
/* A password or free text: at most CONFIG_PASSWORD_MAX bytes, no control characters. */
int	config_password_check(const char *password, char *why, size_t whylen);
/* "error", "warn", "info" or "debug" into *level. */
int	config_level_check(const char *text, enum log_level *level, char *why,
	    size_t whylen);
/* [history] private: all, accounts or none (CONFIG_HISTORY_PRIVATE_*). */
int	config_history_private_check(const char *text, unsigned *v, char *why,
	    size_t whylen);
/* [server] casemapping: rfc1459 or rfc8265 into *cm. */
int	config_casemapping_check(const char *text, enum casemapping *cm, char *why,
	    size_t whylen);
/* "event", "fork" or "threads" into *model. */
int	config_model_check(const char *text, enum net_model *model, char *why,
	    size_t whylen);
/* The threads model's io_threads: 1 .. IOTHREADS_MAX (net/iothreads.h) into *n. */
int	config_io_threads_check(const char *text, unsigned *n, char *why, size_t whylen);
/* yes/no, true/false, on/off, 1/0 into *v. */
int	config_bool_parse(const char *text, bool *v, char *why, size_t whylen);
/* An operator password as the file must hold it: a complete crypt(3) hash of a method
 * this libcrypt supports and recommends, never the password itself. */
int	config_hash_check(const char *hash, char *why, size_t whylen);
/* A user@host mask: printable, no blanks, one '@', at most CONFIG_MASK_MAX bytes. */
int	config_mask_check(const char *mask, char *why, size_t whylen);
/* An account name for [oper NAME] account: 1 to CONFIG_NICKLEN_MAX bytes, printable,
 * none of the characters a mask, a list or a message gives a meaning (" ,*?!@:$#"). */
int	config_account_check(const char *name, char *why, size_t whylen);
/* A SHA-256 fingerprint, 64 hex digits with optional colons, into out as lowercase
 * hex without colons. */
int	config_certfp_parse(const char *text, char out[CONFIG_CERTFP_MAX + 1], char *why,
	    size_t whylen);

/*
 * Append the listen address addr ("ADDR:PORT", "[v6]:PORT") to list, which holds *n.
 * Refuses an invalid address, a 17th listener and an address already listed (port 0,
 * "any free port", may repeat).  Returns 0, or -1 with a reason in why.
 */
int	config_listen_add(char list[][SOCK_ADDR_MAX], unsigned *n, const char *addr,
	    char *why, size_t whylen);

/* One listen address ("ADDR:PORT", "[v6]:PORT", "localhost:PORT"), or "" for none, into
 * out (SOCK_ADDR_MAX bytes). */
int	config_address_check(const char *addr, char out[SOCK_ADDR_MAX], char *why,
	    size_t whylen);

/*
 * [web] origins: words separated by blanks, each checked, into list (*n of them; at
 * most NET_WEB_LIST_MAX).  An origin is "*" or http(s)://HOST[:PORT].
 */
int	config_origins_parse(const char *text, char list[][NET_WEB_ITEM_MAX], unsigned *n,
	    char *why, size_t whylen);

/*
 * Bare numbers for the caller to range-check and word its own error: each returns 0,
 * or -1 when text is not of the form.  Too large a value saturates at UINT64_MAX.
 */
/* Decimal digits only. */
int	config_count_parse(const char *text, uint64_t *v);
/* Digits with an optional k/K (KiB) or m/M (MiB), into bytes. */
int	config_bytes_parse(const char *text, uint64_t *v);
/* Seconds with up to three decimals ("60", "0.5"), into milliseconds. */
int	config_seconds_parse(const char *text, uint64_t *ms);

#endif
