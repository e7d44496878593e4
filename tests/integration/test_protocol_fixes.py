"""Fixes to what existed (issue 20, item 1), through the real binary: the stop that
does not wait out the linger for idle clients, and LINKS showing [server] description."""
import signal
import time


def test_sigterm_with_idle_clients_exits_at_once(start_server):
    # A linger and a grace far longer than the test may take: only a server that sees
    # its ERROR lines acknowledged and nothing unread can exit in time.
    srv = start_server(config="[timeouts]\nlinger = 20\nshutdown_grace = 20\n")
    clients = [srv.client("idle%d" % i) for i in range(3)]
    for c in clients:
        c.sync()
    started = time.monotonic()
    assert srv.terminate(signal.SIGTERM, timeout=10) == 0
    took = time.monotonic() - started
    assert took < 2.0, "parleyd took %.1f s to stop with idle clients" % took
    for c in clients:
        lines = c.expect_closed()
        assert lines and lines[-1].line == \
            "ERROR :Closing Link: 127.0.0.1 (Server shutting down)", lines
        assert not c.reset, "the ERROR was reset away"


def test_links_shows_the_configured_description(start_server):
    srv = start_server(config="[server]\ndescription = Our little hub\n")
    c = srv.client("alice")
    c.send("LINKS")
    m = c.expect("364")
    assert m.params[-1] == "0 Our little hub"
    c.expect("365")
