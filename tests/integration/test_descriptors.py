"""Descriptors and addresses: one address cannot take every descriptor.

Written like a remote attacker: small receive buffers, several source addresses on
loopback (127.0.0.2, 127.0.0.3, ...: each socket is bound to its source before it
connects), parleyd run with few descriptors.  A connection counts against its address
from accept to close (TLS handshake and linger included), a refused one is closed at
once, descriptors running short keep room for new addresses, connecting too fast is
throttled, and parleyd takes every descriptor its hard limit allows.
"""
import resource
import selectors
import socket
import ssl
import time

import pytest

from conftest import fd_count, raise_nofile
from test_hostile import read_until_closed
from test_tls import certs, tls_args  # noqa: F401 (certs: a fixture)

RCVBUF = 4096
TOO_MANY = b"ERROR :Closing Link: %s (Too many connections from your address)\r\n"
TOO_FAST = b"ERROR :Closing Link: %s (Connecting too fast; try again later)\r\n"
HANDSHAKES = b"ERROR :Closing Link: %s (Too many TLS handshakes from your address)\r\n"
FULL = b"ERROR :Server is full\r\n"
# Loopback is exempt from the per-address limits by default: these tests play remote
# attackers from 127.0.x.y, so they exempt nothing.
NOT_EXEMPT = "[limits]\nexempt =\n"


def nofile(n):
    """preexec_fn: run the server with n descriptors, soft and hard."""
    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
    return limit


def connect_from(src, port, dst="127.0.0.1"):
    """A non-blocking TCP connection from source address src, with a small buffer."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
    s.bind((src, 0))
    s.settimeout(5)
    s.connect((dst, port))
    s.setblocking(False)
    return s


def read_for(s, want, timeout=5.0):
    """Read s until want is in what came, or EOF; return what came and whether EOF."""
    got = b""
    sel = selectors.DefaultSelector()
    sel.register(s, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    try:
        while want not in got and time.monotonic() < deadline:
            if not sel.select(0.1):
                continue
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                return got, True
            if not data:
                return got, True
            got += data
    finally:
        sel.close()
    return got, False


def register(s, nick, timeout=5.0):
    """Register on s; return what the server sent until its 001 (asserted)."""
    s.sendall(b"NICK %s\r\nUSER u 0 * :u\r\n" % nick.encode())
    got, _ = read_for(s, b" 001 %s :" % nick.encode(), timeout)
    assert b" 001 %s :" % nick.encode() in got, got
    return got


def refused_with(s, line, timeout=5.0):
    """s is told line, and nothing else, then closed by the server."""
    got, eof = read_for(s, b"\0", timeout)
    assert eof and got == line, (got, eof)


def wait_fds(pid, most, timeout):
    """Wait until the server holds at most `most` descriptors; return its count."""
    deadline = time.monotonic() + timeout
    while fd_count(pid) > most and time.monotonic() < deadline:
        time.sleep(0.02)
    return fd_count(pid)


def children(pid):
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        return len(f.read().split())


@pytest.mark.models
def test_silent_tls_from_one_address_leave_room_for_another(start_server, certs):
    """600 connections from 127.0.0.2 that never send their ClientHello, with parleyd at
    512 descriptors and its default limits (loopback not exempt, as a remote address):
    a newcomer from 127.0.0.3 registers, and 127.0.0.2 holds no more than
    max_per_address (32) of them."""
    raise_nofile(2048)
    srv = start_server(config=NOT_EXEMPT, args=tls_args(certs["server"]),
                       expect_listeners=2,
                       preexec_fn=nofile(512), log_level="info")
    tls_port = srv.listeners[1][1]
    silent = [connect_from("127.0.0.2", tls_port) for _ in range(600)]
    try:
        newcomer = connect_from("127.0.0.3", srv.port)
        register(newcomer, "newcomer")
        # The ones over the limit are told so and closed at once; the held ones wait
        # in their handshake (10 s by default).
        _, still_open = read_until_closed(silent, timeout=3)
        assert len(still_open) <= 32, "%d handshakes held" % len(still_open)
        newcomer.close()
    finally:
        for s in silent:
            s.close()


def test_short_descriptors_keep_room_for_new_addresses(start_server):
    """No per-address limit and no throttle: 600 silent connections from 127.0.0.2 take
    descriptors only until 3/4 of them are in use; a newcomer from 127.0.0.3 still
    registers."""
    raise_nofile(2048)
    srv = start_server(config=NOT_EXEMPT + "max_per_address = 0\nconnect_rate = 0\n",
                       preexec_fn=nofile(512), log_level="info")
    flood = [connect_from("127.0.0.2", srv.port) for _ in range(600)]
    try:
        got, still_open = read_until_closed(flood, timeout=3)
        assert len(still_open) <= 512 * 3 // 4, "%d held" % len(still_open)
        assert len(still_open) >= 512 // 2, "only %d held" % len(still_open)
        assert all(data == FULL for s, data in got.items() if s not in still_open)
        newcomer = connect_from("127.0.0.3", srv.port)
        register(newcomer, "newcomer")
        newcomer.close()
    finally:
        for s in flood:
            s.close()


@pytest.mark.models
def test_refused_connections_do_not_linger(start_server):
    """A connection over max_per_address gets its ERROR line and is closed at once: the
    server does not keep its descriptor (or, under the fork model, a child) for the
    linger time, though the peer keeps its end open."""
    raise_nofile(2048)
    srv = start_server(config=NOT_EXEMPT + "max_per_address = 2\n[timeouts]\nlinger = 10\n")
    held = [connect_from("127.0.0.2", srv.port) for _ in range(2)]
    for i, s in enumerate(held):
        register(s, "held%d" % i)
    base_fds, base_children = fd_count(srv.pid), children(srv.pid)
    refused = [connect_from("127.0.0.2", srv.port) for _ in range(50)]
    try:
        for s in refused:
            refused_with(s, TOO_MANY % b"127.0.0.2")
        # Well within the 10 s linger: the server has let every refused one go.
        assert wait_fds(srv.pid, base_fds, timeout=1) <= base_fds
        assert children(srv.pid) <= base_children
        other = connect_from("127.0.0.3", srv.port)
        register(other, "other")
        other.close()
    finally:
        for s in refused + held:
            s.close()


@pytest.mark.models
def test_closing_connections_keep_their_slot(start_server):
    """An address's slot is given back when the descriptor is closed, not when the
    client quits: two that QUIT but do not close keep 127.0.0.2 at max_per_address while
    the server lingers on them."""
    srv = start_server(config=NOT_EXEMPT + "max_per_address = 2\n[timeouts]\nlinger = 10\n")
    quitters = [connect_from("127.0.0.2", srv.port) for _ in range(2)]
    for i, s in enumerate(quitters):
        register(s, "q%d" % i)
        s.sendall(b"QUIT :bye\r\n")
        got, eof = read_for(s, b"\0")
        assert eof and b"ERROR :Closing Link" in got, got
    base_fds = fd_count(srv.pid)
    third = connect_from("127.0.0.2", srv.port)
    refused_with(third, TOO_MANY % b"127.0.0.2")
    third.close()
    for s in quitters:
        s.close()
    # Their FIN ends the linger; then 127.0.0.2 may connect again.
    assert wait_fds(srv.pid, base_fds - 2, timeout=5) <= base_fds - 2
    again = connect_from("127.0.0.2", srv.port)
    register(again, "again")
    again.close()


def test_connect_churn_is_throttled(start_server):
    """connect_rate = 5 in connect_window = 60 s: five connect, register and quit from
    127.0.0.2; the sixth is refused at once with the documented ERROR, another address
    is not."""
    srv = start_server(config=NOT_EXEMPT + "connect_rate = 5\nconnect_window = 60\n")
    for i in range(5):
        s = connect_from("127.0.0.2", srv.port)
        register(s, "churn%d" % i)
        s.sendall(b"QUIT\r\n")
        read_for(s, b"\0")
        s.close()
    sixth = connect_from("127.0.0.2", srv.port)
    refused_with(sixth, TOO_FAST % b"127.0.0.2")
    sixth.close()
    other = connect_from("127.0.0.3", srv.port)
    register(other, "other")
    other.close()


def tls_register(s, nick, timeout=5.0):
    """Finish a TLS handshake on connected socket s, register, return the TLS socket."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s.setblocking(True)
    s.settimeout(timeout)
    t = ctx.wrap_socket(s, server_hostname="localhost")
    t.sendall(b"NICK %s\r\nUSER u 0 * :u\r\n" % nick.encode())
    got = b""
    deadline = time.monotonic() + timeout
    while b" 001 %s :" % nick.encode() not in got and time.monotonic() < deadline:
        data = t.recv(65536)
        assert data, got
        got += data
    assert b" 001 %s :" % nick.encode() in got, got
    return t


@pytest.mark.models
def test_handshakes_are_bounded_per_address_and_in_all(start_server, certs):
    """handshakes_per_address = 2 and max_handshakes = 4: a third silent handshake from
    one address is refused, and a fifth in all; a plaintext client is not held back,
    and a TLS client is served once a silent one has gone."""
    srv = start_server(config=NOT_EXEMPT +
                       "[tls]\nhandshakes_per_address = 2\nmax_handshakes = 4\n",
                       args=tls_args(certs["server"]), expect_listeners=2)
    tls_port = srv.listeners[1][1]
    silent = [connect_from("127.0.0.2", tls_port) for _ in range(2)]
    try:
        refused_with(connect_from("127.0.0.2", tls_port), HANDSHAKES % b"127.0.0.2")
        silent += [connect_from(src, tls_port) for src in ("127.0.0.3", "127.0.0.4")]
        refused_with(connect_from("127.0.0.5", tls_port), FULL)
        plain = connect_from("127.0.0.2", srv.port)
        register(plain, "plain")
        _, still_open = read_until_closed(silent, timeout=0.5)
        assert len(still_open) == 4
        base_fds = fd_count(srv.pid)
        silent.pop().close()
        assert wait_fds(srv.pid, base_fds - 1, timeout=5) <= base_fds - 1
        t = tls_register(connect_from("127.0.0.5", tls_port), "secure")
        t.close()
        plain.close()
    finally:
        for s in silent:
            s.close()


def test_descriptor_limit_raised_to_the_hard_limit(start_server):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard <= 256:
        pytest.skip("needs a finite hard descriptor limit above 256, not %r" % hard)

    def low_soft():
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))

    srv = start_server(preexec_fn=low_soft, log_level="info")
    srv.wait_log(r"descriptors: %d$" % hard)
    with open("/proc/%d/limits" % srv.pid) as f:
        line = [ln for ln in f if ln.startswith("Max open files")][0]
    assert line.split()[3:5] == [str(hard), str(hard)], line
