"""Upgrades without dropping anyone (SIGUSR2, parleyd --upgrade PID; docs/operations.md):
clients chatting through an upgrade lose and duplicate nothing and are never
disconnected; a broken binary, or one that cannot take the state, leaves the old process
serving and saying why; WebSocket clients survive, mid-frame; TLS 1.3 clients survive,
TLS 1.2 clients are told to reconnect.  The fork model refuses upgrades, and says so.
"""
import os
import re
import selectors
import shutil
import signal
import socket
import ssl
import subprocess
import time

import pytest

from conftest import MODEL, PARLEYD, SERVER_NAME, sanitizer_report
from test_tls import TLSClient
from test_web import WsClient, frame, make_cert, TEXT, web_port

# Room for many clients from one address, chatting faster than fakelag allows.
CONFIG = """[server]
name = irc.localhost
[limits]
flood_burst = 0
max_per_address = 0
connect_rate = 0
"""

SERVES_RE = r"upgrade: process (\d+) serves now"


@pytest.fixture
def adopted():
    """The new processes of upgrades: not the fixture's children, stopped here."""
    pids = []
    yield pids
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and os.path.exists("/proc/%d" % pid):
            time.sleep(0.02)
        if os.path.exists("/proc/%d" % pid):
            os.kill(pid, signal.SIGKILL)


def took_over(srv, adopted, start=0, timeout=10):
    """The old process has exited 0 and a new one serves: its pid."""
    line = srv.wait_log(SERVES_RE, timeout=timeout, start=start)
    pid = int(re.search(SERVES_RE, line).group(1))
    adopted.append(pid)
    srv.expected_exit = True
    assert srv.wait(5) == 0, srv.log_tail()
    assert os.path.exists("/proc/%d" % pid)
    return pid


def stop_adopted(srv, pid):
    """SIGTERM the new process; it exits cleanly and no sanitizer spoke."""
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and os.path.exists("/proc/%d" % pid):
        time.sleep(0.02)
    assert not os.path.exists("/proc/%d" % pid)
    assert sanitizer_report(srv.log_text()) is None, srv.log_text()


class Chatter:
    """One raw client of a swarm: non-blocking, its lines counted per sender."""

    def __init__(self, port, nick, channel):
        self.nick, self.channel = nick, channel
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.setblocking(False)
        self.buf = b""
        self.out = b""
        self.got = {}           # sender -> the numbers it said, in order
        self.joined = False
        self.troubles = []      # ERROR, QUIT, EOF: anything that is not chat
        self.queue("NICK %s\r\nUSER u 0 * :swarm\r\nJOIN %s\r\n" % (nick, channel))

    def queue(self, text):
        self.out += text.encode()
        self.flush()

    def flush(self):
        while self.out:
            try:
                n = self.sock.send(self.out)
            except BlockingIOError:
                return
            self.out = self.out[n:]

    def readable(self):
        try:
            data = self.sock.recv(1 << 16)
        except BlockingIOError:
            return
        except ConnectionError as e:
            self.troubles.append("reset: %s" % e)
            return
        if not data:
            self.troubles.append("EOF")
            return
        self.buf += data
        *lines, self.buf = self.buf.split(b"\r\n")
        for raw in lines:
            self.line(raw.decode())

    def line(self, text):
        parts = text.split(" ", 3)
        if parts[0] == "PING":
            self.queue("PONG %s\r\n" % parts[1])
        elif len(parts) > 1 and parts[1] == "366":
            self.joined = True
        elif len(parts) > 3 and parts[1] == "PRIVMSG":
            sender, n = parts[3].lstrip(":").split(" ")
            self.got.setdefault(sender, []).append(int(n))
        elif parts[0] == "ERROR" or (len(parts) > 1 and parts[1] in ("QUIT", "KICK")):
            self.troubles.append(text)


class Swarm:
    def __init__(self, port, n, channels):
        self.sel = selectors.DefaultSelector()
        self.chatters = []
        for i in range(n):
            c = Chatter(port, "n%d" % i, "#c%d" % (i % channels))
            self.sel.register(c.sock, selectors.EVENT_READ, c)
            self.chatters.append(c)

    def pump(self, seconds):
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            for key, _ in self.sel.select(left):
                key.data.readable()
            for c in self.chatters:
                c.flush()

    def pump_until(self, cond, timeout):
        deadline = time.monotonic() + timeout
        while not cond() and time.monotonic() < deadline:
            self.pump(0.05)
        return cond()

    def members(self, c):
        return [o.nick for o in self.chatters if o.channel == c.channel and o is not c]

    def complete(self, rounds):
        return all(len(c.got.get(o, ())) >= rounds for c in self.chatters
                   for o in self.members(c))

    def chat(self, rounds, pace, during):
        """Every chatter says its numbers 0 .. rounds-1, one per pace seconds; during(i)
        runs after round i is sent."""
        for i in range(rounds):
            for c in self.chatters:
                c.queue("PRIVMSG %s :%s %d\r\n" % (c.channel, c.nick, i))
            during(i)
            self.pump(pace)

    def check(self, rounds):
        for c in self.chatters:
            assert c.troubles == [], (c.nick, c.troubles)
            for o in self.members(c):
                assert c.got.get(o) == list(range(rounds)), (c.nick, o, c.got.get(o))

    def close(self):
        for c in self.chatters:
            c.sock.close()


def swarm_upgrade(srv, adopted, n, channels, rounds, trigger):
    """n chatters in channels say rounds numbered lines each; trigger() upgrades in the
    middle.  Every chatter hears every other member's lines once, in order, and is never
    told to go; the new process then serves."""
    swarm = Swarm(srv.port, n, channels)
    try:
        assert swarm.pump_until(lambda: all(c.joined for c in swarm.chatters), 30)
        start = srv.log_len()
        swarm.chat(rounds, 0.05, lambda i: trigger() if i == rounds // 2 else None)
        assert swarm.pump_until(lambda: swarm.complete(rounds), 30), srv.log_tail()
        swarm.pump(0.2)
        swarm.check(rounds)
        pid = took_over(srv, adopted, start)
        srv.wait_log(r"upgrade: %d connections and %d clients taken over" % (n, n),
                     start=start)
        # The new process serves newcomers too, on the same listener.
        last = swarm.chatters[-1]
        c = srv.client("late")
        c.send("WHOIS %s" % last.nick)
        assert c.expect("319").trailing == last.channel
        return pid
    finally:
        swarm.close()


@pytest.mark.models
def test_200_chatting_clients_lose_nothing(start_server, adopted):
    if MODEL == "fork":
        pytest.skip("the fork model refuses upgrades (test_fork_model_refuses)")
    srv = start_server(config=CONFIG)
    pid = swarm_upgrade(srv, adopted, 200, 4, 30,
                        lambda: srv.signal(signal.SIGUSR2))
    stop_adopted(srv, pid)


@pytest.mark.models
def test_upgrade_command_waits_for_the_new_process(start_server, adopted):
    srv = start_server(config=CONFIG)
    if MODEL == "fork":
        srv.signal(signal.SIGUSR2)
        srv.wait_log(r"upgrade refused: in the fork model the relay children hold")
        a = srv.client("alive")
        a.send("PING :still")
        a.expect("PONG")
        return
    done = {}

    def trigger():
        done["run"] = subprocess.Popen([PARLEYD, "--upgrade", str(srv.pid)],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    pid = swarm_upgrade(srv, adopted, 200, 4, 20, trigger)
    out, err = done["run"].communicate(timeout=35)
    assert done["run"].returncode == 0, err
    assert out.decode() == "parleyd: upgraded: process %d serves now\n" % pid
    # And again, from the new process to a newer one.
    c = srv.client("again")
    start = srv.log_len()
    run = subprocess.run([PARLEYD, "--upgrade", str(pid)], capture_output=True,
                         timeout=35)
    assert run.returncode == 0, run.stderr
    newer = int(re.search(SERVES_RE, srv.wait_log(SERVES_RE, start=start)).group(1))
    adopted.append(newer)
    c.send("WHOIS again")
    assert c.expect("311").param(1) == "again"
    stop_adopted(srv, newer)


def copied_binary(tmp_path):
    path = tmp_path / "bin" / "parleyd"
    path.parent.mkdir()
    shutil.copy(PARLEYD, path)
    return path


def replace(path, text):
    """A new file at path, as a package manager puts one: written aside, renamed."""
    aside = path.with_name("parleyd.new")
    aside.write_text(text)
    aside.chmod(0o755)
    os.rename(aside, path)


def still_serving(srv, a, b):
    a.send("PRIVMSG b :are you there")
    assert b.expect("PRIVMSG").trailing == "are you there"
    assert srv.wait(0.2) is None


@pytest.mark.models
def test_broken_binary_leaves_the_old_one_serving(start_server, tmp_path):
    if MODEL == "fork":
        pytest.skip("the fork model refuses upgrades (test_fork_model_refuses)")
    binary = copied_binary(tmp_path)
    srv = start_server(config=CONFIG, executable=str(binary))
    a, b = srv.client("a"), srv.client("b")
    replace(binary, "#!/bin/sh\nexit 1\n")
    srv.signal(signal.SIGUSR2)
    srv.wait_log(r"upgrade failed: the new process exited before it was ready; "
                 r"carrying on")
    still_serving(srv, a, b)
    # No file at all.
    binary.unlink()
    start = srv.log_len()
    srv.signal(signal.SIGUSR2)
    srv.wait_log(r"upgrade failed: %s: No such file or directory; carrying on" %
                 re.escape(str(binary)), start=start)
    still_serving(srv, a, b)


@pytest.mark.models
def test_new_process_that_cannot_take_over_leaves_the_old_one_serving(start_server,
                                                                       tmp_path):
    if MODEL == "fork":
        pytest.skip("the fork model refuses upgrades (test_fork_model_refuses)")
    binary = copied_binary(tmp_path)
    srv = start_server(config=CONFIG, executable=str(binary))
    a, b = srv.client("a"), srv.client("b")
    a.join("#here")
    b.join("#here")
    a.expect("JOIN")
    # The real program, its store made impossible: it receives the state, then fails.
    replace(binary, "#!/bin/sh\nexec %s \"$@\" --store /proc/nowhere/parleyd.db\n"
            % PARLEYD)
    srv.signal(signal.SIGUSR2)
    srv.wait_log(r"upgrade failed: the new process: store .*/proc/nowhere.*; carrying on")
    a.send("PRIVMSG #here :still here")
    assert b.expect("PRIVMSG").trailing == "still here"
    assert srv.wait(0.2) is None
    # Its configuration broken: refused before it takes anything.
    bad = tmp_path / "bad.conf"
    bad.write_text("[nonsense\n")
    replace(binary, "#!/bin/sh\nexec %s \"$@\" --config %s\n" % (PARLEYD, bad))
    start = srv.log_len()
    srv.signal(signal.SIGUSR2)
    srv.wait_log(r"upgrade failed: the new process: .*bad.conf.*; carrying on",
                 start=start)
    still_serving(srv, a, b)


@pytest.mark.models
def test_websocket_and_partial_lines_survive(start_server, adopted):
    if MODEL == "fork":
        pytest.skip("the fork model refuses upgrades (test_fork_model_refuses)")
    srv = start_server(config=CONFIG, args=["--web-listen", "127.0.0.1:0"],
                       expect_listeners=2)
    tcp = srv.client("tcp")
    ws = WsClient(web_port(srv))
    ws.register("web")
    tcp.join("#mix")
    ws.join("#mix")
    tcp.expect("JOIN")
    # Half a line and half a frame wait in the old process's buffers.
    tcp.send_raw(b"PRIVMSG #mix :first ha")
    whole = frame(TEXT, b"PRIVMSG #mix :second, framed")
    ws.send_raw(whole[:9])
    time.sleep(0.2)
    start = srv.log_len()
    srv.signal(signal.SIGUSR2)
    pid = took_over(srv, adopted, start)
    tcp.send_raw(b"lf\r\n")
    ws.send_raw(whole[9:])
    assert ws.expect("PRIVMSG").trailing == "first half"
    assert tcp.expect("PRIVMSG").trailing == "second, framed"
    ws.send("PRIVMSG tcp :after")
    assert tcp.expect("PRIVMSG").trailing == "after"
    stop_adopted(srv, pid)


def tls_pair(start_server, tmp_path):
    crt, key, _ = make_cert(tmp_path, "localhost")
    srv = start_server(config=CONFIG, args=["--tls-listen", "127.0.0.1:0", "--tls-cert",
                                            crt, "--tls-key", key], expect_listeners=2)
    return srv, srv.listeners[1]


@pytest.mark.models
def test_tls13_clients_survive(start_server, tmp_path, adopted):
    if MODEL == "fork":
        pytest.skip("the fork model refuses upgrades (test_fork_model_refuses)")
    srv, (host, port) = tls_pair(start_server, tmp_path)
    plain = srv.client("plain")
    secure = TLSClient(host, port, server=srv, name="secure",
                       version=ssl.TLSVersion.TLSv1_3)
    secure.register("secure")
    plain.join("#both")
    secure.join("#both")
    plain.expect("JOIN")
    # Lines both ways before, during and after: the session's counters carry over.
    secure.send("PRIVMSG #both :before")
    assert plain.expect("PRIVMSG").trailing == "before"
    start = srv.log_len()
    srv.signal(signal.SIGUSR2)
    secure.send("PRIVMSG #both :during")
    pid = took_over(srv, adopted, start)
    assert plain.expect("PRIVMSG").trailing == "during"
    plain.send("PRIVMSG #both :after")
    assert secure.expect("PRIVMSG").trailing == "after"
    secure.send("WHOIS secure")
    assert secure.expect("671").nick == SERVER_NAME
    assert secure.sock.version() == "TLSv1.3"
    stop_adopted(srv, pid)


@pytest.mark.models
def test_tls12_clients_are_told_to_reconnect(start_server, tmp_path, adopted):
    if MODEL == "fork":
        pytest.skip("the fork model refuses upgrades (test_fork_model_refuses)")
    srv, (host, port) = tls_pair(start_server, tmp_path)
    plain = srv.client("plain")
    secure = TLSClient(host, port, server=srv, name="secure",
                       version=ssl.TLSVersion.TLSv1_2)
    secure.register("secure")
    plain.join("#both")
    secure.join("#both")
    plain.expect("JOIN")
    start = srv.log_len()
    srv.signal(signal.SIGUSR2)
    m = secure.expect("ERROR", timeout=10)
    assert m.trailing.endswith("(Server upgrading: please reconnect)")
    secure.expect_closed()
    q = plain.expect("QUIT", timeout=10)
    assert q.nick == "secure" and q.trailing == "Server upgrading: please reconnect"
    pid = took_over(srv, adopted, start)
    # It connects anew, to the new process.
    again = TLSClient(host, port, server=srv, name="again",
                      version=ssl.TLSVersion.TLSv1_2)
    again.register("secure")
    again.join("#both")
    assert plain.expect("JOIN").nick == "secure"
    stop_adopted(srv, pid)


def test_fork_model_refuses(start_server):
    srv = start_server(config=CONFIG, args=["--model", "fork"])
    a, b = srv.client("a"), srv.client("b")
    srv.signal(signal.SIGUSR2)
    srv.wait_log(r"upgrade refused: in the fork model the relay children hold the "
                 r"connections; restart instead")
    still_serving(srv, a, b)


@pytest.mark.models
def test_queued_output_survives(start_server, adopted):
    """A client that does not read while lines for it pile up in the server's queue gets
    every one of them, in order, once it reads again after the upgrade."""
    if MODEL == "fork":
        pytest.skip("the fork model refuses upgrades (test_fork_model_refuses)")
    srv = start_server(config=CONFIG + "sendq = 32m\n")
    slow = srv.client("slow", rcvbuf=4096)
    fast = srv.client("fast")
    text = "x" * 400
    # More than the kernel's socket buffers take (tcp_wmem's 4 MiB at most).
    n = 15000
    fast.send_raw("".join("PRIVMSG slow :%d %s\r\n" % (i, text) for i in range(n)))
    fast.send("PING :sent")
    fast.expect("PONG")
    start = srv.log_len()
    srv.signal(signal.SIGUSR2)
    pid = took_over(srv, adopted, start)
    for i in range(n):
        m = slow.expect("PRIVMSG")
        assert m.trailing == "%d %s" % (i, text)
    stop_adopted(srv, pid)
