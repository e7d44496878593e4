#!/bin/sh
# Install the Debian packages parley needs, only if some are missing, so a second run is
# fast and needs no network.  "scripts/deps.sh" installs what building and running need;
# "scripts/deps.sh test" adds what the tests need.
set -eu

PACKAGES="build-essential cmake pkg-config libinih-dev libcmocka-dev libcrypt-dev
libncurses-dev libssl-dev openssl"
if [ "${1:-}" = test ]; then
	# ngircd is a second server for the client's tests; tmux drives its terminal UI;
	# clang and its libFuzzer runtime build the fuzz targets; valgrind checks a session.
	PACKAGES="$PACKAGES python3 python3-pytest python3-irc tmux ngircd clang-14
	libclang-rt-14-dev valgrind"
fi

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi

# The tests start ngircd themselves on ephemeral ports.  The package would also start a
# system daemon on port 6667, where `make run` listens: forbid service starts during the
# install (policy-rc.d, exit 101) and leave the service disabled.
blocked=""
case "$missing" in
*ngircd*)
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
		$SUDO chmod 755 /usr/sbin/policy-rc.d
		blocked=yes
	fi
	;;
esac

export DEBIAN_FRONTEND=noninteractive
status=0
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing || status=$?
[ -n "$blocked" ] && $SUDO rm -f /usr/sbin/policy-rc.d
case "$missing" in
*ngircd*)
	if [ -d /run/systemd/system ]; then
		$SUDO systemctl disable --now ngircd.service >/dev/null 2>&1 || true
	fi
	;;
esac
exit "$status"
