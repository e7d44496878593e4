"""Issue 20's capabilities and commands through the real binary: one test each for
extended-monitor, no-implicit-names, draft/pre-away, draft/channel-rename, STATUSMSG,
SILENCE, KNOCK, HELP and the new channel modes."""


def cap_client(server, nick, caps):
    """Connect, negotiate caps (space-separated) and register as nick."""
    c = server.client()
    c.send("CAP REQ :%s" % caps)
    assert c.expect("CAP").params[1] == "ACK"
    c.send("CAP END")
    c.register(nick)
    return c


def test_extended_monitor(server):
    w = cap_client(server, "watcher", "extended-monitor away-notify")
    a = server.client("alice")
    w.send("MONITOR + alice")
    w.expect("730")
    a.send("AWAY :lunch")
    m = w.expect("AWAY")
    assert m.nick == "alice" and m.trailing == "lunch"


def test_no_implicit_names(server):
    c = cap_client(server, "quiet", "no-implicit-names")
    c.send("JOIN #c")
    lines = c.sync()
    assert [m.command for m in lines] == ["JOIN"], lines


def test_pre_away(server):
    c = server.client()
    c.send("CAP LS 302")
    c.send("CAP REQ draft/pre-away")
    c.send("AWAY *")
    c.send("CAP END")
    c.register("bot")
    a = server.client("alice")
    a.send("PRIVMSG bot :there?")
    assert a.expect("301").trailing == "*"


def test_channel_rename(server):
    a = cap_client(server, "alice", "draft/channel-rename")
    b = server.client("bob")
    a.join("#old")
    b.join("#old")
    a.send("RENAME #old #new :tidier")
    m = a.expect("RENAME")
    assert m.params == ["#old", "#new", "tidier"]
    assert b.expect("PART").params == ["#old", "tidier"]
    assert b.expect("JOIN").params == ["#new"]
    b.expect(lambda m: m.command == "366" and m.params[1] == "#new")


def test_statusmsg(server):
    op = server.client("op")
    v = server.client("v")
    p = server.client("p")
    for c in (op, v, p):
        c.join("#c")
    op.send("MODE #c +v v")
    v.expect("MODE")
    p.expect("MODE")
    p.send("PRIVMSG @#c :psst")
    m = op.expect("PRIVMSG")
    assert m.params == ["@#c", "psst"]
    v.assert_silent("PRIVMSG")


def test_silence(server):
    a = server.client("alice")
    b = server.client("bob")
    b.send("SILENCE +alice")
    assert b.expect("SILENCE").params == ["+alice!*@*"]
    a.send("PRIVMSG bob :hello")
    b.assert_silent("PRIVMSG")
    b.send("SILENCE")
    assert b.expect("271").params[1:] == ["bob", "alice!*@*"]


def test_knock(server):
    op = server.client("op")
    k = server.client("k")
    op.join("#c")
    op.send("MODE #c +i")
    op.expect("MODE")
    k.send("KNOCK #c")
    assert k.expect("711").params[1] == "#c"
    m = op.expect("710")
    assert m.params[1:3] == ["#c", "k!k@127.0.0.1"]


def test_help(server):
    c = server.client("alice")
    c.send("HELP rename")
    lines = c.collect_until("706")
    assert [m.command for m in lines] == ["704", "705", "706"]
    assert lines[0].params[1:] == ["RENAME", "RENAME #channel #new [:reason]"]
    c.send("HELP nonsense")
    assert c.expect("524").params[1] == "NONSENSE"


def test_channel_modes(server):
    op = server.client("op")
    b = server.client("b")
    op.join("#c")
    b.join("#c")
    op.send("MODE #c +Cq b!*@*")
    b.expect("MODE")
    b.send("PRIVMSG #c :\x01VERSION\x01")
    assert "CTCP" in b.expect("404").trailing
    op.send("MODE #c -C")
    b.expect("MODE")
    b.send("PRIVMSG #c :hi")
    assert "(+q)" in b.expect("404").trailing
    op.send("MODE #c +if #over")
    b.expect("MODE")
    d = server.client("d")
    d.send("JOIN #c")
    assert d.expect("470").params[1:3] == ["#c", "#over"]
    assert d.expect("JOIN").params == ["#over"]


def test_multiline(server):
    a = cap_client(server, "alice", "batch draft/multiline")
    b = cap_client(server, "bob", "batch draft/multiline")
    c = server.client("carol")
    for x in (a, b, c):
        x.join("#c")
    a.send("BATCH +m1 draft/multiline #c")
    a.send("@batch=m1 PRIVMSG #c :first")
    a.send("@batch=m1;draft/multiline-concat PRIVMSG #c :, continued")
    a.send("BATCH -m1")
    lines = b.collect_until(lambda m: m.command == "BATCH" and m.params[0] == "-m1")
    lines = [m for m in lines if m.command in ("BATCH", "PRIVMSG")]
    assert [m.command for m in lines] == ["BATCH", "PRIVMSG", "PRIVMSG", "BATCH"]
    assert lines[0].params == ["+m1", "draft/multiline", "#c"]
    assert lines[2].tags.get("draft/multiline-concat") is not None
    assert c.expect("PRIVMSG").trailing == "first"
    assert c.expect("PRIVMSG").trailing == ", continued"


def test_metadata(server):
    a = cap_client(server, "alice", "batch draft/metadata-2")
    b = cap_client(server, "bob", "batch draft/metadata-2")
    b.send("METADATA * SUB display-name")
    assert b.expect("770").trailing == "display-name"
    a.join("#c")
    b.join("#c")
    a.send("METADATA * SET display-name :Alice Liddell")
    assert a.expect("761").params[1:] == ["alice", "display-name", "*",
                                          "Alice Liddell"]
    m = b.expect("METADATA")
    assert m.params == ["alice", "display-name", "*", "Alice Liddell"]
    b.send("METADATA alice GET display-name")
    lines = b.collect_until(lambda m: m.command == "BATCH" and m.params[0][0] == "-")
    kv = [m for m in lines if m.command == "761"]
    assert kv and kv[0].params[-1] == "Alice Liddell" and "batch" in kv[0].tags
