"""IRCv3 message tags end to end: server-time, message-tags (client-only tags, msgid,
TAGMSG), echo-message, labeled-response with batch, and a plain client in the same
channel that sees nothing but RFC lines."""
import re

from conftest import cmd

TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ALL_CAPS = "message-tags server-time echo-message batch labeled-response standard-replies"


def negotiate(server, nick, caps):
    """A client that requests caps (one REQ), registers, and returns."""
    c = server.client()
    c.send("CAP LS 302")
    c.send("CAP REQ :%s" % caps)
    c.expect(cmd("CAP", "*", "ACK"))
    c.send("NICK %s" % nick)
    c.send("USER %s 0 * :Real Name" % nick)
    c.send("CAP END")
    c.collect_until(lambda m: m.command in ("376", "422"))
    c.nick = c.name = nick
    return c


def test_tagged_and_plain_clients_share_a_channel(server):
    a = negotiate(server, "alice", ALL_CAPS)
    b = negotiate(server, "bob", "message-tags server-time")
    p = server.client("plain")
    for c in (a, b, p):
        c.join("#v3")
    a.sync()
    b.sync()

    a.send("@+draft/react=\\s:)\\:;label=L1 PRIVMSG #v3 :hello there")
    echo = a.expect(cmd("PRIVMSG", "#v3"))
    got = b.expect(cmd("PRIVMSG", "#v3"))
    plain = p.expect(cmd("PRIVMSG", "#v3"))

    # The echo answers the labeled command and carries the same msgid.
    assert echo.tags["label"] == "L1"
    assert echo.tags["msgid"] == got.tags["msgid"]
    assert TIME_RE.match(echo.tags["time"]) and TIME_RE.match(got.tags["time"])
    # Client-only tags relayed, unescaped the same on the other side.
    assert got.tags["+draft/react"] == " :);"
    assert "label" not in got.tags
    # The plain client: an RFC line, no tags at all.
    assert plain.line == ":alice!alice@127.0.0.1 PRIVMSG #v3 :hello there"
    assert all(not m.line.startswith("@") for m in p.history)


def test_tagmsg_only_reaches_message_tags_clients(server):
    a = negotiate(server, "alice", ALL_CAPS)
    b = negotiate(server, "bob", "message-tags")
    p = server.client("plain")
    for c in (a, b, p):
        c.join("#v3")
    a.sync()

    a.send("@+typing=active TAGMSG #v3")
    m = b.expect(cmd("TAGMSG", "#v3"))
    assert m.tags["+typing"] == "active" and "msgid" in m.tags
    a.expect(cmd("TAGMSG", "#v3"))
    p.assert_silent(cmd("TAGMSG"))
    # The plain client cannot send one: it does not exist for it.
    p.send("TAGMSG #v3")
    p.expect(cmd("421", "plain", "TAGMSG"))


def test_labeled_responses(server):
    a = negotiate(server, "alice", ALL_CAPS)
    a.send("@label=none PONG :x")
    ack = a.expect(cmd("ACK"))
    assert ack.tags["label"] == "none"

    a.send("@label=one PING :x")
    pong = a.expect(cmd("PONG"))
    assert pong.tags["label"] == "one"

    a.send("@label=many JOIN #lr")
    start = a.expect(cmd("BATCH"))
    assert start.tags["label"] == "many"
    assert start.params[0].startswith("+") and start.params[1] == "labeled-response"
    ref = start.params[0][1:]
    lines = a.collect_until(cmd("BATCH", "-" + ref))
    inner = lines[:-1]
    assert [m.command for m in inner] == ["JOIN", "353", "366"]
    assert all(m.tags.get("batch") == ref for m in inner)
    assert "label" not in lines[-1].tags


def test_oversized_and_malformed_tags_keep_the_connection(server):
    a = negotiate(server, "alice", ALL_CAPS)
    a.send("@+big=" + "x" * 4100 + " PRIVMSG alice :hi")
    a.expect(cmd("417", "alice"))
    a.send("@+bad$key=1 PING :x")
    fail = a.expect(cmd("FAIL"))
    assert fail.params[:2] == ["*", "INVALID_TAGS"]
    a.send("PING :still")
    assert a.expect(cmd("PONG")).trailing == "still"


def test_plain_client_without_cap_sees_rfc(server):
    p = server.client()
    burst = p.register("plain")
    assert all(not m.line.startswith("@") for m in burst)
    p.send("PRIVMSG plain :self")
    m = p.expect(cmd("PRIVMSG", "plain"))
    assert m.tags == {}
    # Exactly one copy: no echo without echo-message.
    p.assert_silent(cmd("PRIVMSG"))
