/*
 * IRCv3 draft/account-registration: REGISTER and VERIFY, before and after connection
 * registration, over the shared account flows (account.h).  The account is always
 * named for the current nick (custom-account-name is not offered), so that an account
 * and the nick it owns are one name.
 */
#include <stdio.h>
#include <string.h>

#include "core/account.h"
#include "core/casemap.h"
#include "core/client.h"
#include "core/command.h"
#include "core/names.h"
#include "core/reply.h"

/* "REGISTER" or "VERIFY" SUCCESS or VERIFICATION_REQUIRED, for account. */
static void
account_reply(struct core *core, struct client *cl, const char *verb, const char *what,
    const char *account, const char *text)
{
	char	line[MSG_BODY_MAX + 1];
	size_t	len;

	len = format_msg(line, sizeof(line), core->cfg.server_name, verb, 3, what, account,
	    text);
	if (len > 0)
		send_line(core, cl, line, len);
}

/* Before registration only where no server password could be passed by (the spec's
 * server considerations): before-connect is not offered then. */
static bool
account_before_connect(const struct core *core)
{
	return core->cfg.password[0] == '\0';
}

/* The cap's value: what REGISTER allows here. */
const char *
cmd_account_cap_value(const struct core *core, const struct client *cl, char *buf,
    size_t cap)
{
	(void)cl;
	snprintf(buf, cap, "%s%s%s", account_before_connect(core) ? "before-connect" : "",
	    account_before_connect(core) && core->cfg.accounts_email_required ? "," : "",
	    core->cfg.accounts_email_required ? "email-required" : "");
	return buf[0] != '\0' ? buf : NULL;
}

bool
cmd_account_cap_offered(const struct core *core)
{
	return core->cfg.accounts_registration;
}

/* The end of a REGISTER: what the flow did, in the spec's words. */
static void
register_done(struct core *core, struct client *cl, enum account_result result,
    const char *account, int64_t now)
{
	const char	*code = NULL, *text = NULL;

	(void)now;
	switch (result) {
	case ACCOUNT_OK:
		account_reply(core, cl, "REGISTER", "SUCCESS", account, "Account created");
		return;
	case ACCOUNT_NEED_VERIFY:
		/* No mail leaves the server: the code is in its log (docs/accounts.md). */
		account_reply(core, cl, "REGISTER", "VERIFICATION_REQUIRED", account,
		    "Account created: ask the server's operators for its verification "
		    "code, then send VERIFY with it");
		return;
	case ACCOUNT_EXISTS:
		code = "ACCOUNT_EXISTS", text = "That account already exists";
		break;
	case ACCOUNT_BAD_NAME:
		code = "BAD_ACCOUNT_NAME", text = "An account is named like a nick";
		break;
	case ACCOUNT_WEAK_PASSWORD:
		code = "WEAK_PASSWORD", text = "That password is too short";
		break;
	case ACCOUNT_BAD_EMAIL:
		code = "INVALID_EMAIL", text = core->cfg.accounts_email_required ?
		    "A valid email address is required" : "That email address is not valid";
		break;
	case ACCOUNT_THROTTLED:
		code = "TEMPORARILY_UNAVAILABLE",
		    text = "Too many registrations from your address, try again later";
		break;
	case ACCOUNT_NO_SUCH:
	case ACCOUNT_BAD_PASSWORD:
	case ACCOUNT_STORE_FAILED:
		code = "TEMPORARILY_UNAVAILABLE",
		    text = "The account could not be saved, try again later";
		break;
	}
	send_standard(core, cl, "FAIL", "REGISTER", code, account, text);
}

void
cmd_register_account(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const char	*name = m->params[0], *email = m->params[1];

	if (!core->cfg.accounts_registration) {
		send_standard(core, cl, "FAIL", "REGISTER", "TEMPORARILY_UNAVAILABLE", name,
		    "Registration is disabled on this server");
		return;
	}
	if (cl->state != CLIENT_REGISTERED && !account_before_connect(core)) {
		send_standard(core, cl, "FAIL", "REGISTER", "COMPLETE_CONNECTION_REQUIRED",
		    NULL, "Register your connection first");
		return;
	}
	if (cl->nick[0] == '\0') {
		send_standard(core, cl, "FAIL", "REGISTER", "NEED_NICK", "*",
		    "Send NICK first: the account is named for it");
		return;
	}
	if (strcmp(name, "*") != 0 && !names_eq(core, name, cl->nick)) {
		send_standard(core, cl, "FAIL", "REGISTER", "ACCOUNT_NAME_MUST_BE_NICK", name,
		    "The account is named for your current nick");
		return;
	}
	if (cl->account[0] != '\0') {
		send_standard(core, cl, "FAIL", "REGISTER", "ALREADY_AUTHENTICATED",
		    cl->account, "You are already logged in");
		return;
	}
	account_register(core, cl, cl->nick, strcmp(email, "*") == 0 ? "" : email,
	    m->params[2], register_done, now);
}

/* The end of a VERIFY. */
static void
verify_done(struct core *core, struct client *cl, enum account_result result,
    const char *account, int64_t now)
{
	(void)now;
	switch (result) {
	case ACCOUNT_OK:
		account_reply(core, cl, "VERIFY", "SUCCESS", account, "Account verified");
		return;
	case ACCOUNT_THROTTLED:
		send_standard(core, cl, "FAIL", "VERIFY", "TEMPORARILY_UNAVAILABLE", account,
		    "Too many failed attempts, try again later");
		return;
	case ACCOUNT_STORE_FAILED:
		send_standard(core, cl, "FAIL", "VERIFY", "TEMPORARILY_UNAVAILABLE", account,
		    "The account could not be saved, try again later");
		return;
	default:
		/* No such account, a wrong code, nothing to verify: one answer for all. */
		send_standard(core, cl, "FAIL", "VERIFY", "INVALID_CODE", account,
		    "That code is not valid for that account");
		return;
	}
}

void
cmd_verify(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	if (cl->state != CLIENT_REGISTERED && !account_before_connect(core)) {
		send_standard(core, cl, "FAIL", "VERIFY", "COMPLETE_CONNECTION_REQUIRED", NULL,
		    "Register your connection first");
		return;
	}
	if (cl->account[0] != '\0') {
		send_standard(core, cl, "FAIL", "VERIFY", "ALREADY_AUTHENTICATED", cl->account,
		    "You are already logged in");
		return;
	}
	account_verify(core, cl, m->params[0], m->params[1], verify_done, now);
}
