#!/bin/sh
# The integration tests of accounts, services and history again, with every server's
# default store in NATS JetStream (PARLEY_STORE_NATS: conftest.py gives each server a
# network of its own there): one nats-server on a free loopback port with a temporary
# storage directory, stopped by its pid at the end.  Tests that name a SQLite file keep
# it.  Usage: jetstream.sh SOURCE_DIR
src=$1
dir=$(mktemp -d /tmp/parley-it-nats.XXXXXX) || exit 1
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
nats-server -js -sd "$dir" -p "$port" -a 127.0.0.1 > "$dir/nats.log" 2>&1 &
pid=$!
stop() {
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
i=0
until /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 250 ]; then
		echo "nats-server did not start:" >&2
		cat "$dir/nats.log" >&2
		stop
		exit 1
	fi
	sleep 0.02
done
PARLEY_STORE_NATS=nats://127.0.0.1:$port /usr/bin/python3 -m pytest -q -p no:cacheprovider \
    "$src/tests/integration/test_registration.py" "$src/tests/integration/test_sasl.py" \
    "$src/tests/integration/test_services.py" "$src/tests/integration/test_history.py" \
    "$src/tests/integration/test_bouncer.py" "$src/tests/integration/test_clients_sasl.py" \
    "$src/tests/integration/test_ircv3.py"
status=$?
stop
exit $status
