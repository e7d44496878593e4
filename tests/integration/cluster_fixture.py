"""A network of parleyd nodes joined through a real nats-server, for the cluster tests.

NatsServer runs nats-server (JetStream on, its store in the test's tmp_path) on a free
loopback port, and can be killed and started again on the same port and store.  Cluster
starts it and three nodes (n1, n2, n3: one network) with the start_server factory, so
every node is stopped and its log checked like any server's, and waits until each node
accepts clients and has heard the two others.  Each node has a store path of its own
(tmp_path/NAME.db): it keeps accounts, channels and history in the network's JetStream
store, its history index in NAME.db.history-index (docs/cluster.md).

The timings are short so that the failure tests stay quick: a heartbeat every 0.2 s, a
node gone after 1.5 s of silence.
"""
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from conftest import HOST_V4, casefold, free_port

NATS_SERVER = (os.environ.get("NATS_SERVER") or shutil.which("nats-server") or
               next((p for p in ("/usr/sbin/nats-server", "/usr/bin/nats-server")
                     if os.access(p, os.X_OK)), None))
NETWORK = "testnet"
NODES = ("n1", "n2", "n3")
HEARTBEAT = 0.2
TIMEOUT = 1.5           # [cluster] timeout: a silent node is gone after this
SYNC_TIMEOUT = 3.0
SPLIT_WITHIN = TIMEOUT + 2.0    # what a test allows for a split to show
# PARLEY_CLUSTER_SPREAD_SETTLE=SECONDS: a spread client waits that long after each line
# it sends, long enough for every node to act on it (docs/cluster.md: the tests that
# pass across nodes only so act at once on another node's change).
SPREAD_SETTLE = float(os.environ.get("PARLEY_CLUSTER_SPREAD_SETTLE") or 0)


class NatsServer:
    """nats-server on 127.0.0.1:port with JetStream in store_dir."""

    def __init__(self, store_dir, port=None):
        if NATS_SERVER is None:
            pytest.skip("nats-server is not installed")
        self.store_dir = str(store_dir)
        self.port = port or free_port()
        self.proc = None
        self.log_path = os.path.join(self.store_dir, "nats.log")
        self.start()

    @property
    def url(self):
        return "nats://%s:%d" % (HOST_V4, self.port)

    def start(self, timeout=10.0):
        """Start it and wait until it accepts a client and says INFO."""
        os.makedirs(self.store_dir, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [NATS_SERVER, "-js", "-sd", self.store_dir, "-a", HOST_V4, "-p",
             str(self.port)], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection((HOST_V4, self.port), timeout=1) as s:
                    if s.recv(4096).startswith(b"INFO"):
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() >= deadline:
                self.kill()
                pytest.fail("nats-server did not start on port %d:\n%s" % (
                    self.port, self.log_text()))
            time.sleep(0.05)

    def kill(self):
        """SIGKILL it (the port and store stay for start())."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def stop(self):
        """SIGTERM it and wait (SIGKILL after 5 s)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""


def node_config(name, nats_url, extra=""):
    return ("[server]\nnetwork = %s\n[cluster]\nnats_url = %s\nnode = %s\n"
            "heartbeat = %g\ntimeout = %g\nsync_timeout = %g\n%s" % (
                NETWORK, nats_url, name, HEARTBEAT, TIMEOUT, SYNC_TIMEOUT, extra))


class Cluster:
    """nats-server and the nodes n1, n2, n3, each a conftest Server."""

    def __init__(self, start_server, tmp_path, nodes=NODES, args=(), extra=""):
        self.start_server = start_server
        self.tmp_path = tmp_path
        self.args = list(args)
        self.extra = extra
        self.nats = NatsServer(tmp_path / "nats")
        # Stopped after the nodes, whoever ends the test (start_server's teardown).
        start_server.finalizers.append(self.nats.stop)
        self.names = list(nodes)
        self.nodes = {}
        for name in self.names:
            self.start(name, wait_peers=False)
        for name in self.names:
            self.wait_peers(name)

    def config(self, name):
        return node_config(name, self.nats.url, self.extra)

    def store(self, name):
        """Node name's [store] path: its history index is this path's
        .history-index, kept across its restarts."""
        return self.tmp_path / ("%s.db" % name)

    def start(self, name, wait_peers=True, listen="127.0.0.1:0"):
        """Start node name (again), wait for its listener and for it to accept."""
        srv = self.start_server(config=self.config(name), store=self.store(name),
                                listen=(listen,), args=self.args)
        self.nodes[name] = srv
        srv.wait_log(r"cluster: (synchronised with|sync_timeout passed)",
                     timeout=SYNC_TIMEOUT + 5)
        if wait_peers:
            self.wait_peers(name)
        return srv

    def wait_peers(self, name, timeout=SYNC_TIMEOUT + 5):
        """Wait until node name has heard every other running node."""
        srv = self.nodes[name]
        for other in self.names:
            if other != name and self.nodes[other].proc.poll() is None:
                srv.wait_log(r"cluster: node %s is up" % other, timeout=timeout)

    def __getitem__(self, name):
        return self.nodes[name]

    def kill(self, name):
        """SIGKILL node name; its teardown no longer checks its exit."""
        srv = self.nodes[name]
        srv.expected_exit = True
        srv.kill()

    def restart(self, name):
        """Kill node name and start it on the same port; the new Server."""
        port = self.nodes[name].port
        self.kill(name)
        return self.start(name, wait_peers=True, listen="127.0.0.1:%d" % port)


@pytest.fixture
def cluster(start_server, tmp_path):
    """Three nodes of one network over one nats-server (see the module's doc)."""
    return Cluster(start_server, tmp_path)


# The tests of the spread run that cannot apply to a network as written, and why
# (docs/cluster.md lists them too).  conftest skips them under PARLEY_CLUSTER_SPREAD.
_NAME = "expects the single server's name; a node's server name is its own"
_AT_ONCE = ("acts at once on a change another node's client made with a raw line; the "
            "other node applies it a moment later (passes with "
            "PARLEY_CLUSTER_SPREAD_SETTLE=0.3)")
SPREAD_EXCEPTIONS = {
    "test_messaging.py::test_privmsg_unknown_nick_401": _NAME,
    "test_channels.py::test_first_joiner_gets_op_and_names": _NAME,
    "test_channels.py::test_who_channel": _NAME,
    "test_queries.py::test_who_channel_and_flags": _NAME,
    "test_queries.py::test_whois": _NAME,
    "test_queries.py::test_whois_errors": _NAME,
    "test_queries.py::test_links_stats_users_summon": _NAME + " (LINKS lists 3)",
    "test_queries.py::test_whowas": _NAME + "; and " + _AT_ONCE,
    "test_protocol.py::test_channel_rename": "RENAME is refused on a network",
    "test_protocol.py::test_knock": _AT_ONCE,
    "test_queries.py::test_away_replies": _AT_ONCE,
    "test_channels.py::test_empty_channel_disappears": _AT_ONCE,
    "test_channels.py::test_topic_shown_on_join": _AT_ONCE,
    "test_channels.py::test_mode_minus_n_lets_outsiders_talk": _AT_ONCE,
    "test_queries.py::test_who_mask_and_invisible": _AT_ONCE,
    "test_modes.py::test_key_join_checks": _AT_ONCE,
    "test_modes.py::test_limit": _AT_ONCE,
    "test_modes.py::test_ban_blocks_join_exception_lets_in": _AT_ONCE,
    "test_modes.py::test_invite_only_and_invite": _AT_ONCE,
    "test_modes.py::test_secret_channel_names": _AT_ONCE,
    "test_ircv3.py::test_tagged_and_plain_clients_share_a_channel": _AT_ONCE,
}


def _ask(c, line, pred, timeout=5.0):
    """Send line from c and take the first answer matching pred out of c's pending
    lines, leaving every other line there for the test."""
    c.send(line)
    deadline = time.monotonic() + timeout
    while True:
        for i, m in enumerate(c.pending):
            if pred(m):
                del c.pending[i]
                return m
        if not c._fill(deadline):
            raise AssertionError(c._report("%s: no answer to %r" % (c.name, line)))


def _names(c, channel):
    """The nicks NAMES shows c, taken out of its pending lines."""
    c.send("NAMES %s" % channel)
    out = []
    deadline = time.monotonic() + 5.0
    while True:
        for i, m in enumerate(c.pending):
            if m.command == "353" and casefold(m.param(2, "")) == casefold(channel):
                out += [n.lstrip("~&@%+") for n in m.trailing.split()]
                del c.pending[i]
                break
            if m.command == "366" and casefold(m.param(1, "")) == casefold(channel):
                del c.pending[i]
                return set(out)
        else:
            if not c._fill(deadline):
                raise AssertionError(c._report("%s: no NAMES %s" % (c.name, channel)))


def _until(what, check, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() >= deadline:
            raise AssertionError("the network did not converge: %s" % what)
        time.sleep(0.02)


class SpreadClient:
    """Client hooks for SpreadServer: a registration and a JOIN return once every
    node of the network knows of them, as they would on one server."""

    @staticmethod
    def install(spread, c):
        register, join, send = c.register, c.join, c.send

        def settled_send(line):
            send(line)
            time.sleep(SPREAD_SETTLE)

        def spread_register(nick, *a, **kw):
            burst = register(nick, *a, **kw)
            spread.registered(c)
            return burst

        def spread_join(channel, *a, **kw):
            lines = join(channel, *a, **kw)
            spread.joined(c, channel)
            return lines

        c.register, c.join = spread_register, spread_join
        if SPREAD_SETTLE > 0:
            c.send = settled_send


class SpreadServer:
    """The `server` fixture's stand-in when PARLEY_CLUSTER_SPREAD is set: a network of
    three nodes whose clients are spread over them, the k-th client of a test on node
    k mod 3, so that a test written for one server runs across the network.  A
    registration or a JOIN made through Client.register or Client.join returns once
    every node knows of it; anything else is as fast as the network.  Anything but
    client() (the log, the pid, host and port) is the first node's."""

    def __init__(self, network):
        self.network = network
        self.first = network[network.names[0]]
        self.clients = []
        self.users = []         # registered clients, in order
        self.channels = {}      # channel -> nicks joined through join()

    def client(self, nick=None, listener=0, **kw):
        name = self.network.names[len(self.clients) % len(self.network.names)]
        c = self.network[name].client(nick=None, listener=listener, **kw)
        c.node = name
        self.clients.append(c)
        SpreadClient.install(self, c)
        if nick is not None:
            c.register(nick)
        return c

    def _asker(self, node, but=None):
        """A registered client of node to ask the network through, or None."""
        for c in self.users:
            if c.node == node and c is not but and not c.eof:
                return c
        return None

    def _visible(self, asker, nicks):
        def check():
            m = _ask(asker, "ISON %s" % " ".join(nicks), lambda m: m.command == "303")
            return {casefold(n) for n in m.trailing.split()} >= \
                {casefold(n) for n in nicks}
        return check

    def registered(self, c):
        # This node knows everyone before it, and every channel joined (nicks and
        # members may have changed since: the test's own lines say how) ...
        others = [o.nick for o in self.users if not o.eof and o.nick]
        if others:
            _until("%s sees %s" % (c.node, others), self._visible(c, others))
        for channel in self.channels:
            _until("%s sees %s" % (c.node, channel),
                   lambda ch=channel: len(_names(c, ch)) > 0)
        self.users.append(c)
        # ... and every node with a client knows it.
        for name in self.network.names:
            asker = self._asker(name, but=c)
            if name != c.node and asker is not None:
                _until("%s sees %s" % (name, c.nick), self._visible(asker, [c.nick]))

    def joined(self, c, channel):
        self.channels.setdefault(channel, set()).add(c.nick)
        for name in self.network.names:
            asker = self._asker(name, but=c)
            if name != c.node and asker is not None:
                _until("%s sees %s in %s" % (name, c.nick, channel),
                       lambda a=asker: casefold(c.nick) in
                       {casefold(n) for n in _names(a, channel)})

    def __getattr__(self, name):
        return getattr(self.first, name)


def spread_server(start_server, tmp_path):
    """A SpreadServer over a fresh network (see conftest's server fixture)."""
    return SpreadServer(Cluster(start_server, tmp_path))
