/*
 * The kernel's randomness, whole or not at all: there is no weaker fallback (the time,
 * the PID), since a key someone can guess is no better than none.
 */
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/random.h"

/* Interrupted calls in a row before giving up: signals are blocked by then (signals.h),
 * so one is already unusual. */
#define RANDOM_EINTR_MAX	64

int
random_bytes(void *buf, size_t len, char *err, size_t errlen)
{
	unsigned char	*p = buf;
	size_t		 got = 0;
	unsigned	 interrupted = 0;
	int		 rc;

	while (got < len) {
		ssize_t	n = getrandom(p + got, len - got, 0);

		if (n > 0) {
			got += (size_t)n;
			interrupted = 0;
			continue;
		}
		rc = n == 0 ? -EIO : -errno;
		if (rc == -EINTR && ++interrupted < RANDOM_EINTR_MAX)
			continue;
		snprintf(err, errlen, "no random bytes from the kernel for the hash key: "
		    "getrandom: %s", strerror(-rc));
		return rc;
	}
	return 0;
}
