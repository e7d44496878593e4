/*
 * Base64 for SASL (base64.h) over libsodium's constant-time codec, in its padded
 * original alphabet: the whole text must decode, nothing skipped.
 */
#include <limits.h>

#include <sodium.h>

#include "core/base64.h"

int
base64_encode(char *dst, size_t cap, const void *src, size_t len)
{
	if (cap < BASE64_LEN(len) + 1 || BASE64_LEN(len) > (size_t)INT_MAX)
		return -1;
	sodium_bin2base64(dst, cap, src, len, sodium_base64_VARIANT_ORIGINAL);
	return (int)BASE64_LEN(len);
}

int
base64_decode(void *dst, size_t cap, const char *src, size_t len)
{
	size_t	out;

	/* Without an end pointer libsodium refuses anything left over; the length
	 * check refuses missing padding. */
	if (len % 4 != 0 || sodium_base642bin(dst, cap, src, len, NULL, &out, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || out > (size_t)INT_MAX)
		return -1;
	return (int)out;
}
