"""IRCv3 capabilities over real sockets: a client that negotiates several of them next
to a plain one, which must see plain RFC behaviour; MONITOR, bot mode, SETNAME and
UTF8ONLY end to end."""
from conftest import SERVER_NAME, cmd, prefix

CAPS = ("multi-prefix userhost-in-names away-notify extended-join setname "
        "invite-notify")


def negotiate(server, nick, caps=CAPS):
    """Register the way a modern client does: CAP LS 302, REQ, END."""
    c = server.client()
    c.send("CAP LS 302")
    offered = set()
    while True:
        m = c.expect(cmd("CAP", "*", "LS"))
        offered |= {w.split("=", 1)[0] for w in m.trailing.split()}
        if m.param(2) != "*":
            break
    assert set(caps.split()) <= offered, offered
    c.send("CAP REQ :" + caps)
    ack = c.expect(cmd("CAP", "*"))
    assert ack.param(1) == "ACK" and ack.trailing == caps, ack.line
    c.send("NICK " + nick)
    c.send("USER %s 0 * :Real Name" % nick)
    c.send("CAP END")
    c.collect_until(lambda m: m.command in ("376", "422"))
    c.nick = c.name = nick
    return c


def raw(m):
    return m.raw.decode("utf-8", "surrogateescape")


def test_isupport_tokens(server):
    c = server.client()
    text = "\n".join(m.line for m in c.register("x") if m.command == "005")
    for token in ("BOT=B", "MONITOR=100", "NAMELEN=128", "UTF8ONLY"):
        assert " " + token + " " in text, token


def test_names_who_and_join_with_and_without_caps(server):
    op = server.client("op")
    op.join("#c")
    op.send("MODE #c +v op")
    op.expect("MODE")
    v3 = negotiate(server, "v3")
    plain = server.client("plain")
    plain.join("#c")
    op.expect("JOIN")
    lines = v3.join("#c")
    assert raw(lines[0]) == ":%s JOIN #c * :Real Name" % prefix("v3")
    names = [m for m in lines if m.command == "353"]
    assert names[0].trailing == "@+%s %s %s" % (prefix("op"), prefix("plain"),
                                                prefix("v3"))
    # The plain member sees the RFC JOIN; the one with extended-join the long one.
    assert raw(plain.expect("JOIN")) == ":%s JOIN #c" % prefix("v3")
    plain.send("NAMES #c")
    assert plain.expect("353").trailing == "@op plain v3"
    v3.send("WHO #c")
    flags = {m.param(5): m.param(6) for m in v3.collect_until("315") if m.command == "352"}
    assert flags["op"] == "H@+"
    plain.send("WHO #c")
    flags = {m.param(5): m.param(6) for m in plain.collect_until("315")
             if m.command == "352"}
    assert flags["op"] == "H@"


def test_away_notify_setname_and_invite_notify(server):
    v3 = negotiate(server, "v3")
    plain = server.client("plain")
    talker = server.client("talker")
    guest = server.client("guest")
    for c in (v3, plain, talker):
        c.join("#c")
    v3.sync()
    plain.sync()

    talker.send("AWAY :lunch")
    assert raw(v3.expect("AWAY")) == ":%s AWAY lunch" % prefix("talker")
    talker.send("AWAY")
    assert raw(v3.expect("AWAY")) == ":%s AWAY" % prefix("talker")

    talker.send("SETNAME :Talker Person")
    assert raw(v3.expect("SETNAME")) == ":%s SETNAME :Talker Person" % prefix("talker")
    plain.send("WHOIS talker")
    assert plain.expect("311").trailing == "Talker Person"

    talker.send("INVITE guest #c")
    assert raw(guest.expect("INVITE")) == ":%s INVITE guest #c" % prefix("talker")
    assert raw(v3.expect("INVITE")) == ":%s INVITE guest #c" % prefix("talker")

    # None of it reached the client that negotiated nothing.
    assert not [m for m in plain.sync() if m.command in ("AWAY", "SETNAME", "INVITE")]


def test_setname_refused(server):
    v3 = negotiate(server, "v3")
    v3.send("SETNAME :" + "x" * 129)
    m = v3.expect("FAIL")
    assert m.params == ["SETNAME", "INVALID_REALNAME", "Realname is not valid"]


def test_monitor(server):
    w = server.client("watcher")
    w.send("MONITOR + friend,Other")
    assert w.expect("731").trailing == "friend,Other"
    f = server.client("friend")
    assert w.expect("730").trailing == prefix("friend")
    f.send("NICK other")
    assert w.expect("731").trailing == "friend"
    assert w.expect("730").trailing == prefix("other", user="friend")
    w.send("MONITOR L")
    assert w.expect("732").trailing == "friend,Other"
    w.expect("733")
    f.send("QUIT")
    assert w.expect("731").trailing == "other"
    w.send("MONITOR S")
    assert w.expect("731").trailing == "friend,Other"


def test_monitor_limit_from_config(start_server):
    srv = start_server(config="[server]\nname = irc.localhost\n[limits]\nmonitor_max = 1\n")
    w = srv.client()
    text = "\n".join(m.line for m in w.register("w") if m.command == "005")
    assert " MONITOR=1 " in text
    w.send("MONITOR + a,b")
    m = w.expect("734")
    assert m.params == ["w", "1", "b", "Monitor list is full"]


def test_bot_mode(server):
    bot = server.client("robo")
    human = server.client("human")
    bot.send("MODE robo +B")
    assert raw(bot.expect("MODE")) == ":robo MODE robo :+B"
    human.send("WHOIS robo")
    lines = human.collect_until("318")
    assert [m.params for m in lines if m.command == "335"] == [["human", "robo",
                                                                "is a bot"]]
    human.send("WHO robo")
    assert human.expect("352").param(6) == "HB"


def test_invalid_utf8_refused_valid_relayed(server):
    a = server.client("alice")
    b = server.client("bob")
    a.send_raw(b"PRIVMSG bob :caf\xe9\r\n")
    m = a.expect("FAIL")
    assert m.source == SERVER_NAME
    assert m.params[:2] == ["PRIVMSG", "INVALID_UTF8"]
    a.send_raw("PRIVMSG bob :café ☕\r\n".encode())
    assert b.expect("PRIVMSG").trailing == "café ☕"
    assert not [m for m in b.sync() if m.command == "PRIVMSG"]


def test_utf8_only_can_be_turned_off(start_server):
    srv = start_server(config="[server]\nname = irc.localhost\nutf8_only = no\n")
    a = srv.client()
    text = "\n".join(m.line for m in a.register("alice") if m.command == "005")
    assert "UTF8ONLY" not in text
    b = srv.client("bob")
    a.send_raw(b"PRIVMSG bob :caf\xe9\r\n")
    assert b.expect("PRIVMSG").raw.endswith(b"caf\xe9")
