#ifndef PARLEY_CORE_BASE64_H
#define PARLEY_CORE_BASE64_H

#include <stddef.h>

/*
 * Base64 with padding (RFC 4648 4), as SASL carries its messages: strict, so that
 * garbage is refused rather than guessed at.
 */

/* The text of len bytes of src into dst (cap >= BASE64_LEN(len) + 1), NUL-terminated.
 * Returns its length, or -1 when it does not fit. */
#define BASE64_LEN(n)	(((n) + 2) / 3 * 4)
int	base64_encode(char *dst, size_t cap, const void *src, size_t len);

/* The bytes of the text src (len bytes) into dst, at most cap of them.  Returns how
 * many, or -1 for anything but whole padded base64 that fits. */
int	base64_decode(void *dst, size_t cap, const char *src, size_t len);

#endif
