"""Behind a load balancer: the PROXY protocol (v1 and v2) on the listeners marked for it,
from trusted sources only.  A client's real address, as the header names it, is the one
WHOIS shows and the per-address limits count; anybody else sending to a PROXY listener,
a malformed header and a late one are refused.  The haproxy tests run Debian's haproxy
on ephemeral ports with a configuration they write."""
import os
import shutil
import socket
import ssl
import struct
import subprocess
import time

import pytest

from conftest import Client, PARLEYD, cmd, free_port
from test_tls import certs  # noqa: F401 (a fixture)

PROXY_CONFIG = "[listen]\nproxy_address = 127.0.0.1:0\n[proxy]\ntrusted = %s\n"
V2_SIG = b"\r\n\r\n\0\r\nQUIT\n"


def proxy_server(start_server, trusted="127.0.0.1", extra="", **kw):
    return start_server(config=PROXY_CONFIG % trusted + extra, listen=(), **kw)


def whois_host(c, nick):
    c.send("WHOIS %s" % nick)
    m = c.expect("311")
    c.expect("318")
    return m.params[3]


def raw_client(srv, header, listener=0):
    host, port = srv.listeners[listener]
    c = Client(host, port, server=srv, name="proxied")
    srv.clients.append(c)
    c.send_raw(header)
    return c


@pytest.mark.models
def test_v1_header_gives_the_real_address(start_server):
    """The header and the first lines in one write: the lines are not lost, and the
    client's address is the header's."""
    srv = proxy_server(start_server)
    c = raw_client(srv, b"PROXY TCP4 192.0.2.7 127.0.0.1 56324 6667\r\n")
    burst = c.register("alice")
    assert burst[0].trailing.endswith("alice!alice@192.0.2.7"), burst[0].line
    assert whois_host(c, "alice") == "192.0.2.7"
    srv.wait_log(r"PROXY header from 127\.0\.0\.1:\d+: 192\.0\.2\.7:56324")


def test_header_and_lines_in_one_write(start_server):
    srv = proxy_server(start_server)
    c = raw_client(srv, b"PROXY TCP4 192.0.2.8 127.0.0.1 1 6667\r\nNICK bob\r\n"
                        b"USER u 0 * :R\r\n")
    c.expect(cmd("001", "bob"))
    assert whois_host(c, "bob") == "192.0.2.8"


def test_v2_header_ipv6_and_a_header_in_pieces(start_server):
    """A v2 header (IPv6, with a TLV) sent a byte at a time."""
    srv = proxy_server(start_server)
    src = socket.inet_pton(socket.AF_INET6, "2001:db8::42")
    body = src + bytes(16) + struct.pack("!HH", 4242, 6667) + b"\x04\x00\x01\x00"
    header = V2_SIG + b"\x21\x21" + struct.pack("!H", len(body)) + body
    c = raw_client(srv, b"")
    for i in range(len(header)):
        c.send_raw(header[i:i + 1])
        time.sleep(0.005)
    c.register("carol")
    assert whois_host(c, "carol") == "2001:db8::42"


def test_v2_local_keeps_the_proxy_address(start_server):
    srv = proxy_server(start_server)
    c = raw_client(srv, V2_SIG + b"\x20\x00\x00\x00")
    c.register("dave")
    assert whois_host(c, "dave") == "127.0.0.1"


def closed_with(c, line):
    lines = c.expect_closed(timeout=3)
    assert [m.line for m in lines] == [line], lines


def test_untrusted_source_is_refused(start_server):
    srv = proxy_server(start_server, trusted="10.0.0.0/8")
    c = raw_client(srv, b"PROXY TCP4 192.0.2.7 127.0.0.1 56324 6667\r\n")
    closed_with(c, "ERROR :Closing Link: 127.0.0.1 (Not a trusted proxy)")
    # A trusted source on the same server is served.
    srv2 = proxy_server(start_server, trusted="10.0.0.0/8, 127.0.0.2")
    host, port = srv2.listeners[0]
    ok = Client(host, port, server=srv2, source="127.0.0.2")
    srv2.clients.append(ok)
    ok.send_raw(b"PROXY TCP4 192.0.2.7 127.0.0.1 56324 6667\r\n")
    ok.register("erin")


def test_bad_and_late_headers_are_refused(start_server):
    srv = proxy_server(start_server, extra="timeout = 0.3\n")
    closed_with(raw_client(srv, b"NICK alice\r\n"),
                "ERROR :Closing Link: 127.0.0.1 (Bad PROXY header)")
    closed_with(raw_client(srv, b"PROXY TCP4 192.0.2.7 127.0.0.1 99999 1\r\n"),
                "ERROR :Closing Link: 127.0.0.1 (Bad PROXY header)")
    started = time.monotonic()
    closed_with(raw_client(srv, b"PROXY TCP4 192.0"),
                "ERROR :Closing Link: 127.0.0.1 (PROXY header timed out)")
    assert 0.2 < time.monotonic() - started < 2.5


def test_limits_count_the_real_address(start_server):
    """max_per_address = 1: a second client from 192.0.2.7 is refused by its real
    address, one from 192.0.2.8 through the same proxy is not."""
    srv = proxy_server(start_server, extra="[limits]\nmax_per_address = 1\nexempt =\n")
    first = raw_client(srv, b"PROXY TCP4 192.0.2.7 127.0.0.1 1 6667\r\n")
    first.register("first")
    closed_with(raw_client(srv, b"PROXY TCP4 192.0.2.7 127.0.0.1 2 6667\r\n"),
                "ERROR :Closing Link: 192.0.2.7 (Too many connections from your address)")
    raw_client(srv, b"PROXY TCP4 192.0.2.8 127.0.0.1 3 6667\r\n").register("other")


@pytest.mark.models
def test_tls_after_the_header(start_server, certs):  # noqa: F811
    srv = start_server(config="[listen]\nproxy_tls_address = 127.0.0.1:0\n"
                              "[proxy]\ntrusted = 127.0.0.1\n[tls]\ncert = %s\nkey = %s\n"
                              % (certs["server"].cert, certs["server"].key), listen=())
    host, port = srv.listeners[0]
    c = Client(host, port, server=srv, name="tls")
    srv.clients.append(c)
    c.send_raw(b"PROXY TCP4 198.51.100.3 127.0.0.1 1 6697\r\n")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    c.sock = ctx.wrap_socket(c.sock, server_hostname="localhost")
    c.register("secure")
    assert whois_host(c, "secure") == "198.51.100.3"


def test_a_proxy_listener_needs_trusted_sources(tmp_path):
    conf = tmp_path / "p.conf"
    conf.write_text("[listen]\nproxy_address = 127.0.0.1:0\n")
    # No store: a store file left at the default path is no business of this test.
    p = subprocess.run([PARLEYD, "--config", str(conf), "--store", "none"],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=5)
    assert p.returncode == 1
    assert b"127.0.0.1:0: a PROXY listener needs [proxy] trusted sources" in p.stderr, \
        p.stderr


# -- haproxy

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


@pytest.fixture
def haproxy(tmp_path):
    """start(backend_port, option): haproxy in front of 127.0.0.1:backend_port with the
    server option given (send-proxy, send-proxy-v2); returns its frontend port."""
    if not os.access(HAPROXY, os.X_OK):
        pytest.skip("haproxy is not installed (scripts/deps.sh test)")
    procs = []

    def start(backend_port, option):
        port = free_port()
        cfg = tmp_path / ("haproxy-%s.cfg" % option)
        cfg.write_text(
            "defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n"
            "  timeout server 30s\n"
            "frontend irc\n  bind 127.0.0.1:%d\n  default_backend parley\n"
            "backend parley\n  server p 127.0.0.1:%d %s\n" % (port, backend_port, option))
        p = subprocess.Popen([HAPROXY, "-db", "-f", str(cfg)], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(p)
        deadline = time.monotonic() + 5
        while True:
            assert p.poll() is None, p.stderr.read().decode()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "haproxy did not listen"
                time.sleep(0.05)
        return port

    yield start
    for p in procs:
        p.terminate()
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


@pytest.mark.parametrize("option", ["send-proxy", "send-proxy-v2"])
def test_through_haproxy_whois_shows_the_real_address(start_server, haproxy, option):
    """Clients from 127.0.0.5 and 127.0.0.6 through haproxy (which connects from
    127.0.0.1): each is shown by its own address, to itself and to the other."""
    srv = proxy_server(start_server)
    port = haproxy(srv.listeners[0][1], option)
    behind = []
    for nick, source in (("alice", "127.0.0.5"), ("bob", "127.0.0.6")):
        c = Client("127.0.0.1", port, server=srv, name=nick, source=source)
        srv.clients.append(c)
        burst = c.register(nick)
        assert burst[0].trailing.endswith("%s!%s@%s" % (nick, nick, source)), burst[0].line
        behind.append(c)
    assert whois_host(behind[0], "alice") == "127.0.0.5"
    assert whois_host(behind[0], "bob") == "127.0.0.6"


# -- WEBIRC

from test_oper import hash_password  # noqa: E402

GATEWAY_PASSWORD = "g4teway"


@pytest.fixture(scope="module")
def gateway_hash():
    p = hash_password(GATEWAY_PASSWORD + "\n")
    assert p.returncode == 0, p.stderr
    return p.stdout.decode().strip()


def test_webirc_from_a_configured_gateway(start_server, gateway_hash):
    """A gateway on 127.0.0.1 with its [webirc] block's password names its user's
    address, in the welcome and in WHOIS; a wrong password is refused and closed."""
    srv = start_server(config="[webirc far]\npassword = %s\nhost = 10.*\n"
                              "[webirc kiwi]\npassword = %s\nhost = 127.0.0.*\n"
                       % (gateway_hash, gateway_hash))
    c = srv.client()
    c.send("WEBIRC %s kiwiirc user.example 198.51.100.20" % GATEWAY_PASSWORD)
    burst = c.register("webuser")
    assert burst[0].trailing.endswith("webuser!webuser@198.51.100.20"), burst[0].line
    assert whois_host(c, "webuser") == "198.51.100.20"
    srv.wait_log(r"WEBIRC gateway kiwi \(127\.0\.0\.1\): client 198\.51\.100\.20")
    bad = srv.client()
    bad.send("WEBIRC wrong kiwiirc user.example 198.51.100.21")
    closed_with(bad, "ERROR :Closing Link: 127.0.0.1 (WEBIRC refused)")
    srv.wait_log(r"WEBIRC from 127\.0\.0\.1 refused: bad password")


def test_webirc_without_a_block_for_the_gateway(start_server, gateway_hash):
    srv = start_server(config="[webirc far]\npassword = %s\nhost = 10.*\n" % gateway_hash)
    c = srv.client()
    c.send("WEBIRC %s kiwiirc user.example 198.51.100.20" % GATEWAY_PASSWORD)
    closed_with(c, "ERROR :Closing Link: 127.0.0.1 (WEBIRC refused)")


@pytest.mark.parametrize("block,line,reason", [
    ("[webirc kiwi]\nhost = 127.0.0.1\n", 1, "[webirc kiwi] has no password"),
    ("[webirc kiwi]\npassword = hunter2\n", 2, "password: "),
    ("[webirc kiwi]\npassword = HASH\nhost = *@127.0.0.1\n", 3,
     "host: '*@127.0.0.1' is not an address mask"),
    ("[webirc kiwi]\npassword = HASH\n[webirc kiwi]\npassword = HASH\n", 3,
     "[webirc kiwi] appears twice"),
    ("[webirc kiwi]\npassword = HASH\nname = x\n", 3, "unknown key 'name' in [webirc kiwi]"),
])
def test_bad_webirc_blocks_are_refused(tmp_path, gateway_hash, block, line, reason):
    conf = tmp_path / "bad.conf"
    conf.write_text(block.replace("HASH", gateway_hash))
    p = subprocess.run([PARLEYD, "--config", str(conf), "--store", "none", "--listen",
                        "127.0.0.1:0"],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=5)
    assert p.returncode == 1
    err = p.stderr.decode()
    assert err.startswith("parleyd: %s:%d: %s" % (conf, line, reason)), err
