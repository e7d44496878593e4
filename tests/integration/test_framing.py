"""Input framing: line ends, empty lines, length limits, NUL bytes, segmentation."""
import time

import pytest

from conftest import SERVER_NAME, prefix

# The concurrency models handle these connections each their own way: ctest runs
# this file under every --model.
pytestmark = pytest.mark.models


def pong_works(c, token="alive"):
    c.send("PING %s" % token)
    m = c.expect("PONG")
    assert m.params == [SERVER_NAME, token]


def test_bare_lf_line_ends(server):
    c = server.client()
    c.send_raw(b"NICK alice\nUSER alice 0 * :Alice\n")
    c.expect("001")
    c.send_raw(b"PING :lf\n")
    assert c.expect("PONG").trailing == "lf"


def test_mixed_line_ends_in_one_segment(server):
    c = server.client("alice")
    c.send_raw(b"PING one\nPING two\r\nPING three\n")
    assert [c.expect("PONG").trailing for _ in range(3)] == ["one", "two", "three"]


def test_empty_lines_ignored(server):
    c = server.client()
    c.send_raw(b"\r\n\n\r\n\n")
    c.register("alice")
    c.send_raw(b"\r\n\r\n\n\n\r\n")
    assert c.sync() == []


def test_line_of_512_bytes_accepted(server):
    a = server.client("alice")
    b = server.client("bob")
    head = b"PRIVMSG bob :"
    text = b"x" * (512 - len(head) - 2)
    line = head + text + b"\r\n"
    assert len(line) == 512
    a.send_raw(line)
    m = b.expect("PRIVMSG")
    # The relayed line carries a longer prefix, so the server may cut the text to keep
    # its own line within 512 bytes; it must not refuse it.
    assert m.trailing and text.startswith(m.trailing.encode()), m.line
    assert len(m.raw) + 2 <= 512, len(m.raw)
    assert not [m for m in a.sync() if m.command == "417"]


def test_relayed_lines_stay_within_512_bytes(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#room")
    b.join("#room")
    a.send("TOPIC #room :" + "t" * 390)
    a.send_raw(b"PRIVMSG #room :" + b"\xc3\xa9" * 240 + b"\r\n")
    for m in b.collect_until("PRIVMSG"):
        assert len(m.raw) + 2 <= 512, m.line
    b.send("TOPIC #room")
    for m in b.collect_until("333"):
        assert len(m.raw) + 2 <= 512, m.line


def test_line_of_513_bytes_gets_417_and_is_dropped(server):
    a = server.client("alice")
    b = server.client("bob")
    head = b"PRIVMSG bob :"
    line = head + b"y" * (513 - len(head) - 2) + b"\r\n"
    assert len(line) == 513
    a.send_raw(line)
    m = a.expect(lambda m: m.command.isdigit())
    assert m.command == "417", m.line
    assert m.source == SERVER_NAME
    assert m.params == ["alice", "Input line was too long"]
    pong_works(a)
    assert not [m for m in b.sync() if m.command == "PRIVMSG"]
    # The connection is still fully usable.
    a.send("PRIVMSG bob :short one")
    assert b.expect("PRIVMSG").trailing == "short one"


def test_long_line_with_bare_lf_counts_512(server):
    a = server.client("alice")
    head = b"PRIVMSG alice :"
    # 511 bytes with a bare LF is within 512 (as CRLF it would be 512).
    ok = head + b"z" * (510 - len(head)) + b"\n"
    assert len(ok) == 511
    a.send_raw(ok)
    m = a.expect(lambda m: m.command in ("PRIVMSG", "417"))
    assert m.command == "PRIVMSG", m.line


def test_long_line_before_registration_417(server):
    c = server.client()
    c.send_raw(b"NICK " + b"n" * 600 + b"\r\n")
    m = c.expect(lambda m: m.command.isdigit())
    assert m.command == "417" and m.params[0] == "*", m.line
    c.register("alice")


def test_line_over_line_max_417_connection_stays(server):
    c = server.client("alice")
    c.send_raw(b"PRIVMSG alice :" + b"w" * 20000 + b"\r\n")
    m = c.expect(lambda m: m.command.isdigit())
    assert m.command == "417", m.line
    pong_works(c)
    assert not [m for m in c.sync() if m.command in ("PRIVMSG", "417")]


def test_huge_line_in_pieces_then_newline(server):
    c = server.client("alice")
    for _ in range(20):
        c.send_raw(b"A" * 1000)
    c.send_raw(b"\r\n")
    m = c.expect(lambda m: m.command.isdigit())
    assert m.command == "417", m.line
    pong_works(c)


def test_small_line_max_from_config(start_server):
    srv = start_server(config="[limits]\nline_max = 600\n")
    c = srv.client("alice")
    c.send_raw(b"PRIVMSG alice :" + b"q" * 3000 + b"\r\n")
    m = c.expect(lambda m: m.command.isdigit())
    assert m.command == "417", m.line
    pong_works(c)
    assert not [m for m in c.sync() if m.command == "417"]


def test_tags_do_not_count_toward_512(server):
    c = server.client("alice")
    tags = b"@+example.com/blob=" + b"t" * 1000
    line = tags + b" PING :" + b"p" * 400 + b"\r\n"
    c.send_raw(line)
    m = c.expect(lambda m: m.command == "PONG" or m.command.isdigit())
    assert m.command == "PONG", m.line
    assert m.trailing == "p" * 400


def test_nul_byte_drops_the_line(server):
    a = server.client("alice")
    b = server.client("bob")
    a.send_raw(b"PRIVMSG bob :before\x00after\r\n")
    pong_works(a, "afternul")
    assert not [m for m in b.sync() if m.command == "PRIVMSG"]
    a.send("PRIVMSG bob :clean")
    assert b.expect("PRIVMSG").trailing == "clean"


def test_nul_bytes_before_registration(server):
    c = server.client()
    c.send_raw(b"NICK \x00\x00\r\n\x00\r\n")
    c.register("alice")


def test_control_and_high_bytes_do_not_crash(server):
    c = server.client("alice")
    junk = bytes(range(1, 256)).replace(b"\n", b"").replace(b"\r", b"")
    c.send_raw(junk + b"\r\n")
    c.send_raw(b"\xff\xfe\xfd PRIVMSG\r\n")
    c.send_raw(b":\r\n:only.source\r\n@\r\n@tag\r\n@tag PING\r\n  \r\n")
    pong_works(c, "survived")


def test_many_lines_in_one_segment(start_server):
    # A burst far past flood control's: turn it off (test_hostile.py tests it).
    srv = start_server(config="[limits]\nflood_burst = 0\n")
    a = srv.client("alice")
    n = 200
    a.send_raw(b"".join(b"PING t%d\r\n" % i for i in range(n)))
    for i in range(n):
        m = a.expect("PONG")
        assert m.trailing == "t%d" % i


def test_one_line_split_over_many_segments(server):
    a = server.client("alice")
    b = server.client("bob")
    line = b"PRIVMSG bob :split into pieces\r\n"
    for i in range(len(line)):
        a.send_raw(line[i:i + 1])
        time.sleep(0.005)
    m = b.expect("PRIVMSG")
    assert m.raw == (":%s PRIVMSG bob :split into pieces" % prefix("alice")).encode()


def test_crlf_split_between_segments(server):
    a = server.client("alice")
    a.send_raw(b"PING one\r")
    time.sleep(0.05)
    a.send_raw(b"\nPING two\r\n")
    assert a.expect("PONG").trailing == "one"
    assert a.expect("PONG").trailing == "two"
    assert a.sync() == []


def test_registration_split_across_segments(server):
    c = server.client()
    data = b"NICK alice\r\nUSER alice 0 * :Alice\r\n"
    for i in range(0, len(data), 3):
        c.send_raw(data[i:i + 3])
        time.sleep(0.005)
    c.expect("001")


def test_lowercase_command(server):
    c = server.client()
    c.send("nick alice")
    c.send("user alice 0 * :Alice")
    c.expect("001")
    c.send("ping lower")
    assert c.expect("PONG").trailing == "lower"


def test_tagged_line_with_long_body_417(server):
    c = server.client("alice")
    body = b"PING :" + b"p" * 510 + b"\r\n"
    assert len(body) > 512
    c.send_raw(b"@+example.com/x=1 " + body)
    m = c.expect(lambda m: m.command in ("PONG", "417"))
    assert m.command == "417", m.line
    pong_works(c)


def test_tag_section_too_long_417(server):
    c = server.client("alice")
    c.send_raw(b"@+example.com/blob=" + b"t" * 8200 + b" PING :tagged\r\n")
    m = c.expect(lambda m: m.command in ("PONG", "417"))
    assert m.command == "417", m.line
    pong_works(c)


def test_extra_spaces_between_parameters(server):
    a = server.client("alice")
    b = server.client("bob")
    a.send("PRIVMSG   bob    :spaced out")
    assert b.expect("PRIVMSG").params == ["bob", "spaced out"]
    a.send("PING tok   ")
    assert a.expect("PONG").trailing == "tok"


def test_numeric_from_client_is_unknown(server):
    a = server.client("alice")
    a.send("001 alice :hi")
    m = a.expect(lambda m: m.command.isdigit())
    assert m.command == "421", m.line
