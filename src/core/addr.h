#ifndef PARLEY_CORE_ADDR_H
#define PARLEY_CORE_ADDR_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Numeric IP addresses as text, without the socket library: the core reads them from
 * lines (WEBIRC) and must write them as the driver writes a client's host.
 */

/*
 * The numeric IPv4 or IPv6 address text as a host into buf (cap bytes): IPv4 dotted,
 * IPv6 in the shortest form (RFC 5952, as inet_ntop writes it) with a "0" before a
 * leading ':', and an IPv4-mapped IPv6 address as its IPv4 address.  Returns false,
 * buf unspecified, when text is not one address or buf is too small.
 */
bool	addr_host(const char *text, char *buf, size_t cap);

#endif
