"""JOIN, PART, TOPIC, NAMES, MODE and NICK changes seen through channels."""
from conftest import SERVER_NAME, cmd, prefix


def names_of(lines, channel):
    """The nicks (with prefixes) of every 353 for channel."""
    out = []
    for m in lines:
        if m.command == "353" and m.param(2) == channel:
            out.extend(m.trailing.split())
    return out


def test_first_joiner_gets_op_and_names(server):
    a = server.client("alice")
    lines = a.join("#room")
    assert lines[0].raw == (":%s JOIN #room" % prefix("alice")).encode(), lines
    commands = [m.command for m in lines]
    assert "332" not in commands, "no topic yet: %r" % lines
    m353 = next(m for m in lines if m.command == "353")
    assert m353.source == SERVER_NAME
    assert m353.params == ["alice", "=", "#room", "@alice"]
    m366 = lines[-1]
    assert m366.params[:2] == ["alice", "#room"]
    assert commands.index("353") < commands.index("366")


def test_second_joiner_seen_by_all(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    lines = b.join("#room")
    assert lines[0].raw == (":%s JOIN #room" % prefix("bob")).encode()
    assert sorted(names_of(lines, "#room")) == ["@alice", "bob"]
    m = a.expect("JOIN")
    assert m.raw == (":%s JOIN #room" % prefix("bob")).encode()


def test_join_several_channels(server):
    a = server.client("alice")
    a.send("JOIN #a,#b")
    lines = a.collect_until(cmd("366", None, "#b"))
    joins = [m.param(0) for m in lines if m.command == "JOIN"]
    assert joins == ["#a", "#b"]
    assert names_of(lines, "#a") == ["@alice"]
    assert names_of(lines, "#b") == ["@alice"]
    assert [m.param(1) for m in lines if m.command == "366"] == ["#a", "#b"]


def test_join_existing_channel_again_is_silent(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    b.join("#room")
    a.expect(lambda m: m.command == "JOIN" and m.nick == "bob")
    a.send("JOIN #room")
    assert not [m for m in a.sync() if m.command == "JOIN"]
    assert not [m for m in b.sync() if m.command == "JOIN"]


def test_bad_channel_names(server):
    a = server.client("alice")
    for bad in ("nochan", "&local", "#a\x07b"):
        a.send("JOIN %s" % bad)
        m = a.expect(lambda m: m.command.isdigit() or m.command == "JOIN")
        assert m.command in ("403", "476"), "JOIN %r got %r" % (bad, m.line)


def test_channel_name_too_long(start_server):
    srv = start_server(config="[limits]\nchannellen = 10\n")
    a = srv.client("alice")
    a.join("#" + "x" * 9)
    a.send("JOIN #" + "y" * 10)
    m = a.expect(lambda m: m.command.isdigit() or m.command == "JOIN")
    assert m.command in ("403", "476", "479"), m.line


def test_max_channels_405(start_server):
    srv = start_server(config="[limits]\nmax_channels = 2\n")
    a = srv.client("alice")
    a.join("#one")
    a.join("#two")
    a.send("JOIN #three")
    m = a.expect(lambda m: m.command.isdigit() or m.command == "JOIN")
    assert m.command == "405", m.line
    assert m.params[:2] == ["alice", "#three"]


def test_part_with_reason_seen_by_all(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    b.join("#room")
    a.expect("JOIN")
    b.send("PART #room :see you later")
    expected = (":%s PART #room :see you later" % prefix("bob")).encode()
    assert b.expect("PART").raw == expected
    assert a.expect("PART").raw == expected
    a.send("NAMES #room")
    assert names_of(a.collect_until("366"), "#room") == ["@alice"]


def test_part_without_reason(server):
    a = server.client("alice")
    a.join("#room")
    a.send("PART #room")
    m = a.expect("PART")
    assert m.source == prefix("alice") and m.params[0] == "#room"


def test_part_not_on_channel_442(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    b.send("PART #room")
    m = b.expect(lambda m: m.command.isdigit() or m.command == "PART")
    assert m.command == "442" and m.params[:2] == ["bob", "#room"], m.line


def test_part_no_such_channel_403(server):
    a = server.client("alice")
    a.send("PART #nowhere")
    m = a.expect(lambda m: m.command.isdigit() or m.command == "PART")
    assert m.command == "403" and m.params[:2] == ["alice", "#nowhere"], m.line


def test_empty_channel_disappears(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    a.send("PART #room")
    a.expect("PART")
    # The next joiner founds it again and gets op.
    lines = b.join("#room")
    assert names_of(lines, "#room") == ["@bob"]


def test_join_zero_parts_all(server):
    a = server.client("alice")
    a.join("#a")
    a.join("#b")
    a.send("JOIN 0")
    parted = set()
    while parted != {"#a", "#b"}:
        parted.add(a.expect("PART").param(0))


def test_topic_unset_331(server):
    a = server.client("alice")
    a.join("#room")
    a.send("TOPIC #room")
    m = a.expect(lambda m: m.command.isdigit())
    assert m.command == "331" and m.params[:2] == ["alice", "#room"], m.line


def test_topic_set_broadcast_and_query(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    b.join("#room")
    a.send("TOPIC #room :the new topic: here")
    expected = (":%s TOPIC #room :the new topic: here" % prefix("alice")).encode()
    assert a.expect("TOPIC").raw == expected
    assert b.expect("TOPIC").raw == expected
    b.send("TOPIC #room")
    m332 = b.expect(lambda m: m.command.isdigit())
    assert m332.command == "332"
    assert m332.params == ["bob", "#room", "the new topic: here"]
    m333 = b.expect(lambda m: m.command.isdigit())
    assert m333.command == "333"
    assert m333.params[:2] == ["bob", "#room"]
    assert m333.params[2].split("!")[0] == "alice"
    assert m333.params[3].isdigit()


def test_topic_shown_on_join(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    a.send("TOPIC #room :welcome all")
    a.expect("TOPIC")
    lines = b.join("#room")
    commands = [m.command for m in lines]
    assert commands[0] == "JOIN"
    assert "332" in commands and "333" in commands, commands
    assert commands.index("332") < commands.index("333") < commands.index("353")
    assert next(m for m in lines if m.command == "332").trailing == "welcome all"


def test_topic_by_non_op_on_t_channel_482(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    b.join("#room")
    b.send("TOPIC #room :mine now")
    m = b.expect(lambda m: m.command.isdigit() or m.command == "TOPIC")
    assert m.command == "482" and m.params[:2] == ["bob", "#room"], m.line
    assert not [m for m in a.sync() if m.command == "TOPIC"]


def test_topic_not_on_channel_442(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    b.send("TOPIC #room :outsider")
    m = b.expect(lambda m: m.command.isdigit() or m.command == "TOPIC")
    assert m.command == "442", m.line


def test_topic_is_cut_at_topiclen(start_server):
    srv = start_server(config="[limits]\ntopiclen = 10\n")
    a = srv.client("alice")
    a.join("#room")
    a.send("TOPIC #room :0123456789abcdef")
    m = a.expect(lambda m: m.command.isdigit() or m.command == "TOPIC")
    if m.command == "TOPIC":
        assert m.trailing == "0123456789", m.line
    a.send("TOPIC #room")
    m = a.expect(lambda m: m.command in ("331", "332"))
    if m.command == "332":
        assert m.trailing == "0123456789", m.line


def test_names(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    b.join("#room")
    b.send("NAMES #room")
    lines = b.collect_until("366")
    assert [m.command for m in lines] == ["353"] * (len(lines) - 1) + ["366"]
    assert lines[0].params[1] == "="
    assert sorted(names_of(lines, "#room")) == ["@alice", "bob"]
    assert lines[-1].params[:2] == ["bob", "#room"]


def test_channel_mode_324(server):
    a = server.client("alice")
    a.join("#room")
    a.send("MODE #room")
    m = a.expect(lambda m: m.command.isdigit())
    assert m.command == "324"
    assert m.params[:2] == ["alice", "#room"]
    assert sorted(m.params[2].lstrip("+")) == ["n", "t"], m.line
    assert m.params[2].startswith("+")


def test_op_and_voice(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    b.join("#room")
    a.send("MODE #room +v bob")
    m = b.expect("MODE")
    assert m.source == prefix("alice")
    assert m.params[:3] == ["#room", "+v", "bob"]
    a.send("MODE #room +o bob")
    b.expect("MODE")
    b.send("TOPIC #room :bob is op now")
    assert a.expect("TOPIC").trailing == "bob is op now"
    b.send("NAMES #room")
    assert sorted(names_of(b.collect_until("366"), "#room")) == ["@alice", "@bob"]


def test_mode_by_non_op_482(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    b.join("#room")
    b.send("MODE #room -t")
    m = b.expect(lambda m: m.command.isdigit() or m.command == "MODE")
    assert m.command == "482", m.line


def test_channel_names_are_casemapped(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#Chan[x]\\~")
    lines = b.join("#chan{x}|^")
    assert sorted(names_of(lines, lines[-1].param(1))) == ["@alice", "bob"]


# -- NICK changes


def test_nick_change_seen_once_by_each_peer(server):
    a = server.client("alice")
    b = server.client("bob")
    c = server.client("carol")
    outsider = server.client("dave")
    for ch in ("#one", "#two"):
        a.join(ch)
        b.join(ch)
    c.join("#two")
    a.send("NICK alice2")
    for x in (a, b, c):
        m = x.expect("NICK")
        assert m.source == prefix("alice"), m.line
        assert m.params == ["alice2"], m.line
        assert not [m for m in x.sync() if m.command == "NICK"], x.name
    assert not [m for m in outsider.sync() if m.command == "NICK"]
    # The new nick is in use, the old one is free.
    b.send("PRIVMSG alice2 :found you")
    assert a.expect("PRIVMSG").trailing == "found you"
    b.send("PRIVMSG alice :gone?")
    assert b.expect(lambda m: m.command.isdigit()).command == "401"
    d = server.client()
    d.register("alice")


def test_nick_change_without_channels_told_to_self(server):
    a = server.client("alice")
    a.send("NICK alicia")
    m = a.expect("NICK")
    assert m.source == prefix("alice") and m.params == ["alicia"]


def test_nick_change_case_only(server):
    a = server.client("alice")
    a.send("NICK ALICE")
    m = a.expect(lambda m: m.command == "NICK" or m.command.isdigit())
    assert m.command == "NICK" and m.params == ["ALICE"], m.line


def test_nick_change_to_taken_433(server):
    a = server.client("alice")
    server.client("bob")
    a.send("NICK BOB")
    m = a.expect(lambda m: m.command == "NICK" or m.command.isdigit())
    assert m.command == "433" and m.params[:2] == ["alice", "BOB"], m.line


def test_messages_after_nick_change_carry_new_nick(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    b.join("#room")
    a.send("NICK zed")
    b.expect("NICK")
    a.send("PRIVMSG #room :new me")
    m = b.expect("PRIVMSG")
    assert m.source == prefix("zed", user="alice")


def test_who_channel(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    b.join("#room")
    b.send("WHO #room")
    lines = b.collect_until("315")
    rows = [m for m in lines if m.command == "352"]
    assert lines[-1].params[:2] == ["bob", "#room"]
    by_nick = {m.params[5]: m for m in rows}
    assert sorted(by_nick) == ["alice", "bob"], [m.line for m in rows]
    alice = by_nick["alice"]
    # 352 me #chan user host server nick flags :hops realname
    assert alice.params[1:5] == ["#room", "alice", "127.0.0.1", SERVER_NAME]
    assert alice.params[6].startswith("H") and "@" in alice.params[6]
    assert alice.trailing.split(" ", 1)[1] == "Real Name"


def test_who_nick(server):
    server.client("alice")
    b = server.client("bob")
    b.send("WHO alice")
    lines = b.collect_until("315")
    rows = [m for m in lines if m.command == "352"]
    assert len(rows) == 1 and rows[0].params[5] == "alice", lines


def test_user_mode(server):
    a = server.client("alice")
    server.client("bob")
    a.send("MODE alice +i")
    m = a.expect("MODE")
    assert m.params[0] == "alice" and m.params[1] == "+i", m.line
    a.send("MODE alice")
    m = a.expect(lambda m: m.command.isdigit())
    assert m.command == "221" and "i" in m.params[1], m.line
    a.send("MODE bob")
    m = a.expect(lambda m: m.command.isdigit())
    assert m.command == "502", m.line
    a.send("MODE nobody")
    m = a.expect(lambda m: m.command.isdigit())
    assert m.command == "401", m.line


def test_unknown_channel_mode_472(server):
    a = server.client("alice")
    a.join("#room")
    a.send("MODE #room +Z")
    m = a.expect(lambda m: m.command.isdigit() or m.command == "MODE")
    assert m.command == "472", m.line


def test_mode_o_on_non_member_441(server):
    a = server.client("alice")
    server.client("bob")
    a.join("#room")
    a.send("MODE #room +o bob")
    m = a.expect(lambda m: m.command.isdigit() or m.command == "MODE")
    assert m.command == "441", m.line


def test_mode_minus_n_lets_outsiders_talk(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#open")
    a.send("MODE #open -n")
    m = a.expect("MODE")
    assert m.params[:2] == ["#open", "-n"], m.line
    b.send("PRIVMSG #open :from outside")
    assert a.expect("PRIVMSG").trailing == "from outside"


def test_part_several_channels(server):
    a = server.client("alice")
    b = server.client("bob")
    for ch in ("#a", "#b"):
        a.join(ch)
        b.join(ch)
    b.send("PART #a,#b :off to bed")
    got = [a.expect("PART") for _ in range(2)]
    assert sorted(m.params[0] for m in got) == ["#a", "#b"]
    assert all(m.source == prefix("bob") and m.trailing == "off to bed" for m in got)


def test_topic_can_be_cleared(server):
    a = server.client("alice")
    a.join("#room")
    a.send("TOPIC #room :something")
    a.expect("TOPIC")
    a.send("TOPIC #room :")
    m = a.expect("TOPIC")
    assert m.params == ["#room", ""], m.line
    a.send("TOPIC #room")
    m = a.expect(lambda m: m.command.isdigit())
    assert m.command == "331", m.line


def test_names_split_over_lines_within_512_bytes(start_server):
    # 40 clients from 127.0.0.1: more than max_per_address allows by default.
    server = start_server(config="[limits]\nmax_per_address = 0\n")
    nicks = ["member%023d" % i for i in range(40)]   # 29 bytes each
    clients = [server.client(n) for n in nicks]
    for c in clients:
        c.join("#crowd")
    last = clients[-1]
    last.send("NAMES #crowd")
    lines = last.collect_until("366")
    rows = [m for m in lines if m.command == "353"]
    assert len(rows) >= 3, "40 nicks of 29 bytes cannot fit one line"
    for m in rows:
        assert len(m.raw) + 2 <= 512, len(m.raw)
    seen = " ".join(m.trailing for m in rows).replace("@", "").split()
    assert sorted(seen) == sorted(nicks)
