"""Registration: PASS/NICK/USER, the welcome burst, and the errors around them."""
import re

import pytest

from conftest import SERVER_NAME, prefix


def isupport_tokens(burst):
    tokens = {}
    for m in burst:
        if m.command == "005":
            # :S 005 nick TOKEN TOKEN ... :are supported by this server
            for tok in m.params[1:-1]:
                key, _, value = tok.partition("=")
                tokens[key] = value
    return tokens


def test_welcome_burst_order_and_text(server):
    c = server.client()
    burst = c.register("alice", user="alice", realname="Alice Liddell")
    commands = [m.command for m in burst]
    assert commands[0] == "001", commands
    welcome = burst[0]
    assert welcome.source == SERVER_NAME
    assert welcome.params == [
        "alice", "Welcome to the parley Network, %s" % prefix("alice")]
    for numeric in ("002", "003", "004", "005", "251", "255"):
        assert numeric in commands, "missing %s in %s" % (numeric, commands)
    order = [commands.index(n) for n in ("001", "002", "003", "004", "005", "251")]
    assert order == sorted(order), commands
    assert commands.index("255") > commands.index("251")
    # No MOTD configured: 422 ends the burst.
    assert commands[-1] == "422", commands
    assert commands.index("422") > commands.index("255")
    for m in burst:
        assert m.source == SERVER_NAME, m
        assert m.params[0] == "alice", m
    # Every line the server sent ended with CRLF.
    assert set(c.endings) == {b"\r\n"}


def test_004_names_server(server):
    c = server.client()
    burst = c.register("alice")
    m = next(m for m in burst if m.command == "004")
    assert m.param(1) == SERVER_NAME


def test_isupport_defaults(server):
    c = server.client()
    tokens = isupport_tokens(c.register("alice"))
    expected = {"CASEMAPPING": "rfc1459", "CHANTYPES": "#", "PREFIX": "(ov)@+",
                "NICKLEN": "30", "CHANNELLEN": "50", "TOPICLEN": "390",
                "NETWORK": "parley"}
    for key, value in expected.items():
        assert tokens.get(key) == value, "%s=%r in %r" % (key, tokens.get(key), tokens)


def test_isupport_follows_config(start_server):
    srv = start_server(config="[server]\nnetwork = TestNet\n"
                              "[limits]\nnicklen = 12\nchannellen = 20\ntopiclen = 100\n")
    c = srv.client()
    burst = c.register("alice")
    tokens = isupport_tokens(burst)
    assert tokens.get("NICKLEN") == "12"
    assert tokens.get("CHANNELLEN") == "20"
    assert tokens.get("TOPICLEN") == "100"
    assert tokens.get("NETWORK") == "TestNet"
    assert burst[0].trailing.startswith("Welcome to the TestNet Network, ")


def test_server_name_from_flag(start_server):
    srv = start_server(args=["--name", "chat.example.org"])
    c = srv.client()
    burst = c.register("alice")
    assert all(m.source == "chat.example.org" for m in burst), burst
    c.send("PING tok")
    pong = c.expect("PONG")
    assert pong.source == "chat.example.org"
    assert pong.params == ["chat.example.org", "tok"]


def test_motd_lines(start_server, tmp_path):
    motd = tmp_path / "motd.txt"
    motd.write_text("Welcome to the test server.\nSecond line of the MOTD.\n")
    srv = start_server(config="[server]\nmotd = %s\n" % motd)
    c = srv.client()
    burst = c.register("alice")
    commands = [m.command for m in burst]
    assert "375" in commands and commands[-1] == "376", commands
    assert "422" not in commands
    texts = [m.trailing for m in burst if m.command == "372"]
    assert len(texts) == 2, texts
    assert texts[0].endswith("Welcome to the test server.")
    assert texts[1].endswith("Second line of the MOTD.")
    # MOTD on demand gives the same lines.
    c.send("MOTD")
    lines = c.collect_until("376")
    assert [m.trailing for m in lines if m.command == "372"] == texts


def test_motd_missing_gives_422_on_demand(server):
    c = server.client("alice")
    c.send("MOTD")
    m = c.expect(lambda m: m.command in ("422", "375"))
    assert m.command == "422"


def test_user_host_is_numeric_address(server):
    a = server.client("alice")
    b = server.client("bob")
    a.send("PRIVMSG bob :hi")
    m = b.expect("PRIVMSG")
    assert m.source == "alice!alice@127.0.0.1"


def test_nick_then_user_or_user_then_nick(server):
    c = server.client()
    c.send("USER bob 0 * :Bob")
    c.send("NICK bob")
    m = c.expect("001")
    assert m.params[0] == "bob"


def test_commands_before_registration_get_451(server):
    c = server.client()
    for line in ("JOIN #a", "PRIVMSG bob :hi", "TOPIC #a", "NAMES", "MODE #a"):
        c.send(line)
        m = c.expect(lambda m: m.command not in ("NOTICE",))
        assert m.command == "451", "%r got %r" % (line, m.line)
        assert m.source == SERVER_NAME
        assert m.params[0] == "*"
    # Still registers fine afterwards.
    c.register("bob")


def test_ping_before_registration(server):
    c = server.client()
    c.send("PING :early")
    m = c.expect("PONG")
    assert m.params == [SERVER_NAME, "early"]


def test_unknown_command_421(server):
    c = server.client("alice")
    c.send("FROBNICATE now")
    m = c.expect(lambda m: m.command.isdigit())
    assert m.command == "421"
    assert m.params[:2] == ["alice", "FROBNICATE"]


def test_missing_parameters_461(server):
    c = server.client()
    c.send("USER onlyone")
    m = c.expect(lambda m: m.command.isdigit())
    assert m.command == "461" and m.params[:2] == ["*", "USER"], m.line
    c.register("alice")
    for verb in ("JOIN", "PART", "TOPIC", "PING"):
        c.send(verb)
        m = c.expect(lambda m: m.command.isdigit())
        assert m.command == "461", "%s got %r" % (verb, m.line)
        assert m.params[:2] == ["alice", verb]


def test_second_user_462(server):
    c = server.client("alice")
    c.send("USER again 0 * :Again")
    m = c.expect(lambda m: m.command.isdigit())
    assert m.command == "462"


def test_nick_without_argument_431(server):
    c = server.client()
    c.send("NICK")
    m = c.expect(lambda m: m.command.isdigit())
    assert m.command == "431" and m.params[0] == "*"


def test_invalid_nicks_432(server):
    c = server.client()
    for bad in ("1abc", "#x", "-dash", "a,b", "*star"):
        c.send("NICK %s" % bad)
        m = c.expect(lambda m: m.command.isdigit())
        assert m.command == "432", "NICK %s got %r" % (bad, m.line)
        assert m.params[:2] == ["*", bad]
    c.register("fine")


def test_nick_too_long_refused(start_server):
    srv = start_server(config="[limits]\nnicklen = 9\n")
    c = srv.client()
    c.send("NICK abcdefghij")
    m = c.expect(lambda m: m.command.isdigit())
    assert m.command == "432", m.line
    burst = c.register("abcdefghi")
    assert burst[0].params[0] == "abcdefghi"


def test_nick_in_use_433_casemapped(server):
    server.client("Foo[")
    c = server.client()
    for taken in ("Foo[", "foo{", "FOO[", "fOO{"):
        c.send("NICK %s" % taken)
        m = c.expect(lambda m: m.command.isdigit())
        assert m.command == "433", "NICK %s got %r" % (taken, m.line)
        assert m.params[:2] == ["*", taken]
    c.register("foo")


def test_nick_in_use_backslash_pipe(server):
    server.client("a\\b")
    c = server.client()
    c.send("NICK A|B")
    m = c.expect(lambda m: m.command.isdigit())
    assert m.command == "433", m.line


def test_long_username_is_cut_to_userlen(server):
    a = server.client()
    a.register("alice", user="averyverylongusername")
    b = server.client("bob")
    a.send("PRIVMSG bob :hi")
    m = b.expect("PRIVMSG")
    assert m.source == "alice!averyveryl@127.0.0.1", m.line


def test_nick_keeps_case_as_given(server):
    c = server.client()
    burst = c.register("MiXeD")
    assert burst[0].params[0] == "MiXeD"
    assert "MiXeD!" in burst[0].trailing


def test_password_correct(start_server):
    srv = start_server(args=["--password", "s3cret"])
    c = srv.client()
    burst = c.register("alice", password="s3cret")
    assert burst[0].command == "001"


@pytest.mark.models
def test_password_wrong_464_then_error(start_server):
    srv = start_server(args=["--password", "s3cret"])
    c = srv.client()
    c.send("PASS nope")
    c.send("NICK alice")
    c.send("USER alice 0 * :Alice")
    lines = c.expect_closed()
    commands = [m.command for m in lines]
    assert "464" in commands, lines
    assert "001" not in commands, lines
    assert commands[-1] == "ERROR", lines
    assert lines[-1].trailing.startswith("Closing Link: "), lines[-1]
    assert commands.index("464") < commands.index("ERROR")


@pytest.mark.models
def test_password_missing_464_then_error(start_server):
    srv = start_server(args=["--password", "s3cret"])
    c = srv.client()
    c.send("NICK alice")
    c.send("USER alice 0 * :Alice")
    lines = c.expect_closed()
    commands = [m.command for m in lines]
    assert "464" in commands and "001" not in commands, lines
    assert lines[-1].command == "ERROR", lines
    assert lines[-1].trailing.startswith("Closing Link: ")


@pytest.mark.models
def test_password_from_config_file(start_server):
    srv = start_server(config="[server]\npassword = fromfile\n")
    good = srv.client()
    good.register("alice", password="fromfile")
    bad = srv.client()
    bad.send("PASS wrong")
    bad.send("NICK bob")
    bad.send("USER bob 0 * :Bob")
    lines = bad.expect_closed()
    assert "464" in [m.command for m in lines], lines


def test_cap_ls_holds_registration_until_cap_end(server):
    c = server.client()
    c.send("CAP LS 302")
    m = c.expect("CAP")
    assert m.params[:2] == ["*", "LS"], m.line
    c.send("NICK alice")
    c.send("USER alice 0 * :Alice")
    c.assert_silent("001", duration=0.5)
    c.send("CAP END")
    c.expect("001")
    c.expect(lambda m: m.command in ("376", "422"))


def test_lusers_counts_users(server):
    server.client("alice")
    c = server.client("bob")
    c.send("LUSERS")
    lines = c.collect_until("255")
    m251 = next(m for m in lines if m.command == "251")
    assert re.search(r"\b2\b", m251.trailing), m251.line


def test_cap_req_is_refused_and_list_empty(server):
    c = server.client()
    c.send("CAP REQ :multi-prefix no-such-capability")
    m = c.expect("CAP")
    assert m.params[:2] == ["*", "NAK"], m.line
    assert m.trailing == "multi-prefix no-such-capability", m.line
    c.send("CAP LIST")
    m = c.expect("CAP")
    assert m.params[:2] == ["*", "LIST"] and m.trailing == "", m.line
    c.send("CAP END")
    c.register("alice")


@pytest.mark.models
def test_max_clients_turns_away_extra_connections(start_server):
    srv = start_server(config="[limits]\nmax_clients = 2\n")
    a = srv.client("alice")
    b = srv.client("bob")
    extra = srv.client()
    lines = extra.expect_closed(timeout=3)
    assert not [m for m in lines if m.command == "001"], lines
    a.send("PRIVMSG bob :still fine")
    assert b.expect("PRIVMSG").trailing == "still fine"
    # A slot freed is a slot to take: the server frees it as it tells alice's channel
    # she quit.
    a.join("#room")
    b.join("#room")
    a.send("QUIT :making room")
    a.expect_closed()
    assert b.expect("QUIT").nick == "alice"
    srv.client().register("carol")
