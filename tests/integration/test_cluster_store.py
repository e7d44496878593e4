"""Accounts, registered channels and history on a network (issue 18): the nodes n1,
n2, n3 of cluster_fixture.py, each with a [store] path of its own, keep them in the
network's JetStream store, so whatever one node stores any other serves.

A node started with --store none keeps nothing and serves no account; SIGUSR2 on a
node is refused, and the node serves on.  Every wait is bounded; every assertion is about what IRC clients see.
"""
import signal
import threading
import time

import pytest

from accounts_steps import PASSWORD, register, sasl_plain as plain
from cluster_fixture import Cluster
from conftest import cmd

ACCOUNTS = ("[accounts]\nargon2_passes = 1\nargon2_memory = 8k\nfail_limit = 100000\n"
            "[limits]\nconnect_rate = 0\nmax_per_address = 0\n")
HCAPS = "draft/chathistory batch server-time message-tags"


@pytest.fixture
def network(start_server, tmp_path):
    """n1, n2, n3 over one nats-server, each with its own store path (so its own
    history index file) and the JetStream store of the network."""
    net = Cluster(start_server, tmp_path, extra=ACCOUNTS)
    for name in net.names:
        net[name].wait_log(r"store: .*%s\.db \(jetstream\)" % name)
    return net


def until(what, check, timeout=10.0):
    """check() until it is true; an AssertionError naming what after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() >= deadline:
            raise AssertionError("not within %.0fs: %s" % (timeout, what))
        time.sleep(0.05)


def connect(srv, nick, caps=HCAPS):
    c = srv.client()
    c.send("CAP REQ :%s" % caps)
    c.expect(cmd("CAP", "*", "ACK"))
    c.send("CAP END")
    c.register(nick)
    return c


def visible(c, nick):
    """Wait until c's node knows nick (ISON)."""
    def seen():
        c.send("ISON %s" % nick)
        return nick.lower() in c.expect("303").trailing.lower().split()
    until("%s sees %s" % (c.nick, nick), seen)


def history(c, *params):
    """CHATHISTORY params...: the (source nick, text) of the batch's PRIVMSGs."""
    c.send("CHATHISTORY %s" % " ".join(params))
    start = c.expect(lambda m: m.command in ("BATCH", "FAIL"), timeout=10)
    assert start.command == "BATCH", start.line
    ref = start.params[0][1:]
    lines = c.collect_until(lambda m: m.command == "BATCH" and m.params[0] == "-" + ref)
    return [(m.nick, m.param(-1)) for m in lines[:-1] if m.command == "PRIVMSG"]


def test_account_registered_on_one_logs_in_on_the_others(network):
    """REGISTER through n1: SASL PLAIN logs in through n2 and n3 (a wrong password
    does not), and n1's WHOIS of the user on n2 names the account (330)."""
    assert register(network["n1"], "alice").command == "REGISTER"
    on2 = until("alice logs in on n2", lambda: plain(network["n2"], "alice", "alice"))
    on3 = plain(network["n3"], "alice3", "alice")
    assert on3 is not None
    on3.close()
    assert plain(network["n3"], "mallory", "alice", password="wrong") is None
    asker = connect(network["n1"], "asker")
    visible(asker, "alice")

    def logged_in():
        asker.send("WHOIS alice")
        lines = asker.collect_until("318")
        return [m for m in lines if m.command == "330"]
    m = until("n1's WHOIS alice shows 330", logged_in)[0]
    assert m.params[1:3] == ["alice", "alice"], m.line
    on2.close()


def test_nickserv_identify_on_another_node(network):
    """An account registered with NickServ on n1 identifies with NickServ on n3."""
    a = connect(network["n1"], "bob")
    a.send("PRIVMSG NickServ :REGISTER %s" % PASSWORD)
    a.expect("900", timeout=15)
    a.close()
    b = connect(network["n3"], "robert")
    b.send("PRIVMSG NickServ :IDENTIFY bob %s" % PASSWORD)
    m = b.expect(lambda m: m.command in ("900", "NOTICE") and
                 (m.command == "900" or "nvalid" in m.trailing), timeout=15)
    assert m.command == "900" and m.param(2) == "bob", m.line


def test_channel_founder_recognised_on_another_node(network):
    """ChanServ REGISTER #keep on n1: ChanServ INFO on n2 names the founder, and the
    founder, logged in on n2, gets op joining there once the channel is empty."""
    assert register(network["n1"], "carol").command == "REGISTER"
    a = plain(network["n1"], "carol", "carol")
    a.join("#keep")
    a.send("CHANSERV REGISTER #keep")
    a.expect(lambda m: m.command == "NOTICE" and
             m.trailing == "#keep is registered to carol", timeout=15)
    a.close()
    o = connect(network["n2"], "other")

    def info():
        o.send("CHANSERV INFO #keep")
        m = o.expect(lambda m: m.command == "NOTICE" and "#keep" in m.trailing)
        return "founder carol" in m.trailing
    until("n2's ChanServ INFO names carol", info)
    o.close()
    b = plain(network["n2"], "carol", "carol")
    until("carol is gone from #keep on n2",
          lambda: (b.send("NAMES #keep"), [m for m in b.collect_until("366")
                                            if m.command == "353"] == [])[1])
    b.join("#keep")
    m = b.expect(cmd("MODE", "#keep"))
    assert m.source.startswith("ChanServ!") and m.params[1:] == ["+o", "carol"], m.line


def test_channel_history_stored_once(network):
    """A line in #talk, with members on n1 and n2, said on n1: CHATHISTORY LATEST
    through n3 (by a member who joined later) returns it exactly once (the origin node appends it; the others, which
    deliver it, do not), and so do n1 and n2."""
    a = connect(network["n1"], "dave")
    a.join("#talk")
    b = connect(network["n2"], "erin")
    visible(b, "dave")
    b.join("#talk")
    a.expect(lambda m: m.command == "JOIN" and m.nick == "erin")
    a.send("PRIVMSG #talk :said once")
    b.expect(cmd("PRIVMSG", "#talk", "said once"))
    a.send("PRIVMSG #talk :and twice")
    b.expect(cmd("PRIVMSG", "#talk", "and twice"))
    c = connect(network["n3"], "frank")
    visible(c, "dave")
    c.join("#talk")
    want = [("dave", "said once"), ("dave", "and twice")]
    got = until("n3's history of #talk", lambda: (lambda h: h if len(h) >= 2 else None)(
        history(c, "LATEST", "#talk", "*", "50")))
    # A second append (by n2, which delivered the lines) would come within its turn:
    # the other nodes' histories are read after both lines arrived there.
    a.sync()
    b.sync()
    assert history(b, "LATEST", "#talk", "*", "50") == want
    assert history(a, "LATEST", "#talk", "*", "50") == want
    assert history(c, "LATEST", "#talk", "*", "50") == want == got


def test_private_history_across_nodes(network):
    """Private messages between a user on n1 and one on n3: each sees the
    conversation, each line once, in CHATHISTORY through its own node."""
    assert register(network["n1"], "gina").command == "REGISTER"
    assert register(network["n1"], "hank").command == "REGISTER"
    g = plain(network["n1"], "gina", "gina", caps=HCAPS)
    h = plain(network["n3"], "hank", "hank", caps=HCAPS)
    visible(g, "hank")
    visible(h, "gina")
    g.send("PRIVMSG hank :hello from n1")
    h.expect(cmd("PRIVMSG", "hank", "hello from n1"))
    h.send("PRIVMSG gina :hello from n3")
    g.expect(cmd("PRIVMSG", "gina", "hello from n3"))
    # Sorted: two lines of one millisecond from two nodes are in the stream's order,
    # which need not be the order they were said in (docs/cluster.md).
    want = [("gina", "hello from n1"), ("hank", "hello from n3")]
    until("gina's history with hank",
          lambda: sorted(history(g, "LATEST", "hank", "*", "50")) == want)
    until("hank's history with gina",
          lambda: sorted(history(h, "LATEST", "gina", "*", "50")) == want)


def test_one_name_registered_at_once_on_two_nodes(network):
    """Ten names, each REGISTERed through n1 and n2 at the same moment: each is
    created exactly once, the other REGISTER refused as taken."""
    results = {}

    def attempt(srv, nick, key):
        results[key] = register(srv, nick)

    threads = [threading.Thread(target=attempt, args=(network[n], "race%d" % i, (i, n)))
               for i in range(10) for n in ("n1", "n2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for i in range(10):
        got = {n: results[(i, n)] for n in ("n1", "n2")}
        assert sorted(m.command for m in got.values()) == ["FAIL", "REGISTER"], \
            [m.line for m in got.values()]
        fail = [m for m in got.values() if m.command == "FAIL"][0]
        assert fail.param(1) == "ACCOUNT_EXISTS", fail.line


def test_account_survives_its_node_killed(network):
    """REGISTER SUCCESS through n2, then kill -9 n2 at once: the account logs in
    through n1 and n3."""
    assert register(network["n2"], "kept").command == "REGISTER"
    network.kill("n2")
    for name in ("n1", "n3"):
        c = until("kept logs in on %s" % name,
                  lambda name=name: plain(network[name], "kept" + name, "kept"))
        c.close()


def test_upgrade_refused_on_a_node(network):
    """SIGUSR2 on n1 is refused with the log's reason (a node upgrades by restarting),
    and n1 serves on: its client chats with one on n2, and REGISTER through it works."""
    a = connect(network["n1"], "ivan")
    b = connect(network["n2"], "judy")
    start = len(network["n1"].log)
    network["n1"].signal(signal.SIGUSR2)
    network["n1"].wait_log(r"upgrade refused: a node of a cluster upgrades by "
                           r"restarting", start=start)
    visible(a, "judy")
    a.send("PRIVMSG judy :still here")
    assert b.expect(cmd("PRIVMSG", "judy")).trailing == "still here"
    b.send("PRIVMSG ivan :so am I")
    assert a.expect(cmd("PRIVMSG", "ivan")).trailing == "so am I"
    assert register(network["n1"], "after").command == "REGISTER"
    assert network["n1"].proc.poll() is None


class StorelessN3(Cluster):
    """n3 started with --store none."""

    def store(self, name):
        return None if name == "n3" else super().store(name)


def test_node_without_a_store(start_server, tmp_path):
    """n3 with --store none: an account registered through n1 does not log in through
    it, REGISTER through it is refused, and what its user says is in no node's
    history, while what n1's says is in n1's and n2's."""
    net = StorelessN3(start_server, tmp_path, extra=ACCOUNTS)
    net["n3"].wait_log(r"store: none")
    assert register(net["n1"], "kim").command == "REGISTER"
    assert plain(net["n2"], "kim2", "kim") is not None
    assert plain(net["n3"], "kim3", "kim") is None
    m = register(net["n3"], "lee")
    assert m.command == "FAIL" and m.param(1) == "TEMPORARILY_UNAVAILABLE", m.line
    a = connect(net["n1"], "mia")
    a.join("#mixed")
    c = connect(net["n3"], "ned", caps="server-time")
    visible(c, "mia")
    c.join("#mixed")
    a.expect(lambda m: m.command == "JOIN" and m.nick == "ned")
    a.send("PRIVMSG #mixed :from n1")
    c.expect(cmd("PRIVMSG", "#mixed", "from n1"))
    c.send("PRIVMSG #mixed :from n3")
    a.expect(cmd("PRIVMSG", "#mixed", "from n3"))
    # n1 would append ned's line (if it did) before mia's next one.
    a.send("PRIVMSG #mixed :after")
    c.expect(cmd("PRIVMSG", "#mixed", "after"))
    b = connect(net["n2"], "oli")
    visible(b, "mia")
    b.join("#mixed")
    want = [("mia", "from n1"), ("mia", "after")]
    until("n2's history of #mixed",
          lambda: len(history(b, "LATEST", "#mixed", "*", "50")) >= 2)
    assert history(b, "LATEST", "#mixed", "*", "50") == want
    assert history(a, "LATEST", "#mixed", "*", "50") == want
    c.send("CHATHISTORY LATEST #mixed * 50")
    assert c.expect(lambda m: m.command in ("BATCH", "FAIL")).command == "FAIL"
