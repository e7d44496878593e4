"""The JetStream store (docs/store-jetstream.md): two parleyd servers of one network,
each with --store nats://..., sharing one nats-server on a loopback port.

An account registered through one logs in with SASL through the other; a channel
registered through one is registered on the other after its restart; a line said
through one is in CHATHISTORY through the other; two REGISTERs of one name at once,
one per server, make exactly one account; an account acknowledged just before a kill
-9 is there after the restart; while NATS is away, store commands get the store's
error replies and the server serves on, and they work again once it is back.
"""
import signal
import socket
import subprocess
import threading
import time

import pytest

from accounts_steps import PASSWORD, register, sasl_plain
from conftest import PARLEYD, cmd, free_port

CONFIG = ("[server]\nname = %s\nnetwork = JetNet\n"
          "[accounts]\nargon2_passes = 1\nargon2_memory = 8k\nfail_limit = 100000\n"
          "[limits]\nconnect_rate = 0\nmax_per_address = 0\n")
HCAPS = "draft/chathistory batch server-time message-tags echo-message"
NICKSERV = "NickServ!NickServ@services.%s"
CHANSERV = "ChanServ!ChanServ@services.%s"


class Nats:
    """nats-server -js on a loopback port with a storage directory of its own; stopped
    (by its pid) and started again on both."""

    def __init__(self, tmp_path):
        self.dir = tmp_path / "nats"
        self.port = free_port()
        self.url = "nats://127.0.0.1:%d" % self.port
        self.proc = None
        self.log = open(tmp_path / "nats.log", "ab")

    def start(self):
        self.proc = subprocess.Popen(
            ["nats-server", "-js", "-sd", str(self.dir), "-p", str(self.port), "-a",
             "127.0.0.1"], stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.02)
        raise AssertionError("nats-server did not start")

    def stop(self, sig=signal.SIGTERM):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture
def nats(tmp_path):
    n = Nats(tmp_path)
    n.start()
    yield n
    n.stop()
    n.log.close()


def node(start_server, nats, name):
    """A parleyd of the network JetNet, named name, on nats's JetStream store."""
    srv = start_server(config=CONFIG % name, store=nats.url)
    srv.wait_log(r"store: %s \(jetstream\)" % nats.url)
    return srv


def plain_login(srv, nick, account, password=PASSWORD):
    """SASL PLAIN as account: the numeric that ends it (903 or 904)."""
    c = sasl_plain(srv, nick, account, password)
    if c is None:
        return "904"
    c.close()
    return "903"


def connect(srv, nick, caps=HCAPS):
    c = srv.client()
    c.send("CAP REQ :%s" % caps)
    c.expect(cmd("CAP"))
    c.send("CAP END")
    c.register(nick)
    return c


def history(c, *params):
    """CHATHISTORY params...: the (source nick, text) of the batch's lines."""
    c.send("CHATHISTORY %s" % " ".join(params))
    start = c.expect(lambda m: m.command in ("BATCH", "FAIL"), timeout=10)
    assert start.command == "BATCH", start.line
    ref = start.params[0][1:]
    lines = c.collect_until(lambda m: m.command == "BATCH" and m.params[0] == "-" + ref)
    return [(m.nick, m.param(-1)) for m in lines[:-1]]


def test_register_on_one_login_on_the_other(nats, start_server):
    """REGISTER through one node; SASL PLAIN through the other, which was running
    already, knows the account and its password; a second REGISTER of the name
    through it is refused."""
    one = node(start_server, nats, "one.localhost")
    two = node(start_server, nats, "two.localhost")
    assert register(one, "alice").line.endswith("REGISTER SUCCESS alice :Account created")
    assert plain_login(two, "alice", "alice") == "903"
    assert plain_login(two, "alice", "alice", password="wrong") == "904"
    m = register(two, "ALICE")
    assert m.command == "FAIL" and m.param(1) == "ACCOUNT_EXISTS", m.line


def test_channel_registered_on_one_is_on_the_other(nats, start_server):
    """CHANSERV REGISTER through one node, with a topic and a ban: the other, started
    again, has the channel registered with them."""
    one = node(start_server, nats, "one.localhost")
    two = node(start_server, nats, "two.localhost")
    a = one.client()
    a.register("alice")
    a.send("PRIVMSG NickServ :REGISTER %s" % PASSWORD)
    a.expect("900", timeout=15)
    a.join("#keep")
    a.send("CHANSERV REGISTER #keep")
    a.expect(lambda m: m.command == "NOTICE" and m.source == CHANSERV % "one.localhost"
             and m.trailing == "#keep is registered to alice", timeout=15)
    a.send("TOPIC #keep :shared by the nodes")
    a.expect(cmd("TOPIC", "#keep"))
    a.send("MODE #keep +b spam!*@*")
    a.expect(cmd("MODE", "#keep", "+b"))
    a.sync(timeout=15)
    assert two.terminate() == 0
    two = node(start_server, nats, "two.localhost")
    two.wait_log(r"store: 1 accounts and 1 channels loaded")
    b = two.client()
    b.register("bob")
    b.send("TOPIC #keep")
    assert b.expect("332").trailing == "shared by the nodes"
    b.send("MODE #keep b")
    assert b.expect("367").param(2) == "spam!*@*"


def test_history_through_the_other_node(nats, start_server):
    """A line said in #talk through one node is in CHATHISTORY LATEST through the
    other as soon as the first has stored it (its history is appended a turn or so
    after the line goes out, as on a single server)."""
    one = node(start_server, nats, "one.localhost")
    two = node(start_server, nats, "two.localhost")
    a = connect(one, "alice")
    a.join("#talk")
    a.send("PRIVMSG #talk :said on one")
    a.expect(cmd("PRIVMSG", "#talk", "said on one"))
    b = connect(two, "bob")
    b.join("#talk")
    deadline = time.monotonic() + 10
    while True:
        got = history(b, "LATEST", "#talk", "*", "10")
        if got or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert got == [("alice", "said on one")]


def test_one_name_registered_at_once_on_both(nats, start_server):
    """Ten names, each REGISTERed through both nodes at the same moment: each is
    created exactly once, the other REGISTER refused as taken."""
    one = node(start_server, nats, "one.localhost")
    two = node(start_server, nats, "two.localhost")
    results = {}

    def attempt(srv, nick, key):
        results[key] = register(srv, nick)

    threads = []
    for i in range(10):
        for srv, side in ((one, "one"), (two, "two")):
            threads.append(threading.Thread(target=attempt,
                                            args=(srv, "race%d" % i, (i, side))))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for i in range(10):
        got = sorted(results[(i, s)].command for s in ("one", "two"))
        assert got == ["FAIL", "REGISTER"], [results[(i, s)].line for s in ("one", "two")]
        fail = [results[(i, s)] for s in ("one", "two")
                if results[(i, s)].command == "FAIL"][0]
        assert fail.param(1) == "ACCOUNT_EXISTS", fail.line


def test_acknowledged_account_survives_kill_9(nats, start_server):
    """REGISTER SUCCESS, then kill -9 at once: after the restart the account logs in."""
    one = node(start_server, nats, "one.localhost")
    assert register(one, "kept").command == "REGISTER"
    one.terminate(signal.SIGKILL)
    one = node(start_server, nats, "one.localhost")
    one.wait_log(r"store: 1 accounts and 0 channels loaded")
    assert plain_login(one, "kept", "kept") == "903"


def test_acknowledged_account_survives_nats_kill_9(nats, start_server):
    """REGISTER SUCCESS, then the NATS server killed with SIGKILL and started again:
    the account is there, and logs in."""
    one = node(start_server, nats, "one.localhost")
    assert register(one, "kept").command == "REGISTER"
    nats.stop(signal.SIGKILL)
    nats.start()
    deadline = time.monotonic() + 20
    while plain_login(one, "kept", "kept") != "903":
        assert time.monotonic() < deadline, "no login once NATS was back"
        time.sleep(0.1)


def test_nats_away_and_back(nats, start_server):
    """NATS stopped: REGISTER gets FAIL ... TEMPORARILY_UNAVAILABLE, CHATHISTORY FAIL
    ... MESSAGE_ERROR, and the server serves on (a PING is answered); NATS started
    again: REGISTER works, and what was stored before is there."""
    one = node(start_server, nats, "one.localhost")
    assert register(one, "before").command == "REGISTER"
    c = connect(one, "still")
    c.join("#c")
    nats.stop()
    m = register(one, "during")
    assert m.command == "FAIL" and m.param(1) == "TEMPORARILY_UNAVAILABLE", m.line
    c.send("CHATHISTORY LATEST #c * 10")
    m = c.expect(lambda m: m.command in ("BATCH", "FAIL"), timeout=10)
    assert m.command == "FAIL" and m.params[:2] == ["CHATHISTORY", "MESSAGE_ERROR"], m.line
    c.sync()
    nats.start()
    deadline = time.monotonic() + 20
    while True:
        m = register(one, "after")
        if m.command == "REGISTER" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert m.command == "REGISTER", m.line
    assert plain_login(one, "before", "before") == "903"
    assert plain_login(one, "during", "during") == "904"


def test_backup_refused(nats, tmp_path):
    """--backup of a JetStream store: one line naming NATS's own tools, exit 1."""
    p = subprocess.run([PARLEYD, "--store", nats.url, "--backup", str(tmp_path / "b")],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 1
    assert "nats stream backup" in p.stderr and p.stderr.count("\n") == 1, p.stderr
    assert not (tmp_path / "b").exists()


def test_keyed_under_another_casemapping_refused(nats, start_server, tmp_path):
    """A JetStream store whose names rfc8265 would key otherwise (Foo[, registered
    under rfc1459) stops an rfc8265 node's start with one line, as a SQLite file
    does; one keyed under rfc8265 serves an rfc8265 node, in any case of a name."""
    url = nats.url + "/casenet"
    srv = start_server(config=CONFIG % "one.localhost", store=url)
    assert register(srv, "Foo[").params[:2] == ["SUCCESS", "Foo["]
    conf = start_server.config_file("[server]\ncasemapping = rfc8265\n" +
                                    CONFIG % "two.localhost", name="rfc8265.conf")
    p = subprocess.run([PARLEYD, "--listen", "127.0.0.1:0", "--config", str(conf),
                        "--store", url], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 1
    assert p.stderr.splitlines() == [
        "parleyd: store %s: Foo[ was kept under another casemapping than rfc8265: "
        "keep the casemapping it was written with" % url]
    url8265 = nats.url + "/utf8net"
    two = start_server(config=conf, store=url8265)
    assert register(two, "Éric").params[:2] == ["SUCCESS", "Éric"]
    three = start_server(config=conf, store=url8265)
    m = register(three, "ÉRIC")
    assert m.command == "FAIL" and m.param(1) == "ACCOUNT_EXISTS", m.line
