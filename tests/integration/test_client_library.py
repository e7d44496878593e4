"""A real client library (python3-irc's irc.client) against parleyd."""
import time

import irc.client

from conftest import SERVER_NAME

# irc 8.x calls the event loop IRC; later versions call it Reactor.
Reactor = getattr(irc.client, "Reactor", None) or irc.client.IRC


class Bot:
    """One irc.client connection that records the events it sees."""

    def __init__(self, reactor, nick):
        self.nick = nick
        self.events = []
        self.conn = reactor.server()
        self.conn.add_global_handler("all_events", self._record, -10)

    def _record(self, conn, event):
        if conn is self.conn:
            self.events.append(event)

    def seen(self, etype, pred=lambda e: True):
        return [e for e in self.events if e.type == etype and pred(e)]


def run_until(reactor, cond, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reactor.process_once(0.05)
        if cond():
            return True
    return False


def test_library_register_join_privmsg(server):
    reactor = Reactor()
    alice = Bot(reactor, "alice")
    bob = Bot(reactor, "bob")
    try:
        alice.conn.connect(server.host, server.port, "alice", username="alice",
                           ircname="Alice")
        bob.conn.connect(server.host, server.port, "bob", username="bob", ircname="Bob")
        assert run_until(reactor, lambda: alice.seen("welcome") and bob.seen("welcome"))
        assert alice.conn.get_server_name() == SERVER_NAME
        assert alice.conn.features.network == "parley"
        assert alice.conn.features.nicklen == 30

        alice.conn.join("#lib")
        assert run_until(reactor, lambda: alice.seen("endofnames"))
        bob.conn.join("#lib")
        assert run_until(reactor, lambda: alice.seen("join", lambda e: e.source.nick == "bob"))

        alice.conn.privmsg("#lib", "hello from alice")
        assert run_until(reactor, lambda: bob.seen("pubmsg"))
        ev = bob.seen("pubmsg")[0]
        assert ev.source.nick == "alice"
        assert ev.source.host == "127.0.0.1"
        assert ev.target == "#lib"
        assert ev.arguments == ["hello from alice"]

        bob.conn.privmsg("alice", "hi alice, it's bob")
        assert run_until(reactor, lambda: alice.seen("privmsg"))
        ev = alice.seen("privmsg")[0]
        assert ev.source.nick == "bob" and ev.arguments == ["hi alice, it's bob"]

        bob.conn.nick("robert")
        assert run_until(reactor, lambda: alice.seen("nick"))
        ev = alice.seen("nick")[0]
        assert ev.source.nick == "bob" and ev.target == "robert"

        bob.conn.quit("library done")
        assert run_until(reactor, lambda: alice.seen("quit"))
        ev = alice.seen("quit")[0]
        assert ev.source.nick == "robert"
        assert ev.arguments == ["Quit: library done"]
    finally:
        for b in (alice, bob):
            b.conn.close()


def test_library_answers_server_pings(start_server):
    srv = start_server(config="[timeouts]\nping_interval = 0.5\nping_timeout = 0.5\n")
    reactor = Reactor()
    bot = Bot(reactor, "pinged")
    try:
        bot.conn.connect(srv.host, srv.port, "pinged")
        assert run_until(reactor, lambda: bot.seen("welcome"))
        run_until(reactor, lambda: False, timeout=2.5)
        assert bot.seen("ping"), [e.type for e in bot.events]
        assert bot.conn.is_connected()
        assert not bot.seen("error")
    finally:
        bot.conn.close()


def test_library_sees_nick_in_use(server):
    server.client("taken")
    reactor = Reactor()
    bot = Bot(reactor, "taken")
    try:
        bot.conn.connect(server.host, server.port, "taken")
        assert run_until(reactor, lambda: bot.seen("nicknameinuse"))
    finally:
        bot.conn.close()
