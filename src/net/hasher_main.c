/*
 * The hasher child (hasher.h): parleyd run anew as HASHER_ARGV0, it reads requests on
 * HASHER_FD, runs each with job_run() and writes the answer, until EOF.  Its memory holds
 * nothing of the server's but the passwords it is given, each wiped after its job.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "net/confine.h"
#include "net/hasher.h"

/* Read all of req.  Returns 1, 0 at EOF, or -1 on an error or a partial request. */
static int
hasher_read(struct hasher_req *req)
{
	char	*p = (char *)req;
	size_t	 got = 0;
	ssize_t	 n;

	while (got < sizeof(*req)) {
		if ((n = read(HASHER_FD, p + got, sizeof(*req) - got)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return got == 0 ? 0 : -1;
		got += (size_t)n;
	}
	return 1;
}

/* Write all of rep.  Returns 0, or -1 when the worker is gone. */
static int
hasher_write(const struct hasher_rep *rep)
{
	const char	*p = (const char *)rep;
	size_t		 left = sizeof(*rep);
	ssize_t		 n;

	while (left > 0) {
		if ((n = write(HASHER_FD, p, left)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	return 0;
}

/* Answer one request in rep, job being scratch space the size of a job. */
static void
hasher_serve(struct hasher_req *req, struct job *job, struct hasher_rep *rep)
{
	memset(job, 0, sizeof(*job));
	memset(rep, 0, sizeof(*rep));
	if (!HASHER_KIND(req->kind)) {
		rep->status = -EINVAL;
		return;
	}
	/* The worker's strings, terminated whatever it sent. */
	req->in.password[sizeof(req->in.password) - 1] = '\0';
	req->in.pwhash[sizeof(req->in.pwhash) - 1] = '\0';
	job->kind = req->kind;
	job->in.password = req->in;
	job_run(job);
	rep->status = job->status;
	if (job->kind == JOB_PASSWORD_CHECK)
		rep->password_ok = job->result.password_ok;
	else
		rep->hashed = job->result.hashed;
}

/* The loop: requests until EOF.  Returns the exit status. */
static int
hasher_loop(void)
{
	struct hasher_req	 req;
	struct hasher_rep	 rep;
	struct job		*job;
	int			 rc;

	if ((job = malloc(sizeof(*job))) == NULL)
		return 1;
	while ((rc = hasher_read(&req)) == 1) {
		hasher_serve(&req, job, &rep);
		sodium_memzero(&req, sizeof(req));
		sodium_memzero(job, sizeof(*job));
		rc = hasher_write(&rep);
		sodium_memzero(&rep, sizeof(rep));
		if (rc == -1)
			break;
	}
	free(job);
	return rc == 0 ? 0 : 1;
}

/* Whether HASHER_FD is a stream socket of the AF_UNIX kind. */
static int
hasher_fd_ok(void)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	int			 type;
	socklen_t		 tlen = sizeof(type);

	if (getsockopt(HASHER_FD, SOL_SOCKET, SO_TYPE, &type, &tlen) == -1 ||
	    type != SOCK_STREAM ||
	    getsockname(HASHER_FD, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	return ss.ss_family == AF_UNIX;
}

int
hasher_main(int argc, char **argv)
{
	(void)argv;
	if (argc != 1 || !hasher_fd_ok()) {
		fprintf(stderr, "%s: parleyd's password hasher, run by parleyd only\n",
		    HASHER_ARGV0);
		return 2;
	}
	/* comm is "exe", from /proc/self/exe: a name for ps and top. */
	(void)prctl(PR_SET_NAME, HASHER_ARGV0, 0, 0, 0);
	/* stdin and stdout are the server's, and nothing past HASHER_FD is ours. */
	(void)close_range(STDIN_FILENO, STDOUT_FILENO, 0);
	(void)close_range(HASHER_FD + 1, ~0u, 0);
	/* Before the filter: libsodium may open the entropy device once, here. */
	if (sodium_init() < 0)
		_exit(1);
	/* Unconfined is still out of the server's address space: go on without it. */
	(void)confine_relay();
	/* exit_group directly: no atexit handler or stdio flush needs a system call the
	 * filter forbids. */
	(void)syscall(SYS_exit_group, hasher_loop());
	return 1;
}
