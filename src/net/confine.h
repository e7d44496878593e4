#ifndef PARLEY_NET_CONFINE_H
#define PARLEY_NET_CONFINE_H

/*
 * Confinement of a fork model relay child: no new privileges, and a seccomp filter that
 * allows only what relay.h's loop and a TLS handshake need.  Once it is on, any other
 * system call kills the process.
 */

/* Confine the calling process for good.  Returns 0, or -errno (-EINVAL: a kernel
 * without seccomp filters; -ENOSYS: an architecture this filter does not know). */
int	confine_relay(void);

#endif
