#ifndef PARLEY_NET_RANDOM_H
#define PARLEY_NET_RANDOM_H

#include <stddef.h>

/*
 * Secret random bytes from the kernel (getrandom(2)): the core's hash key.  Waits, at
 * boot, until the kernel's pool is ready; retries interrupted and short reads.  Returns
 * 0, or -errno with a message in err (errlen bytes) when the kernel gives no randomness
 * (ENOSYS on kernels before 3.17, or a seccomp filter that forbids the call).
 */
int	random_bytes(void *buf, size_t len, char *err, size_t errlen);

#endif
