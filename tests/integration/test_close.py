"""Closing: QUIT, dropped connections, lingering close, and the sendq limit."""
import select
import socket
import struct
import time

import pytest

from conftest import fd_count, prefix

# The concurrency models handle these connections each their own way: ctest runs
# this file under every --model.
pytestmark = pytest.mark.models


def test_quit_gets_error_and_close(server):
    c = server.client("alice")
    c.send("QUIT :bye")
    lines = c.expect_closed()
    assert [m.line for m in lines] == ["ERROR :Closing Link: 127.0.0.1 (Quit: bye)"]
    assert not c.reset


def test_quit_seen_once_by_peer_sharing_two_channels(server):
    a = server.client("alice")
    b = server.client("bob")
    outsider = server.client("carol")
    for ch in ("#one", "#two"):
        a.join(ch)
        b.join(ch)
    outsider.join("#three")
    a.send("QUIT :bye")
    a.expect_closed()
    m = b.expect("QUIT")
    assert m.raw == (":%s QUIT :Quit: bye" % prefix("alice")).encode()
    assert not [m for m in b.sync() if m.command == "QUIT"]
    assert not [m for m in outsider.sync() if m.command == "QUIT"]
    # The quitter is gone from both channels.
    for ch in ("#one", "#two"):
        b.send("NAMES %s" % ch)
        names = [m for m in b.collect_until("366") if m.command == "353"]
        assert all("alice" not in m.trailing.replace("@", " ").split() for m in names)


def test_quit_without_reason(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    b.join("#room")
    a.expect(lambda m: m.command == "JOIN" and m.nick == "bob")
    a.send("QUIT")
    lines = a.expect_closed()
    assert len(lines) == 1 and lines[0].command == "ERROR", lines
    assert lines[0].trailing.startswith("Closing Link: 127.0.0.1 ("), lines[0]
    m = b.expect("QUIT")
    assert m.source == prefix("alice")


def test_quit_before_registration(server):
    c = server.client()
    c.send("NICK early")
    c.send("QUIT :leaving")
    lines = c.expect_closed()
    assert lines and lines[-1].command == "ERROR", lines
    assert lines[-1].trailing.startswith("Closing Link: "), lines[-1]
    server.client().register("early")


def test_quit_frees_the_nick(server):
    a = server.client("alice")
    a.send("QUIT :bye")
    a.expect_closed()
    server.client().register("alice")


def test_dropped_connection_peers_see_quit(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    b.join("#room")
    a.close()
    m = b.expect("QUIT")
    assert m.source == prefix("alice")
    assert len(m.params) == 1 and m.params[0], m.line
    server.client().register("alice")


def test_reset_connection_peers_see_quit(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    b.join("#room")
    a.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    a.close()
    m = b.expect("QUIT")
    assert m.source == prefix("alice")
    b.send("PING after")
    assert b.expect("PONG").trailing == "after"


def test_half_closed_client_gets_quit_processed(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    b.join("#room")
    a.send("PRIVMSG #room :last words")
    a.sock.shutdown(socket.SHUT_WR)
    assert b.expect("PRIVMSG").trailing == "last words"
    assert b.expect("QUIT").source == prefix("alice")


def test_lingering_close_error_survives_trailing_input(server):
    filler = b"PRIVMSG nobody :" + b"x" * 400 + b"\r\n"
    payload = b"QUIT :bye\r\n" + filler * (100 * 1024 // len(filler))
    for i in range(3):
        c = server.client("ling%d" % i)
        c.send_raw(payload)
        # Let any reset arrive before we read, so it would eat the ERROR line.
        time.sleep(0.3)
        lines = c.expect_closed(timeout=5)
        assert lines, "no ERROR line before the connection ended (reset=%r)" % c.reset
        assert lines[-1].line == "ERROR :Closing Link: 127.0.0.1 (Quit: bye)", lines
        assert [m.command for m in lines] == ["ERROR"], lines


def test_lingering_close_on_error_before_registration(start_server):
    srv = start_server(args=["--password", "pw"])
    c = srv.client()
    filler = b"PRIVMSG nobody :" + b"x" * 400 + b"\r\n"
    c.send_raw(b"PASS wrong\r\nNICK a\r\nUSER a 0 * :a\r\n" + filler * 200)
    time.sleep(0.3)
    lines = c.expect_closed(timeout=5)
    assert lines and lines[-1].command == "ERROR", "reset=%r lines=%r" % (c.reset, lines)


def test_many_connections_come_and_go(server):
    watcher = server.client("watcher")
    watcher.join("#busy")
    for i in range(40):
        c = server.client("user%d" % i)
        c.join("#busy")
        if i % 2:
            c.send("QUIT :done %d" % i)
            c.expect_closed()
        else:
            c.close()
        m = watcher.expect("QUIT")
        assert m.nick == "user%d" % i
    watcher.send("NAMES #busy")
    names = [m for m in watcher.collect_until("366") if m.command == "353"]
    assert " ".join(m.trailing for m in names).split() == ["@watcher"]


SENDQ_CONFIG = """[limits]
flood_burst = 0
sendq = 10k
"""
BATCH = 10


def test_sendq_exceeded_disconnects_only_the_slow_reader(start_server):
    srv = start_server(config=SENDQ_CONFIG)
    slow = srv.client("slow", rcvbuf=4096)
    flooder = srv.client("flooder")
    watcher = srv.client("watcher")
    for c in (slow, flooder, watcher):
        c.join("#flood")
    # From here on slow never reads again.
    text = "z" * 400
    sent = 0
    received = 0
    quit_line = None
    deadline = time.monotonic() + 30
    while quit_line is None and sent < 30000 and time.monotonic() < deadline:
        # A batch is well under the sendq: the watcher reads after each one, so its
        # queue never holds more than one batch.
        batch = b"".join(b"PRIVMSG #flood :%d %s\r\n" % (sent + i, text.encode())
                         for i in range(BATCH))
        flooder.send_raw(batch)
        sent += BATCH
        while received < sent:
            m = watcher.expect(lambda m: m.command in ("PRIVMSG", "QUIT"), timeout=5)
            if m.command == "QUIT":
                assert m.nick == "slow", m.line
                quit_line = m
                continue
            seq, _, body = m.trailing.partition(" ")
            assert m.source == prefix("flooder")
            assert int(seq) == received and body == text, m.line
            received += 1
        flooder.poll(0.001)
    if quit_line is None:
        quit_line = watcher.expect("QUIT", timeout=3)
    assert quit_line.raw == (":%s QUIT :SendQ exceeded" % prefix("slow")).encode()
    assert received == sent
    # The flooder saw it too, and both keep working.
    assert flooder.expect("QUIT").params == ["SendQ exceeded"]
    flooder.send("PRIVMSG #flood :still here")
    assert watcher.expect("PRIVMSG").trailing == "still here"
    watcher.send("PRIVMSG #flood :me too")
    assert flooder.expect("PRIVMSG").trailing == "me too"
    watcher.send("NAMES #flood")
    names = " ".join(m.trailing for m in watcher.collect_until("366") if m.command == "353")
    assert "slow" not in names.replace("@", " ").split()
    # The slow client's connection ends (an ERROR may or may not fit in its sendq).
    lines = slow.expect_closed(timeout=10)
    assert not [m for m in lines if m.command == "ERROR" and "SendQ" not in m.trailing]


def test_out_of_descriptors_accept_loop_survives(start_server):
    """With a low descriptor limit the server turns connections away while it is full,
    telling them why, keeps serving the ones it has, and accepts again once descriptors
    are free."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = 64
    if hard != resource.RLIM_INFINITY and hard < limit:
        pytest.skip("descriptor limit too low to test")

    def low_limit():
        # The hard limit too: parleyd raises its soft limit to the hard one.
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    # Every connection comes from an address of its own (127.0.1.N), so that no
    # per-address limit turns them away before they use up the descriptors.
    srv = start_server(preexec_fn=low_limit)
    first = srv.client("first")
    base_fds = fd_count(srv.pid)
    flood = [socket.create_connection((srv.host, srv.port), timeout=5,
                                      source_address=("127.0.1.%d" % (i + 1), 0))
             for i in range(limit + 20)]
    # More connections than descriptors: those the server cannot hold are refused with
    # a line that says why, then closed.  The ones it holds stay open and silent.
    refused = []
    got = {s: b"" for s in flood}
    deadline = time.monotonic() + 10
    while True:
        ready = select.select(flood, [], [], 0.2)[0]
        if not ready and refused:
            break
        assert time.monotonic() < deadline, "no connection refused: %r" % set(got.values())
        for s in ready:
            try:
                data = s.recv(4096)
            except ConnectionResetError:
                data = b""
            got[s] += data
            if not data:
                flood.remove(s)
                refused.append(got[s])
    assert all(data == b"ERROR :Server is full\r\n" for data in refused), refused
    assert len(flood) >= limit // 2, "only %d connections held" % len(flood)
    srv.wait_log(r"refusing connections: (out of file descriptors|Too many open files)")
    first.send("PING busy")
    assert first.expect("PONG").trailing == "busy"
    for s in flood:
        s.close()
    # Every descriptor the flood took comes back.
    deadline = time.monotonic() + 10
    while fd_count(srv.pid) > base_fds:
        assert time.monotonic() < deadline, "descriptors: %d before the flood, %d after" % (
            base_fds, fd_count(srv.pid))
        first.poll(0.05)
    later = srv.client("later")
    first.send("PRIVMSG later :welcome back")
    assert later.expect("PRIVMSG").trailing == "welcome back"
