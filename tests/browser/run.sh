#!/bin/sh
# The browser tests as ctest runs them: Debian's chromium driven by playwright-core
# (installed into tests/browser/node_modules by npm ci the first time), against the
# parleyd named by PARLEYD.  Fails with a message saying what to install when chromium,
# node or npm is missing.
set -eu
cd "$(dirname "$0")"
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
	echo "browser tests: $chromium is missing (make test-deps installs chromium)" >&2
	exit 1
fi
if ! command -v node >/dev/null 2>&1; then
	echo "browser tests: node is missing (make test-deps installs nodejs)" >&2
	exit 1
fi
if [ ! -d node_modules/playwright-core ]; then
	if ! command -v npm >/dev/null 2>&1; then
		echo "browser tests: npm is missing (apt-get install npm)" >&2
		exit 1
	fi
	npm ci --no-audit --no-fund --loglevel=error
fi
exec node --test test_irc.mjs test_web.mjs
