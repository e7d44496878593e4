"""Connection policy: loopback is exempt from the per-address limits by default, an
operator names the exempt ranges ([limits] exempt), and an address is its first
ipv4_prefix bits.  Each connection comes from a source address of its own choosing on
127.0.x.y (bound before it connects)."""
import subprocess

from conftest import PARLEYD
from test_descriptors import (TOO_FAST, TOO_MANY, connect_from, read_until_closed,
                              refused_with, register)


def test_loopback_is_exempt_by_default(start_server):
    """max_per_address = 2 and connect_rate = 2: 20 connections from 127.0.0.2 are all
    held and registered, as a bouncer on the same host would need."""
    srv = start_server(config="[limits]\nmax_per_address = 2\nconnect_rate = 2\n")
    socks = [connect_from("127.0.0.2", srv.port) for _ in range(20)]
    try:
        _, still_open = read_until_closed(socks, timeout=0.5)
        assert len(still_open) == 20
        for i, s in enumerate(socks):
            register(s, "b%d" % i)
    finally:
        for s in socks:
            s.close()


def test_configured_exempt_ranges(start_server):
    """exempt = 127.0.0.2, 127.0.3.0/24: those sources are not limited, and the rest of
    loopback now is."""
    srv = start_server(config="[limits]\nexempt = 127.0.0.2, 127.0.3.0/24\n"
                              "max_per_address = 2\nconnect_rate = 0\n")
    socks = [connect_from(src, srv.port) for src in ["127.0.0.2"] * 5 + ["127.0.3.9"] * 5]
    socks += [connect_from("127.0.0.3", srv.port) for _ in range(2)]
    try:
        _, still_open = read_until_closed(socks, timeout=0.5)
        assert len(still_open) == 12
        third = connect_from("127.0.0.3", srv.port)
        refused_with(third, TOO_MANY % b"127.0.0.3")
        third.close()
    finally:
        for s in socks:
            s.close()


def test_exempt_sources_are_not_throttled(start_server):
    """connect_rate = 2: an exempt source connects and quits ten times; another address
    is refused at its third."""
    srv = start_server(config="[limits]\nexempt = 127.0.0.2\nconnect_rate = 2\n"
                              "connect_window = 60\n")
    for i in range(10):
        s = connect_from("127.0.0.2", srv.port)
        register(s, "c%d" % i)
        s.close()
    for _ in range(2):
        connect_from("127.0.0.4", srv.port).close()
    fast = connect_from("127.0.0.4", srv.port)
    refused_with(fast, TOO_FAST % b"127.0.0.4")
    fast.close()


def test_ipv4_prefix_counts_a_net_as_one(start_server):
    """ipv4_prefix = 24, max_per_address = 2: 127.0.5.1 and 127.0.5.2 fill 127.0.5.0/24,
    127.0.5.3 is refused (told its own address), 127.0.6.1 is another address."""
    srv = start_server(config="[limits]\nexempt =\nipv4_prefix = 24\n"
                              "max_per_address = 2\n")
    held = [connect_from(src, srv.port) for src in ("127.0.5.1", "127.0.5.2")]
    try:
        refused = connect_from("127.0.5.3", srv.port)
        refused_with(refused, TOO_MANY % b"127.0.5.3")
        refused.close()
        other = connect_from("127.0.6.1", srv.port)
        register(other, "other")
        other.close()
    finally:
        for s in held:
            s.close()


def test_a_bad_exempt_range_is_refused(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("[limits]\nexempt = 127.0.0.0/8 10.0.0.0/40\n")
    p = subprocess.run([PARLEYD, "--config", str(conf), "--listen", "127.0.0.1:0"],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=5)
    assert p.returncode == 1
    err = p.stderr.decode()
    assert err.startswith("parleyd: %s:2: exempt: '10.0.0.0/40' is not an address or "
                          "ADDRESS/BITS" % conf), err


def test_exempt_reloads(start_server, tmp_path):
    """SIGHUP applies a new exempt list: 127.0.0.2 is limited, then exempt."""
    import signal
    conf = tmp_path / "p.conf"
    conf.write_text("[limits]\nexempt =\nmax_per_address = 1\n")
    srv = start_server(config=conf)
    held = connect_from("127.0.0.2", srv.port)
    try:
        refused_with(connect_from("127.0.0.2", srv.port), TOO_MANY % b"127.0.0.2")
        conf.write_text("[limits]\nexempt = 127.0.0.2\nmax_per_address = 1\n")
        start = srv.log_len()
        srv.signal(signal.SIGHUP)
        srv.wait_log("configuration reloaded", start=start)
        register(connect_from("127.0.0.2", srv.port), "second")
    finally:
        held.close()
