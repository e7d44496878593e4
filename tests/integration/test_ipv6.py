"""IPv6 listeners, alone and beside an IPv4 one."""
import pytest

from conftest import ipv6_available

# Listeners and peer addresses: each concurrency model accepts and passes on the address
# its own way, so ctest runs this file under every --model.
pytestmark = [pytest.mark.models,
              pytest.mark.skipif(not ipv6_available(), reason="::1 is not available here")]


def test_ipv6_listener(start_server):
    srv = start_server(listen=("[::1]:0",))
    assert srv.host == "::1"
    c = srv.client()
    burst = c.register("alice")
    host = burst[0].trailing.rsplit("@", 1)[1]
    assert host in ("::1", "0::1"), burst[0].line
    c.send("PING v6")
    assert c.expect("PONG").trailing == "v6"


def test_ipv4_and_ipv6_listeners_together(start_server):
    srv = start_server(listen=("127.0.0.1:0", "[::1]:0"))
    hosts = sorted(h for h, _ in srv.listeners)
    assert hosts == ["127.0.0.1", "::1"], srv.listeners
    v4 = srv.listeners.index(next(l for l in srv.listeners if l[0] == "127.0.0.1"))
    v6 = 1 - v4
    a = srv.client("alice", listener=v4)
    b = srv.client("bob", listener=v6)
    a.join("#both")
    b.join("#both")
    a.send("PRIVMSG #both :from v4")
    assert b.expect("PRIVMSG").trailing == "from v4"
    b.send("PRIVMSG alice :from v6")
    m = a.expect("PRIVMSG")
    assert m.trailing == "from v6"
    assert m.source.rsplit("@", 1)[1] in ("::1", "0::1"), m.line


def test_ipv6_listener_from_config(start_server):
    srv = start_server(config="[listen]\naddress = [::1]:0\naddress = 127.0.0.1:0\n",
                       listen=(), expect_listeners=2)
    for i in range(2):
        srv.client("user%d" % i, listener=i)


def test_ipv6_ping_timeout_host(start_server):
    srv = start_server(listen=("[::1]:0",),
                       config="[timeouts]\nregistration = 0.5\n")
    c = srv.client()
    lines = c.expect_closed(timeout=3)
    assert lines and lines[-1].command == "ERROR", lines
    assert lines[-1].trailing.endswith("(Registration timed out)")


def test_ipv6_host_in_who_is_one_parameter(start_server):
    """A host that starts with ':' would turn the rest of a 352 line into one trailing
    parameter; the host must stay a middle parameter (servers write ::1 as 0::1)."""
    srv = start_server(listen=("[::1]:0",))
    a = srv.client("alice")
    a.join("#v6")
    a.send("WHO #v6")
    row = a.expect("352")
    # 352 me #chan user host server nick flags :hops realname
    assert len(row.params) == 8, row.line
    assert row.params[3] in ("::1", "0::1") and row.params[5] == "alice", row.line
    a.send("WHO alice")
    row = a.expect("352")
    assert len(row.params) == 8 and row.params[5] == "alice", row.line
