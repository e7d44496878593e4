"""Under systemd: readiness, reload and stop notifications to $NOTIFY_SOCKET (a datagram
socket the test binds), socket activation ($LISTEN_FDS: sockets the test binds and
passes, plain, TLS and web), and the units in etc/ verified by systemd-analyze."""
import os
import shutil
import signal
import socket
import subprocess

import pytest

from conftest import Client, PARLEYD
from test_tls import certs, tls_client  # noqa: F401 (certs: a fixture)
from test_web import WsClient, request

ETC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "etc")


@pytest.fixture
def notify(tmp_path):
    """A datagram socket standing in for systemd's; read() returns the next message."""
    path = str(tmp_path / "notify")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(5)

    class Notify:
        env = dict(os.environ, NOTIFY_SOCKET=path)

        @staticmethod
        def read():
            return s.recv(4096).decode()

    yield Notify
    s.close()


def test_ready_reloading_stopping(start_server, notify):
    srv = start_server(config="[server]\nname = irc.localhost\n", env=notify.env)
    assert notify.read() == "READY=1\nSTATUS=0 clients (0 registered), 0 channels"
    c = srv.client("alice")
    c.join("#ops")
    srv.signal(signal.SIGHUP)
    msg = notify.read()
    assert msg.startswith("RELOADING=1\nMONOTONIC_USEC="), msg
    assert int(msg.split("\n")[1].split("=")[1]) > 0
    assert msg.endswith("\nSTATUS=Reloading"), msg
    assert notify.read() == "READY=1\nSTATUS=1 clients (1 registered), 1 channels"
    srv.expected_exit = True
    srv.signal(signal.SIGTERM)
    assert notify.read() == "STOPPING=1\nSTATUS=Server shutting down"
    assert srv.wait() == 0


def test_a_failed_reload_is_ready_again(start_server, notify, tmp_path):
    conf = tmp_path / "r.conf"
    conf.write_text("[server]\nname = irc.localhost\n")
    srv = start_server(config=conf, env=notify.env)
    assert notify.read().startswith("READY=1\n")
    conf.write_text("[server]\nnope = 1\n")
    srv.signal(signal.SIGHUP)
    assert notify.read().startswith("RELOADING=1\n")
    assert notify.read().startswith("READY=1\n")
    srv.wait_log("reload failed")


def activation(socks, names):
    """preexec_fn and pass_fds for a child that gets socks as descriptors 3, 4, ...
    with LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID (its own pid, known only once it
    is forked: set in the child, whose environment execv passes on)."""
    fds = list(range(3, 3 + len(socks)))

    def preexec():
        for s, fd in zip(socks, fds):
            os.dup2(s.fileno(), fd)
        os.environ["LISTEN_FDS"] = str(len(socks))
        os.environ["LISTEN_FDNAMES"] = ":".join(names)
        os.environ["LISTEN_PID"] = str(os.getpid())
    return {"preexec_fn": preexec, "pass_fds": fds}


def listening_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    return s


def test_socket_activation(start_server, certs):  # noqa: F811
    """Two sockets passed as systemd would, named irc and tls: parleyd serves both (the
    TLS one with TLS) on their ports, and binds nothing of its configuration's."""
    plain, tls = listening_socket(), listening_socket()
    ports = [plain.getsockname()[1], tls.getsockname()[1]]
    config = ("[listen]\naddress = 127.0.0.1:1\n[tls]\ncert = %s\nkey = %s\n"
              % (certs["server"].cert, certs["server"].key))
    srv = start_server(config=config, listen=(), expect_listeners=2,
                       **activation([plain, tls], ["irc", "tls"]))
    plain.close()
    tls.close()
    assert [p for _, p in srv.listeners] == ports
    srv.wait_log(r"listening on 127\.0\.0\.1:%d \(tls\) \(systemd\)" % ports[1])
    srv.client("alice")
    tls_client(srv, "secure", listener=1)


def test_an_activated_proxy_listener(start_server):
    s = listening_socket()
    srv = start_server(config="[proxy]\ntrusted = 127.0.0.1\n", listen=(),
                       **activation([s], ["irc-proxy"]))
    s.close()
    c = Client(*srv.listeners[0], server=srv)
    srv.clients.append(c)
    c.send_raw(b"PROXY TCP4 192.0.2.9 127.0.0.1 1 6667\r\n")
    assert c.register("behind")[0].trailing.endswith("@192.0.2.9")


def test_an_activated_web_listener(start_server):
    """A socket named web-proxy is a web listener (HTTP and WebSocket), not a PROXY
    one: a page is served, and a WebSocket client registers from its own address."""
    irc, web = listening_socket(), listening_socket()
    port = web.getsockname()[1]
    srv = start_server(listen=(), expect_listeners=2,
                       **activation([irc, web], ["irc", "web-proxy"]))
    irc.close()
    web.close()
    srv.wait_log(r"listening on 127\.0\.0\.1:%d \(web\) \(systemd\)" % port)
    assert request(port, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")[0] == 200
    ws = WsClient(port)
    srv.clients.append(ws)
    assert ws.register("webby")[0].trailing.endswith("@127.0.0.1")


def test_a_descriptor_that_is_not_a_listener_is_refused():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    p = subprocess.run([PARLEYD, "--store", "none"], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=5, **activation([s], ["irc"]))
    s.close()
    assert p.returncode == 1
    assert b"LISTEN_FDS: descriptor 3: not a listening stream socket" in p.stderr, \
        p.stderr


def test_units_verify(tmp_path):
    """etc/parleyd.service and etc/parleyd.socket pass systemd-analyze verify (with
    ExecStart pointed at this build's parleyd; man pages are not installed here)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (package systemd)")
    with open(os.path.join(ETC, "parleyd.service")) as f:
        unit = f.read()
    assert "/usr/sbin/parleyd" in unit
    (tmp_path / "parleyd.service").write_text(unit.replace("/usr/sbin/parleyd", PARLEYD))
    shutil.copy(os.path.join(ETC, "parleyd.socket"), tmp_path / "parleyd.socket")
    p = subprocess.run([analyze, "verify", "--man=no", "parleyd.service",
                        "parleyd.socket"], cwd=tmp_path, capture_output=True, timeout=60)
    assert p.returncode == 0 and not p.stderr.strip(), p.stderr.decode()
