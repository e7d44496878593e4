"""parley send and parley tail against a real parleyd, and every failure exit code.

A few failures (server ERROR, a rejected nick, a silent server, echo-message) need a
server that misbehaves on purpose: a small scripted fake on a loopback port does that.
"""
import os
import select
import socket
import subprocess
import threading
import time

import ssl

import pytest

from conftest import cmd

PARLEY = os.environ.get("PARLEY") or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "parley"))

EXIT_USAGE = 2
EXIT_CONNECT = 3
EXIT_SERVER = 4
EXIT_TIMEOUT = 5


@pytest.fixture(autouse=True)
def _need_parley():
    if not os.access(PARLEY, os.X_OK):
        pytest.fail("parley binary not found at %s (set PARLEY)" % PARLEY)


def parley(*args, stdin=None, timeout=20):
    """Run parley to completion; the CompletedProcess (text stdout/stderr)."""
    return subprocess.run([PARLEY] + [str(a) for a in args], input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def addr(srv):
    return "%s:%d" % (srv.host, srv.port)


class Tail:
    """A running `parley tail`; lines() reads its stdout with a bound."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([PARLEY, "tail"] + [str(a) for a in args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.buf = b""

    def line(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("tail printed no line within %.1fs (so far %r)"
                                     % (timeout, self.buf))
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    raise AssertionError("tail ended: %r" % self.proc.stderr.read())
                self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode("utf-8")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            return self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            return None


# -- send


def test_send_words_reach_the_channel(server):
    watcher = server.client("watcher")
    watcher.join("#chat")
    r = parley("send", "-n", "poster", addr(server), "#chat", "hello", "there", "world")
    assert r.returncode == 0, r.stderr
    m = watcher.expect(cmd("PRIVMSG", "#chat"))
    assert m.nick == "poster"
    assert m.trailing == "hello there world"


def test_send_stdin_lines_in_order(server):
    watcher = server.client("watcher")
    watcher.join("#chat")
    r = parley("send", "-n", "poster", addr(server), "#chat",
               stdin="one\n\ntwo\r\nthree without newline")
    assert r.returncode == 0, r.stderr
    got = [watcher.expect(cmd("PRIVMSG", "#chat")).trailing for _ in range(3)]
    assert got == ["one", "two", "three without newline"]   # the empty line is skipped


def test_send_long_line_split_on_utf8_boundaries(server):
    watcher = server.client("watcher")
    watcher.join("#chat")
    text = "d\u00e9j\u00e0 vu \u20ac " * 150          # ~1800 bytes, multi-byte chars
    r = parley("send", "-n", "poster", addr(server), "#chat", text)
    assert r.returncode == 0, r.stderr
    pieces = []
    while sum(len(p) for p in pieces) < len(text.rstrip(" ")):
        m = watcher.expect(cmd("PRIVMSG", "#chat"))
        assert len(m.raw) <= 510
        pieces.append(m.trailing)          # decodes: no character was cut
    assert len(pieces) >= 4
    assert "".join(pieces) == text.rstrip(" ") or "".join(pieces) == text


def test_send_default_nick_and_taken_nick_retried(server):
    watcher = server.client("poster")
    watcher.join("#chat")
    r = parley("send", "-n", "poster", addr(server), "#chat", "hi")
    assert r.returncode == 0, r.stderr
    m = watcher.expect(cmd("PRIVMSG", "#chat"))
    assert m.nick == "poster_"
    r = parley("send", addr(server), "#chat", "anonymous")
    assert r.returncode == 0, r.stderr
    m = watcher.expect(cmd("PRIVMSG", "#chat"))
    assert m.nick.startswith("parley") and m.trailing == "anonymous"


def test_send_ipv6_and_hostname(start_server):
    from conftest import ipv6_available
    if not ipv6_available():
        pytest.skip("no IPv6 loopback")
    srv = start_server(listen=("[::1]:0",))
    r = parley("send", "[::1]:%d" % srv.port, "#chat", "over v6")
    assert r.returncode == 0, r.stderr
    srv4 = start_server()
    r = parley("send", "localhost:%d" % srv4.port, "#chat", "by name")
    assert r.returncode == 0, r.stderr


# -- tail


def wait_member(client, channel, nick, timeout=5.0):
    """Ask NAMES (through client) until nick is in channel; bounded."""
    deadline = time.monotonic() + timeout
    while True:
        client.send("NAMES %s" % channel)
        lines = client.collect_until(cmd("366"))
        names = [n.lstrip("@+") for m in lines if m.command == "353"
                 for n in m.trailing.split()]
        if nick in names:
            return
        assert time.monotonic() < deadline, "%s never joined %s" % (nick, channel)
        time.sleep(0.05)


def test_tail_prints_each_message_as_a_line(server):
    t = Tail("-n", "reader", addr(server), "#news")
    try:
        poster = server.client("poster")
        poster.join("#news")
        wait_member(poster, "#news", "reader")
        poster.send("PRIVMSG #news :first item")
        poster.send("PRIVMSG #news :\x01ACTION waves\x01")
        poster.send("NOTICE #news :a notice")
        poster.send("PRIVMSG reader :private, not printed")
        poster.send("PRIVMSG #news :caf\u00e9 last")
        assert t.line() == "<poster> first item"
        assert t.line() == "* poster waves"
        assert t.line() == "-poster- a notice"
        assert t.line() == "<poster> caf\u00e9 last"
    finally:
        assert t.stop() == 0


def test_tail_server_gone_exits_4(start_server):
    srv = start_server()
    t = Tail("-n", "reader", addr(srv), "#news")
    try:
        wait_member(srv.client("probe"), "#news", "reader")
        srv.terminate()
        assert t.proc.wait(10) == EXIT_SERVER
        assert "server" in t.proc.stderr.read().decode()
    finally:
        t.stop()


# -- failures


def test_usage_errors_exit_2():
    assert parley().returncode == EXIT_USAGE
    assert parley("send", "127.0.0.1").returncode == EXIT_USAGE
    assert parley("send", "127.0.0.1", "nochan", "x").returncode == EXIT_USAGE
    assert parley("send", "host:port", "#c", "x").returncode == EXIT_USAGE
    assert parley("send", "-n", "bad nick", "127.0.0.1", "#c", "x").returncode == EXIT_USAGE
    assert parley("tail", "127.0.0.1", "#c", "extra").returncode == EXIT_USAGE
    assert parley("--bogus").returncode == EXIT_USAGE
    assert parley("send", "--insecure", "127.0.0.1", "#c", "x").returncode == EXIT_USAGE


def test_help_exits_0():
    r = parley("--help")
    assert r.returncode == 0
    assert "parley send" in r.stdout and "Exit codes" in r.stdout


def test_refused_exits_3():
    from conftest import free_port
    r = parley("send", "127.0.0.1:%d" % free_port(), "#c", "x")
    assert r.returncode == EXIT_CONNECT
    assert r.stderr.startswith("parley: cannot connect") and r.stderr.count("\n") == 1


def test_unknown_host_exits_3():
    r = parley("send", "no-such-host.invalid", "#c", "x")
    assert r.returncode == EXIT_CONNECT
    assert "cannot resolve" in r.stderr and r.stderr.count("\n") == 1


class FakeServer:
    """A one-connection scripted server: script(conn_lines, send) runs in a thread."""

    def __init__(self, script, tls=None):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(10)
        self.port = self.sock.getsockname()[1]
        self.script = script
        self.tls = tls          # an ssl.SSLContext: the connection is TLS
        self.seen = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        conn.settimeout(10)
        if self.tls is not None:
            try:
                conn = self.tls.wrap_socket(conn, server_side=True)
            except OSError:
                conn.close()
                return
        f = conn.makefile("rb")

        def lines():
            for raw in f:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                self.seen.append(line)
                yield line

        def send(text):
            conn.sendall((text + "\r\n").encode())
        try:
            self.script(lines(), send)
        except (OSError, StopIteration):
            pass
        finally:
            f.close()
            conn.close()

    def close(self):
        self.sock.close()
        self.thread.join(5)

    @property
    def addr(self):
        return "127.0.0.1:%d" % self.port


def until(lines, verb):
    for line in lines:
        if line.split(" ")[0].upper() == verb:
            return line
    raise StopIteration


def test_server_error_exits_4():
    def script(lines, send):
        until(lines, "USER")
        send("ERROR :Closing link: (banned)")
    fake = FakeServer(script)
    try:
        r = parley("send", fake.addr, "#c", "x")
    finally:
        fake.close()
    assert r.returncode == EXIT_SERVER
    assert r.stderr == "parley: server closed the connection: Closing link: (banned)\n"


def test_nick_rejected_exits_4():
    def script(lines, send):
        until(lines, "USER")
        send(":fake 432 * b4d :Erroneous nickname")
        until(lines, "QUIT")
    fake = FakeServer(script)
    try:
        r = parley("send", "-n", "b4d", fake.addr, "#c", "x")
    finally:
        fake.close()
    assert r.returncode == EXIT_SERVER
    assert "nick b4d rejected" in r.stderr and r.stderr.count("\n") == 1


def test_every_nick_taken_exits_4():
    def script(lines, send):
        for line in lines:
            if line.startswith("NICK "):
                send(":fake 433 * %s :Nickname is already in use" % line[5:])
    fake = FakeServer(script)
    try:
        r = parley("send", "-n", "taken", fake.addr, "#c", "x")
    finally:
        fake.close()
    assert r.returncode == EXIT_SERVER
    assert "rejected" in r.stderr
    assert [l for l in fake.seen if l.startswith("NICK")] == [
        "NICK taken", "NICK taken_", "NICK taken__", "NICK taken1", "NICK taken2",
        "NICK taken3"]


def test_closed_without_a_word_exits_4():
    def script(lines, send):
        until(lines, "USER")
    fake = FakeServer(script)
    try:
        r = parley("send", fake.addr, "#c", "x")
    finally:
        fake.close()
    assert r.returncode == EXIT_SERVER
    assert r.stderr == "parley: server closed the connection\n"


def test_silent_server_times_out_5():
    def script(lines, send):
        until(lines, "QUIT")
    fake = FakeServer(script)
    try:
        t0 = time.monotonic()
        r = parley("send", "-t", "1", fake.addr, "#c", "x")
        took = time.monotonic() - t0
    finally:
        fake.close()
    assert r.returncode == EXIT_TIMEOUT
    assert "timed out" in r.stderr and r.stderr.count("\n") == 1
    assert took < 10


def test_unconfirmed_delivery_times_out_5():
    """Registered and joined, but the PONG never comes: not confirmed, not 0."""
    def script(lines, send):
        until(lines, "USER")
        send(":fake 001 me :Welcome")
        until(lines, "JOIN")
        send(":me!u@h JOIN #c")
        until(lines, "QUIT")
    fake = FakeServer(script)
    try:
        r = parley("send", "-n", "me", "-t", "1", fake.addr, "#c", "x")
    finally:
        fake.close()
    assert r.returncode == EXIT_TIMEOUT
    assert "confirm" in r.stderr


def test_echo_message_confirms_without_ping():
    def script(lines, send):
        for line in lines:
            words = line.split(" ")
            if line == "CAP LS 302":
                send(":fake CAP * LS :multi-prefix echo-message")
            elif words[0] == "CAP" and words[1] == "REQ":
                send(":fake CAP * ACK %s" % " ".join(words[2:]))
            elif line == "CAP END":
                send(":fake 001 me :Welcome")
            elif words[0] == "JOIN":
                send(":me!u@h JOIN %s" % words[1])
            elif words[0] == "PRIVMSG":
                send(":me!u@h " + line)
            elif words[0] == "QUIT":
                return
    fake = FakeServer(script)
    try:
        r = parley("send", "-n", "me", "-t", "3", fake.addr, "#c", stdin="a\nb\n")
    finally:
        fake.close()
    assert r.returncode == 0, r.stderr
    assert "CAP REQ :echo-message" in fake.seen
    assert not any(l.startswith("PING") for l in fake.seen)
    assert [l for l in fake.seen if l.startswith("PRIVMSG")] == [
        "PRIVMSG #c :a", "PRIVMSG #c :b"]


def _joining_fake(reply_to_join, reply_to_privmsg=None):
    def script(lines, send):
        until(lines, "USER")
        send(":fake 001 me :Welcome")
        line = until(lines, "JOIN")
        if reply_to_join:
            send(reply_to_join)
            until(lines, "QUIT")
            return
        send(":me!u@h " + line)
        until(lines, "PRIVMSG")
        send(reply_to_privmsg)
        until(lines, "QUIT")
    return FakeServer(script)


def test_join_refused_exits_4():
    fake = _joining_fake(":fake 474 me #c :Cannot join channel (+b)")
    try:
        r = parley("send", "-n", "me", fake.addr, "#c", "x")
    finally:
        fake.close()
    assert r.returncode == EXIT_SERVER
    assert r.stderr == "parley: #c: Cannot join channel (+b)\n"


def test_cannot_send_exits_4():
    fake = _joining_fake(None, ":fake 404 me #c :Cannot send to channel")
    try:
        r = parley("send", "-n", "me", fake.addr, "#c", "x")
    finally:
        fake.close()
    assert r.returncode == EXIT_SERVER
    assert r.stderr == "parley: #c: Cannot send to channel\n"


def test_slow_but_moving_delivery_is_not_a_timeout():
    """A throttling server: each PONG comes 0.4 s late, 2.5 s in all, with -t 1."""
    def script(lines, send):
        until(lines, "USER")
        send(":fake 001 me :Welcome")
        line = until(lines, "JOIN")
        send(":me!u@h " + line)
        for line in lines:
            if line.startswith("PING "):
                time.sleep(0.4)
                send(":fake PONG fake :" + line.split(":", 1)[1])
            elif line.startswith("QUIT"):
                return
    fake = FakeServer(script)
    try:
        r = parley("send", "-n", "me", "-t", "1", fake.addr, "#c",
                   stdin="".join("line %d\n" % i for i in range(50)))
    finally:
        fake.close()
    assert r.returncode == 0, r.stderr
    assert len([l for l in fake.seen if l.startswith("PRIVMSG")]) == 50
    assert len([l for l in fake.seen if l.startswith("PING")]) == 6


# -- TLS


def _echo_script(lines, send):
    """A minimal server: registers, joins, answers PING."""
    for line in lines:
        words = line.split(" ")
        if words[0] == "USER":
            send(":fake 001 me :Welcome")
        elif words[0] == "JOIN":
            send(":me!u@h JOIN %s" % words[1])
        elif words[0] == "PING":
            send(":fake PONG fake :" + line.split(":", 1)[1])
        elif words[0] == "QUIT":
            return


def _certificate(tmp_path, name):
    """A self-signed certificate for name (DNS) and 127.0.0.1; (cert, key) paths."""
    cert, key = tmp_path / (name + ".pem"), tmp_path / (name + ".key")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", str(key), "-out", str(cert), "-days", "2",
                        "-subj", "/CN=" + name,
                        "-addext", "subjectAltName=DNS:%s,IP:127.0.0.1" % name],
                       capture_output=True, timeout=30)
    if r.returncode != 0:
        pytest.skip("openssl cannot make a certificate: %r" % r.stderr)
    return cert, key


def _tls_fake(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    return FakeServer(_echo_script, tls=ctx)


def _parley_env(cafile):
    env = dict(os.environ)
    env["SSL_CERT_FILE"] = str(cafile)
    return env


def test_tls_verified_by_name(tmp_path):
    cert, key = _certificate(tmp_path, "localhost")
    fake = _tls_fake(cert, key)
    try:
        r = subprocess.run([PARLEY, "send", "--tls", "-n", "me", "localhost:%d" % fake.port,
                            "#c", "secret"], env=_parley_env(cert), capture_output=True,
                           text=True, timeout=20)
    finally:
        fake.close()
    assert r.returncode == 0, r.stderr
    assert "PRIVMSG #c :secret" in fake.seen


def test_tls_wrong_name_exits_3(tmp_path):
    cert, key = _certificate(tmp_path, "other.example")
    fake = _tls_fake(cert, key)
    try:
        r = subprocess.run([PARLEY, "send", "--tls", "localhost:%d" % fake.port, "#c", "x"],
                           env=_parley_env(cert), capture_output=True, text=True,
                           timeout=20)
    finally:
        fake.close()
    assert r.returncode == EXIT_CONNECT
    assert r.stderr.startswith("parley: TLS with localhost failed: certificate")
    assert r.stderr.count("\n") == 1


def test_tls_untrusted_exits_3_and_insecure_skips_the_check(tmp_path):
    cert, key = _certificate(tmp_path, "localhost")
    fake = _tls_fake(cert, key)
    try:
        r = parley("send", "--tls", "127.0.0.1:%d" % fake.port, "#c", "x")
    finally:
        fake.close()
    assert r.returncode == EXIT_CONNECT
    assert "certificate" in r.stderr
    fake = _tls_fake(cert, key)
    try:
        r = parley("send", "--tls", "--insecure", "-n", "me", "127.0.0.1:%d" % fake.port,
                   "#c", "anyway")
    finally:
        fake.close()
    assert r.returncode == 0, r.stderr
    assert "PRIVMSG #c :anyway" in fake.seen


def test_tls_to_a_silent_plain_server_exits_5():
    """A plain server that waits for a line end the ClientHello never sends.  (Not
    parleyd: the hello's random bytes hold a LF often enough that parleyd answers the
    "line", and the client then fails with exit 3.)"""
    fake = FakeServer(lambda lines, send: time.sleep(2))
    try:
        r = parley("send", "--tls", "--insecure", "-t", "1", fake.addr, "#c", "x")
    finally:
        fake.close()
    assert r.returncode == EXIT_TIMEOUT
    assert r.stderr == "parley: TLS with 127.0.0.1 failed: no handshake within the timeout\n"


def test_tls_to_a_plain_talking_server_exits_3():
    def script(lines, send):
        send("ERROR :plain text here")
        time.sleep(1)
    fake = FakeServer(script)
    try:
        r = parley("send", "--tls", "--insecure", "-t", "3", fake.addr, "#c", "x")
    finally:
        fake.close()
    assert r.returncode == EXIT_CONNECT
    assert r.stderr.startswith("parley: TLS with 127.0.0.1 failed: ")
