/*
 * A job worker's side of its hasher child (hasher.h): spawning it, one request and its
 * answer over the socketpair, and its end.
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "net/hasher.h"
#include "net/log.h"

extern char	**environ;

void
hasher_init(struct hasher *h)
{
	h->pid = 0;
	h->pidfd = -1;
	h->fd = -1;
}

/* Run the child over fd, its end, which must land on HASHER_FD.  Returns 0 or -errno. */
static int
hasher_spawn_child(int fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	char	 argv0[] = HASHER_ARGV0;
	char	*argv[] = { argv0, NULL };
	int	 src = fd, dup = -1, rc;

	/* A dup2 onto itself would keep close-on-exec: copy it past HASHER_FD first. */
	if (fd <= HASHER_FD) {
		if ((dup = fcntl(fd, F_DUPFD_CLOEXEC, HASHER_FD + 1)) == -1)
			return -errno;
		src = dup;
	}
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		if (dup >= 0)
			(void)close(dup);
		return -rc;
	}
	rc = posix_spawn_file_actions_adddup2(&fa, src, HASHER_FD);
	if (rc == 0)
		rc = posix_spawn_file_actions_addclosefrom_np(&fa, HASHER_FD + 1);
	/* The worker's signal mask (all blocked) crosses the exec: the child takes none. */
	if (rc == 0)
		rc = posix_spawn(pid, "/proc/self/exe", &fa, NULL, argv, environ);
	(void)posix_spawn_file_actions_destroy(&fa);
	if (dup >= 0)
		(void)close(dup);
	return -rc;
}

/* A child for h.  Returns 0 or -errno. */
static int
hasher_spawn(struct hasher *h)
{
	int	sv[2], rc;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return -errno;
	rc = hasher_spawn_child(sv[1], &h->pid);
	(void)close(sv[1]);
	if (rc < 0) {
		(void)close(sv[0]);
		h->pid = 0;
		return rc;
	}
	h->fd = sv[0];
	/* Close-on-exec, as every pidfd is.  Without one, waitpid serves. */
	h->pidfd = (int)syscall(SYS_pidfd_open, h->pid, 0);
	return 0;
}

void
hasher_stop(struct hasher *h)
{
	siginfo_t	si;
	int		rc;

	if (h->pid == 0)
		return;
	(void)close(h->fd);
	memset(&si, 0, sizeof(si));
	do {
		if (h->pidfd >= 0)
			rc = waitid(P_PIDFD, (id_t)h->pidfd, &si, WEXITED);
		else
			rc = waitid(P_PID, (id_t)h->pid, &si, WEXITED);
	} while (rc == -1 && errno == EINTR);
	/* ECHILD: the fork model's hub reaped it first (waitpid(-1)); it is gone all the
	 * same. */
	if (rc == 0 && !(si.si_code == CLD_EXITED && si.si_status == 0))
		log_warnx("hasher pid %d ended abnormally (%s %d)", (int)h->pid,
		    si.si_code == CLD_EXITED ? "status" : "signal", si.si_status);
	if (h->pidfd >= 0)
		(void)close(h->pidfd);
	hasher_init(h);
}

/* Write all of req.  Returns 0, or -errno (-EPIPE: the child is gone). */
static int
hasher_send(int fd, const struct hasher_req *req)
{
	const char	*p = (const char *)req;
	size_t		 left = sizeof(*req);
	ssize_t		 n;

	while (left > 0) {
		if ((n = send(fd, p, left, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		left -= (size_t)n;
	}
	return 0;
}

/* Read all of rep.  Returns 0, or -EPIPE at EOF (the child died), or -errno. */
static int
hasher_recv(int fd, struct hasher_rep *rep)
{
	char	*p = (char *)rep;
	size_t	 left = sizeof(*rep);
	ssize_t	 n;

	while (left > 0) {
		if ((n = read(fd, p, left)) == -1) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		p += n;
		left -= (size_t)n;
	}
	return 0;
}

/* Copy the child's answer into job: for a hash, only what job_password_hash writes. */
static void
hasher_result(struct job *job, const struct hasher_rep *rep)
{
	struct account_rec	*out = &job->result.hashed;

	job->status = rep->status;
	if (job->kind == JOB_PASSWORD_CHECK) {
		job->result.password_ok = rep->status == 0 && rep->password_ok;
		return;
	}
	if (rep->status != 0)
		return;
	memcpy(out->pwhash, rep->hashed.pwhash, sizeof(out->pwhash));
	out->pwhash[sizeof(out->pwhash) - 1] = '\0';
	memcpy(out->scram_salt, rep->hashed.scram_salt, sizeof(out->scram_salt));
	out->scram_iter = rep->hashed.scram_iter;
	memcpy(out->scram_stored, rep->hashed.scram_stored, sizeof(out->scram_stored));
	memcpy(out->scram_server, rep->hashed.scram_server, sizeof(out->scram_server));
}

/* One try on h's child, spawned if need be.  Returns 0 with job done, -EAGAIN when
 * the child was found dead before it read the job, or -errno (job->status -EIO). */
static int
hasher_try(struct hasher *h, const struct hasher_req *req, struct job *job)
{
	struct hasher_rep	rep;
	int			rc;

	if (h->pid == 0 && (rc = hasher_spawn(h)) < 0) {
		log_warn(rc, "hasher: spawn");
		job->status = -EIO;
		return rc;
	}
	if ((rc = hasher_send(h->fd, req)) < 0) {
		hasher_stop(h);
		job->status = -EIO;
		return rc == -EPIPE || rc == -ECONNRESET ? -EAGAIN : rc;
	}
	rc = hasher_recv(h->fd, &rep);
	if (rc == 0)
		hasher_result(job, &rep);
	else {
		log_warnx("hasher pid %d: no answer (%s): job %llu fails", (int)h->pid,
		    strerror(-rc), (unsigned long long)job->id);
		hasher_stop(h);
		job->status = -EIO;
	}
	sodium_memzero(&rep, sizeof(rep));
	return rc;
}

void
hasher_run(struct hasher *h, struct job *job)
{
	struct hasher_req	req;

	memset(&req, 0, sizeof(req));
	req.kind = job->kind;
	req.in = job->in.password;
	if (job->kind == JOB_PASSWORD_CHECK)
		job->result.password_ok = false;
	/* A child that died idle (killed, say) costs nothing: its successor runs the job.
	 * One that dies running it is not given the same job again. */
	if (hasher_try(h, &req, job) == -EAGAIN)
		(void)hasher_try(h, &req, job);
	sodium_memzero(&req, sizeof(req));
}
