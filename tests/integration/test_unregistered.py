"""Unregistered clients are limited: CPU, output and input, before a client says who it is.

The attackers here behave like remote ones: a 4 KiB receive buffer set before connect, and
several 127.0.x.y source addresses (bound before connect), so that max_per_address does
not end the scenario for them.  Each measures the server from /proc while it is under
attack: its CPU (utime + stime) or its resident memory (VmRSS).  Every loop is bounded in
time, and every socket is closed.
"""
import errno
import os
import select
import socket
import time

import pytest

from conftest import asan_build, raise_nofile, rss_kib

RCVBUF = 4096
SENDQ_UNREGISTERED = 16 * 1024      # [limits] sendq_unregistered's default
TICK = os.sysconf("SC_CLK_TCK")


def attacker(host, port, source):
    """A non-blocking socket from source, with a small receive buffer, connected."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
        s.bind((source, 0))
        s.settimeout(5)
        s.connect((host, port))
        s.setblocking(False)
    except OSError:
        s.close()
        raise
    return s


def sources(n, subnet):
    """n source addresses 127.0.subnet.1 .. n."""
    return ["127.0.%d.%d" % (subnet, i + 1) for i in range(n)]


def _stat_ticks(pid, with_children):
    """utime + stime of pid (and of its waited-for children when with_children)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After the command: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks


def cpu_seconds(pid):
    """CPU the server has used so far: the process, its children that exited and those
    still running (the fork model's relays, which do part of its work)."""
    total = _stat_ticks(pid, True)
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == pid:
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                total += _stat_ticks(int(entry), False)
        except (OSError, ValueError, IndexError):
            continue    # gone meanwhile
    return total / TICK


def flood(socks, payload, duration, sample=None):
    """Send payload to every socket, again and again, as fast as each takes it, for
    duration seconds (the whole window, even once the server has closed them all);
    never read.  A socket the server has closed is left alone.  Calls sample() about
    every 50 ms.  Returns the bytes each socket sent."""
    sent = [0] * len(socks)
    live = {s.fileno(): i for i, s in enumerate(socks)}
    poller = select.poll()      # not select(): descriptors may be past FD_SETSIZE
    for fd in live:
        poller.register(fd, select.POLLOUT)
    end = time.monotonic() + duration
    next_sample = 0.0
    while time.monotonic() < end:
        now = time.monotonic()
        if sample is not None and now >= next_sample:
            sample()
            next_sample = now + 0.05
        if not live:
            time.sleep(min(0.05, max(0.0, end - now)))
            continue
        for fd, _ in poller.poll(50):
            i = live[fd]
            try:
                sent[i] += socks[i].send(payload)
            except BlockingIOError:
                pass
            except OSError as e:
                if e.errno not in (errno.EPIPE, errno.ECONNRESET):
                    raise
                del live[fd]
                poller.unregister(fd)
    if sample is not None:
        sample()
    return sent


def close_all(socks):
    for s in socks:
        s.close()


def registers_promptly(srv, nick):
    """Seconds a newcomer (from 127.0.0.1, not an attacker's address) takes to register."""
    start = time.monotonic()
    c = srv.client()
    try:
        c.register(nick, timeout=5)
        return time.monotonic() - start
    finally:
        c.close()


# --------------------------------------------------------------------------------------
# CPU


@pytest.mark.models
def test_four_nick_flooders_keep_the_server_under_half_a_cpu(start_server):
    """Four unregistered clients sending NICK lines as fast as they can for 3 s: their
    lines are delayed from the first (fakelag), the flood ends in "Excess Flood", and
    what they send after it is not read for the whole linger (5 s here, longer than
    the attack), so the server (its relays too, under fork) uses less than half a CPU
    meanwhile."""
    srv = start_server(config="[server]\nname = irc.localhost\n[timeouts]\nlinger = 5\n",
                       log_level="info")
    payload = b"".join(b"NICK n%05d\r\n" % k for k in range(4000))
    socks = []
    try:
        for src in sources(4, 5):
            socks.append(attacker(srv.host, srv.port, src))
        start_cpu, start = cpu_seconds(srv.pid), time.monotonic()
        sent = flood(socks, payload, 3.0)
        used, elapsed = cpu_seconds(srv.pid) - start_cpu, time.monotonic() - start
    finally:
        close_all(socks)
    assert used < 0.5 * elapsed, (
        "server used %.2f s of CPU in %.2f s while 4 unregistered clients sent "
        "%d bytes of NICK lines" % (used, elapsed, sum(sent)))
    assert registers_promptly(srv, "newcomer") < 1.0


# --------------------------------------------------------------------------------------
# Memory


@pytest.mark.models
@pytest.mark.parametrize("flood_control", ["on", "off"])
def test_256_silent_readers_hold_little_memory(start_server, flood_control):
    """256 unregistered clients from 16 addresses send "a" lines (each answered with a
    451 ERR_NOTREGISTERED) and never read.  With flood control on, delayed input is what
    bounds them (a small flood queue); with it off, only the small sendq before
    registration does: either way the server's resident memory stays under its idle
    figure + 256 x sendq_unregistered + 8 MiB, where a 1 MiB sendq each let it grow by
    hundreds of MiB (and the threads model's arenas, holding every read of a turn at
    five times its size, by 20).  Under fork this is the hub, which holds the queues."""
    if asan_build():
        pytest.skip("RSS means nothing under AddressSanitizer")
    raise_nofile(4096)
    config = "[server]\nname = irc.localhost\n"
    if flood_control == "off":
        config += "[limits]\nflood_burst = 0\n"
    srv = start_server(config=config, log_level="info")
    # Idle, with one client through registration: the figure the bound starts from.
    c = srv.client("keeper")
    c.sync()
    base = rss_kib(srv.pid)
    peak = [base]
    socks = []
    try:
        for src in sources(16, 6):
            for _ in range(16):
                socks.append(attacker(srv.host, srv.port, src))
        sent = flood(socks, b"a\n" * 2048, 5.0,
                     sample=lambda: peak.append(rss_kib(srv.pid)))
    finally:
        close_all(socks)
    bound = 256 * SENDQ_UNREGISTERED // 1024 + 8 * 1024
    grown = max(peak) - base
    assert grown < bound, (
        "server grew by %d KiB (from %d KiB) while 256 unregistered clients sent %d "
        "bytes of 'a' lines without reading; bound %d KiB" % (
            grown, base, sum(sent), bound))
    c.sync()


@pytest.mark.models
def test_a_large_motd_is_not_held_to_the_unregistered_sendq(start_server, tmp_path):
    """The welcome is queued at once when a client registers; the driver has heard of
    the registration by then, so a MOTD far larger than sendq_unregistered still reaches
    a client that reads slowly (a 4 KiB receive buffer)."""
    motd = tmp_path / "motd.txt"
    lines = ["line %04d %s" % (i, "m" * 60) for i in range(800)]    # some 56 KiB
    motd.write_text("\n".join(lines) + "\n")
    srv = start_server(config="[server]\nname = irc.localhost\nmotd = %s\n" % motd)
    c = srv.client(rcvbuf=RCVBUF)
    burst = c.register("reader", timeout=10)
    got = [m.trailing for m in burst if m.command == "372"]
    assert got == ["- " + line for line in lines]
