"""TLS listeners: clients over Python's ssl module and `openssl s_client`, client
certificates (WHOIS 276, OPER by certfp), certificate reload on SIGHUP, and bad input
(plaintext, garbage, truncated and stalled handshakes; a bad key at start-up).

Certificates are made at test time with the openssl command.
"""
import hashlib
import json
import os
import signal
import socket
import ssl
import subprocess
import time

import pytest

from conftest import MODEL, PARLEYD, Client, cmd, prefix, tcp_queues

# The concurrency models handle these connections each their own way: ctest runs
# this file under every --model.
pytestmark = pytest.mark.models

PARLEY = os.environ.get("PARLEY") or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "parley"))
PARLEY_BENCH = os.environ.get("PARLEY_BENCH") or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build",
                 "parley-bench"))


# --------------------------------------------------------------------------------------
# Certificates


class Cert:
    def __init__(self, directory, name, cn, san):
        self.cert = str(directory / (name + ".crt"))
        self.key = str(directory / (name + ".key"))
        argv = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-keyout", self.key, "-out", self.cert, "-subj", "/CN=" + cn]
        if san:
            argv += ["-addext", "subjectAltName=" + san]
        subprocess.run(argv, check=True, capture_output=True, timeout=30)
        with open(self.cert) as f:
            self.der = ssl.PEM_cert_to_DER_cert(f.read())
        self.fingerprint = hashlib.sha256(self.der).hexdigest()


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("certs")
    return {
        "server": Cert(d, "server", "localhost", "DNS:localhost,IP:127.0.0.1"),
        "server2": Cert(d, "server2", "localhost", "DNS:localhost,IP:127.0.0.1"),
        "other": Cert(d, "other", "elsewhere.example", "DNS:elsewhere.example"),
        "alice": Cert(d, "alice", "alice", None),
        "bob": Cert(d, "bob", "bob", None),
    }


def tls_args(cert, listen="127.0.0.1:0"):
    return ["--tls-listen", listen, "--tls-cert", cert.cert, "--tls-key", cert.key]


@pytest.fixture
def tls_server(start_server, certs):
    """A parleyd with a plaintext listener (0) and a TLS one (1)."""
    return start_server(config="[server]\nname = irc.localhost\n",
                        args=tls_args(certs["server"]), expect_listeners=2)


class TLSClient(Client):
    """conftest's Client over TLS: the socket is wrapped once connected.  Reading stays
    select-then-recv: recv(65536) takes whole records, so nothing waits inside TLS."""

    def __init__(self, host, port, server=None, name=None, cafile=None, client_cert=None,
                 timeout=5.0, version=None, **kw):
        super().__init__(host, port, server=server, name=name, timeout=timeout, **kw)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if version is not None:
            ctx.minimum_version = ctx.maximum_version = version
        if cafile is None:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        else:
            ctx.load_verify_locations(cafile)
        if client_cert is not None:
            ctx.load_cert_chain(client_cert.cert, client_cert.key)
        self.sock = ctx.wrap_socket(self.sock, server_hostname=host)

    def server_cert_der(self):
        return self.sock.getpeercert(binary_form=True)


def tls_client(srv, nick=None, listener=1, **kw):
    host, port = srv.listeners[listener]
    c = TLSClient(host, port, server=srv, name=nick or "tls", **kw)
    srv.clients.append(c)
    if nick is not None:
        c.register(nick)
    return c


def client_hello():
    """The first flight of a real TLS client, as bytes."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    with pytest.raises(ssl.SSLWantReadError):
        obj.do_handshake()
    return outgoing.read()


def raw_connect(srv, listener=1):
    return socket.create_connection(srv.listeners[listener], timeout=5)


def wait_eof(sock, timeout=5.0):
    """Read until the server closes (FIN or reset); fail if it does not in time."""
    sock.settimeout(timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if sock.recv(4096) == b"":
                return
        except ConnectionResetError:
            return
        except socket.timeout:
            break
    raise AssertionError("the server kept the connection open")


def chat_works(srv, a="tlsok", b="tlsok2"):
    """Two TLS clients register and talk: the server is fine."""
    x = tls_client(srv, a)
    y = tls_client(srv, b)
    x.send("PRIVMSG %s :still here" % b)
    y.expect(cmd("PRIVMSG", b, "still here"))
    x.close()
    y.close()


# --------------------------------------------------------------------------------------
# Working TLS


def test_register_and_chat_over_tls(tls_server, certs):
    alice = tls_client(tls_server, "alice", cafile=certs["server"].cert)
    bob = tls_client(tls_server, "bob", cafile=certs["server"].cert)
    plain = tls_server.client("carol", listener=0)
    for c in (alice, bob, plain):
        c.join("#tls")
    alice.send("PRIVMSG #tls :hello over TLS")
    bob.expect(cmd("PRIVMSG", "#tls", "hello over TLS"))
    plain.expect(cmd("PRIVMSG", "#tls", "hello over TLS"))
    plain.send("PRIVMSG #tls :hello from plaintext")
    alice.expect(cmd("PRIVMSG", "#tls", "hello from plaintext"))
    assert alice.server_cert_der() == certs["server"].der
    assert alice.sock.version() in ("TLSv1.2", "TLSv1.3")


def test_secure_connection_shown_in_whois(tls_server):
    tls_client(tls_server, "secure")
    plain = tls_server.client("plain", listener=0)
    plain.send("WHOIS secure")
    lines = plain.collect_until("318")
    assert any(m.command == "671" and m.param(1) == "secure" for m in lines), lines
    plain.send("WHOIS plain")
    lines = plain.collect_until("318")
    assert not any(m.command == "671" for m in lines), lines


def test_listener_logged_as_tls(tls_server):
    tls_server.wait_log(r"listening on 127\.0\.0\.1:\d+ \(tls\)")


def kernel_holds(srv, c, settle=False):
    """Bytes of c's connection in the kernel: the server's send queue plus c's receive
    queue; with settle, once both have stopped moving (polled, bounded)."""
    sport = srv.listeners[1][1]
    cport = c.sock.getsockname()[1]
    last = None
    steady = 0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        now = (tcp_queues(sport, cport), tcp_queues(cport, sport))
        assert None not in now, "the connection from port %d is gone; log:\n%s" % (
            cport, srv.log_tail())
        steady = steady + 1 if now == last else 0
        if not settle or steady == 3:
            return now[0][0] + now[1][1]
        last = now
        time.sleep(0.05)
    raise AssertionError("the connection never settled: %r" % (last,))


def test_partial_writes_over_tls_keep_every_byte(start_server, certs):
    """More output than the kernel takes: the server's TLS writes come back short, the
    rest waits in its queue, and every byte arrives, in order, once the client reads."""
    srv = start_server(config="[limits]\nflood_burst = 0\nsendq = 4m\n",
                       args=tls_args(certs["server"]), expect_listeners=2)
    slow = tls_client(srv, "slow", rcvbuf=4096)
    sender = srv.client("sender", listener=0)
    text = "y" * 400
    line_len = len(":%s PRIVMSG slow :000000 %s\r\n" % (prefix("sender"), text))
    # The slow client reads nothing until the proof: each batch is queued for it before
    # the PONG that ends the sender's sync.  Once the server holds more than two TLS
    # records it could not hand to a kernel that no longer moves, a write came back
    # short (or would block) and the rest waits in the server's queue.
    sent = 0
    held = 0
    while held <= 2 * 16384:
        assert sent < 40000, "16 MB went into the kernel: no write ever came back short"
        sender.send_raw(b"".join(b"PRIVMSG slow :%06d %s\r\n" % (sent + i, text.encode())
                                 for i in range(200)))
        sent += 200
        sender.sync(timeout=10)
        if sent * line_len - kernel_holds(srv, slow) > 2 * 16384:
            held = sent * line_len - kernel_holds(srv, slow, settle=True)
    for i in range(sent):
        m = slow.expect("PRIVMSG", timeout=10)
        assert m.raw == (":%s PRIVMSG slow :%06d %s" % (prefix("sender"), i, text)).encode()
    slow.sync()
    assert not srv.log_text().count("SendQ exceeded")


def test_tls_versions(tls_server):
    host, port = tls_server.listeners[1]
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.minimum_version = ctx.maximum_version = version
        with socket.create_connection((host, port), timeout=5) as s:
            with ctx.wrap_socket(s) as t:
                assert t.version() == {ssl.TLSVersion.TLSv1_2: "TLSv1.2",
                                       ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]


def test_tls_1_2_client_chats_with_tls_1_3(tls_server, certs):
    """TLS 1.2 stays on OpenSSL, TLS 1.3 leaves it: both ways between them work."""
    old = tls_client(tls_server, "old", version=ssl.TLSVersion.TLSv1_2,
                     client_cert=certs["alice"])
    new = tls_client(tls_server, "new", version=ssl.TLSVersion.TLSv1_3)
    assert old.sock.version() == "TLSv1.2" and new.sock.version() == "TLSv1.3"
    for i in range(4):
        old.send("PRIVMSG new :%d %s" % (i, "x" * 300))
        new.send("PRIVMSG old :%d %s" % (i, "y" * 300))
    for i in range(4):
        new.expect(cmd("PRIVMSG", "new", "%d %s" % (i, "x" * 300)))
        old.expect(cmd("PRIVMSG", "old", "%d %s" % (i, "y" * 300)))
    old.send("WHOIS old")
    old.expect(lambda m: m.command == "276" and certs["alice"].fingerprint in m.trailing)


@pytest.mark.skipif(MODEL == "fork", reason="each fork child has its own ticket key")
def test_tls_1_3_session_resumes(tls_server):
    """The session tickets parleyd sends before its first record let a TLS 1.3 client
    resume, and both connections talk on after them."""
    host, port = tls_server.listeners[1]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    first = ctx.wrap_socket(socket.create_connection((host, port), timeout=5))
    first.sendall(b"PING :one\r\n")
    assert b"PONG" in first.recv(4096)
    again = ctx.wrap_socket(socket.create_connection((host, port), timeout=5),
                            session=first.session)
    assert again.session_reused
    again.sendall(b"PING :two\r\n")
    assert b"two" in again.recv(4096)
    first.close()
    again.close()


def test_key_update_mid_session(tls_server, certs):
    """openssl s_client asks for a KeyUpdate (its K command) mid-session: parleyd
    answers with its own, and the conversation goes on both ways."""
    host, port = tls_server.listeners[1]
    peer = tls_client(tls_server, "peer")
    proc = subprocess.Popen(["openssl", "s_client", "-connect", "%s:%d" % (host, port),
                             "-tls1_3", "-crlf", "-msg", "-CAfile", certs["server"].cert],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    out = b""
    sent = b">>> TLS 1.3, Handshake [length 0005], KeyUpdate"
    received = b"<<< TLS 1.3, Handshake [length 0005], KeyUpdate"

    def until(what, count=1):
        nonlocal out
        deadline = time.monotonic() + 10
        while out.count(what) < count and time.monotonic() < deadline:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            out += chunk
        assert out.count(what) >= count, out[-2000:]

    def send(line):
        proc.stdin.write(line)
        proc.stdin.flush()

    try:
        send(b"NICK updater\nUSER u 0 * :U\n")
        until(b" 001 updater ")
        for i in range(3):
            # s_client drops whatever comes in the same read as a command.
            send(b"K\n")
            until(sent, i + 1)
            send(b"PRIVMSG peer :after update %d\n" % i)
            peer.expect(cmd("PRIVMSG", "peer", "after update %d" % i))
            peer.send("PRIVMSG updater :answer %d" % i)
            until(b"PRIVMSG updater :answer %d" % i)
            # The answer came after the server's own KeyUpdate.
            assert out.count(received) == i + 1, out[-2000:]
    finally:
        proc.stdin.close()
        proc.kill()
        proc.wait(5)


def test_close_notify_right_after_a_line(tls_server):
    """A line and close_notify in one flight, the TCP connection left open: the line
    counts, and the end is seen at once, not at the ping timeout."""
    a = tls_client(tls_server, "goer")
    b = tls_client(tls_server, "watcher")
    a.join("#x")
    b.join("#x")
    a.sock.settimeout(5)
    a.sock.sendall(b"PRIVMSG #x :see you\r\n")
    try:
        a.sock.unwrap()     # sends close_notify, waits for the server's
    except ssl.SSLError:
        pass                # the server's last lines came after our close_notify
    b.expect(cmd("PRIVMSG", "#x", "see you"))
    b.expect(cmd("QUIT"))


def test_tls_1_1_refused(tls_server):
    host, port = tls_server.listeners[1]
    # The client's security level allows it to try; the server answers with an alert.
    r = subprocess.run(["openssl", "s_client", "-connect", "%s:%d" % (host, port),
                        "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"], input=b"",
                       capture_output=True, timeout=20)
    assert r.returncode != 0
    assert b"protocol version" in r.stdout + r.stderr, r.stderr
    tls_server.wait_log("TLS handshake failed: unsupported protocol")
    chat_works(tls_server)


def test_openssl_s_client(tls_server, certs):
    host, port = tls_server.listeners[1]
    script = b"NICK sclient\r\nUSER s 0 * :S\r\nPING :done\r\n"
    proc = subprocess.Popen(["openssl", "s_client", "-connect", "%s:%d" % (host, port),
                             "-CAfile", certs["server"].cert, "-verify_return_error",
                             "-verify_ip", "127.0.0.1", "-quiet"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdin.write(script)
    proc.stdin.flush()
    out = b""
    deadline = time.monotonic() + 10
    while b"PONG" not in out and time.monotonic() < deadline:
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        out += chunk
    proc.stdin.close()
    proc.kill()
    proc.wait(5)
    assert b" 001 sclient " in out, out
    assert b"PONG" in out, out


def test_tls_listener_from_config_file(start_server, certs, tmp_path):
    conf = ("[listen]\naddress = 127.0.0.1:0\ntls_address = 127.0.0.1:0\n"
            "[tls]\ncert = %s\nkey = %s\nhandshake_timeout = 5\n"
            % (certs["server"].cert, certs["server"].key))
    srv = start_server(config=conf, listen=(), expect_listeners=2)
    srv.wait_log(r"listening on 127\.0\.0\.1:\d+ \(tls\)")
    c = tls_client(srv, "fromfile", cafile=certs["server"].cert)
    c.sync()
    srv.client("plainfile", listener=0).sync()


# --------------------------------------------------------------------------------------
# STS


def cap_ls(c):
    """CAP LS 302 before registering: the capabilities as a dict of name to value."""
    c.send("CAP LS 302")
    caps = {}
    while True:
        m = c.expect(cmd("CAP", None, "LS"))
        for item in m.trailing.split():
            name, _, value = item.partition("=")
            caps[name] = value
        if m.param(2) != "*":
            return caps


def test_sts_advertised(start_server, certs):
    srv = start_server(config="[tls]\nsts_duration = 86400\n",
                       args=tls_args(certs["server"]), expect_listeners=2)
    tls_port = srv.listeners[1][1]
    plain = srv.client(listener=0)
    assert cap_ls(plain)["sts"] == "port=%d" % tls_port
    secure = tls_client(srv)
    assert cap_ls(secure)["sts"] == "duration=86400"


def test_sts_default_duration_and_off(start_server, certs):
    srv = start_server(args=tls_args(certs["server"]), expect_listeners=2)
    assert cap_ls(tls_client(srv))["sts"] == "duration=0"
    srv = start_server(config="[tls]\nsts = no\n", args=tls_args(certs["server"]),
                       expect_listeners=2)
    assert "sts" not in cap_ls(srv.client(listener=0))
    # No TLS listener: nothing to upgrade to.
    srv = start_server()
    assert "sts" not in cap_ls(srv.client())


# --------------------------------------------------------------------------------------
# Client certificates


def test_certfp_in_whois(tls_server, certs):
    alice = tls_client(tls_server, "alice", client_cert=certs["alice"])
    alice.send("WHOIS alice")
    lines = alice.collect_until("318")
    fp = [m for m in lines if m.command == "276"]
    assert len(fp) == 1, lines
    assert fp[0].param(1) == "alice"
    assert fp[0].trailing == ("has client certificate fingerprint %s"
                              % certs["alice"].fingerprint)
    tls_server.wait_log("client certificate " + certs["alice"].fingerprint)


def test_certfp_hidden_from_other_users(tls_server, certs):
    tls_client(tls_server, "alice", client_cert=certs["alice"])
    bob = tls_client(tls_server, "bob", client_cert=certs["bob"])
    bob.send("WHOIS alice")
    lines = bob.collect_until("318")
    assert not any(m.command == "276" for m in lines), lines
    assert any(m.command == "671" for m in lines), lines


def test_no_certfp_without_client_certificate(tls_server):
    c = tls_client(tls_server, "nocert")
    c.send("WHOIS nocert")
    lines = c.collect_until("318")
    assert not any(m.command == "276" for m in lines), lines


def hash_password(password):
    r = subprocess.run([PARLEYD, "--hash-password"], input=password + "\n",
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def colon_form(fp):
    """As `openssl x509 -fingerprint -sha256` prints it."""
    return ":".join(fp[i:i + 2] for i in range(0, len(fp), 2)).upper()


def test_oper_by_certfp(start_server, certs):
    conf = ("[server]\nname = irc.localhost\n"
            "[oper certonly]\ncertfp = %s\n"
            "[oper both]\ncertfp = %s\npassword = %s\n"
            % (colon_form(certs["alice"].fingerprint), certs["alice"].fingerprint,
               hash_password("s3cret")))
    srv = start_server(config=conf, args=tls_args(certs["server"]), expect_listeners=2)
    alice = tls_client(srv, "alice", client_cert=certs["alice"])
    alice.send("OPER certonly anything")
    alice.expect("381")
    # An operator sees others' fingerprints.
    tls_client(srv, "bob", client_cert=certs["bob"])
    alice.send("WHOIS bob")
    lines = alice.collect_until("318")
    assert any(m.command == "276" and certs["bob"].fingerprint in m.trailing
               for m in lines), lines

    # Both: the certificate and the password.
    a2 = tls_client(srv, "alice2", client_cert=certs["alice"])
    a2.send("OPER both wrong")
    a2.expect("464")
    a2.send("OPER both s3cret")
    a2.expect("381")

    # The wrong certificate, or none, or plaintext: refused.
    for c in (tls_client(srv, "bob2", client_cert=certs["bob"]),
              tls_client(srv, "nocert"),
              srv.client("plain", listener=0)):
        c.send("OPER certonly anything")
        c.expect("464")
        c.send("OPER both s3cret")
        c.expect("464")


def test_oper_block_certfp_checked(start_server, tmp_path):
    for bad in ("abc", "zz" * 32, "ab" * 33, "ab:" * 31 + "ab:"):
        path = tmp_path / "bad.conf"
        path.write_text("[oper x]\ncertfp = %s\n" % bad)
        r = subprocess.run([PARLEYD, "--config", str(path)], capture_output=True,
                           text=True, timeout=20, stdin=subprocess.DEVNULL)
        assert r.returncode == 1
        assert "bad.conf:2: certfp:" in r.stderr, r.stderr
    path = tmp_path / "none.conf"
    path.write_text("[oper x]\nhost = *@*\n")
    r = subprocess.run([PARLEYD, "--config", str(path)], capture_output=True, text=True,
                       timeout=20, stdin=subprocess.DEVNULL)
    assert r.returncode == 1
    assert "has no password, certfp or account" in r.stderr, r.stderr


# --------------------------------------------------------------------------------------
# Reload


def test_sighup_reloads_certificate_keeping_connections(start_server, certs, tmp_path):
    cert, key = tmp_path / "live.crt", tmp_path / "live.key"
    cert.write_bytes(open(certs["server"].cert, "rb").read())
    key.write_bytes(open(certs["server"].key, "rb").read())
    srv = start_server(config="[tls]\ncert = %s\nkey = %s\n" % (cert, key),
                       args=["--tls-listen", "127.0.0.1:0"], expect_listeners=2)
    old = tls_client(srv, "old")
    assert old.server_cert_der() == certs["server"].der
    old.join("#keep")

    cert.write_bytes(open(certs["server2"].cert, "rb").read())
    key.write_bytes(open(certs["server2"].key, "rb").read())
    mark = srv.log_len()
    srv.signal(signal.SIGHUP)
    srv.wait_log("certificate reloaded", start=mark)
    new = tls_client(srv, "new")
    assert new.server_cert_der() == certs["server2"].der
    new.join("#keep")
    new.send("PRIVMSG #keep :after reload")
    old.expect(cmd("PRIVMSG", "#keep", "after reload"))

    # A broken key: the running certificate stays, and so do the connections.
    key.write_text("not a key\n")
    mark = srv.log_len()
    srv.signal(signal.SIGHUP)
    srv.wait_log(r"tls: .*live\.key.*keeping the running certificate", start=mark)
    third = tls_client(srv, "third")
    assert third.server_cert_der() == certs["server2"].der
    old.sync()
    new.sync()


def test_rehash_reloads_certificate(start_server, certs, tmp_path):
    cert, key = tmp_path / "live.crt", tmp_path / "live.key"
    cert.write_bytes(open(certs["server"].cert, "rb").read())
    key.write_bytes(open(certs["server"].key, "rb").read())
    conf = ("[tls]\ncert = %s\nkey = %s\n[oper root]\ncertfp = %s\n"
            % (cert, key, certs["alice"].fingerprint))
    srv = start_server(config=conf, args=["--tls-listen", "127.0.0.1:0"],
                       expect_listeners=2)
    op = tls_client(srv, "op", client_cert=certs["alice"])
    op.send("OPER root x")
    op.expect("381")
    cert.write_bytes(open(certs["server2"].cert, "rb").read())
    key.write_bytes(open(certs["server2"].key, "rb").read())
    mark = srv.log_len()
    op.send("REHASH")
    op.expect("382")
    srv.wait_log("certificate reloaded", start=mark)
    assert tls_client(srv, "after").server_cert_der() == certs["server2"].der
    op.sync()


# --------------------------------------------------------------------------------------
# Bad input: only that connection suffers


def test_plaintext_to_tls_port(tls_server):
    s = raw_connect(tls_server)
    s.sendall(b"NICK plain\r\nUSER plain 0 * :Plain\r\n")
    wait_eof(s)
    s.close()
    tls_server.wait_log("TLS handshake failed")
    chat_works(tls_server)


def test_garbage_handshake(tls_server):
    s = raw_connect(tls_server)
    s.sendall(os.urandom(2048))
    wait_eof(s)
    s.close()
    # A record header that claims a handshake, then nonsense.
    s = raw_connect(tls_server)
    s.sendall(b"\x16\x03\x01\x00\x40" + b"\xff" * 64)
    wait_eof(s)
    s.close()
    chat_works(tls_server)


def test_truncated_handshake(tls_server):
    hello = client_hello()
    s = raw_connect(tls_server)
    s.sendall(hello[:len(hello) // 2])
    s.shutdown(socket.SHUT_WR)
    wait_eof(s)
    s.close()
    tls_server.wait_log("TLS handshake failed")
    chat_works(tls_server)


def test_stalled_handshake_times_out(start_server, certs):
    srv = start_server(config="[tls]\nhandshake_timeout = 0.5\n",
                       args=tls_args(certs["server"]), expect_listeners=2)
    silent = raw_connect(srv)
    half = raw_connect(srv)
    hello = client_hello()
    half.sendall(hello[:len(hello) // 2])
    # Meanwhile the others are served.
    chat_works(srv)
    started = time.monotonic()
    wait_eof(silent, timeout=5)
    wait_eof(half, timeout=5)
    assert time.monotonic() - started < 4
    srv.wait_log("TLS handshake timed out")
    silent.close()
    half.close()
    chat_works(srv, "again", "again2")


def test_client_that_vanishes_mid_session(tls_server):
    """A TCP FIN without close_notify is a quit like any other."""
    a = tls_client(tls_server, "leaver")
    b = tls_client(tls_server, "stayer")
    a.join("#x")
    b.join("#x")
    a.sock.shutdown(socket.SHUT_RDWR)
    a.sock.close()
    b.expect(cmd("QUIT"))


def test_fork_children_terminate_tls(start_server, certs):
    """Fork model: each child does its client's handshake, the hub never does one."""
    srv = start_server(args=["--model", "fork"] + tls_args(certs["server"]),
                       expect_listeners=2)
    a = tls_client(srv, "forka", client_cert=certs["alice"])
    a.send("WHOIS forka")
    lines = a.collect_until("318")
    assert any(m.command == "276" and certs["alice"].fingerprint in m.trailing
               for m in lines), lines
    s = raw_connect(srv)
    s.sendall(b"NICK plain\r\nUSER plain 0 * :Plain\r\n")
    wait_eof(s)
    s.close()
    srv.wait_log(r"relay pid \d+: TLS handshake failed")
    chat_works(srv)


# --------------------------------------------------------------------------------------
# Start-up errors: one line, exit status 1


def startup(args):
    r = subprocess.run([PARLEYD, "--store", "none"] + args, capture_output=True, text=True, timeout=20,
                       stdin=subprocess.DEVNULL)
    return r.returncode, r.stderr.strip().splitlines()


def test_mismatched_key_at_startup(certs):
    status, err = startup(["--tls-listen", "127.0.0.1:0", "--tls-cert",
                           certs["server"].cert, "--tls-key", certs["alice"].key])
    assert status == 1
    assert err == ["parleyd: tls: %s: does not match the certificate"
                   % certs["alice"].key]


def test_missing_files_at_startup(certs, tmp_path):
    missing = str(tmp_path / "nope.pem")
    status, err = startup(["--tls-listen", "127.0.0.1:0", "--tls-cert", missing,
                           "--tls-key", certs["server"].key])
    assert status == 1
    assert err == ["parleyd: tls: %s: No such file or directory" % missing]
    status, err = startup(["--tls-listen", "127.0.0.1:0", "--tls-cert",
                           certs["server"].cert, "--tls-key", missing])
    assert status == 1
    assert err == ["parleyd: tls: %s: No such file or directory" % missing]


def test_garbage_files_at_startup(certs, tmp_path):
    junk = tmp_path / "junk.pem"
    junk.write_text("hello\n")
    status, err = startup(["--tls-listen", "127.0.0.1:0", "--tls-cert", str(junk),
                           "--tls-key", certs["server"].key])
    assert status == 1 and len(err) == 1
    assert err[0].startswith("parleyd: tls: %s: not a PEM certificate" % junk)
    status, err = startup(["--tls-listen", "127.0.0.1:0", "--tls-cert",
                           certs["server"].cert, "--tls-key", str(junk)])
    assert status == 1 and len(err) == 1
    assert err[0].startswith("parleyd: tls: %s: not an unencrypted PEM private key" % junk)


def test_tls_listener_without_certificate(certs):
    status, err = startup(["--tls-listen", "127.0.0.1:0"])
    assert status == 1 and len(err) == 1
    assert "needs a certificate and its key" in err[0]


# --------------------------------------------------------------------------------------
# parley-bench --tls


@pytest.mark.skipif(not os.access(PARLEY_BENCH, os.X_OK), reason="parley-bench not built")
def test_parley_bench_over_tls(start_server, certs):
    srv = start_server(config="[limits]\nmax_per_address = 0\nflood_burst = 0\n"
                              "connect_rate = 0\n[tls]\nhandshakes_per_address = 0\n",
                       args=tls_args(certs["server"]), expect_listeners=2)
    target = "127.0.0.1:%d" % srv.listeners[1][1]
    for args in (["--clients", "30", "connect"],
                 ["--clients", "6", "--senders", "2", "--duration", "0.5", "fanout"],
                 ["--pairs", "2", "--duration", "0.5", "privmsg"]):
        r = subprocess.run([PARLEY_BENCH, "--tls", "--target", target, "--timeout", "20",
                            "--json"] + args, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        assert out["ready"] is True and out["disconnects"] == 0, out
        if args[-1] != "connect":
            assert out["delivered"] > 0, out
    # The plaintext port does not speak TLS: the clients fail, the bench says so.
    r = subprocess.run([PARLEY_BENCH, "--tls", "--target", "127.0.0.1:%d" %
                        srv.listeners[0][1], "--timeout", "5", "--clients", "2",
                        "connect"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1


# --------------------------------------------------------------------------------------
# parley --tls


def parley(*args, env=None):
    return subprocess.run([PARLEY] + [str(a) for a in args], capture_output=True,
                          text=True, timeout=30, env=env, stdin=subprocess.DEVNULL)


@pytest.mark.skipif(not os.access(PARLEY, os.X_OK), reason="parley not built")
def test_parley_tls_verifies(start_server, certs):
    srv = start_server(args=tls_args(certs["server"]), expect_listeners=2)
    watcher = tls_client(srv, "watcher")
    watcher.join("#news")
    target = "127.0.0.1:%d" % srv.listeners[1][1]
    env = dict(os.environ, SSL_CERT_FILE=certs["server"].cert)
    r = parley("send", "-n", "pverify", "--tls", target, "#news", "verified", env=env)
    assert r.returncode == 0, r.stderr
    watcher.expect(cmd("PRIVMSG", "#news", "verified"))
    # Not trusted: refused, unless --insecure.
    env = dict(os.environ, SSL_CERT_FILE=certs["other"].cert)
    r = parley("send", "-n", "pnot", "--tls", target, "#news", "untrusted", env=env)
    assert r.returncode != 0
    assert "certificate" in r.stderr, r.stderr
    r = parley("send", "-n", "pinsec", "--tls", "--insecure", target, "#news", "insecure",
               env=env)
    assert r.returncode == 0, r.stderr
    watcher.expect(cmd("PRIVMSG", "#news", "insecure"))


@pytest.mark.skipif(not os.access(PARLEY, os.X_OK), reason="parley not built")
def test_parley_tls_checks_the_name(start_server, certs):
    srv = start_server(args=tls_args(certs["other"]), expect_listeners=2)
    target = "127.0.0.1:%d" % srv.listeners[1][1]
    env = dict(os.environ, SSL_CERT_FILE=certs["other"].cert)
    r = parley("send", "-n", "pname", "--tls", target, "#news", "wrong name", env=env)
    assert r.returncode != 0
