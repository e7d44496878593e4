"""NickServ, ChanServ and nick ownership against the real parleyd and its SQLite store:
a registered channel keeps its topic, modes and bans over a restart and its founder gets
ops back; a registered nick is taken from whoever is not logged in to it after the grace."""
import re
import signal

from conftest import SERVER_NAME, cmd

PASSWORD = "correct-horse-battery"
NICKSERV = "NickServ!NickServ@services.%s" % SERVER_NAME
CHANSERV = "ChanServ!ChanServ@services.%s" % SERVER_NAME


def config(grace="60"):
    return "[server]\nname = %s\n[accounts]\nnick_grace = %s\n" % (SERVER_NAME, grace)


def notice_from(source, text):
    """Predicate: a NOTICE from source whose text matches the regex text."""
    rx = re.compile(text)
    return lambda m: (m.command == "NOTICE" and m.source == source
                      and rx.search(m.trailing or "") is not None)


def register_account(client, nick):
    client.register(nick)
    client.send("PRIVMSG NickServ :REGISTER %s" % PASSWORD)
    client.expect("900", timeout=10)
    client.expect(notice_from(NICKSERV, r"^Account %s registered" % nick))


def test_registered_channel_survives_restart(start_server, tmp_path):
    db = tmp_path / "parley.db"
    srv = start_server(config=config(), store=db)
    alice = srv.client()
    register_account(alice, "alice")
    alice.join("#keep")
    alice.send("CHANSERV REGISTER #keep")
    alice.expect(notice_from(CHANSERV, r"^#keep is registered to alice$"))
    alice.send("TOPIC #keep :kept over a restart")
    alice.expect(cmd("TOPIC", "#keep"))
    alice.send("MODE #keep +mk sesame")
    alice.expect(cmd("MODE", "#keep", "+mk"))
    alice.send("MODE #keep +b spam!*@*")
    alice.expect(cmd("MODE", "#keep", "+b"))
    # Its lines wait behind its store jobs: the PONG comes once they are on disk, so
    # that even a kill -9 keeps them.
    assert not [m for m in alice.sync() if m.command == "NOTICE"]
    srv.terminate(signal.SIGKILL)

    srv = start_server(config=config(), store=db)
    bob = srv.client()
    bob.register("bob")
    bob.send("MODE #keep")
    assert bob.expect("324").params[2:] == ["+mntk", "*"]
    bob.send("TOPIC #keep")
    assert bob.expect("332").trailing == "kept over a restart"
    bob.send("MODE #keep b")
    assert bob.expect("367").param(2) == "spam!*@*"
    bob.expect("368")
    bob.send("JOIN #keep sesame")
    bob.expect("366")

    # The founder, logged in under another nick, gets op from ChanServ on joining.
    founder = srv.client()
    founder.register("alice2")
    founder.send("NICKSERV IDENTIFY alice %s" % PASSWORD)
    founder.expect("900", timeout=10)
    founder.send("JOIN #keep sesame")
    founder.expect(lambda m: m.command == "MODE" and m.source == CHANSERV
                   and m.params == ["#keep", "+o", "alice2"])
    bob.expect(lambda m: m.command == "MODE" and m.source == CHANSERV
               and m.params == ["#keep", "+o", "alice2"])


def test_registered_nick_taken_after_grace(start_server, tmp_path):
    srv = start_server(config=config(grace="1"))
    alice = srv.client()
    register_account(alice, "alice")
    alice.send("QUIT")
    alice.expect_closed()

    squatter = srv.client()
    squatter.register("alice")
    squatter.expect(lambda m: m.command == "NOTICE" and
                    "alice is a registered nick" in m.trailing and
                    "within 1 seconds" in m.trailing)
    renamed = squatter.expect(cmd("NICK"), timeout=5)
    assert renamed.nick == "alice"
    assert re.fullmatch(r"Guest[0-9]+", renamed.trailing)

    # The owner takes it back at once, without a grace.
    owner = srv.client()
    owner.register("owner")
    owner.send("NS IDENTIFY alice %s" % PASSWORD)
    owner.expect("900", timeout=10)
    owner.send("NICK alice")
    owner.expect(cmd("NICK"))
    owner.assert_silent(cmd("NICK"), duration=1.5)
