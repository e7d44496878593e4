#!/bin/sh
# Install the Debian packages parley needs, only if some are missing, so a second run is
# fast and needs neither the network nor root.  "scripts/deps.sh" checks what building
# and running need; "scripts/deps.sh test" adds what the tests need.  Missing packages are
# installed with apt-get as root, or through sudo; when neither is possible the script
# names them in one line and fails.
set -eu

# gcc, make and libc6-dev rather than build-essential: what the build runs, so a machine
# that has them without the meta-package is not sent to apt-get.
PACKAGES="gcc make libc6-dev cmake pkg-config libinih-dev libcrypt-dev libncurses-dev
libssl-dev openssl libsqlite3-dev libsodium-dev zlib1g-dev libnats-dev libicu-dev"
if [ "${1:-}" = test ]; then
	# cmocka runs the unit tests; ngircd is a second server for the client's tests; tmux
	# drives its terminal UI; clang and its libFuzzer runtime build the fuzz targets;
	# valgrind checks a session; mandoc lints the man pages.  chromium and nodejs run
	# the web client's browser tests (npm fetches playwright-core into tests/browser).
	PACKAGES="$PACKAGES libcmocka-dev python3 python3-pytest python3-irc tmux ngircd
	clang-14 libclang-rt-14-dev valgrind mandoc weechat-headless irssi sqlite3 chromium
	nodejs"
fi
if [ "${1:-}" = test ]; then
	# Operating (h-ops): haproxy sends PROXY headers, prometheus scrapes /metrics
	# (promtool checks it); the tests start both themselves on ephemeral ports.
	PACKAGES="$PACKAGES haproxy prometheus"
	# The cluster (issue 18): the tests start nats-server themselves, JetStream on.
	PACKAGES="$PACKAGES nats-server"
	# Debian's nodejs comes without npm, which fetches playwright-core; a nodejs that
	# brings its own npm (nodesource's) must not get Debian's beside it.
	command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	echo "deps: not a Debian system; make sure the equivalents of these are installed:" \
	    $PACKAGES >&2
	exit 0
fi

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
else
	echo "deps: missing Debian packages:$missing (not root and no sudo: run" \
	    "'apt-get install$missing' as root, then make again)" >&2
	exit 1
fi
echo "deps: installing$missing" >&2

# The tests start ngircd themselves on ephemeral ports.  The package would also start a
# system daemon on port 6667, where `make run` listens: forbid service starts during the
# install (policy-rc.d, exit 101) and leave the service disabled.
blocked=""
case "$missing" in
*ngircd*|*haproxy*|*prometheus*|*nats-server*)
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
		$SUDO chmod 755 /usr/sbin/policy-rc.d
		blocked=yes
	fi
	;;
esac

# sudo clears the environment, so the frontend is passed through env.
APT="$SUDO env DEBIAN_FRONTEND=noninteractive apt-get"
status=0
$APT update -qq
# shellcheck disable=SC2086
$APT install -y -qq --no-install-recommends $missing || status=$?
[ -n "$blocked" ] && $SUDO rm -f /usr/sbin/policy-rc.d
case "$missing" in
*ngircd*)
	if [ -d /run/systemd/system ]; then
		$SUDO systemctl disable --now ngircd.service >/dev/null 2>&1 || true
	fi
	;;
esac
for daemon in haproxy prometheus nats-server; do
	case "$missing" in
	*"$daemon"*)
		if [ -d /run/systemd/system ]; then
			$SUDO systemctl disable --now "$daemon.service" >/dev/null 2>&1 ||
			    true
		fi
		;;
	esac
done
exit "$status"
