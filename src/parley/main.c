/*
 * parley: the terminal client.  `parley send` and `parley tail` are for scripts; with
 * neither, a full-screen chat client.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/casemap.h"
#include "parley/parley.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: parley [OPTIONS] HOST[:PORT] [#channel ...]\n"
	    "       parley send [OPTIONS] HOST[:PORT] #channel [MESSAGE...]\n"
	    "       parley tail [OPTIONS] HOST[:PORT] #channel\n"
	    "\n"
	    "  -n, --nick NICK       nickname (default: parley and three digits)\n"
	    "  -t, --timeout SECONDS bound on connecting, registering and confirming (%d)\n"
	    "      --tls             TLS, the server's certificate verified (port 6697)\n"
	    "      --insecure        with --tls: do not verify the certificate\n"
	    "  -h, --help            this text\n"
	    "  -V, --version         the version\n"
	    "\n"
	    "send posts MESSAGE (its words joined by spaces) or, without it, each line of\n"
	    "stdin, and exits 0 once the server has confirmed delivery.  tail prints the\n"
	    "channel's messages, one per line: <nick> text, * nick action, -nick- notice.\n"
	    "HOST may be a name, an IPv4 address or [IPv6]; PORT defaults to 6667.\n"
	    "Exit codes: 0 done, 1 local failure, 2 usage, 3 cannot resolve, connect or\n"
	    "establish TLS, "
	    "4 the server refused or closed, 5 timed out.  See docs/parley.md.\n",
	    PARLEY_TIMEOUT_SEC);
}

void
parley_default_nick(char *buf, unsigned long cap)
{
	snprintf(buf, cap, "parley%03ld", (long)getpid() % 1000);
}

/* Parse options from argv[optind] on, stopping at the first operand.  Returns 0, 1 when
 * the program should exit 0 (help, version), or -1 on a usage error. */
static int
parse_options(int argc, char **argv, struct parley_opts *o)
{
	static const struct option longopts[] = {
		{ "nick",	required_argument,	NULL, 'n' },
		{ "timeout",	required_argument,	NULL, 't' },
		{ "tls",	no_argument,		NULL, 'T' },
		{ "insecure",	no_argument,		NULL, 'k' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 },
	};
	char	*end;
	long	 secs;
	int	 c;

	while ((c = getopt_long(argc, argv, "+n:t:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!casemap_nick_valid(optarg, IRC_NICK_MAX)) {
				fprintf(stderr, "parley: invalid nick: %s\n", optarg);
				return -1;
			}
			snprintf(o->nick, sizeof(o->nick), "%s", optarg);
			break;
		case 't':
			secs = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || secs < 1 || secs > 86400) {
				fprintf(stderr, "parley: invalid timeout: %s\n", optarg);
				return -1;
			}
			o->timeout_ms = (int)secs * 1000;
			break;
		case 'T':
			o->tls = true;
			break;
		case 'k':
			o->insecure = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf("parley %s\n", PARLEY_VERSION);
			return 1;
		default:
			return -1;
		}
	}
	return 0;
}

static int
usage_error(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "parley: %s\n", why);
	usage(stderr);
	return PARLEY_EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	struct parley_opts	 o;
	const char		*mode = NULL;
	int			 r, i;

	memset(&o, 0, sizeof(o));
	o.timeout_ms = PARLEY_TIMEOUT_SEC * 1000;
	if ((r = parse_options(argc, argv, &o)) != 0)
		return r > 0 ? PARLEY_EXIT_OK : usage_error(NULL);
	if (optind < argc && (strcmp(argv[optind], "send") == 0 ||
	    strcmp(argv[optind], "tail") == 0)) {
		mode = argv[optind++];
		if ((r = parse_options(argc, argv, &o)) != 0)
			return r > 0 ? PARLEY_EXIT_OK : usage_error(NULL);
	}
	if (o.insecure && !o.tls)
		return usage_error("--insecure goes with --tls");
	if (optind >= argc)
		return usage_error("missing HOST");
	if (irc_parse_target(argv[optind], o.tls ? IRC_DEFAULT_TLS_PORT : IRC_DEFAULT_PORT,
	    o.host, sizeof(o.host), o.port, sizeof(o.port)) < 0)
		return usage_error("HOST must be HOST, HOST:PORT or [IPv6]:PORT");
	optind++;
	if (o.nick[0] == '\0')
		parley_default_nick(o.nick, sizeof(o.nick));
	for (i = optind; i < argc && (mode == NULL || i == optind); i++)
		if (!casemap_channel_valid(argv[i], 200)) {
			fprintf(stderr, "parley: invalid channel name: %s\n", argv[i]);
			return usage_error(NULL);
		}
	if (mode == NULL)
		return ui_run(&o, argc - optind, argv + optind);
	if (optind >= argc)
		return usage_error("missing #channel");
	if (strcmp(mode, "tail") == 0) {
		if (optind + 1 != argc)
			return usage_error("tail takes no message");
		return script_tail(&o, argv[optind]);
	}
	return script_send(&o, argv[optind], argc - optind - 1, argv + optind + 1);
}
