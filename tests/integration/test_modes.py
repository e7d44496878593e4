"""Channel modes, ban/exception/invite lists, the JOIN checks, KICK and INVITE, over
real sockets."""
from conftest import SERVER_NAME, cmd, prefix


def pair(server, channel="#c"):
    """op creates channel (and holds @); b is registered but outside it."""
    op = server.client("op")
    b = server.client("b")
    op.join(channel)
    return op, b


def raw(m):
    return m.raw.decode()


def test_isupport_advertises_modes(server):
    c = server.client()
    burst = c.register("x")
    text = "\n".join(m.line for m in burst)
    for token in ("CHANMODES=beIq,k,fjl,CMPRTWcimnpstz", "EXCEPTS", "INVEX", "MAXLIST=beIq:100",
                  "KICKLEN=255", "MODES=4", "PREFIX=(ov)@+"):
        assert " " + token + " " in text, token
    m004 = next(m for m in burst if m.command == "004")
    assert m004.params[3:] == ["Biorsw", "CIMPRTWbcefijklmnopqstvz", "Ibefjklqov"]


def test_flag_modes_broadcast_and_show(server):
    op, b = pair(server)
    b.join("#c")
    op.expect("JOIN")
    op.send("MODE #c +imsp-t")
    want = ":%s MODE #c +imsp-t" % prefix("op")
    assert raw(op.expect("MODE")) == want
    assert raw(b.expect("MODE")) == want
    b.send("MODE #c")
    m = b.expect("324")
    assert m.params == ["b", "#c", "+imnps"]
    m = b.expect("329")
    assert m.params[:2] == ["b", "#c"] and int(m.params[2]) > 1600000000


def test_non_operator_and_unknown_mode(server):
    op, b = pair(server)
    b.join("#c")
    b.send("MODE #c +m")
    assert b.expect("482").params == ["b", "#c", "You're not channel operator"]
    op.send("MODE #c +Z")
    assert op.expect("472").params[1] == "Z"
    op.assert_silent("MODE")


def test_key_join_checks(server):
    op, b = pair(server)
    op.send("MODE #c +k sesame")
    op.expect("MODE")
    b.send("JOIN #c")
    assert b.expect("475").params[:2] == ["b", "#c"]
    b.send("JOIN #c wrong")
    b.expect("475")
    b.send("MODE #c")
    assert b.expect("324").params == ["b", "#c", "+ntk", "*"]
    b.expect("329")
    b.send("JOIN #c sesame")
    assert raw(b.expect("JOIN")) == ":%s JOIN #c" % prefix("b")
    b.expect("366")
    b.send("MODE #c")
    assert b.expect("324").params == ["b", "#c", "+ntk", "sesame"]


def test_key_invalid(server):
    op, _ = pair(server)
    op.send("MODE #c +k :has space")
    assert op.expect("696").params[1:3] == ["#c", "k"]


def test_limit(server):
    op, b = pair(server)
    op.send("MODE #c +l 1")
    assert raw(op.expect("MODE")) == ":%s MODE #c +l 1" % prefix("op")
    b.send("JOIN #c")
    assert b.expect("471").params[:2] == ["b", "#c"]
    op.send("MODE #c +l nope")
    assert op.expect("696").params[1:4] == ["#c", "l", "nope"]


def test_ban_blocks_join_exception_lets_in(server):
    op, b = pair(server)
    op.send("MODE #c +b b")
    assert raw(op.expect("MODE")) == ":%s MODE #c +b b!*@*" % prefix("op")
    b.send("JOIN #c")
    assert b.expect("474").params[:2] == ["b", "#c"]
    b.send("MODE #c b")
    m = b.expect("367")
    assert m.params[:4] == ["b", "#c", "b!*@*", prefix("op")]
    b.expect("368")
    op.send("MODE #c +e *!*@127.0.0.1")
    op.expect("MODE")
    b.join("#c")
    op.expect(cmd("JOIN", "#c"))


def test_invite_only_and_invite(server):
    op, b = pair(server)
    op.send("MODE #c +i")
    op.expect("MODE")
    b.send("JOIN #c")
    assert b.expect("473").params[:2] == ["b", "#c"]
    op.send("INVITE b #c")
    assert op.expect("341").params == ["op", "b", "#c"]
    assert raw(b.expect("INVITE")) == ":%s INVITE b #c" % prefix("op")
    b.send("INVITE")
    assert b.expect("336").params == ["b", "#c"]
    b.expect("337")
    b.join("#c")
    b.send("INVITE op #c")
    assert b.expect("482").params[:2] == ["b", "#c"]
    op.send("INVITE b #c")
    assert op.expect("443").params[:3] == ["op", "b", "#c"]
    op.send("INVITE ghost #c")
    assert op.expect("401").params[:2] == ["op", "ghost"]


def test_invite_needs_membership(server):
    op, b = pair(server)
    b.send("INVITE op #c")
    assert b.expect("442").params[:2] == ["b", "#c"]


def test_moderated_needs_voice(server):
    op, b = pair(server)
    b.join("#c")
    op.send("MODE #c +m")
    b.expect("MODE")
    b.send("PRIVMSG #c :hello")
    assert b.expect("404").params[:2] == ["b", "#c"]
    op.send("MODE #c +v b")
    b.expect("MODE")
    b.send("PRIVMSG #c :hello")
    assert raw(op.expect("PRIVMSG")) == ":%s PRIVMSG #c hello" % prefix("b")


def test_banned_member_cannot_send(server):
    op, b = pair(server)
    b.join("#c")
    op.send("MODE #c +b b!*@*")
    b.expect("MODE")
    b.send("PRIVMSG #c :hello")
    b.expect("404")
    op.assert_silent("PRIVMSG")


def test_secret_channel_names(server):
    op, b = pair(server)
    op.send("MODE #c +s")
    op.expect("MODE")
    b.send("NAMES #c")
    lines = b.collect_until("366")
    assert [m.command for m in lines] == ["366"]
    b.send("WHO #c")
    lines = b.collect_until("315")
    assert [m.command for m in lines] == ["315"]
    b.send("LIST")
    lines = b.collect_until("323")
    assert "322" not in [m.command for m in lines]
    op.send("NAMES #c")
    assert op.expect("353").params == ["op", "@", "#c", "@op"]


def test_kick(server):
    op, b = pair(server)
    b.join("#c")
    b.send("KICK #c op")
    assert b.expect("482").params[:2] == ["b", "#c"]
    op.send("KICK #c b :bye now")
    want = ":%s KICK #c b :bye now" % prefix("op")
    assert raw(op.expect("KICK")) == want
    assert raw(b.expect("KICK")) == want
    op.send("KICK #c b")
    assert op.expect("441").params[:3] == ["op", "b", "#c"]
    b.send("KICK #c op")
    assert b.expect("442").params[:2] == ["b", "#c"]
    b.send("PRIVMSG #c :still here?")
    b.expect("404")


def test_configured_limits(start_server):
    srv = start_server("[limits]\nmax_list = 2\nkicklen = 3\n")
    op = srv.client("op")
    b = srv.client("b")
    op.join("#c")
    b.join("#c")
    op.send("MODE #c +bbb x y z")
    assert op.expect("478").params[1:3] == ["#c", "b"]
    assert raw(op.expect("MODE")) == ":%s MODE #c +bb x!*@* y!*@*" % prefix("op")
    op.send("KICK #c b :abcdef")
    assert raw(b.expect("KICK")) == ":%s KICK #c b abc" % prefix("op")


def test_modes_per_line_cap(server):
    op, _ = pair(server)
    op.send("MODE #c +bbbbb a b c d e")
    m = op.expect("MODE")
    assert m.params == ["#c", "+bbbb", "a!*@*", "b!*@*", "c!*@*", "d!*@*"]
    assert m.source == prefix("op")
    assert SERVER_NAME
