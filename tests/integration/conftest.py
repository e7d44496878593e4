"""Shared helpers for the parleyd integration tests.

The tests start the real binary (PARLEYD, default build/parleyd in this tree) on ephemeral
loopback ports and talk to it over raw sockets.  Every wait here is bounded: a test that
expects something that never comes fails with the lines it saw instead, plus the server's
log.
"""
import os
import re
import resource
import select
import signal
import socket
import subprocess
import threading
import time

import pytest

# CMake's ctest sets PARLEYD; by hand, the binary of the tree's own build/ directory.
PARLEYD = os.environ.get("PARLEYD") or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "parleyd"))
# The concurrency model every parleyd here runs (--model).  ctest runs the whole suite
# under event, and again under fork and threads the tests marked models (pytest -m
# models): those whose behaviour passes through connection handling that the models
# implement each their own way.  A test's own --model, later on the command line, wins.
MODEL = os.environ.get("PARLEY_MODEL") or "event"
SERVER_NAME = "irc.localhost"
HOST_V4 = "127.0.0.1"

LISTENING_RE = re.compile(r"listening on (\[[0-9A-Fa-f:.]+\]|[0-9.]+|[A-Za-z0-9.-]+):(\d+)")

# Numerics and commands the tests name often.
RPL_WELCOME = "001"
RPL_ENDOFMOTD = "376"
ERR_NOMOTD = "422"


# --------------------------------------------------------------------------------------
# Messages


class Message:
    """One parsed IRC line: tags, source, command (upper case) and params."""

    def __init__(self, raw, tags, source, command, params):
        self.raw = raw              # bytes, without the line ending
        self.tags = tags            # dict
        self.source = source        # str or None
        self.command = command      # str, upper case
        self.params = params        # list of str

    @property
    def line(self):
        return self.raw.decode("utf-8", "surrogateescape")

    @property
    def nick(self):
        """The nick (or server name) part of the source."""
        if self.source is None:
            return None
        return self.source.split("!", 1)[0]

    @property
    def trailing(self):
        return self.params[-1] if self.params else None

    def param(self, i, default=None):
        return self.params[i] if len(self.params) > i else default

    def __repr__(self):
        return "<Message %r>" % self.line


def _unescape_tag(value):
    out = []
    i = 0
    table = {":": ";", "s": " ", "\\": "\\", "r": "\r", "n": "\n"}
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            out.append(table.get(value[i + 1], value[i + 1]))
            i += 2
            continue
        if c != "\\":
            out.append(c)
        i += 1
    return "".join(out)


def parse(raw):
    """Parse one line (bytes or str, with or without CRLF) into a Message."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    raw = raw.rstrip(b"\r\n")
    text = raw.decode("utf-8", "surrogateescape")
    tags = {}
    source = None
    rest = text
    if rest.startswith("@"):
        tagpart, _, rest = rest[1:].partition(" ")
        for item in tagpart.split(";"):
            if not item:
                continue
            key, eq, value = item.partition("=")
            tags[key] = _unescape_tag(value) if eq else ""
        rest = rest.lstrip(" ")
    if rest.startswith(":"):
        source, _, rest = rest[1:].partition(" ")
        rest = rest.lstrip(" ")
    params = []
    command, _, rest = rest.partition(" ")
    while rest:
        rest = rest.lstrip(" ")
        if not rest:
            break
        if rest.startswith(":"):
            params.append(rest[1:])
            break
        p, _, rest = rest.partition(" ")
        params.append(p)
    return Message(raw, tags, source, command.upper(), params)


_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ[]\\~", "abcdefghijklmnopqrstuvwxyz{}|^")


def casefold(name):
    """rfc1459 case folding, as the server compares nicks and channel names."""
    return name.translate(_FOLD)


def _matcher(what):
    """Turn what expect() accepts into a predicate over Message."""
    if callable(what):
        return what
    if isinstance(what, re.Pattern):
        return lambda m: what.search(m.line) is not None
    if isinstance(what, str):
        if re.fullmatch(r"[0-9]{3}|[A-Z]+", what):
            return lambda m: m.command == what
        rx = re.compile(what)
        return lambda m: rx.search(m.line) is not None
    raise TypeError("expect() takes a predicate, a regex or a command, not %r" % (what,))


def cmd(command, *params):
    """Predicate: this command, and the first params equal to the given ones."""
    def pred(m):
        if m.command != command.upper():
            return False
        for i, p in enumerate(params):
            if p is not None and m.param(i) != p:
                return False
        return True
    pred.__name__ = "cmd(%s)" % " ".join([command] + [repr(p) for p in params])
    return pred


# --------------------------------------------------------------------------------------
# A raw client


class ConnectionClosed(AssertionError):
    pass


class Client:
    """A line-oriented IRC client over a plain socket.

    Every read is bounded by a timeout.  Lines that expect() passes over are kept in
    self.skipped (and all lines ever read in self.history) for failure messages.
    """

    def __init__(self, host, port, server=None, name=None, timeout=5.0, autopong=True,
                 rcvbuf=None, source=None):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if source is not None:     # a source address of its own (127.0.x.y)
            self.sock.bind((source, 0))
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server = server
        self.name = name or "client"
        self.nick = None
        self.autopong = autopong
        self.buf = b""
        self.pending = []       # parsed lines not handed out yet
        self.history = []       # every line read, in order
        self.skipped = []
        self.eof = False
        self.reset = False      # the server's side ended with a TCP reset
        self.endings = []       # the raw terminator of every line read (b"\r\n" or b"\n")
        self._ping_seq = 0

    # -- sending

    def send(self, line):
        """Send one line; CRLF is added.  Accepts str or bytes."""
        if isinstance(line, str):
            line = line.encode("utf-8", "surrogateescape")
        self.sock.sendall(line + b"\r\n")

    def send_raw(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        self.sock.sendall(data)

    # -- receiving

    def _fill(self, deadline):
        """Read once from the socket, waiting at most until deadline.  False on timeout."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        if self.eof:
            raise ConnectionClosed(self._report("connection closed by the server"))
        r, _, _ = select.select([self.sock], [], [], remaining)
        if not r:
            return False
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            self.eof = True
            self.reset = True
            raise ConnectionClosed(self._report("connection reset by the server"))
        if not data:
            self.eof = True
            raise ConnectionClosed(self._report("connection closed by the server"))
        self.buf += data
        while True:
            i = self.buf.find(b"\n")
            if i < 0:
                break
            line = self.buf[:i + 1]
            self.buf = self.buf[i + 1:]
            self.endings.append(b"\r\n" if line.endswith(b"\r\n") else b"\n")
            m = parse(line)
            self.history.append(m)
            if self.autopong and m.command == "PING":
                try:
                    self.send("PONG :%s" % (m.trailing or ""))
                except OSError:
                    pass    # closing under us: the next read tells
            self.pending.append(m)
        return True

    def readline(self, timeout=3.0):
        """The next line, or None when none arrives within timeout."""
        deadline = time.monotonic() + timeout
        while not self.pending:
            if not self._fill(deadline):
                return None
        return self.pending.pop(0)

    def expect(self, what, timeout=3.0, msg=None):
        """Read lines until one matches; return it.  Fail after timeout.

        what: a predicate over Message, a command/numeric ("001", "PRIVMSG") or a regex
        (str or compiled) searched in the decoded line.
        """
        pred = _matcher(what)
        deadline = time.monotonic() + timeout
        skipped = []
        while True:
            while self.pending:
                m = self.pending.pop(0)
                if pred(m):
                    self.skipped = skipped
                    return m
                skipped.append(m)
            try:
                if not self._fill(deadline):
                    self.skipped = skipped
                    raise AssertionError(self._report(
                        "%s: timed out after %.1fs waiting for %s%s" % (
                            self.name, timeout, getattr(what, "__name__", what),
                            " (" + msg + ")" if msg else ""), skipped))
            except ConnectionClosed:
                self.skipped = skipped
                raise ConnectionClosed(self._report(
                    "%s: connection closed while waiting for %s" % (
                        self.name, getattr(what, "__name__", what)), skipped))

    def collect_until(self, what, timeout=3.0):
        """Every line up to and including the first match, as a list."""
        pred = _matcher(what)
        out = []
        self.expect(lambda m: out.append(m) or pred(m), timeout)
        return out

    def sync(self, timeout=3.0):
        """PING the server and return every line that came before its PONG.

        The server handles one connection's lines in order, so whatever our earlier lines
        caused for us has been queued before the PONG.
        """
        self._ping_seq += 1
        token = "sync%d" % self._ping_seq
        self.send("PING %s" % token)
        lines = self.collect_until(
            lambda m: m.command == "PONG" and m.trailing == token, timeout)
        return lines[:-1]

    def expect_closed(self, timeout=3.0):
        """Read until the server closes the connection; return the lines read meanwhile
        (on timeout they stay pending)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if not self._fill(deadline):
                    raise AssertionError(self._report(
                        "%s: connection still open after %.1fs" % (self.name, timeout),
                        self.pending))
            except ConnectionClosed:
                out = self.pending
                self.pending = []
                return out

    def poll(self, duration=0.05):
        """Read whatever arrives within duration into the pending lines (answering PINGs
        when autopong is on).  False once the server has closed the connection."""
        deadline = time.monotonic() + duration
        try:
            while self._fill(deadline):
                pass
        except ConnectionClosed:
            return False
        return True

    def assert_silent(self, what=None, duration=0.3):
        """Fail if a matching line (any line when what is None) arrives within duration."""
        pred = _matcher(what) if what is not None else (lambda m: True)
        deadline = time.monotonic() + duration
        while True:
            for m in self.pending:
                if pred(m):
                    raise AssertionError(self._report(
                        "%s: unexpected line %r" % (self.name, m.line)))
            try:
                if not self._fill(deadline):
                    return
            except ConnectionClosed:
                return

    # -- registration

    def register(self, nick, user=None, realname="Real Name", password=None, timeout=3.0):
        """PASS/NICK/USER, then wait for the end of the burst.  Returns the burst lines."""
        if password is not None:
            self.send("PASS %s" % password)
        self.send("NICK %s" % nick)
        self.send("USER %s 0 * :%s" % (user or nick.lower(), realname))
        burst = self.collect_until(
            lambda m: m.command in (RPL_ENDOFMOTD, ERR_NOMOTD), timeout)
        if not any(m.command == RPL_WELCOME for m in burst):
            raise AssertionError(self._report("%s: no 001 in the burst" % nick, burst))
        self.nick = nick
        self.name = nick
        return burst

    def join(self, channel, timeout=3.0):
        """JOIN and wait for the end of NAMES (366); returns the lines."""
        self.send("JOIN %s" % channel)
        folded = casefold(channel)
        return self.collect_until(
            lambda m: m.command == "366" and casefold(m.param(1, "")) == folded, timeout)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _report(self, what, skipped=None):
        parts = [what]
        if skipped:
            parts.append("lines read meanwhile:\n  " + "\n  ".join(m.line for m in skipped))
        elif self.history:
            parts.append("last lines read:\n  " +
                         "\n  ".join(m.line for m in self.history[-15:]))
        if self.server is not None:
            parts.append("server log (tail):\n" + self.server.log_tail())
        return "\n".join(parts)


# --------------------------------------------------------------------------------------
# The server process


class Server:
    """A running parleyd: the process, its listeners and its stderr."""

    def __init__(self, args, expect_listeners, **popen_kw):
        self.args = [PARLEYD, "--model", MODEL] + list(args)
        self.listeners = []         # [(host, port)], host without brackets
        self.log = []
        self._log_lock = threading.Condition()
        self.clients = []
        self.expected_exit = False  # a test that ends the process itself sets this
        if not os.access(PARLEYD, os.X_OK):
            pytest.fail("parleyd binary not found at %s (set PARLEYD)" % PARLEYD)
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     **popen_kw)
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        self.stdout = b""
        self._out_reader = threading.Thread(target=self._drain_stdout, daemon=True)
        self._out_reader.start()
        if expect_listeners:
            self._wait_listeners(expect_listeners)

    def _drain(self):
        for raw in iter(self.proc.stderr.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._log_lock:
                self.log.append(line)
                m = LISTENING_RE.search(line)
                if m:
                    self.listeners.append((m.group(1).strip("[]"), int(m.group(2))))
                self._log_lock.notify_all()
        with self._log_lock:
            self._log_lock.notify_all()

    def _drain_stdout(self):
        data = self.proc.stdout.read()
        self.stdout = data or b""

    def _wait_listeners(self, count, timeout=5.0):
        deadline = time.monotonic() + timeout
        with self._log_lock:
            while len(self.listeners) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.proc.poll() is not None:
                    break
                self._log_lock.wait(min(remaining, 0.1))
            ok = len(self.listeners) >= count
        if not ok:
            self.kill()
            pytest.fail("parleyd did not report %d listener(s) within %.0fs (exit %r).\n"
                        "command: %s\nlog:\n%s" % (count, timeout, self.proc.returncode,
                                                   " ".join(self.args), self.log_text()))

    @property
    def host(self):
        return self.listeners[0][0]

    @property
    def port(self):
        return self.listeners[0][1]

    @property
    def pid(self):
        return self.proc.pid

    def log_text(self):
        with self._log_lock:
            return "\n".join(self.log)

    def log_tail(self, n=40):
        with self._log_lock:
            return "\n".join(self.log[-n:])

    def wait_log(self, pattern, timeout=3.0, start=0):
        """Wait for a log line (from index start on) matching the regex; return it."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._log_lock:
            while True:
                for line in self.log[start:]:
                    if rx.search(line):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._log_lock.wait(min(remaining, 0.1))
        raise AssertionError("no log line matching %r within %.1fs; log:\n%s" % (
            pattern, timeout, self.log_text()))

    def log_len(self):
        with self._log_lock:
            return len(self.log)

    def client(self, nick=None, listener=0, **kw):
        """A connected Client; registered as nick when nick is given."""
        host, port = self.listeners[listener]
        c = Client(host, port, server=self, name=nick or "client%d" % len(self.clients),
                   **kw)
        self.clients.append(c)
        if nick is not None:
            c.register(nick)
        return c

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=5.0):
        """Wait for the process to exit; its status, or None if it did not."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def terminate(self, sig=None, timeout=5.0):
        """Send sig (default SIGTERM) and wait for the exit; the status, or None if it
        hung (then killed).  The fixture's teardown no longer checks this process's exit."""
        if sig is None:
            sig = signal.SIGTERM
        self.expected_exit = True
        self.proc.send_signal(sig)
        status = self.wait(timeout)
        if status is None:
            self.kill()
        self._reader.join(2)
        return status

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def stop(self):
        """SIGTERM, wait up to 5 s, then SIGKILL.  Returns the exit status."""
        for c in self.clients:
            c.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
                self._reader.join(2)
                return None
        self._reader.join(2)
        self._out_reader.join(2)
        return self.proc.returncode


def wait_closed(client, others=(), timeout=5.0):
    """Like client.expect_closed(), while keeping the other clients read (so they answer
    the server's PINGs).  Returns the lines client read."""
    deadline = time.monotonic() + timeout
    while client.poll(0.05):
        if time.monotonic() >= deadline:
            raise AssertionError(client._report(
                "%s: connection still open after %.1fs" % (client.name, timeout),
                client.pending))
        for o in others:
            o.poll(0.02)
    lines = client.pending
    client.pending = []
    return lines


def sanitizer_report(log):
    """The first sanitizer or crash report in a log, or None."""
    for line in log.splitlines():
        if ("AddressSanitizer" in line or "LeakSanitizer" in line or
                "runtime error:" in line or "UndefinedBehaviorSanitizer" in line):
            return line
    return None


class ServerFactory:
    """Starts parleyds for a test and stops them all at its end."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.servers = []
        self._n = 0
        self._stores = 0
        # Called at teardown once every server has stopped (cluster_fixture.py's
        # nats-server, which the nodes say goodbye through).
        self.finalizers = []

    def config_file(self, text, name=None):
        self._n += 1
        path = self.tmp_path / (name or "parleyd%d.conf" % self._n)
        path.write_text(text)
        return path

    # store's default: a new database file in tmp_path for each server, or with
    # PARLEY_STORE_NATS=nats://HOST:PORT a new network's JetStream store there
    # (docs/store-jetstream.md): the suite run against that backend.
    FRESH_STORE = object()
    STORE_NATS = os.environ.get("PARLEY_STORE_NATS")

    def __call__(self, config=None, args=(), listen=("127.0.0.1:0",), log_level="debug",
                 expect_listeners=None, store=FRESH_STORE, **popen_kw):
        """Start parleyd.

        config: INI text (written to a file in tmp_path) or None for no --config.
        listen: the --listen flags (empty: none, the config's [listen] applies).
        store: the --store file (default: tmp_path/parleydN.db, new for each server),
        None for --store none, or False for no --store (the config's [store] path).
        expect_listeners: how many "listening on" lines to wait for (default: len(listen),
        or 1 when listen is empty).  Other keywords go to subprocess.Popen.
        """
        argv = []
        for addr in listen:
            argv += ["--listen", addr]
        if config is not None:
            path = config if isinstance(config, os.PathLike) else self.config_file(config)
            argv += ["--config", str(path)]
        if log_level:
            argv += ["--log-level", log_level]
        if store is self.FRESH_STORE:
            self._stores += 1
            store = self.tmp_path / ("parleyd%d.db" % self._stores)
            if self.STORE_NATS:
                store = "%s/t%d_%s_%d" % (self.STORE_NATS, os.getpid(),
                                          self.tmp_path.name[-40:], self._stores)
        if store is not False:
            argv += ["--store", "none" if store is None else str(store)]
        argv += list(args)
        if expect_listeners is None:
            expect_listeners = len(listen) or 1
        srv = Server(argv, expect_listeners, **popen_kw)
        self.servers.append(srv)
        return srv

    def teardown(self):
        problems = []
        for srv in self.servers:
            died = srv.proc.poll()
            status = srv.stop()
            log = srv.log_text()
            report = sanitizer_report(log)
            if report:
                problems.append("sanitizer report from %s: %s\nlog:\n%s" % (
                    " ".join(srv.args), report, log))
            elif srv.expected_exit:
                continue
            elif died is not None:
                problems.append("parleyd exited on its own with status %r during the test"
                                "\nlog:\n%s" % (died, log))
            elif status != 0:
                problems.append("parleyd exited with status %r on SIGTERM\nlog:\n%s" % (
                    status, log))
        self.servers = []
        while self.finalizers:
            self.finalizers.pop()()
        if problems:
            pytest.fail("\n\n".join(problems), pytrace=False)


def pytest_collection_modifyitems(config, items):
    """Under PARLEY_CLUSTER_SPREAD, skip the tests that cannot apply to a network
    (cluster_fixture.SPREAD_EXCEPTIONS says why each)."""
    if not CLUSTER_SPREAD:
        return
    from cluster_fixture import SPREAD_EXCEPTIONS
    for item in items:
        key = "%s::%s" % (os.path.basename(str(item.fspath)), item.name)
        if key in SPREAD_EXCEPTIONS:
            item.add_marker(pytest.mark.skip(reason="network: " + SPREAD_EXCEPTIONS[key]))


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "models: depends on the concurrency model; run under each --model")


@pytest.fixture
def start_server(tmp_path):
    """Factory: start_server(config=None, args=(), listen=(...)) -> Server."""
    factory = ServerFactory(tmp_path)
    yield factory
    factory.teardown()


# PARLEY_CLUSTER_SPREAD=1 makes the server fixture a network of three nodes with each
# test's clients spread over them (cluster_fixture.py; docs/cluster.md lists the tests
# that cannot apply to a network).
CLUSTER_SPREAD = bool(os.environ.get("PARLEY_CLUSTER_SPREAD"))


@pytest.fixture
def server(start_server, tmp_path):
    """A parleyd with a minimal config file, on 127.0.0.1 and an ephemeral port; with
    PARLEY_CLUSTER_SPREAD, three nodes that look like one server to client()."""
    if CLUSTER_SPREAD:
        from cluster_fixture import spread_server
        return spread_server(start_server, tmp_path)
    return start_server(config="[server]\nname = irc.localhost\n")


def free_port(family=socket.AF_INET, host=HOST_V4):
    """A port that was free a moment ago (for tests that need to name one)."""
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def tcp_queues(local_port, remote_port):
    """(send queue, receive queue) in bytes of the IPv4 TCP socket on this machine with
    these ports, from /proc/net/tcp: what the kernel holds for it that its owner has not
    had acknowledged, or has not read.  None when there is no such socket."""
    with open("/proc/net/tcp") as f:
        next(f)
        for row in f:
            fields = row.split()
            local = int(fields[1].split(":")[1], 16)
            remote = int(fields[2].split(":")[1], 16)
            if (local, remote) == (local_port, remote_port):
                tx, rx = fields[4].split(":")
                return int(tx, 16), int(rx, 16)
    return None


def ipv6_available():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


def asan_build():
    """True when PARLEYD is built with AddressSanitizer: several times slower, and its
    quarantine keeps freed memory resident, so RSS says nothing there."""
    with open(PARLEYD, "rb") as f:
        return b"__asan_init" in f.read()


def raise_nofile(need):
    """Raise this process's soft descriptor limit (the servers it starts inherit it) to
    need, or skip the test when the hard limit is below it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < need:
        if hard != resource.RLIM_INFINITY and hard < need:
            pytest.skip("descriptor limit %d is below the %d this test needs" % (hard, need))
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))


def fd_count(pid):
    """The descriptors process pid holds open."""
    return len(os.listdir("/proc/%d/fd" % pid))


def rss_kib(pid):
    """The resident memory of process pid, in KiB (VmRSS)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


def prefix(nick, user=None, host=HOST_V4):
    return "%s!%s@%s" % (nick, user or nick.lower(), host)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach every parleyd log of a failed test to its report."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    factory = item.funcargs.get("start_server")
    if factory is None:
        return
    for i, srv in enumerate(factory.servers):
        report.sections.append(("parleyd %d log (%s)" % (i, " ".join(srv.args[1:])),
                                srv.log_text()))
