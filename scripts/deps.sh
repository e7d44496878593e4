#!/bin/sh
# Install the Debian packages parley needs to build and test, only if some are missing,
# so a second run is fast and needs no network.
set -eu

PACKAGES="build-essential cmake pkg-config libinih-dev libcmocka-dev
python3 python3-pytest python3-irc libcrypt-dev libncurses-dev libssl-dev ngircd tmux"

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
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
