"""The web listener: HTTP for the web client's files, IRC over WebSocket, and what each
refuses.  Raw sockets only; the WebSocket client side (masking, framing) is written here.
"""
import base64
import gzip
import hashlib
import os
import re
import select
import signal
import socket
import ssl
import struct
import subprocess
import time

import pytest

from conftest import MODEL, PARLEYD, Client, ConnectionClosed, parse

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xa


def web_server(start_server, config=None, extra=()):
    """parleyd with an IRC listener (listeners[0]) and a web one (listeners[1])."""
    return start_server(config=config, args=["--web-listen", "127.0.0.1:0"] + list(extra),
                        expect_listeners=2)


def web_port(srv):
    return srv.listeners[1][1]


def frame(op, payload=b"", fin=True, masked=True, rsv=0, length=None):
    """A client frame; length: the length to claim instead of the payload's."""
    n = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | rsv << 4 | op])
    m = 0x80 if masked else 0
    if n < 126:
        head += bytes([m | n])
    elif n < 65536:
        head += bytes([m | 126]) + struct.pack(">H", n)
    else:
        head += bytes([m | 127]) + struct.pack(">Q", n)
    if not masked:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


class Http:
    """One HTTP/1.1 connection: raw requests out, parsed responses in."""

    def __init__(self, port, source=None, rcvbuf=None):
        self.sock = socket.socket()
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if source:
            self.sock.bind((source, 0))
        self.sock.settimeout(5)
        self.sock.connect(("127.0.0.1", port))
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def _read(self, deadline):
        r, _, _ = select.select([self.sock], [], [], max(0, deadline - time.monotonic()))
        if not r:
            raise AssertionError("no response in time; got %r" % self.buf[:200])
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            raise ConnectionClosed("closed; got %r" % self.buf[:200])
        self.buf += data

    def response(self, head_only=False, timeout=3.0):
        """(status, {lowercase name: value}, body) of the next response."""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.buf:
            self._read(deadline)
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        n = 0 if head_only or status in (101, 304) else int(fields.get("content-length", 0))
        while len(self.buf) < n:
            self._read(deadline)
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, fields, body

    def closed(self, timeout=3.0):
        """Whether the server closes the connection within timeout."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self._read(deadline)
        except ConnectionClosed:
            return True
        except AssertionError:
            return False
        return False

    def close(self):
        self.sock.close()


def request(port, text, **kw):
    """One request on a new connection: (status, fields, body, conn)."""
    h = Http(port, **kw)
    h.send(text.encode("latin-1") if isinstance(text, str) else text)
    status, fields, body = h.response(head_only=text.startswith("HEAD"))
    return status, fields, body, h


def upgrade_request(port, key=None, version="13", origin=None, protocols=("text.ircv3.net",),
                    extra="", path="/"):
    key = key if key is not None else base64.b64encode(os.urandom(16)).decode()
    text = "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n" \
           "Connection: Upgrade\r\n" % (path, port)
    if key:
        text += "Sec-WebSocket-Key: %s\r\n" % key
    if version:
        text += "Sec-WebSocket-Version: %s\r\n" % version
    if origin:
        text += "Origin: %s\r\n" % origin
    if protocols:
        text += "Sec-WebSocket-Protocol: %s\r\n" % ", ".join(protocols)
    return text + extra + "\r\n", key


class WsClient(Client):
    """conftest's Client over WebSocket: lines are messages, sent masked."""

    def __init__(self, port, origin=None, protocols=("text.ircv3.net",), extra="",
                 source=None, rcvbuf=None, name="ws", tls=False, cert=None):
        super().__init__("127.0.0.1", port, name=name, source=source, rcvbuf=rcvbuf)
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            if cert:
                ctx.load_cert_chain(*cert)
            self.sock = ctx.wrap_socket(self.sock, server_hostname="localhost")
        text, key = upgrade_request(port, origin=origin, protocols=protocols, extra=extra)
        self.sock.sendall(text.encode())
        head = b""
        deadline = time.monotonic() + 3
        while b"\r\n\r\n" not in head:
            if not (isinstance(self.sock, ssl.SSLSocket) and self.sock.pending()):
                r, _, _ = select.select([self.sock], [], [],
                                        max(0, deadline - time.monotonic()))
                assert r, "no handshake answer: %r" % head
            data = self.sock.recv(1)
            assert data, "closed during the handshake: %r" % head
            head += data
        lines = head.decode().split("\r\n")
        assert lines[0].startswith("HTTP/1.1 101 "), lines
        self.fields = {l.split(":")[0].lower(): l.partition(":")[2].strip()
                       for l in lines[1:] if l}
        want = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
        assert self.fields["sec-websocket-accept"] == want
        self.binary = self.fields.get("sec-websocket-protocol") == "binary.ircv3.net"
        self.wbuf = self._pending_tls()
        self.controls = []      # (opcode, payload) of the control frames received
        self.kinds = set()      # opcodes of the data messages received

    def send(self, line):
        if isinstance(line, str):
            line = line.encode("utf-8", "surrogateescape")
        self.sock.sendall(frame(BINARY if self.binary else TEXT, line))

    def _pending_tls(self):
        """What TLS decrypted already: select() cannot see it."""
        n = self.sock.pending() if isinstance(self.sock, ssl.SSLSocket) else 0
        return self.sock.recv(n) if n else b""

    def send_frame(self, *args, **kw):
        self.sock.sendall(frame(*args, **kw))

    def close_code(self):
        for op, payload in self.controls:
            if op == CLOSE:
                return struct.unpack(">H", payload[:2])[0]
        return None

    def _frames(self):
        """Complete server frames out of wbuf."""
        while len(self.wbuf) >= 2:
            b0, b1 = self.wbuf[0], self.wbuf[1]
            assert b1 & 0x80 == 0, "a server frame was masked"
            n, off = b1 & 0x7f, 2
            if n == 126:
                if len(self.wbuf) < 4:
                    return
                n, off = struct.unpack(">H", self.wbuf[2:4])[0], 4
            elif n == 127:
                if len(self.wbuf) < 10:
                    return
                n, off = struct.unpack(">Q", self.wbuf[2:10])[0], 10
            if len(self.wbuf) < off + n:
                return
            payload, self.wbuf = self.wbuf[off:off + n], self.wbuf[off + n:]
            assert b0 & 0x80, "a server frame was fragmented"
            yield b0 & 0x0f, payload

    def _fill(self, deadline):
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
            data = b""
            self.reset = True
        if not data:
            self.eof = True
            raise ConnectionClosed(self._report("connection closed by the server"))
        self.wbuf += data + self._pending_tls()
        for op, payload in self._frames():
            if op & 0x8:
                self.controls.append((op, payload))
                continue
            self.kinds.add(op)
            assert not payload.endswith(b"\n"), payload
            m = parse(payload)
            self.history.append(m)
            if self.autopong and m.command == "PING":
                self.send("PONG :%s" % (m.trailing or ""))
            self.pending.append(m)
        return True


@pytest.fixture
def web(start_server):
    return web_server(start_server)


# -- HTTP


@pytest.mark.models
def test_serves_the_client_with_validators_and_security_headers(web):
    port = web_port(web)
    status, f, body, h = request(port, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert status == 200
    assert f["content-type"].startswith("text/html")
    assert b"<html" in body.lower()
    assert int(f["content-length"]) == len(body)
    csp = f["content-security-policy"]
    assert "default-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "script-src 'self'" in csp
    assert f["x-content-type-options"] == "nosniff"
    assert f["referrer-policy"] == "no-referrer"
    assert f["cache-control"] == "no-cache"
    etag = f["etag"]
    assert re.fullmatch(r'"[^"]+"', etag)
    # Keep-alive: the next requests on the same connection.
    h.send(("GET /?x=1 HTTP/1.1\r\nHost: a\r\nIf-None-Match: %s\r\n\r\n" % etag).encode())
    status, f304, body = h.response()
    assert status == 304 and body == b"" and f304["etag"] == etag
    assert "content-length" not in f304
    assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", f304["date"])
    h.send(b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")
    status, fh, body = h.response(head_only=True)
    assert status == 200 and fh["content-length"] == f["content-length"]
    h.send(b"GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: br, gzip\r\n\r\n")
    status, fg, body = h.response()
    assert status == 200 and fg["content-encoding"] == "gzip"
    assert fg["vary"] == "Accept-Encoding"
    assert gzip.decompress(body) == request(port, "GET / HTTP/1.0\r\n\r\n")[2]
    h.send(b"GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip;q=0\r\n\r\n")
    assert "content-encoding" not in h.response()[1]
    h.send(b"GET /no/such/file HTTP/1.1\r\nHost: a\r\n\r\n")
    status, f404, body = h.response()
    assert status == 404 and f404["content-security-policy"] == csp
    # Pipelined, the last asking to close.
    h.send(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n"
           b"Connection: close\r\n\r\n")
    assert h.response()[0] == 200
    status, fc, _ = h.response(head_only=True)
    assert status == 200 and fc["connection"] == "close"
    assert h.closed()


BAD_REQUESTS = [
    ("huge header", "GET / HTTP/1.1\r\nHost: a\r\nX-Big: %s\r\n\r\n" % ("a" * 9000), 431),
    ("too many headers", "GET / HTTP/1.1\r\nHost: a\r\n%s\r\n" % "".join(
        "X-%d: y\r\n" % i for i in range(80)), 431),
    ("long target", "GET /%s HTTP/1.1\r\nHost: a\r\n\r\n" % ("a" * 3000), 414),
    ("POST", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi", 405),
    ("DELETE", "DELETE / HTTP/1.1\r\nHost: a\r\n\r\n", 405),
    ("unknown method", "BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 501),
    ("CL and TE", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
     "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("TE alone", "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    ("duplicate CL", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n"
     "Content-Length: 0\r\n\r\n", 400),
    ("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n", 400),
    ("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
    ("bare LF", "GET / HTTP/1.1\nHost: a\n\n", 400),
    ("no Host", "GET / HTTP/1.1\r\n\r\n", 400),
    ("HTTP/2", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
]


def test_refusal_of_a_head_has_no_body(web):
    h = Http(web_port(web))
    h.send(b"HEAD / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n")
    status, f, _ = h.response(head_only=True)
    assert status == 400 and int(f["content-length"]) > 0
    assert h.closed()
    assert h.buf == b""


@pytest.mark.parametrize("what,text,status", BAD_REQUESTS, ids=[b[0] for b in BAD_REQUESTS])
def test_bad_requests_are_refused_and_closed(web, what, text, status):
    got, f, body, h = request(web_port(web), text)
    assert got == status, what
    assert body.startswith(b"%d " % status)
    assert f["connection"] == "close"
    if status == 405:
        assert f["allow"] == "GET, HEAD"
    assert h.closed()
    # Nothing else was disturbed.
    assert request(web_port(web), "GET / HTTP/1.1\r\nHost: a\r\n\r\n")[0] == 200


def test_slowloris_is_closed_after_the_header_timeout(start_server):
    srv = web_server(start_server, config="[web]\nheader_timeout = 1\n")
    port = web_port(srv)
    slow = Http(port, source="127.0.0.2")
    slow.send(b"GET / HTTP/1.1\r\nHost: a\r\n")
    idle = Http(port, source="127.0.0.3")
    irc = srv.client(source="127.0.0.4")
    irc.register("tcp")
    start = time.monotonic()
    # A byte every 0.3 s does not extend the deadline.
    for _ in range(15):
        try:
            slow.send(b"X")
        except OSError:
            break
        if slow.closed(timeout=0.3):
            break
        # Others are served meanwhile.
        assert request(port, "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
                       source="127.0.0.5")[0] == 200
        irc.sync()
    took = time.monotonic() - start
    # The timeout is 1 s; a loaded machine may add some.
    assert 0.6 < took < 4, took
    assert idle.closed(timeout=3.0)
    srv.wait_log(r"HTTP request timed out")


@pytest.mark.models
def test_answers_reach_a_peer_that_stopped_sending(start_server):
    srv = web_server(start_server, config="[limits]\nsendq = 64m\n")
    h = Http(web_port(srv), rcvbuf=4096)
    h.send(b"GET /app.js HTTP/1.1\r\nHost: a\r\n\r\n" * 400)
    h.sock.shutdown(socket.SHUT_WR)
    # More than the socket buffers hold is still queued when the FIN is read.
    time.sleep(0.5)
    for _ in range(400):
        assert h.response()[0] == 200
    assert h.closed()


def test_stop_does_not_wait_for_idle_web_connections(start_server):
    srv = web_server(start_server, config="[timeouts]\nshutdown_grace = 10\n")
    idle = Http(web_port(srv))
    idle.send(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert idle.response()[0] == 200
    Http(web_port(srv)).send(b"GET / HT")
    start = time.monotonic()
    assert srv.terminate() == 0
    # Not the 10 s grace.
    assert time.monotonic() - start < 6


# -- the WebSocket handshake


def test_upgrade_refusals(web):
    port = web_port(web)
    text, _ = upgrade_request(port, key="")
    status, f, _, h = request(port, text)
    assert status == 400 and h.closed()
    text, _ = upgrade_request(port, version="8")
    status, f, _, h = request(port, text)
    assert status == 426 and f["sec-websocket-version"] == "13" and h.closed()
    text, _ = upgrade_request(port, origin="http://evil.example")
    status, f, _, h = request(port, text)
    assert status == 403 and h.closed()
    # Another port of the same host is another origin.
    text, _ = upgrade_request(port, origin="http://127.0.0.1:1")
    assert request(port, text)[0] == 403
    text, _ = upgrade_request(port, extra="Sec-WebSocket-Key: x\r\n")
    assert request(port, text)[0] == 400
    text, _ = upgrade_request(port, path="/app.js")
    status, _, _, h = request(port, text)
    assert status == 404 and h.closed()
    # The endpoint takes a query string.
    text, _ = upgrade_request(port, path="/?nick=x")
    assert request(port, text)[0] == 101


def test_own_origin_and_subprotocols(web):
    port = web_port(web)
    ws = WsClient(port, origin="http://127.0.0.1:%d" % port)
    assert ws.fields["sec-websocket-protocol"] == "text.ircv3.net"
    ws.register("own")
    assert ws.kinds == {TEXT}
    none = WsClient(port, protocols=())
    assert "sec-websocket-protocol" not in none.fields
    none.register("none")
    assert none.kinds == {TEXT}
    binary = WsClient(port, protocols=("binary.ircv3.net", "text.ircv3.net"))
    assert binary.binary
    binary.register("bin")
    assert binary.kinds == {BINARY}


def test_frames_in_the_same_packet_as_the_upgrade(web):
    port = web_port(web)
    text, _ = upgrade_request(port)
    h = Http(port)
    h.send(text.encode() + frame(TEXT, b"NICK early") + frame(TEXT, b"USER e 0 * :E") +
           frame(TEXT, b"PING :tok"))
    status, _, _ = h.response()
    assert status == 101
    deadline = time.monotonic() + 3
    while b"PONG" not in h.buf and time.monotonic() < deadline:
        h._read(deadline)
    assert b" 001 early " in h.buf and b"tok" in h.buf


def test_configured_origins(start_server):
    srv = web_server(start_server, config="[web]\norigins = https://chat.example.org\n")
    port = web_port(srv)
    WsClient(port, origin="https://chat.example.org").register("ok")
    text, _ = upgrade_request(port, origin="http://127.0.0.1:%d" % port)
    assert request(port, text)[0] == 403
    srv = web_server(start_server, config="[web]\norigins = *\n")
    WsClient(web_port(srv), origin="http://anything.example").register("any")


# -- frames


@pytest.mark.models
def test_bad_frames_are_closed_with_their_codes(web):
    port = web_port(web)
    cases = [
        (frame(TEXT, b"NICK a", masked=False), 1002),
        (frame(0x3, b"x"), 1002),
        (frame(TEXT, b"x", rsv=4), 1002),
        (frame(PING, b"x", fin=False), 1002),
        (frame(0x0, b"x"), 1002),
        (frame(TEXT, b"PRIVMSG #a :\xc3\x28"), 1007),
        (frame(BINARY, b"", length=10 ** 9)[:14], 1009),
        (frame(TEXT, b"a" * 9000), 1009),
        (frame(TEXT, b"a" * 5000, fin=False) + frame(0x0, b"a" * 5000), 1009),
    ]
    watcher = web.client()
    watcher.register("watcher")
    for i, (data, code) in enumerate(cases):
        ws = WsClient(port, name="case%d" % i)
        ws.register("case%d" % i)
        ws.send_raw(data)
        ws.expect_closed()
        assert ws.close_code() == code, (i, ws.controls)
        watcher.sync()


@pytest.mark.models
def test_close_handshake_and_quit(web):
    port = web_port(web)
    tcp = web.client()
    tcp.register("tcp")
    tcp.join("#c")
    ws = WsClient(port)
    ws.register("wsa")
    ws.join("#c")
    tcp.expect("JOIN")
    ws.send_frame(CLOSE, struct.pack(">H", 1001) + b"bye")
    ws.expect_closed()
    assert ws.close_code() == 1001
    quit = tcp.expect("QUIT")
    assert quit.nick == "wsa"
    ws = WsClient(port)
    ws.register("wsb")
    ws.send("QUIT :done")
    lines = ws.expect_closed()
    assert any(m.command == "ERROR" for m in lines + ws.history)
    assert ws.close_code() == 1000


def test_ping_flood_costs_one_pong_per_read(web):
    port = web_port(web)
    ws = WsClient(port, source="127.0.0.2")
    ws.register("pinger")
    other = WsClient(port, source="127.0.0.3")
    other.register("other")
    ws.send_raw(frame(PING, b"p") * 20000)
    ws.sync(timeout=10)
    pongs = sum(1 for op, _ in ws.controls if op == PONG)
    assert 1 <= pongs <= 200, pongs
    other.sync()


@pytest.mark.models
def test_ping_flood_that_does_not_read_hits_the_sendq(start_server):
    srv = web_server(start_server, config="[limits]\nsendq = 8703\n")
    port = web_port(srv)
    ws = WsClient(port, source="127.0.0.2", rcvbuf=4096)
    ws.register("deaf")
    flood = frame(PING, b"x" * 125) * 100
    out = b""
    deadline = time.monotonic() + 30
    ws.sock.setblocking(False)
    while time.monotonic() < deadline and "SendQ exceeded" not in srv.log_text():
        out = out or flood
        try:
            out = out[ws.sock.send(out):]
        except BlockingIOError:
            time.sleep(0.01)
        except OSError:
            break
    srv.wait_log(r"SendQ exceeded", timeout=10)
    other = srv.client()
    other.register("fine")


# -- a session


@pytest.mark.models
def test_websocket_and_tcp_clients_chat(start_server):
    srv = web_server(start_server, config="[server]\nutf8_only = no\n")
    port = web_port(srv)
    tcp = srv.client(source="127.0.0.2")
    tcp.register("tcp")
    ws = WsClient(port, source="127.0.0.3")
    ws.register("web")
    tcp.join("#chat")
    ws.join("#chat")
    tcp.expect("JOIN")
    ws.send("PRIVMSG #chat :hello from the browser")
    m = tcp.expect("PRIVMSG")
    assert m.nick == "web" and m.trailing == "hello from the browser"
    tcp.send("PRIVMSG #chat :hello \xe9t\xe9 from irssi".encode("latin-1"))
    m = ws.expect("PRIVMSG")
    # Not UTF-8: a text client gets U+FFFD for each bad byte.
    assert m.trailing == "hello \ufffdt\ufffd from irssi"
    tcp.send("PRIVMSG web :private \xff".encode("latin-1"))
    assert ws.expect("PRIVMSG").trailing == "private \ufffd"
    ws.send("PRIVMSG tcp :back")
    assert tcp.expect("PRIVMSG").trailing == "back"
    # Several lines in one read, and a long one.
    ws.send_raw(b"".join(frame(TEXT, b"PRIVMSG #chat :%d" % i) for i in range(6)))
    for i in range(6):
        assert tcp.expect("PRIVMSG").trailing == str(i)
    ws.send("PRIVMSG #chat :" + "x" * 400)
    assert tcp.expect("PRIVMSG").trailing == "x" * 400
    tcp.send("WHOIS web")
    assert tcp.expect("311").param(3) == "127.0.0.3"


def test_flood_control_and_per_address_limits_apply(start_server):
    # Loopback plays a remote address here: exempt nothing.
    srv = web_server(start_server, config="[limits]\nexempt =\nflood_burst = 2\n"
                     "flood_queue = 512\nmax_per_address = 2\n")
    port = web_port(srv)
    ws = WsClient(port, source="127.0.0.2")
    ws.register("flooder")
    ws.send_raw(b"".join(frame(TEXT, b"PRIVMSG flooder :" + b"x" * 100)
                         for _ in range(40)))
    lines = ws.expect_closed()
    assert any(m.command == "ERROR" and "Excess Flood" in m.trailing
               for m in lines + ws.history), lines
    held = [WsClient(port, source="127.0.0.3") for _ in range(2)]
    for i, c in enumerate(held):
        c.register("held%d" % i)
    third = Http(port, source="127.0.0.3")
    assert third.closed()
    srv.wait_log(r"127\.0\.0\.3: too many connections")


def test_forwarded_address_only_from_trusted_proxies(start_server):
    srv = web_server(start_server, config="[web]\ntrusted_proxies = 127.0.0.2 ::1\n")
    port = web_port(srv)
    tcp = srv.client()
    tcp.register("tcp")
    proxied = WsClient(port, source="127.0.0.2",
                       extra="X-Forwarded-For: 198.51.100.1, 203.0.113.7\r\n")
    proxied.register("proxied")
    tcp.send("WHOIS proxied")
    assert tcp.expect("311").param(3) == "203.0.113.7"
    fwd = WsClient(port, source="127.0.0.2",
                   extra='Forwarded: for="[2001:db8::5]:4711";proto=https\r\n')
    fwd.register("fwd")
    tcp.send("WHOIS fwd")
    assert tcp.expect("311").param(3) == "2001:db8::5"
    direct = WsClient(port, source="127.0.0.3", extra="X-Forwarded-For: 203.0.113.9\r\n")
    direct.register("direct")
    tcp.send("WHOIS direct")
    assert tcp.expect("311").param(3) == "127.0.0.3"


def make_cert(tmp_path, name):
    """A self-signed P-256 certificate: (cert path, key path, SHA-256 of its DER)."""
    key, crt = str(tmp_path / (name + ".key")), str(tmp_path / (name + ".crt"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-keyout", key,
                    "-out", crt, "-subj", "/CN=" + name],
                   check=True, capture_output=True, timeout=30)
    with open(crt) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    return crt, key, hashlib.sha256(der).hexdigest()


@pytest.mark.models
def test_web_over_tls(start_server, tmp_path):
    crt, key, _ = make_cert(tmp_path, "localhost")
    alice = make_cert(tmp_path, "alice")
    srv = start_server(args=["--web-tls-listen", "127.0.0.1:0", "--tls-cert", crt,
                             "--tls-key", key], expect_listeners=2)
    srv.wait_log(r"listening on 127\.0\.0\.1:\d+ \(web, tls\)")
    port = srv.listeners[1][1]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5),
                         server_hostname="localhost") as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    assert data.startswith(b"HTTP/1.1 200 OK\r\n") and b"<html" in data.lower()
    # A plain http:// origin is not this listener's.
    ws = WsClient(port, tls=True, origin="https://127.0.0.1:%d" % port)
    ws.register("secureweb")
    plain = srv.client()
    plain.register("plain")
    plain.send("WHOIS secureweb")
    lines = plain.collect_until("318")
    assert any(m.command == "671" for m in lines), lines
    ws.send("PRIVMSG plain :over wss")
    assert plain.expect("PRIVMSG").trailing == "over wss"
    # A client certificate's fingerprint reaches the core (WHOIS 276 to the client).
    cws = WsClient(port, tls=True, cert=alice[:2])
    cws.register("alice")
    cws.send("WHOIS alice")
    lines = cws.collect_until("318")
    assert any(m.command == "276" and alice[2] in m.trailing for m in lines), lines


WEB_CONFIG_ERRORS = [
    ("[web]\norigins = ftp://chat.example.org\n", "is not an origin"),
    ("[web]\norigins = https://chat.example.org/path\n", "is not an origin"),
    ("[web]\ntrusted_proxies = 10.0.0.0/33\n", "is not an address or ADDRESS/BITS"),
    ("[web]\ntrusted_proxies = 127.0.0.1 proxy.example\n", "is not an address"),
    ("[web]\norigins = %s\n" % " ".join("http://h%d" % i for i in range(17)),
     "more than 16"),
    ("[web]\nheader_max = 100\n", "out of range"),
    ("[web]\nmax_headers = 1000\n", "out of range"),
    ("[web]\nheader_timeout = 0\n", "seconds"),
    ("[listen]\nweb_address = 1.2.3.4\n", "is not an address"),
]


@pytest.mark.parametrize("text,why", WEB_CONFIG_ERRORS)
def test_bad_web_settings_refused(tmp_path, text, why):
    path = tmp_path / "bad.conf"
    path.write_text(text)
    p = subprocess.run([PARLEYD, "--listen", "127.0.0.1:0", "--config", str(path)],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=5)
    lines = p.stderr.decode().splitlines()
    assert p.returncode == 1 and len(lines) == 1, lines
    assert "%s:2:" % path in lines[0] and why in lines[0], lines


def test_web_listener_and_settings_from_the_file(start_server):
    srv = start_server(config="[listen]\naddress = 127.0.0.1:0\nweb_address = 127.0.0.1:0\n"
                       "[web]\nmax_headers = 8\nheader_max = 1k\n", listen=(),
                       expect_listeners=2)
    srv.wait_log(r"listening on 127\.0\.0\.1:\d+ \(web\)")
    port = web_port(srv)
    fields = "".join("X-%d: y\r\n" % i for i in range(7))
    assert request(port, "GET / HTTP/1.1\r\nHost: a\r\n%s\r\n" % fields)[0] == 200
    fields += "X-7: y\r\n"
    assert request(port, "GET / HTTP/1.1\r\nHost: a\r\n%s\r\n" % fields)[0] == 431
    assert request(port, "GET /%s HTTP/1.1\r\nHost: a\r\n\r\n" % ("a" * 1000))[0] == 431


def test_web_settings_reload_on_sighup(start_server, tmp_path):
    path = tmp_path / "web.conf"
    path.write_text("[web]\norigins = https://a.example\n")
    srv = web_server(start_server, config=path)
    port = web_port(srv)
    text, _ = upgrade_request(port, origin="https://b.example")
    assert request(port, text)[0] == 403
    path.write_text("[web]\norigins = https://b.example\n")
    mark = srv.log_len()
    srv.signal(signal.SIGHUP)
    srv.wait_log(r"configuration reloaded", start=mark)
    WsClient(port, origin="https://b.example").register("reloaded")
    text, _ = upgrade_request(port, origin="https://a.example")
    assert request(port, text)[0] == 403
