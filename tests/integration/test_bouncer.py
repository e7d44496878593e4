"""parleyd as a bouncer, against the real binary: connections that log in to one account
with SASL share one user.  Three of them at once (one with every capability the server
offers, one with SASL alone, one with echo-message and server-time) see one conversation;
the network sees one user; one connection leaves alone; the account's maximum holds."""
import base64

from conftest import SERVER_NAME, cmd

PASSWORD = "correct-horse-battery"
NICKSERV = "NickServ!NickServ@services.%s" % SERVER_NAME


def config(max_connections=8):
    return ("[server]\nname = %s\n[accounts]\nmax_connections = %d\n"
            % (SERVER_NAME, max_connections))


def register_account(client, nick):
    client.register(nick)
    client.send("PRIVMSG NickServ :REGISTER %s" % PASSWORD)
    client.expect("900", timeout=10)
    client.expect(lambda m: m.command == "NOTICE" and m.source == NICKSERV)


def offered_caps(client):
    """CAP LS 302's capabilities, their values dropped."""
    client.send("CAP LS 302")
    caps = []
    while True:
        m = client.expect(cmd("CAP", None, "LS"))
        caps += [c.split("=")[0] for c in m.params[-1].split()]
        if m.params[2] != "*":
            return caps


def sasl_login(srv, nick, caps):
    """A connection that logs in to alice with SASL PLAIN, asking for caps ("*" for
    every one offered), as nick; returns it and the lines of its burst."""
    c = srv.client()
    if caps == "*":
        caps = [x for x in offered_caps(c) if x != "sasl"]
    else:
        c.send("CAP LS 302")
        c.expect(cmd("CAP", None, "LS"))
    c.send("CAP REQ :%s" % " ".join(["sasl"] + list(caps)))
    c.expect(cmd("CAP", None, "ACK"))
    c.send("NICK %s" % nick)
    c.send("USER u 0 * :R")
    c.send("AUTHENTICATE PLAIN")
    c.expect(cmd("AUTHENTICATE", "+"))
    c.send("AUTHENTICATE " + base64.b64encode(
        b"\0alice\0" + PASSWORD.encode()).decode())
    c.expect("903", timeout=10)
    c.send("CAP END")
    burst = c.collect_until(lambda m: m.command in ("376", "422"))
    return c, burst + c.sync()


def test_three_connections_one_user(start_server):
    srv = start_server(config=config())
    first = srv.client()
    register_account(first, "alice")
    first.join("#room")
    bob = srv.client("bob")
    bob.join("#room")
    first.expect(cmd("JOIN", "#room"))

    full, burst = sasl_login(srv, "alice", "*")
    assert burst[0].command == "001" and burst[0].param(0) == "alice"
    assert any(m.command == "JOIN" and m.nick == "alice" for m in burst)
    assert any(m.command == "353" and "bob" in m.trailing for m in burst)
    classic, burst = sasl_login(srv, "phone", [])
    # It asked for another nick: it takes the user's.
    assert burst[0].param(0) == "alice"
    third, _ = sasl_login(srv, "alice", ["echo-message", "server-time"])
    # The network saw none of them come.
    bob.assert_silent()

    conns = (first, full, classic, third)
    bob.send("PRIVMSG #room :hello all")
    for c in conns:
        m = c.expect(cmd("PRIVMSG", "#room"))
        assert m.trailing == "hello all" and m.nick == "bob"

    # What one sends, the network and the others see; echo-message only where asked.
    classic.send("PRIVMSG #room :from the phone")
    assert bob.expect(cmd("PRIVMSG", "#room")).nick == "alice"
    for c in (first, full, third):
        assert c.expect(cmd("PRIVMSG", "#room")).trailing == "from the phone"
    classic.assert_silent(cmd("PRIVMSG"))
    full.send("PRIVMSG #room :from the laptop")
    for c in (bob, first, full, classic, third):
        assert c.expect(cmd("PRIVMSG", "#room")).trailing == "from the laptop"
    third.send("PRIVMSG bob :from the desktop")
    assert bob.expect(cmd("PRIVMSG", "bob")).trailing == "from the desktop"
    echo = third.expect(cmd("PRIVMSG", "bob"))
    assert "time" in echo.tags
    for c in (first, full, classic):
        assert c.expect(cmd("PRIVMSG", "bob")).trailing == "from the desktop"

    # A reply goes to the connection that asked; WHOIS lists the connections to
    # the user itself, not to others.
    classic.send("WHOIS alice")
    lines = classic.collect_until("318")
    assert len([m for m in lines if m.command == "320"]) == 4
    for c in (first, full, third):
        c.assert_silent("320")
    bob.send("WHOIS alice")
    assert not [m for m in bob.collect_until("318") if m.command == "320"]

    # JOIN and NICK by one apply to the user, shown to all.
    classic.send("NICK alicia")
    for c in conns + (bob,):
        c.expect(cmd("NICK", "alicia"))
    bob.send("LUSERS")
    assert bob.expect("251").trailing.startswith("There are 2 users")

    # One connection leaves alone; the last one takes the user away.
    first.send("QUIT :phone off")
    first.expect_closed()
    full.close()
    classic.close()
    bob.assert_silent(cmd("QUIT"))
    third.send("PRIVMSG #room :still here")
    assert bob.expect(cmd("PRIVMSG", "#room")).trailing == "still here"
    third.close()
    bob.expect(cmd("QUIT"))


def test_max_connections(start_server):
    srv = start_server(config=config(max_connections=2))
    first = srv.client()
    register_account(first, "alice")
    sasl_login(srv, "alice", [])
    c = srv.client()
    c.send("CAP REQ :sasl")
    c.expect(cmd("CAP", None, "ACK"))
    c.send("NICK alice")
    c.send("USER u 0 * :R")
    c.send("AUTHENTICATE PLAIN")
    c.expect(cmd("AUTHENTICATE", "+"))
    c.send("AUTHENTICATE " + base64.b64encode(
        b"\0alice\0" + PASSWORD.encode()).decode())
    c.expect("903", timeout=10)
    c.send("CAP END")
    error = c.expect("ERROR")
    assert "Too many connections for this account" in error.trailing
    c.expect_closed()


def always_on_config():
    return ("[server]\nname = %s\n[accounts]\nalways_on = yes\n"
            "auto_away = Not here, messages kept\n[history]\njoin_replay = 10\n"
            % SERVER_NAME)


def nicks(lines):
    """The nicks of the 353 lines among lines, without their prefixes."""
    return [n.lstrip("@+") for m in lines if m.command == "353"
            for n in m.trailing.split()]


def test_always_on_misses_nothing_over_a_restart(start_server, tmp_path):
    db = tmp_path / "parley.db"
    srv = start_server(config=always_on_config(), store=db)
    alice = srv.client()
    register_account(alice, "alice")
    alice.join("#room")
    alice.close()

    bob = srv.client("bob")
    names = bob.join("#room")
    assert "alice" in nicks(names)
    bob.send("PRIVMSG #room :said while you were out")
    bob.send("PRIVMSG alice :a private word")
    assert bob.expect("301").trailing == "Not here, messages kept"
    bob.sync()
    assert srv.terminate() == 0

    srv = start_server(config=always_on_config(), store=db)
    bob = srv.client("bob")
    names = bob.join("#room")
    assert "alice" in nicks(names)
    bob.send("WHOIS alice")
    assert bob.expect("301").trailing == "Not here, messages kept"
    bob.collect_until("318")
    bob.send("PRIVMSG #room :and after the restart")
    bob.sync()

    # A classic client gets the channel's last lines with its burst.
    # (from the store: it may come after the burst's PONG)
    classic, burst = sasl_login(srv, "alice", [])
    said = [m for m in burst if m.command == "PRIVMSG"]
    while len(said) < 3:
        said.append(classic.expect(cmd("PRIVMSG")))
    assert [m.trailing for m in said if m.param(0) == "#room"] == [
        "said while you were out", "and after the restart"]
    # And, after them, the private conversation it missed, over the restart too.
    assert said[2].param(0) == "alice" and said[2].trailing == "a private word"
    # Back: no longer away, and the network is told.
    bob.send("WHOIS alice")
    assert "301" not in [m.command for m in bob.collect_until("318")]

    # A chathistory client asks, for the channel and for the private conversation.
    modern, burst = sasl_login(srv, "alice", ["batch", "server-time", "message-tags",
                                              "draft/chathistory"])
    assert not [m for m in burst if m.command == "PRIVMSG"]
    modern.send("CHATHISTORY LATEST #room * 10")
    lines = modern.collect_until(lambda m: m.command == "BATCH" and
                                 m.params[0].startswith("-"))
    said = [m for m in lines if m.command == "PRIVMSG"]
    assert [m.trailing for m in said] == ["said while you were out",
                                          "and after the restart"]
    assert all("time" in m.tags for m in said)
    modern.send("CHATHISTORY LATEST bob * 10")
    lines = modern.collect_until(lambda m: m.command == "BATCH" and
                                 m.params[0].startswith("-"))
    assert [m.trailing for m in lines if m.command == "PRIVMSG"] == ["a private word"]

    # Connected when the server stops: kept as it is then, back at the next start.
    modern.join("#later")
    assert srv.terminate() == 0
    srv = start_server(config=always_on_config(), store=db)
    carol = srv.client("carol")
    assert "alice" in nicks(carol.join("#later"))


def test_protocol_lines_reach_every_connection(start_server):
    """h-proto's own send paths (multiline batches, channel RENAME) give each of a
    user's connections its copy, in the form its capabilities ask for."""
    srv = start_server(config=config())
    first = srv.client()
    register_account(first, "alice")
    first.join("#room")
    bob = srv.client()
    bob.send("CAP REQ :batch draft/multiline")
    bob.expect(cmd("CAP", None, "ACK"))
    bob.send("CAP END")
    bob.register("bob")
    bob.join("#room")
    first.expect(cmd("JOIN", "#room"))
    modern, _ = sasl_login(srv, "alice",
                           ["batch", "draft/multiline", "draft/channel-rename"])
    classic, _ = sasl_login(srv, "alice", [])

    bob.send("BATCH +m1 draft/multiline alice")
    bob.send("@batch=m1 PRIVMSG alice :one")
    bob.send("@batch=m1 PRIVMSG alice :two")
    bob.send("BATCH -m1")
    lines = modern.collect_until(cmd("BATCH", "-m1"))
    assert [m.command for m in lines if m.command in ("BATCH", "PRIVMSG")] == \
        ["BATCH", "PRIVMSG", "PRIVMSG", "BATCH"]
    for c in (first, classic):
        assert c.expect("PRIVMSG").trailing == "one"
        assert c.expect("PRIVMSG").trailing == "two"

    # alice, the channel's operator, renames it from her modern connection.
    modern.send("RENAME #room #hall :moved")
    assert modern.expect("RENAME").params == ["#room", "#hall", "moved"]
    for c in (first, classic):
        assert c.expect("PART").params == ["#room", "moved"]
        assert c.expect("JOIN").params == ["#hall"]
        assert c.expect("366").params[1] == "#hall"


def test_metrics_count_connections(start_server):
    """parley_clients counts connections: a session is one, registered; an always-on
    user whose connections are gone is none."""
    from test_metrics import metrics_url, scrape, value
    srv = start_server(config=always_on_config() + "[metrics]\naddress = 127.0.0.1:0\n")
    url = metrics_url(srv)
    first = srv.client()
    register_account(first, "alice")
    second, _ = sasl_login(srv, "alice", [])
    text = scrape(url)
    assert value(text, 'parley_clients{state="registered"}') == 2
    assert value(text, 'parley_clients{state="unregistered"}') == 0
    for c in (first, second):
        c.send("QUIT :bye")
        c.expect_closed()
    watcher = srv.client("watcher")
    watcher.send("WHOIS alice")
    watcher.expect("318")
    text = scrape(url)
    assert value(text, 'parley_clients{state="registered"}') == 1
    assert value(text, 'parley_clients{state="unregistered"}') == 0


def test_metadata_reaches_the_connections_that_asked(start_server):
    """A METADATA change reaches the user's connections with draft/metadata-2, not
    the classic one, even when the user's first connection is the classic one."""
    srv = start_server(config=config())
    first = srv.client()
    register_account(first, "alice")
    first.join("#room")
    modern, _ = sasl_login(srv, "alice", ["draft/metadata-2"])
    modern.send("METADATA * SUB display-name")
    assert modern.expect("770").trailing == "display-name"
    bob = srv.client()
    bob.send("CAP REQ :draft/metadata-2")
    bob.expect(cmd("CAP", None, "ACK"))
    bob.send("CAP END")
    bob.register("bob")
    bob.join("#room")
    modern.expect(cmd("JOIN", "#room"))
    bob.send("METADATA * SET display-name :Bob")
    bob.expect("761")
    assert modern.expect("METADATA").params == ["bob", "display-name", "*", "Bob"]
    first.expect(cmd("JOIN", "#room"))
    first.assert_silent()
