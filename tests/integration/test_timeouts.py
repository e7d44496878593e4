"""Registration timeout, keep-alive PING, and Ping timeout."""
import re
import time

import pytest

from conftest import SERVER_NAME, prefix, wait_closed

# The concurrency models handle these connections each their own way: ctest runs
# this file under every --model.
pytestmark = pytest.mark.models

FAST = """[timeouts]
registration = 1
ping_interval = 1
ping_timeout = 1
linger = 0.5
"""


@pytest.fixture
def fast(start_server):
    return start_server(config=FAST)


def test_registration_timeout(fast):
    c = fast.client()
    start = time.monotonic()
    lines = c.expect_closed(timeout=4)
    elapsed = time.monotonic() - start
    assert lines, "closed without an ERROR line"
    assert lines[-1].command == "ERROR", lines
    assert lines[-1].params == ["Closing Link: 127.0.0.1 (Registration timed out)"]
    assert elapsed >= 0.8, "closed after %.2fs, before the 1 s timeout" % elapsed


def test_registration_timeout_with_nick_only(fast):
    c = fast.client()
    c.send("NICK halfway")
    lines = c.expect_closed(timeout=4)
    assert lines[-1].command == "ERROR", lines
    assert lines[-1].trailing.endswith("(Registration timed out)")
    # The nick was not kept.
    d = fast.client()
    d.register("halfway")


def test_registration_timeout_not_applied_after_registering(fast):
    c = fast.client("alice")
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:
        c.send("PING keep")
        c.expect("PONG")
        time.sleep(0.3)
    c.send("PING still")
    assert c.expect("PONG").trailing == "still"


def test_server_pings_idle_client(fast):
    c = fast.client("alice", autopong=False)
    start = time.monotonic()
    m = c.expect("PING", timeout=3)
    assert time.monotonic() - start >= 0.8
    assert m.source in (None, SERVER_NAME)
    assert m.params and m.params[-1] == SERVER_NAME, m.line
    c.send("PONG :%s" % m.params[-1])
    # Answered: still connected after the timeout would have struck.
    time.sleep(1.3)
    c.send("PING alive")
    assert c.expect("PONG").trailing == "alive"


def test_answering_pings_keeps_connection(fast):
    c = fast.client("alice", autopong=True)
    deadline = time.monotonic() + 4
    seen = 0
    while time.monotonic() < deadline:
        m = c.readline(timeout=deadline - time.monotonic())
        if m is not None and m.command == "PING":
            seen += 1
    assert seen >= 1
    c.send("PING alive")
    assert c.expect("PONG").trailing == "alive"


def test_any_line_answers_the_ping(fast):
    c = fast.client("alice", autopong=False)
    c.expect("PING", timeout=3)
    c.send("MODE alice")
    time.sleep(1.3)
    c.send("PING alive")
    assert c.expect("PONG").trailing == "alive"


def test_ping_timeout_disconnects_and_peers_see_quit(fast):
    peer = fast.client("peer", autopong=True)
    victim = fast.client("victim", autopong=False)
    peer.join("#room")
    victim.join("#room")
    peer.expect("JOIN")
    start = time.monotonic()
    lines = wait_closed(victim, [peer], timeout=5)
    elapsed = time.monotonic() - start
    assert any(m.command == "PING" for m in lines), lines
    assert lines[-1].command == "ERROR", lines
    # N is the silence that cost the connection: ping_timeout, or with the interval
    # before the PING (1 + 1 here).
    rx = re.compile(r"Closing Link: 127\.0\.0\.1 \(Ping timeout: ([0-9]+) seconds\)")
    found = rx.fullmatch(lines[-1].trailing)
    assert found and found.group(1) in ("1", "2"), lines[-1].line
    assert elapsed >= 1.5, "dropped after %.2fs" % elapsed
    m = peer.expect("QUIT", timeout=3)
    assert m.source == prefix("victim")
    assert m.params == ["Ping timeout: %s seconds" % found.group(1)]
    # The nick is free again.
    again = fast.client()
    again.register("victim")


def test_ping_timeout_seconds_in_reason(start_server):
    srv = start_server(config="[timeouts]\nping_interval = 0.5\nping_timeout = 2\n")
    victim = srv.client("victim", autopong=False)
    lines = victim.expect_closed(timeout=6)
    assert lines[-1].command == "ERROR", lines
    found = re.fullmatch(r"Closing Link: 127\.0\.0\.1 \(Ping timeout: ([0-9]+) seconds\)",
                         lines[-1].trailing)
    assert found and found.group(1) in ("2", "3"), lines[-1].line
