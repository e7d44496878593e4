"""PRIVMSG and NOTICE to nicks and channels."""
from conftest import SERVER_NAME, prefix


def test_privmsg_to_nick_exact_line(server):
    a = server.client("alice")
    b = server.client("bob")
    a.send("PRIVMSG bob :hello there, bob")
    m = b.expect("PRIVMSG")
    assert m.raw == (":%s PRIVMSG bob :hello there, bob" % prefix("alice")).encode()


def test_notice_to_nick(server):
    a = server.client("alice")
    b = server.client("bob")
    a.send("NOTICE bob :psst")
    m = b.expect("NOTICE")
    assert m.source == prefix("alice")
    assert m.params == ["bob", "psst"]


def test_text_with_colons_and_spaces_kept(server):
    a = server.client("alice")
    b = server.client("bob")
    a.send("PRIVMSG bob ::-) two  spaces : and colon")
    m = b.expect("PRIVMSG")
    assert m.params == ["bob", ":-) two  spaces : and colon"]


def test_single_word_text_without_colon(server):
    a = server.client("alice")
    b = server.client("bob")
    a.send("PRIVMSG bob word")
    m = b.expect("PRIVMSG")
    assert m.params == ["bob", "word"]


def test_privmsg_target_is_casemapped(server):
    a = server.client("alice")
    b = server.client("Foo[")
    a.send("PRIVMSG fOO{ :case")
    m = b.expect("PRIVMSG")
    assert m.trailing == "case"
    a.send("PRIVMSG ALICE :to myself")
    m = a.expect("PRIVMSG")
    assert m.trailing == "to myself"


def test_privmsg_unknown_nick_401(server):
    a = server.client("alice")
    a.send("PRIVMSG nobody :hello?")
    m = a.expect(lambda m: m.command.isdigit())
    assert m.command == "401"
    assert m.source == SERVER_NAME
    assert m.params[:2] == ["alice", "nobody"]


def test_notice_unknown_nick_is_silent(server):
    a = server.client("alice")
    a.send("NOTICE nobody :hello?")
    assert a.sync() == []


def test_privmsg_no_recipient_411_no_text_412(server):
    a = server.client("alice")
    server.client("bob")
    a.send("PRIVMSG")
    m = a.expect(lambda m: m.command.isdigit())
    assert m.command in ("411", "461"), m.line
    a.send("PRIVMSG bob")
    m = a.expect(lambda m: m.command.isdigit())
    assert m.command == "412", m.line
    a.send("PRIVMSG bob :")
    m = a.expect(lambda m: m.command.isdigit())
    assert m.command == "412", m.line


def test_several_targets(server):
    a = server.client("alice")
    b = server.client("bob")
    c = server.client("carol")
    a.send("PRIVMSG bob,carol :to you both")
    assert b.expect("PRIVMSG").params == ["bob", "to you both"]
    assert c.expect("PRIVMSG").params == ["carol", "to you both"]


def test_invalid_utf8_refused_not_relayed(server):
    # UTF8ONLY: the sender gets FAIL, the recipient nothing.
    a = server.client("alice")
    b = server.client("bob")
    text = b"caf\xe9 \xff\xfe \xc3\x28 ok"
    a.send(b"PRIVMSG bob :" + text)
    m = a.expect("FAIL")
    assert m.params[:2] == ["PRIVMSG", "INVALID_UTF8"], m.line
    # And the server is fine afterwards.
    a.send("PRIVMSG bob :after")
    assert b.expect("PRIVMSG").trailing == "after"
    assert not b.skipped, b.skipped


def test_utf8_text_relayed(server):
    a = server.client("alice")
    b = server.client("bob")
    a.send("PRIVMSG bob :héllo wörld ☃ 🎉")
    assert b.expect("PRIVMSG").trailing == "héllo wörld ☃ 🎉"


def test_channel_message_reaches_members_but_sender(server):
    a = server.client("alice")
    b = server.client("bob")
    c = server.client("carol")
    outsider = server.client("dave")
    for x in (a, b, c):
        x.join("#room")
    a.send("PRIVMSG #room :hello room")
    for x in (b, c):
        m = x.expect("PRIVMSG")
        assert m.raw == (":%s PRIVMSG #room :hello room" % prefix("alice")).encode()
    assert not [m for m in a.sync() if m.command == "PRIVMSG"]
    assert not [m for m in outsider.sync() if m.command == "PRIVMSG"]


def test_channel_notice(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    b.join("#room")
    a.send("NOTICE #room :heads up")
    m = b.expect("NOTICE")
    assert m.source == prefix("alice") and m.params == ["#room", "heads up"]


def test_channel_name_casemapped_in_messages(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#Room[")
    b.join("#room{")
    a.send("PRIVMSG #ROOM{ :hi")
    m = b.expect("PRIVMSG")
    assert m.trailing == "hi"


def test_outsider_to_no_external_channel_404(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#closed")
    b.send("PRIVMSG #closed :let me in")
    m = b.expect(lambda m: m.command.isdigit())
    assert m.command == "404"
    assert m.params[:2] == ["bob", "#closed"]
    assert not [m for m in a.sync() if m.command == "PRIVMSG"]


def test_outsider_notice_to_channel_is_silent(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#closed")
    b.send("NOTICE #closed :let me in")
    assert b.sync() == []
    assert not [m for m in a.sync() if m.command == "NOTICE"]


def test_privmsg_no_such_channel(server):
    a = server.client("alice")
    a.send("PRIVMSG #nowhere :hello")
    m = a.expect(lambda m: m.command.isdigit())
    assert m.command in ("401", "403"), m.line
    assert m.params[1] == "#nowhere"


def test_many_messages_arrive_in_order(start_server):
    # A burst far past flood control's: turn it off (test_hostile.py tests it).
    srv = start_server(config="[limits]\nflood_burst = 0\n")
    a = srv.client("alice")
    b = srv.client("bob")
    a.send_raw(b"".join(b"PRIVMSG bob :msg %d\r\n" % i for i in range(300)))
    for i in range(300):
        m = b.expect("PRIVMSG")
        assert m.trailing == "msg %d" % i


def test_too_many_targets_407(start_server):
    srv = start_server(config="[limits]\nmax_targets = 2\n")
    a = srv.client("alice")
    b = srv.client("bob")
    c = srv.client("carol")
    a.send("PRIVMSG bob,carol :two is fine")
    assert b.expect("PRIVMSG").trailing == "two is fine"
    assert c.expect("PRIVMSG").trailing == "two is fine"
    a.send("PRIVMSG bob,carol,alice :three is not")
    m = a.expect(lambda m: m.command.isdigit() or m.command == "PRIVMSG")
    assert m.command == "407", m.line


def test_unsolicited_pong_is_ignored(server):
    a = server.client("alice")
    a.send("PONG :whatever")
    assert a.sync() == []
