#!/bin/sh
# make install's tree, installed into a scratch DESTDIR: the programs run, the man pages
# are there and render without a warning, the example configuration and the systemd unit
# are where they belong and name each other, the installed parleyd starts on the
# installed configuration, and a second install keeps an edited configuration.
#
# usage: test_install.sh BUILD SOURCE SBINDIR BINDIR MANDIR CONFDIR UNITDIR
# (the directories as configured, without DESTDIR; CMakeLists.txt passes them)
set -u

[ $# -eq 7 ] || { echo "usage: $0 BUILD SOURCE SBINDIR BINDIR MANDIR CONFDIR UNITDIR" >&2; exit 2; }
build=$1 source=$2 sbindir=$3 bindir=$4 mandir=$5 confdir=$6 unitdir=$7

root=$(mktemp -d "${TMPDIR:-/tmp}/parley-install.XXXXXX") || exit 1
pid=
# cmake --install rewrites the build directory's install_manifest.txt: keep the one a
# real install left, which lists what to remove to uninstall.
manifest=$build/install_manifest.txt
[ -f "$manifest" ] && cp -p "$manifest" "$root.manifest"
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	if [ -f "$root.manifest" ]; then
		mv "$root.manifest" "$manifest"
	else
		rm -f "$manifest"
	fi
	rm -rf "$root"
}
trap cleanup EXIT

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

if ! DESTDIR=$root cmake --install "$build" >"$root/install.log" 2>&1; then
	cat "$root/install.log" >&2
	echo "FAIL: cmake --install" >&2
	exit 1
fi

for prog in "$sbindir/parleyd" "$bindir/parley" "$bindir/parley-bench"; do
	[ -x "$root$prog" ] || fail "$prog not installed"
done
out=$("$root$sbindir/parleyd" --version) || fail "parleyd --version exited $?"
case "$out" in
"parleyd "[0-9]*) ;;
*) fail "parleyd --version printed '$out'" ;;
esac
out=$("$root$bindir/parley" --version) || fail "parley --version exited $?"
case "$out" in
"parley "[0-9]*) ;;
*) fail "parley --version printed '$out'" ;;
esac
"$root$bindir/parley-bench" --help >/dev/null || fail "parley-bench --help exited $?"

for page in man8/parleyd.8 man5/parleyd.conf.5 man1/parley.1 man1/parley-bench.1; do
	file=$root$mandir/$page
	if [ ! -s "$file" ]; then
		fail "$mandir/$page not installed"
		continue
	fi
	# -ww: every warning groff has; -z: no output, the warnings only.
	if command -v groff >/dev/null 2>&1; then
		warnings=$(groff -man -Tutf8 -ww -z "$file" 2>&1)
		[ -z "$warnings" ] || fail "$page: $warnings"
	fi
	if command -v mandoc >/dev/null 2>&1; then
		warnings=$(mandoc -Tlint -W warning "$file" 2>&1)
		[ -z "$warnings" ] || fail "$page: $warnings"
	fi
done
command -v groff >/dev/null 2>&1 || echo "note: no groff, man pages not rendered"

conf=$root$confdir/parleyd.conf
cmp -s "$source/etc/parleyd.conf" "$conf" || fail "$confdir/parleyd.conf is not etc/parleyd.conf"
unit=$root$unitdir/parleyd.service
if [ -f "$unit" ]; then
	exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
	[ "$exec_start" = "$sbindir/parleyd --config $confdir/parleyd.conf" ] ||
	    fail "the unit runs '$exec_start'"
else
	fail "$unitdir/parleyd.service not installed"
fi
cmp -s "$source/etc/parleyd.socket" "$root$unitdir/parleyd.socket" ||
    fail "$unitdir/parleyd.socket is not etc/parleyd.socket"

# The installed server on the installed file, on a free loopback port (its store in the
# scratch tree, not the system's state directory): it must report its listener, then exit
# 0 on SIGTERM.
log=$root/parleyd.log
"$root$sbindir/parleyd" --config "$conf" --listen 127.0.0.1:0 --store "$root/parleyd.db" \
    2>"$log" &
pid=$!
tries=0 started=yes
until grep -q 'info: listening on 127.0.0.1:' "$log"; do
	tries=$((tries + 1))
	if [ $tries -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		fail "parleyd did not start on the installed configuration: $(cat "$log")"
		started=
		break
	fi
	sleep 0.05
done
kill "$pid" 2>/dev/null
wait "$pid"
status=$?
pid=
[ -z "$started" ] || [ $status -eq 0 ] || fail "parleyd exited $status on SIGTERM: $(cat "$log")"

# An administrator's edits survive the next install.
echo "# edited" >>"$conf"
DESTDIR=$root cmake --install "$build" >/dev/null 2>&1 || fail "second cmake --install"
tail -n 1 "$conf" | grep -qx '# edited' || fail "a second install replaced the edited configuration"

[ $failures -eq 0 ] || exit 1
echo "ok: installed tree under $sbindir, $bindir, $mandir, $confdir, $unitdir"
