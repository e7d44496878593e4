"""No amplification, nothing private: what one short line from a stranger may cost.

Written like a remote attacker: the attacker reads through a 4 KiB receive buffer and
comes from an address of its own, the crowd it aims at from several others (127.0.x.y,
each under max_per_address).  Each test measures a figure (bytes or lines received, the
server's CPU time from /proc) and asserts it with room for noise.
"""
import os
import selectors
import socket
import time

from conftest import Client, raise_nofile

NO_FLOOD = "[limits]\nflood_burst = 0\n"
PER_ADDRESS = 25        # crowd connections per source address (default limit: 32)


def attacker(srv, nick, host="127.0.9.9"):
    """A registered client from its own address, reading through a 4 KiB buffer."""
    c = Client(srv.host, srv.port, server=srv, name=nick, timeout=10, rcvbuf=4096,
               source=host)
    c.register(nick)
    return c


def crowd(srv, n, channel, realname="crowd"):
    """n clients from 127.0.1.x, PER_ADDRESS an address, each in channel; they stop
    reading once they are in.  Returns their sockets (close them at the end)."""
    socks = []
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.1.%d" % (2 + i // PER_ADDRESS), 0))
        s.settimeout(5)
        s.connect((srv.host, srv.port))
        s.setblocking(False)
        s.sendall(b"NICK c%d\r\nUSER u 0 * :%s\r\nJOIN %s\r\n" % (
            i, realname.encode(), channel.encode()))
        socks.append(s)
    sel = selectors.DefaultSelector()
    bufs = {}
    for i, s in enumerate(socks):
        sel.register(s, selectors.EVENT_READ, b" 366 c%d " % i)
        bufs[s] = b""
    waiting = set(socks)
    deadline = time.monotonic() + 30
    while waiting and time.monotonic() < deadline:
        for key, _ in sel.select(0.2):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            assert data, "a crowd client was closed: %r" % bufs[s][-300:]
            seen = bufs[s] + data
            bufs[s] = seen[-64:]
            if key.data in seen:
                sel.unregister(s)
                waiting.discard(s)
    sel.close()
    assert not waiting, "%d crowd clients not in %s" % (len(waiting), channel)
    return socks


def received_until_pong(c, token, timeout=20):
    """Bytes and lines c receives before the PONG to a PING token it sends now."""
    c.send("PING %s" % token)
    lines = c.collect_until(lambda m: m.command == "PONG" and m.trailing == token,
                            timeout=timeout)
    lines = lines[:-1]
    return sum(len(m.raw) + 2 for m in lines), lines


def cpu_seconds(pid):
    """The process's user + system CPU time so far (/proc/PID/stat utime + stime)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_names_repeated_target_answers_once(start_server):
    raise_nofile(4096)
    srv = start_server(config=NO_FLOOD)
    a = attacker(srv, "eve")    # first: conftest's select() takes descriptors < 1024
    socks = crowd(srv, 1000, "#b")
    try:
        a.sync()
        a.send("NAMES #b")
        one, lines = received_until_pong(a, "one")
        assert lines[-1].command == "366" and one > 5000
        # 300 bytes asking for the same list 100 times get it once.
        a.send("NAMES " + ",".join(["#b"] * 100))
        got, lines = received_until_pong(a, "many")
        assert got < 2 * one, "NAMES x100 answered %d bytes; one list is %d" % (got, one)
        assert [m.command for m in lines].count("366") == 1
    finally:
        for s in socks:
            s.close()


def test_who_with_a_crafted_mask_costs_little_cpu(start_server):
    raise_nofile(8192)
    srv = start_server(config=NO_FLOOD, log_level="info")
    # Realnames and a mask that make greedy wildcard matching do the most work: every
    # start in 128 a's matches almost the whole segment before failing on the 'b'.
    a = attacker(srv, "eve")
    socks = crowd(srv, 2000, "#w", realname="a" * 128)
    try:
        a.sync()
        lines = 100

        def cost(mask):
            """Server CPU ms per WHO line for mask, and the replies."""
            before = cpu_seconds(srv.pid)
            a.send_raw(("WHO %s\r\n" % mask).encode() * lines)
            got, replies = received_until_pong(a, "who")
            used = cpu_seconds(srv.pid) - before
            assert [m.command for m in replies].count("315") == lines, replies[-3:]
            return used / lines * 1000, replies

        # The baseline, in the same run: a mask that scans every field of the same 2,000
        # users once, as any linear matcher must.
        plain, _ = cost("*zzz*")
        crafted, replies = cost("*" + "a" * 64 + "b")
        # Unbounded, the crafted mask cost 25 to 33 times the baseline (12.4 to 13.9 ms
        # a line, 8 million steps for 2,000 users); now at most match_work steps (about
        # 2 ms, 3 to 6 times the baseline, in the plain and the ASan build), so the
        # query ends with 416.
        assert [m.command for m in replies].count("416") == lines, replies[-3:]
        assert crafted < 10 * max(plain, 0.1), \
            "WHO cost %.2f ms of server CPU per line, the baseline %.2f" % (crafted, plain)
    finally:
        for s in socks:
            s.close()


def test_mode_lists_of_a_secret_channel_to_a_stranger(start_server):
    srv = start_server(config=NO_FLOOD)
    op = srv.client("op")
    op.join("#c")
    op.send("MODE #c +s")
    op.send("TOPIC #c :private plans")
    for i in range(0, 100, 4):
        op.send("MODE #c +bbbb " + " ".join("ban%d!*@*" % j for j in range(i, i + 4)))
    assert len([m for m in op.sync() if m.command == "MODE"]) == 26
    a = attacker(srv, "eve")
    a.sync()
    # 400 list letters to a non-member: once, nothing at all about a channel that is
    # not there for it, as for one that does not exist.
    a.send("MODE #c " + "b" * 400)
    a.send("TOPIC #c")
    a.send("MODE #c")
    got, lines = received_until_pong(a, "mode")
    assert [(m.command, m.param(1)) for m in lines] == [("403", "#c")] * 3, \
        "%d bytes, %d lines: %r" % (got, len(lines), lines[:4])


def test_whowas_repeated_bounded(start_server):
    srv = start_server(config=NO_FLOOD)
    # 500 entries for "x" in the history: a client taking and leaving it.
    c = srv.client("x")
    c.send_raw(b"NICK y\r\nNICK x\r\n" * 500)
    c.sync(timeout=10)
    a = attacker(srv, "eve")
    a.sync()
    a.send("WHOWAS x,x,x,x")
    got, lines = received_until_pong(a, "whowas")
    assert len(lines) < 100, "WHOWAS x,x,x,x: %d lines, %d bytes" % (len(lines), got)
    assert lines[-1].command == "369"


def test_limits_from_the_configuration_file(start_server):
    srv = start_server(config=NO_FLOOD + "whowas_max = 2\nmax_matches = 1\n"
                       "max_list_per_client = 1\nmatch_work = 1000\n")
    c = srv.client("x")
    c.send_raw(b"NICK y\r\nNICK x\r\n" * 3)
    c.join("#c")
    c.sync()
    a = attacker(srv, "eve")
    a.sync()
    a.send("WHOWAS x")
    _, lines = received_until_pong(a, "whowas")
    assert [m.command for m in lines] == ["314", "312", "314", "312", "416", "369"]
    a.send("WHO *")
    _, lines = received_until_pong(a, "who")
    assert [m.command for m in lines] == ["352", "416", "315"]
    # 1000 steps run out: 60 starts in 120 a's, each 61 steps into "a" * 60 + "b".
    a.send("SETNAME :" + "a" * 120)
    a.send("WHO *" + "a" * 60 + "b")
    _, lines = received_until_pong(a, "work")
    assert [m.command for m in lines if m.command != "SETNAME"] == ["416", "315"]
    c.send("MODE #c +b one!*@*")
    c.send("MODE #c +b two!*@*")
    lines = c.sync()
    assert [m.command for m in lines] == ["MODE", "478"], lines
