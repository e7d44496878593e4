#!/bin/sh
# Install what make bench needs from Debian, idempotently: ngIRCd, InspIRCd and gnuplot as
# packages; ircd-hybrid unpacked into /var/tmp/parley-bench/hybrid, because Debian's
# ngircd package declares a conflict with ircd-hybrid and apt will not hold both.
set -eu

WORK=/var/tmp/parley-bench
HYBRID=$WORK/hybrid

missing=""
for pkg in ngircd inspircd gnuplot-nox util-linux; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $pkg"
	fi
done
if [ -n "$missing" ]; then
	apt-get update
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
fi

if [ ! -x "$HYBRID/usr/sbin/ircd-hybrid" ]; then
	mkdir -p "$WORK"
	# Its libraries, which apt may install alongside ngircd.
	deps=$(apt-cache depends --no-recommends --no-suggests ircd-hybrid |
	    awk '$1 == "Depends:" && $2 !~ /^</ { print $2 }')
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y $deps
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download ircd-hybrid)
	dpkg-deb -x "$tmp"/ircd-hybrid_*.deb "$HYBRID"
	rm -rf "$tmp"
fi
# The binary loads its core modules from the path compiled in, not from the config.
if [ ! -e /usr/lib/ircd-hybrid ]; then
	ln -s "$HYBRID/usr/lib/ircd-hybrid" /usr/lib/ircd-hybrid
fi
chmod 755 "$WORK"
