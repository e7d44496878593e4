"""A network's failures as its users see them (issue 18 item 4): a node killed, a node
restarting, NATS gone for a while, a node too slow to keep up.

The nodes run with a 0.2 s heartbeat and a 1.5 s timeout (cluster_fixture.py), so a
split shows within a few seconds.
"""
import re
import signal
import time

import pytest

from cluster_fixture import SPLIT_WITHIN, SYNC_TIMEOUT, cluster  # noqa: F401
from conftest import cmd
from test_cluster import client, join_all, names, visible, wait_names


def whois_server(c, nick):
    """The server WHOIS shows c for nick, or None when there is no such nick."""
    c.send("WHOIS %s" % nick)
    lines = c.collect_until("318")
    for m in lines:
        if m.command == "312":
            return m.param(2)
    return None


@pytest.mark.models
def test_killed_node_splits(cluster):
    """SIGKILL a node: within the timeout every other node shows its users quitting
    with the netsplit reason "<this node> <that node>", and their nicks are free."""
    a = client(cluster["n1"], "alice")
    b = client(cluster["n2"], "bob")
    c = client(cluster["n3"], "carol")
    join_all("#k", a, b, c)
    cluster.kill("n2")
    for x, here in ((a, "n1"), (c, "n3")):
        q = x.expect(lambda m: m.command == "QUIT" and m.nick == "bob",
                     timeout=SPLIT_WITHIN)
        assert q.trailing == "%s n2" % here
    assert names(a, "#k") == ["alice", "carol"]
    # The nick is free, on the node that lost it as on the others.
    d = cluster["n1"].client()
    d.register("bob")
    visible(c, "bob")
    assert whois_server(c, "bob") == "n1"


def test_restarted_node_rejoins_before_accepting(cluster):
    """A node restarting learns the network before it takes a client: its first client
    is welcomed only after the sync, and then sees every member of a channel."""
    a = client(cluster["n1"], "alice")
    c = client(cluster["n3"], "carol")
    join_all("#r", a, c)
    port = cluster["n2"].port
    cluster.kill("n2")
    srv = cluster.start_server(config=cluster.config("n2"), store=None,
                               listen=("127.0.0.1:%d" % port,))
    cluster.nodes["n2"] = srv
    # Connect at once: the kernel queues the connection, the node does not take it.
    b = srv.client()
    b.send("NICK bob")
    b.send("USER bob 0 * :Bob")
    b.expect("001", timeout=SYNC_TIMEOUT + 3)
    # One process's log is in order: the sync came before the accept.
    srv.wait_log(r"connect fd \d+ from")
    log = srv.log_text()
    synced = re.search(r"cluster: synchronised with 2 nodes", log)
    accepted = re.search(r"connect fd \d+ from", log)
    assert synced and synced.start() < accepted.start(), log
    b.collect_until(lambda m: m.command in ("376", "422"))
    assert names(b, "#r") == ["alice", "carol"]
    b.join("#r")
    for x in (a, c):
        x.expect(lambda m: m.command == "JOIN" and m.nick == "bob")


def test_nats_outage_heals(cluster):
    """NATS stopped for five seconds and started again: every node serves its own users
    meanwhile; then the network heals with nobody twice, no ghost, and a nick taken on
    two sides of the split held by one user only."""
    a = client(cluster["n1"], "alice")
    a2 = client(cluster["n1"], "amy")
    b = client(cluster["n2"], "bob")
    c = client(cluster["n3"], "carol")
    join_all("#h", a, a2, b, c)
    started = time.monotonic()
    cluster.nats.kill()
    # Local chat goes on.
    a.send("PRIVMSG amy :still here")
    assert a2.expect(cmd("PRIVMSG", "amy")).trailing == "still here"
    a.send("PRIVMSG #h :local channel")
    assert a2.expect(cmd("PRIVMSG", "#h")).trailing == "local channel"
    # Beyond the timeout, the other nodes are split off.
    quits = {}
    while len(quits) < 2:
        q = a.expect("QUIT", timeout=SPLIT_WITHIN)
        quits[q.nick] = q.trailing
    assert quits == {"bob": "n1 n2", "carol": "n1 n3"}
    # During the split: carol leaves for good, and "dup" is taken on two sides.
    c.send("QUIT :leaving")
    c.expect_closed()
    d1 = client(cluster["n1"], "dup")
    d3 = client(cluster["n3"], "dup")
    time.sleep(max(0.0, 5.0 - (time.monotonic() - started)))
    cluster.nats.start()
    b2 = b.expect(lambda m: m.command == "JOIN" and m.nick == "alice", timeout=10)
    assert b2 is not None
    # Healed: one of each, no carol, one dup.
    wait_names(a, "#h", ["alice", "amy", "bob"])
    wait_names(b, "#h", ["alice", "amy", "bob"])
    for x in (a, b):
        assert whois_server(x, "carol") is None
    holders = {whois_server(x, "dup") for x in (a, b)}
    assert len(holders) == 1 and holders <= {"n1", "n3"}, holders
    # The loser was renamed, and told.
    loser = d3 if holders == {"n1"} else d1
    m = loser.expect(lambda m: m.command == "NICK" and m.nick == "dup", timeout=5)
    assert m.param(0) != "dup"


def test_stopped_node_catches_up(cluster):
    """A node that stops reading for a while (SIGSTOP, longer than the timeout) is split
    off; once it runs again it resynchronises instead of replaying a stale view, and
    every node agrees on the channel again."""
    a = client(cluster["n1"], "alice")
    b = client(cluster["n2"], "bob")
    join_all("#s", a, b)
    cluster["n2"].signal(signal.SIGSTOP)
    try:
        q = a.expect(lambda m: m.command == "QUIT" and m.nick == "bob",
                     timeout=SPLIT_WITHIN)
        assert q.trailing == "n1 n2"
        for i in range(5):
            a.send("PRIVMSG #s :while you slept %d" % i)
    finally:
        cluster["n2"].signal(signal.SIGCONT)
    a.expect(lambda m: m.command == "JOIN" and m.nick == "bob", timeout=10)
    wait_names(a, "#s", ["alice", "bob"])
    wait_names(b, "#s", ["alice", "bob"])
    a.send("PRIVMSG #s :awake?")
    b.expect(lambda m: m.command == "PRIVMSG" and m.trailing == "awake?", timeout=5)


def test_slow_node_resynchronises(start_server, tmp_path):
    """A node that falls further behind than its queue allows (here 64 KiB) does not
    make anyone buffer for it: it drops what it cannot hold, splits from the others
    and joins again, and the network agrees afterwards."""
    from cluster_fixture import Cluster
    cluster = Cluster(start_server, tmp_path, nodes=("n1", "n2"),
                      extra="queue = 64k\n[limits]\nflood_burst = 0\n")
    a = client(cluster["n1"], "alice")
    b = client(cluster["n2"], "bob")
    join_all("#slow", a, b)
    mark = cluster["n2"].log_len()
    # Shorter than the timeout: n2 is not split off for its silence, only behind.
    cluster["n2"].signal(signal.SIGSTOP)
    try:
        for i in range(2000):
            a.send("PRIVMSG #slow :%04d %s" % (i, "x" * 200))
        a.sync(timeout=10)
        time.sleep(0.5)
    finally:
        cluster["n2"].signal(signal.SIGCONT)
    line = cluster["n2"].wait_log(r"cluster: .*(splitting from every node|joining "
                                  r"with a new boot)", timeout=10, start=mark)
    assert "queue of node lines is full" in line or "too slow" in line, line
    wait_names(a, "#slow", ["alice", "bob"])
    wait_names(b, "#slow", ["alice", "bob"])
    a.send("PRIVMSG #slow :caught up?")
    b.expect(lambda m: m.command == "PRIVMSG" and m.trailing == "caught up?",
             timeout=10)


def test_node_starts_without_nats(start_server, tmp_path):
    """NATS unreachable at start: the node starts anyway, serves its clients once
    sync_timeout has passed, and joins the network when NATS comes."""
    from cluster_fixture import NatsServer, node_config
    nats = NatsServer(tmp_path / "nats")
    start_server.finalizers.append(nats.stop)
    nats.kill()
    a_srv = start_server(config=node_config("n1", nats.url), store=None)
    a_srv.wait_log(r"NATS not reachable yet")
    a_srv.wait_log(r"cluster: sync_timeout passed", timeout=SYNC_TIMEOUT + 3)
    a = client(a_srv, "alice")
    nats.start()
    b_srv = start_server(config=node_config("n2", nats.url), store=None)
    b_srv.wait_log(r"cluster: node n1 is up", timeout=10)
    b = client(b_srv, "bob")
    visible(a, "bob")
    a.send("PRIVMSG bob :you came")
    assert b.expect(cmd("PRIVMSG", "bob")).trailing == "you came"


def test_short_nats_outage_heals(cluster):
    """NATS gone for less than the timeout: lines sent meanwhile may be lost on the way
    (each node reconnects at its own moment), so every node resynchronises when it is
    back, and the network agrees on what changed during the outage."""
    a = client(cluster["n1"], "alice")
    b = client(cluster["n2"], "bob")
    c = client(cluster["n3"], "carol")
    join_all("#short", a, b, c)
    marks = {n: cluster[n].log_len() for n in ("n1", "n2", "n3")}
    cluster.nats.kill()
    b.send("PART #short :brb")
    b.expect(cmd("PART", "#short"))
    c.send("NICK caroline")
    c.expect("NICK")
    time.sleep(0.3)
    cluster.nats.start()
    for n in ("n1", "n2", "n3"):
        cluster[n].wait_log(r"cluster: connected to NATS", timeout=10, start=marks[n])
    wait_names(a, "#short", ["alice", "caroline"])
    wait_names(c, "#short", ["alice", "caroline"])
    wait_names(b, "#short", ["alice", "caroline"])
    visible(a, "bob", "caroline")
