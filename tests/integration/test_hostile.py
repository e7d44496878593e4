"""Hostile and broken clients: one of them must never hurt the others.

Each test keeps a well-behaved client beside the hostile one and checks that it is still
served, promptly, while and after the hostile one does its worst.  Every loop is bounded
in count and time.
"""
import random
import selectors
import socket
import subprocess
import time

import pytest

from conftest import Client, PARLEYD, asan_build, fd_count, prefix, raise_nofile, rss_kib, wait_closed

# The concurrency models handle these connections each their own way: ctest runs
# this file under every --model.
pytestmark = pytest.mark.models

NO_FLOOD = "[limits]\nflood_burst = 0\n"


def latency(c, token):
    """Seconds for a PING to come back as PONG."""
    start = time.monotonic()
    c.send("PING %s" % token)
    c.expect(lambda m: m.command == "PONG" and m.trailing == token, timeout=5)
    return time.monotonic() - start


def still_served(srv, *clients):
    for i, c in enumerate(clients):
        assert latency(c, "alive%d" % i) < 1.0


# --------------------------------------------------------------------------------------
# Framing abuse


def test_one_megabyte_without_a_newline(server):
    watcher = server.client("watcher")
    hostile = server.client("hostile")
    rss_before = rss_kib(server.pid)
    chunk = b"A" * 65536
    for _ in range(16):
        hostile.send_raw(chunk)
        # Meanwhile the others are served at once.
        assert latency(watcher, "mid") < 1.0
    # The framer drops the line as it goes: no megabyte is held for it.
    assert rss_kib(server.pid) - rss_before < 512
    hostile.send_raw(b"\r\n")
    m = hostile.expect(lambda m: m.command.isdigit())
    assert m.command == "417", m.line
    assert latency(hostile, "after") < 1.0
    still_served(server, watcher)


def test_random_binary_bytes(server):
    watcher = server.client("watcher")
    watcher.join("#safe")
    rng = random.Random(7)
    hostiles = []
    for i in range(4):
        h = Client(server.host, server.port, server=server, name="binary%d" % i)
        if i % 2:
            h.register("binary%d" % i)
            h.join("#safe")
        hostiles.append(h)
    for _ in range(32):
        for h in hostiles:
            if h.eof:
                continue
            try:
                h.send_raw(bytes(rng.getrandbits(8) for _ in range(2048)))
            except OSError:
                h.eof = True
            h.poll(0.001)
        watcher.poll(0.001)
    still_served(server, watcher)
    watcher.send("NAMES #safe")
    assert any(m.command == "366" for m in watcher.collect_until("366"))
    # Whatever the bytes said, a fresh client still registers.
    server.client("fresh")


def test_control_bytes_between_lines_never_reach_others(server):
    a = server.client("alice")
    b = server.client("bob")
    a.send_raw(b"PRIVMSG bob :x\x00y\r\nPRIVMSG bob :\x01ACTION ok\x01\r\n\x00\x00\r\n")
    m = b.expect("PRIVMSG")
    assert m.trailing == "\x01ACTION ok\x01"
    still_served(server, a, b)


# --------------------------------------------------------------------------------------
# Command floods


def test_a_thousand_joins_with_flood_control_off(start_server):
    srv = start_server(config=NO_FLOOD + "max_channels = 50\n")
    watcher = srv.client("watcher")
    hostile = srv.client("hostile")
    hostile.send_raw(b"".join(b"JOIN #c%d\r\n" % i for i in range(1000)))
    lines = hostile.collect_until(lambda m: m.command == "405" and m.param(1) == "#c999",
                                  timeout=20)
    assert len([m for m in lines if m.command == "JOIN"]) == 50
    assert len([m for m in lines if m.command == "405"]) == 950
    still_served(srv, watcher, hostile)
    # The channels go when their only member does.
    hostile.send("QUIT")
    hostile.expect_closed()
    watcher.send("LIST")
    listed = [m for m in watcher.collect_until("323") if m.command == "322"]
    assert listed == []


def test_a_thousand_joins_is_an_excess_flood(start_server):
    srv = start_server(config="[server]\nname = irc.localhost\n")
    watcher = srv.client("watcher")
    hostile = srv.client("hostile")
    hostile.send_raw(b"".join(b"JOIN #c%d\r\n" % i for i in range(1000)))
    lines = wait_closed(hostile, [watcher], timeout=10)
    assert lines[-1].line == "ERROR :Closing Link: 127.0.0.1 (Excess Flood)"
    # The burst ran, the rest never did.
    assert len([m for m in lines if m.command == "JOIN"]) == 20
    still_served(srv, watcher)


def test_privmsg_flood_is_slowed_then_disconnected(start_server):
    srv = start_server(config="[server]\nname = irc.localhost\n")
    flooder = srv.client("flooder")
    watcher = srv.client("watcher")
    other = srv.client("other")
    for c in (flooder, watcher):
        c.join("#room")
    flooder.sync()
    # The burst (20 lines, the JOIN and PING above took 2) arrives at once; the rest
    # comes at two lines a second (fakelag).
    flooder.send_raw(b"".join(b"PRIVMSG #room :%d\r\n" % i for i in range(22)))
    start = time.monotonic()
    for i in range(18):
        assert watcher.expect("PRIVMSG").trailing == str(i)
    assert time.monotonic() - start < 0.5
    for i in range(18, 22):
        assert watcher.expect("PRIVMSG", timeout=3).trailing == str(i)
    slowed = time.monotonic() - start
    assert 1.5 <= slowed < 3.5, "4 delayed lines took %.2fs" % slowed
    # Now a real flood: Excess Flood, and the others barely notice.
    worst = 0.0
    for burst in range(40):
        try:
            flooder.send_raw(b"".join(b"PRIVMSG #room :flood %d %d\r\n" % (burst, i)
                                      for i in range(50)))
        except OSError:
            break
        worst = max(worst, latency(other, "t%d" % burst))
        if not flooder.poll(0.01):
            break
    quit_line = watcher.expect("QUIT", timeout=5)
    assert quit_line.raw == (":%s QUIT :Excess Flood" % prefix("flooder")).encode()
    lines = flooder.pending + flooder.expect_closed(timeout=5)
    assert lines[-1].line == "ERROR :Closing Link: 127.0.0.1 (Excess Flood)"
    assert worst < 0.5, "a bystander's PING took %.2fs during the flood" % worst
    still_served(srv, watcher, other)


def test_flood_limits_from_config(start_server):
    srv = start_server(config="[limits]\nflood_burst = 3\nflood_interval = 0.2\n"
                              "flood_queue = 600\n")
    a = srv.client("alice")
    a.sync()
    a.send_raw(b"".join(b"PING p%d\r\n" % i for i in range(6)))
    start = time.monotonic()
    for i in range(6):
        assert a.expect("PONG").trailing == "p%d" % i
    # The PING of sync() and three of these run at once, the other three 0.2 s apart.
    assert 0.4 <= time.monotonic() - start < 1.5
    a.send_raw(b"".join(b"PING %s\r\n" % (b"x" * 90) for _ in range(20)))
    lines = a.expect_closed(timeout=5)
    assert lines[-1].line == "ERROR :Closing Link: 127.0.0.1 (Excess Flood)"


def test_operator_is_not_slowed(start_server):
    p = subprocess.run([PARLEYD, "--hash-password"], input=b"pw\n", capture_output=True,
                       timeout=10)
    assert p.returncode == 0, p.stderr
    hashed = p.stdout.decode().strip()
    srv = start_server(config="[oper boss]\npassword = %s\n" % hashed)
    op = srv.client("boss")
    op.send("OPER boss pw")
    op.expect("381")
    op.send_raw(b"".join(b"PING o%d\r\n" % i for i in range(200)))
    start = time.monotonic()
    for i in range(200):
        assert op.expect("PONG").trailing == "o%d" % i
    assert time.monotonic() - start < 2


# --------------------------------------------------------------------------------------
# Slow readers, half-open and idle connections


def test_slow_reader_in_a_busy_channel(start_server):
    srv = start_server(config=NO_FLOOD + "sendq = 16k\n")
    slow = srv.client("slow", rcvbuf=4096)
    talkers = [srv.client("talker%d" % i) for i in range(3)]
    readers = [srv.client("reader%d" % i) for i in range(3)]
    for c in [slow] + talkers + readers:
        c.join("#busy")
    for c in talkers + readers:
        c.sync()
    text = b"s" * 300
    rounds = 10
    cut = False
    worst = 0.0
    deadline = time.monotonic() + 30
    for batch in range(1000):
        if cut or time.monotonic() > deadline:
            break
        for t in talkers:
            t.send_raw(b"".join(b"PRIVMSG #busy :%d %s %s\r\n" % (
                batch, t.nick.encode(), text) for _ in range(rounds)))
        # Every reader gets every line, in order, while the slow one stalls.
        for r in readers:
            seen = 0
            while seen < rounds * (len(talkers) - (r in talkers)):
                m = r.expect(lambda m: m.command in ("PRIVMSG", "QUIT"), timeout=5)
                if m.command == "QUIT":
                    assert m.nick == "slow" and m.trailing == "SendQ exceeded", m.line
                    cut = True
                    continue
                assert m.trailing.startswith("%d " % batch), m.line
                seen += 1
        for t in talkers:
            t.poll(0.001)
        worst = max(worst, latency(readers[0], "b%d" % batch))
    assert cut, "the slow reader was never cut"
    assert worst < 1.0, "a reader's PING took %.2fs" % worst
    still_served(srv, *(talkers + readers))


def test_slow_reader_gets_every_channel_line_intact(start_server):
    # A channel line is shared by its receivers' queues for one loop turn only; what a
    # slow reader's socket did not take must be kept whole after the turn's buffer is
    # reused by later lines.  The reader stalls while 6.6 MB are queued for it (more
    # than the kernel's socket buffer takes, about 3 MB here), more lines come in later
    # turns, then it reads everything.
    srv = start_server(config=NO_FLOOD + "sendq = 16m\n")
    slow = srv.client("slow", rcvbuf=4096)
    first, later = srv.client("first"), srv.client("later")
    for c in (slow, first, later):
        c.join("#stall")
    for c in (first, later):
        c.sync()
    pad, other = "p" * 300, "q" * 300
    first.send_raw(b"".join(b"PRIVMSG #stall :first %d %s\r\n" % (i, pad.encode())
                            for i in range(20000)))
    first.sync(timeout=20)
    for batch in range(10):
        later.send_raw(b"".join(b"PRIVMSG #stall :later %d %s\r\n" % (
            batch * 10 + i, other.encode()) for i in range(10)))
        later.sync(timeout=30)      # it reads first's 20,000 lines too
    want = (["first %d %s" % (i, pad) for i in range(20000)] +
            ["later %d %s" % (i, other) for i in range(100)])
    got = [slow.expect("PRIVMSG", timeout=10).trailing for _ in want]
    assert got == want
    still_served(srv, first, later, slow)


def test_many_idle_connections_cut_at_registration_timeout(start_server):
    srv = start_server(config="[limits]\nmax_per_address = 100\n"
                              "[timeouts]\nregistration = 1\n")
    keeper = srv.client("keeper")
    idle = [Client(srv.host, srv.port, server=srv, name="idle%d" % i) for i in range(50)]
    # Half-open: some said something, none finished registering.
    for i, c in enumerate(idle):
        if i % 3 == 1:
            c.send("NICK idle%d" % i)
        elif i % 3 == 2:
            c.send_raw(b"USER x 0 * :half a line without its end")
    start = time.monotonic()
    for c in idle:
        lines = wait_closed(c, [keeper], timeout=5)
        assert lines and lines[-1].trailing == \
            "Closing Link: 127.0.0.1 (Registration timed out)", lines
    assert time.monotonic() - start < 4
    still_served(srv, keeper)


def test_silent_registered_clients_cut_at_ping_timeout(start_server):
    srv = start_server(config="[timeouts]\nping_interval = 0.5\nping_timeout = 1\n")
    keeper = srv.client("keeper")
    silent = [srv.client("silent%d" % i, autopong=False) for i in range(20)]
    for c in silent:
        lines = wait_closed(c, [keeper], timeout=5)
        assert "Ping timeout" in lines[-1].trailing, lines
    still_served(srv, keeper)


# --------------------------------------------------------------------------------------
# Connection counts


def open_many(host, port, n):
    socks = []
    for _ in range(n):
        s = socket.create_connection((host, port), timeout=5)
        s.setblocking(False)
        socks.append(s)
    return socks


def read_until_closed(socks, timeout):
    """Read every socket until EOF; return {socket: bytes read}, and the open ones."""
    sel = selectors.DefaultSelector()
    got = {}
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
        got[s] = b""
    deadline = time.monotonic() + timeout
    open_ = set(socks)
    while open_ and time.monotonic() < deadline:
        for key, _ in sel.select(0.2):
            try:
                data = key.fileobj.recv(4096)
            except (ConnectionResetError, BlockingIOError):
                data = b""
            if data:
                got[key.fileobj] += data
                continue
            sel.unregister(key.fileobj)
            open_.discard(key.fileobj)
    sel.close()
    return got, open_


def read_until_welcomed(socks, nicks, timeout):
    """Read every socket until the server welcomes it (001 to its nick); return the ones
    that it did not welcome in time, with what they read."""
    sel = selectors.DefaultSelector()
    got = {}
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
        got[s] = b""
    welcome = {s: b" 001 %s :" % nick.encode() for s, nick in zip(socks, nicks)}
    waiting = set(socks)
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        for key, _ in sel.select(0.2):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                data = b""
            got[s] += data
            if welcome[s] in got[s] or not data:
                sel.unregister(s)
                waiting.discard(s)
    sel.close()
    return {s: got[s] for s in socks if welcome[s] not in got[s]}


def test_per_address_limit_refuses_clearly(start_server):
    raise_nofile(4096)
    limit = 100
    # Loopback plays a remote address here: exempt nothing.
    srv = start_server(config="[limits]\nexempt =\nmax_per_address = %d\nconnect_rate = 0\n"
                       % limit)
    keeper = srv.client("keeper")
    base_fds = fd_count(srv.pid)
    socks = open_many(srv.host, srv.port, 999)
    try:
        # The keeper holds one slot: 99 more are accepted, 900 refused.
        refused = socks[limit - 1:]
        got, still_open = read_until_closed(refused, timeout=20)
        assert not still_open, "%d refused connections still open" % len(still_open)
        want = b"ERROR :Closing Link: 127.0.0.1 (Too many connections from your address)\r\n"
        assert all(data == want for data in got.values()), \
            set(data for data in got.values() if data != want)
        # The accepted ones register normally: each is welcomed.
        accepted = socks[:limit - 1]
        nicks = ["n%d" % i for i in range(len(accepted))]
        for s, nick in zip(accepted, nicks):
            s.sendall(b"NICK %s\r\nUSER u 0 * :u\r\n" % nick.encode())
        unwelcomed = read_until_welcomed(accepted, nicks, timeout=20)
        assert not unwelcomed, "%d accepted connections not welcomed: %r" % (
            len(unwelcomed), set(unwelcomed.values()))
        still_served(srv, keeper)
    finally:
        for s in socks:
            s.close()
    # The slots come back once they close: wait until the server has let every one go.
    deadline = time.monotonic() + 10
    while fd_count(srv.pid) > base_fds:
        assert time.monotonic() < deadline, "descriptors: %d before, %d after" % (
            base_fds, fd_count(srv.pid))
        keeper.poll(0.05)
    srv.client("later")


def test_per_address_limit_default_and_off(start_server):
    srv = start_server(config="[server]\nname = irc.localhost\n[limits]\nexempt =\n")
    socks = open_many(srv.host, srv.port, 40)
    try:
        got, _ = read_until_closed(socks[32:], timeout=5)
        assert all(b"Too many connections" in d for d in got.values())
    finally:
        for s in socks:
            s.close()
    srv2 = start_server(config="[limits]\nmax_per_address = 0\nconnect_rate = 0\n")
    socks = open_many(srv2.host, srv2.port, 100)
    try:
        _, still_open = read_until_closed(socks, timeout=1)
        assert len(still_open) == 100
    finally:
        for s in socks:
            s.close()


def storm(host, port, total, wave):
    """Connect total clients, wave at a time: each registers, joins, talks, and leaves
    (QUIT or a bare close).  Returns how many completed registration."""
    done = 0
    for start in range(0, total, wave):
        socks = open_many(host, port, min(wave, total - start))
        for i, s in enumerate(socks):
            n = start + i
            s.sendall(b"NICK s%d\r\nUSER s 0 * :storm\r\nJOIN #storm\r\n"
                      b"PRIVMSG #storm :hi\r\n" % n)
        sel = selectors.DefaultSelector()
        bufs = {}
        for s in socks:
            sel.register(s, selectors.EVENT_READ)
            bufs[s] = b""
        waiting = set(socks)
        deadline = time.monotonic() + 20
        while waiting and time.monotonic() < deadline:
            for key, _ in sel.select(0.2):
                s = key.fileobj
                try:
                    data = s.recv(65536)
                except (BlockingIOError, ConnectionResetError):
                    data = b""
                bufs[s] += data
                if b" 366 " in bufs[s] or not data:
                    sel.unregister(s)
                    waiting.discard(s)
                    done += b" 366 " in bufs[s]
        sel.close()
        for i, s in enumerate(socks):
            if i % 2:
                try:
                    s.sendall(b"QUIT :bye\r\n")
                except OSError:
                    pass
            s.close()
    return done


def wait_settled(srv, baseline_fds, timeout=10):
    deadline = time.monotonic() + timeout
    while fd_count(srv.pid) > baseline_fds and time.monotonic() < deadline:
        time.sleep(0.1)
    return fd_count(srv.pid)


def test_connect_disconnect_storm_returns_memory_and_descriptors(start_server):
    raise_nofile(4096)
    asan = asan_build()
    # Under ASan each connection costs many times more CPU: 1000 there, 5000 otherwise.
    total = 1000 if asan else 5000
    srv = start_server(config="[limits]\nmax_per_address = 0\nconnect_rate = 0\n"
                              "[timeouts]\nlinger = 0.2\n",
                       log_level="info")
    keeper = srv.client("keeper")
    keeper.join("#storm")
    # Warm up with the same storm, so the baseline includes what stays by design: the
    # tables' growth, a full WHOWAS history (1000 departed nicks by default), and the
    # heap the allocator keeps after the peak of a storm.  A leak grows past it.
    storm(srv.host, srv.port, total, 250)
    base_fds = wait_settled(srv, fd_count(srv.pid))
    keeper.sync()
    time.sleep(0.5)
    base_fds = fd_count(srv.pid)
    base_rss = rss_kib(srv.pid)
    start = time.monotonic()
    done = storm(srv.host, srv.port, total, 250)
    elapsed = time.monotonic() - start
    assert done == total, "%d of %d clients registered" % (done, total)
    assert elapsed < 50, "storm took %.1fs" % elapsed
    fds = wait_settled(srv, base_fds)
    assert fds == base_fds, "descriptors: %d before, %d after" % (base_fds, fds)
    keeper.poll(1.0)
    rss = rss_kib(srv.pid)
    if not asan:
        assert rss <= base_rss * 1.10, "RSS %d kB before, %d kB after" % (base_rss, rss)
    still_served(srv, keeper)
