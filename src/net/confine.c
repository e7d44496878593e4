/*
 * The relay child's seccomp filter: what it may call, everything else a kill.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <stddef.h>

#include "net/confine.h"

#if defined(__x86_64__)
#define RELAY_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define RELAY_ARCH	AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define RELAY_ARCH	AUDIT_ARCH_I386
#endif

#ifdef RELAY_ARCH
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i)	(offsetof(struct seccomp_data, args[i]))
#else
#define ARG_LO(i)	(offsetof(struct seccomp_data, args[i]) + 4)
#endif
#define RELAY_KILL	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)
#define RELAY_ALLOW(nr)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/*
 * What the relay calls once it runs: reads, writes, poll, shutdown and close, the
 * clock (when the vDSO cannot answer), SO_LINGER for a reset, and the ways out; and what
 * a TLS handshake needs on top, since it runs confined too.  Anything else kills the
 * process: a child that tries to open a file or a socket, or to exec, has been
 * subverted.  The architecture is checked first, since syscall numbers mean nothing
 * without it.
 */
static const struct sock_filter relay_filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RELAY_ARCH, 1, 0),
	RELAY_KILL,
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __x86_64__
	/* x32 calls come with the same arch: refuse them all. */
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
	RELAY_KILL,
#endif
	RELAY_ALLOW(SYS_read),
	RELAY_ALLOW(SYS_write),
	RELAY_ALLOW(SYS_recvfrom),
	RELAY_ALLOW(SYS_sendto),
#ifdef SYS_poll
	RELAY_ALLOW(SYS_poll),
#endif
	RELAY_ALLOW(SYS_ppoll),
	RELAY_ALLOW(SYS_shutdown),
	RELAY_ALLOW(SYS_close),
	RELAY_ALLOW(SYS_clock_gettime),
	RELAY_ALLOW(SYS_restart_syscall),
	RELAY_ALLOW(SYS_rt_sigreturn),
	RELAY_ALLOW(SYS_exit),
	RELAY_ALLOW(SYS_exit_group),
	/* TLS: OpenSSL allocates, and draws randomness (checking its pid for a fork
	 * first), in the handshake and after: memory and entropy only, no descriptor. */
	RELAY_ALLOW(SYS_brk),
	RELAY_ALLOW(SYS_munmap),
	RELAY_ALLOW(SYS_mremap),
	RELAY_ALLOW(SYS_madvise),
	RELAY_ALLOW(SYS_getpid),
	RELAY_ALLOW(SYS_getrandom),
	/* mmap never executable (and mprotect is not allowed at all). */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 0, 4),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	RELAY_KILL,
	/* setsockopt(fd, SOL_SOCKET, SO_LINGER, ...) only. */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_setsockopt, 0, 4),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOL_SOCKET, 0, 2),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SO_LINGER, 1, 0),
	RELAY_KILL,
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

int
confine_relay(void)
{
	struct sock_fprog	 prog = {
		sizeof(relay_filter) / sizeof(relay_filter[0]),
		(struct sock_filter *)relay_filter,
	};

	/* Required of an unprivileged process, and right for a privileged one too. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1)
		return -errno;
	return 0;
}
#else
int
confine_relay(void)
{
	return -ENOSYS;
}
#endif
