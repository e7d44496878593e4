"""One network on three nodes (issue 18): users on different nodes chat as on one server.

Each test gets nats-server and the nodes n1, n2, n3 (cluster_fixture.py).  Every
assertion is about what IRC clients see.
"""
import os
import socket
import time

import pytest

from cluster_fixture import Cluster, cluster  # noqa: F401  (the fixture)
from conftest import cmd


def client(node, nick, caps=()):
    """A client of node registered as nick, with caps acknowledged first."""
    c = node.client()
    if caps:
        c.send("CAP REQ :%s" % " ".join(caps))
        c.expect(cmd("CAP", "*", "ACK"))
        c.send("CAP END")
    c.register(nick)
    return c


def visible(c, *nicks, timeout=5.0):
    """Wait until c's node knows every nick (ISON): a user registered on another node
    reaches this one a moment later."""
    deadline = time.monotonic() + timeout
    while True:
        c.send("ISON %s" % " ".join(nicks))
        shown = set(c.expect("303").trailing.split())
        if shown >= set(nicks):
            return
        if time.monotonic() >= deadline:
            raise AssertionError("%s: %s not visible after %.1fs (ISON: %s)" % (
                c.nick, nicks, timeout, shown))
        time.sleep(0.05)


def names(c, channel):
    """The nicks NAMES shows c, without prefixes."""
    c.send("NAMES %s" % channel)
    out = []
    for m in c.collect_until("366"):
        if m.command == "353":
            out += [n.lstrip("~&@%+") for n in m.trailing.split()]
    return sorted(out)


def wait_names(c, channel, want, timeout=10.0):
    """Wait until NAMES shows c exactly the nicks want (a network converges a moment
    after one node's clients are told)."""
    want = sorted(want)
    deadline = time.monotonic() + timeout
    while True:
        got = names(c, channel)
        if got == want:
            return
        if time.monotonic() >= deadline:
            raise AssertionError("%s: NAMES %s is %s, not %s after %.1fs" % (
                c.nick, channel, got, want, timeout))
        time.sleep(0.05)


def join_all(channel, *clients, timeout=5.0):
    """Each client joins channel in turn, once its node knows every member before it,
    and every one before it sees the JOIN."""
    for i, c in enumerate(clients):
        if i > 0:
            wait_names(c, channel, [o.nick for o in clients[:i]], timeout)
        c.join(channel)
        for o in clients[:i]:
            o.expect(lambda m, c=c: m.command == "JOIN" and m.nick == c.nick)


@pytest.mark.models
def test_private_message_across_nodes(cluster):
    """PRIVMSG and NOTICE reach a user on another node, from the right source, with
    the msgid and server-time the sender's own echo shows."""
    alice = client(cluster["n1"], "alice", ("message-tags", "server-time",
                                            "echo-message"))
    bob = client(cluster["n2"], "bob", ("message-tags", "server-time"))
    visible(alice, "bob")
    alice.send("PRIVMSG bob :hello across")
    echo = alice.expect(cmd("PRIVMSG", "bob"))
    m = bob.expect(cmd("PRIVMSG", "bob"))
    assert m.trailing == "hello across"
    assert m.source.startswith("alice!")
    assert m.tags.get("msgid") and m.tags["msgid"] == echo.tags["msgid"]
    assert m.tags.get("time") and m.tags["time"] == echo.tags["time"]
    bob.send("NOTICE alice :and back")
    n = alice.expect(cmd("NOTICE", "alice"))
    assert n.trailing == "and back" and n.source.startswith("bob!")


def test_channel_spans_nodes(cluster):
    """One channel, members on three nodes: one member list, every message and event
    seen on every node once, with identical msgid and time tags."""
    caps = ("message-tags", "server-time")
    a = client(cluster["n1"], "alice", caps)
    a2 = client(cluster["n1"], "amy", caps)
    b = client(cluster["n2"], "bob", caps)
    c = client(cluster["n3"], "carol", caps)
    join_all("#span", a, a2, b, c)
    for x in (a, b, c):
        assert names(x, "#span") == ["alice", "amy", "bob", "carol"]
    a.send("PRIVMSG #span :to everyone")
    got = [x.expect(cmd("PRIVMSG", "#span")) for x in (a2, b, c)]
    assert {m.trailing for m in got} == {"to everyone"}
    assert len({m.tags["msgid"] for m in got}) == 1
    assert len({m.tags["time"] for m in got}) == 1
    # Each line once: nothing more arrives on the far nodes.
    for x in (b, c):
        x.assert_silent(cmd("PRIVMSG", "#span"))
    # Modes and the topic, set on one node, hold on the others.
    a.send("MODE #span +o carol")
    for x in (b, c):
        x.expect(lambda m: m.command == "MODE" and m.params[1:] == ["+o", "carol"])
    c.send("TOPIC #span :set on n3")
    for x in (a, b):
        t = x.expect(cmd("TOPIC", "#span"))
        assert t.trailing == "set on n3" and t.nick == "carol"
    b.send("PART #span :bye now")
    for x in (a, a2, c):
        p = x.expect(cmd("PART", "#span"))
        assert p.nick == "bob"
    assert names(a, "#span") == ["alice", "amy", "carol"]


def test_nick_unique_across_nodes(cluster):
    """A nick held on one node is in use on every other; a rename frees the old one
    everywhere and is seen by the channel's members on other nodes."""
    a = client(cluster["n1"], "alice")
    b = client(cluster["n2"], "bob")
    join_all("#n", a, b)
    x = cluster["n3"].client()
    x.send("NICK alice")
    x.send("USER x 0 * :x")
    x.expect("433")
    a.send("NICK alicia")
    m = b.expect("NICK")
    assert m.nick == "alice" and m.param(0) == "alicia"
    x.send("NICK alice")
    x.expect("001")
    b.send("WHOIS alicia")
    whois = b.collect_until("318")
    assert any(m.command == "312" and m.param(2) == "n1" for m in whois), whois


def test_quit_seen_across_nodes(cluster):
    """A user quitting on one node quits for the others, with its reason."""
    a = client(cluster["n1"], "alice")
    b = client(cluster["n2"], "bob")
    join_all("#q", a, b)
    a.send("QUIT :gone fishing")
    q = b.expect("QUIT")
    assert q.nick == "alice" and "gone fishing" in q.trailing
    b.send("ISON alice")
    assert b.expect("303").trailing.strip() == ""


def test_order_kept_across_subjects(start_server, tmp_path):
    """One node's lines keep their order whatever NATS subject carries them: a
    channel message (for every node) and a private one (for one node) alternate, and
    the receiver sees them exactly in the order they were sent."""
    # No flood control: the lines come as fast as the client sends them.
    cluster = Cluster(start_server, tmp_path, extra="[limits]\nflood_burst = 0\n")
    a = client(cluster["n1"], "alice")
    b = client(cluster["n2"], "bob")
    c = client(cluster["n3"], "carol")
    join_all("#o", a, b, c)
    visible(a, "bob")
    n = 150
    for i in range(n):
        a.send("PRIVMSG #o :c%d" % i)
        a.send("PRIVMSG bob :p%d" % i)
    seen = []
    while len(seen) < 2 * n:
        m = b.expect(lambda m: m.command == "PRIVMSG", timeout=10)
        seen.append(m.trailing)
    want = [x for i in range(n) for x in ("c%d" % i, "p%d" % i)]
    assert seen == want


def test_links_show_nodes(cluster):
    """LINKS names every node of the network."""
    a = client(cluster["n1"], "alice")
    a.send("LINKS")
    lines = a.collect_until("365")
    shown = {m.param(1) for m in lines if m.command == "364"}
    assert {"n1", "n2", "n3"} <= shown, lines


def test_cluster_metrics(start_server, tmp_path):
    """A node's metrics say how many nodes it hears and whether NATS is connected."""
    import urllib.request
    c = Cluster(start_server, tmp_path, nodes=("n1", "n2"),
                extra="[metrics]\naddress = 127.0.0.1:0\n")
    srv = c["n1"]
    line = srv.wait_log(r"metrics on http://[0-9.]+:\d+/metrics")
    url = line.split("metrics on ")[1].strip()
    text = urllib.request.urlopen(url, timeout=5).read().decode()
    assert "parley_cluster_nodes_up 1\n" in text
    assert "parley_cluster_nats_connected 1\n" in text


@pytest.mark.parametrize("text, why", [
    ("nats_url = 127.0.0.1\n", "is not a NATS URL"),
    ("nats_url = nats://127.0.0.1:4222\nnats_url = nats://127.0.0.1:4222\n",
     "listed twice"),
    ("nats_url = nats://127.0.0.1:4222\nnode = a_b\n", "is not a node name"),
    ("nats_url = nats://127.0.0.1:4222\nheartbeat = 2\ntimeout = 1\n",
     "must be longer than the heartbeat"),
    ("nats_url = nats://127.0.0.1:4222\ntls_cert = c.pem\n", "go together"),
])
def test_cluster_settings_checked(tmp_path, text, why):
    """A [cluster] section that cannot work stops the start with one line saying why."""
    import subprocess
    from conftest import PARLEYD
    conf = tmp_path / "c.conf"
    conf.write_text("[cluster]\n" + text)
    p = subprocess.run([PARLEYD, "--config", str(conf), "--store", "none"],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 1 and why in p.stderr, p.stderr


def test_no_cluster_without_nats_url(start_server):
    """An empty nats_url (as in the example file) is a single server: nothing of NATS
    starts, and the server's name stays its own."""
    srv = start_server(config="[server]\nname = irc.localhost\n[cluster]\nnats_url =\n"
                       "node = n9\n")
    c = client(srv, "alice")
    c.send("LINKS")
    assert [m.param(1) for m in c.collect_until("365") if m.command == "364"] == [
        "irc.localhost"]
    assert "cluster:" not in srv.log_text()


def test_systemd_ready_after_sync(start_server, tmp_path):
    """Under systemd a node is READY once it has the network's state, and its STATUS
    says how many other nodes it hears."""
    from cluster_fixture import node_config
    c = Cluster(start_server, tmp_path, nodes=("n1",))
    path = str(tmp_path / "notify")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(10)
    try:
        srv = start_server(config=node_config("n2", c.nats.url), store=None,
                           env=dict(os.environ, NOTIFY_SOCKET=path))
        msg = s.recv(4096).decode()
        assert msg.startswith("READY=1\nSTATUS="), msg
        assert msg.endswith("; 1 other nodes, NATS connected"), msg
        srv.wait_log(r"cluster: synchronised with 1 nodes")
    finally:
        s.close()
