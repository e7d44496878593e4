"""Query and information commands over real sockets: LIST, WHO/WHOX, WHOIS, WHOWAS, AWAY,
ISON, USERHOST, VERSION, TIME, ADMIN, INFO, LINKS, STATS, USERS, SUMMON, LUSERS."""
import datetime
import re
import time

from conftest import HOST_V4, SERVER_NAME, prefix

# crypt(3) yescrypt hash of "s3cret".
HASH_Y = "$y$j9T$p3q3GEAif3thzMIBFOJng/$O/jX6xivikQq30VtskiE7ZwISoD3.tuLWTHdNk70KVC"


def ask(client, line, end):
    """Send line; return every reply up to and including the numeric end."""
    client.send(line)
    return client.collect_until(end)


def shapes(lines):
    """(command, params) of each line, for exact comparisons."""
    return [(m.command, m.params) for m in lines]


# ---- LIST


def test_list_channels_and_filters(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#big")
    b.join("#big")
    b.join("#small")
    a.send("TOPIC #big :big talk")
    a.expect("TOPIC")
    lines = ask(a, "LIST", "323")
    assert lines[0].params == ["alice", "Channel", "Users  Name"]
    assert sorted(m.params for m in lines if m.command == "322") == [
        ["alice", "#big", "2", "big talk"], ["alice", "#small", "1", ""]]
    assert lines[-1].params == ["alice", "End of /LIST"]
    assert [m.params[1] for m in ask(a, "LIST >1", "323") if m.command == "322"] == ["#big"]
    assert [m.params[1] for m in ask(a, "LIST <2", "323") if m.command == "322"] == ["#small"]
    assert [m.params[1] for m in ask(a, "LIST #SM*", "323")
            if m.command == "322"] == ["#small"]
    assert [m.params[1] for m in ask(a, "LIST #nothing*,>0", "323")
            if m.command == "322"] == []


# ---- WHO


def test_who_channel_and_flags(server):
    a = server.client("alice")
    b = server.client("bob")
    a.join("#c")
    b.join("#c")
    b.send("AWAY :out")
    b.expect("306")
    lines = [m for m in ask(a, "WHO #c", "315") if m.command in ("352", "315")]
    assert shapes(lines) == [
        ("352", ["alice", "#c", "alice", HOST_V4, SERVER_NAME, "alice", "H@",
                 "0 Real Name"]),
        ("352", ["alice", "#c", "bob", HOST_V4, SERVER_NAME, "bob", "G", "0 Real Name"]),
        ("315", ["alice", "#c", "End of /WHO list"]),
    ]


def test_who_mask_and_invisible(server):
    a = server.client("alice")
    b = server.client("bob")
    c = server.client("carol")
    b.send("MODE bob +i")
    b.expect("MODE")
    # Invisible and sharing no channel: the mask does not show bob to alice.
    assert [m.params[5] for m in ask(a, "WHO b*", "315") if m.command == "352"] == []
    b.join("#x")
    c.join("#x")
    assert [m.params[5] for m in ask(c, "WHO b*", "315") if m.command == "352"] == ["bob"]
    # An exact nick always answers.
    assert [m.params[5] for m in ask(a, "WHO bob", "315") if m.command == "352"] == ["bob"]
    # Realname matching.
    assert sorted(m.params[5] for m in ask(a, "WHO *real*", "315")
                  if m.command == "352") == ["alice", "carol"]


def test_whox(server):
    a = server.client("alice")
    a.join("#c")
    lines = ask(a, "WHO #c %rnfcut,7", "315")
    assert shapes(lines)[0] == ("354", ["alice", "7", "#c", "alice", "alice", "H@",
                                        "Real Name"])
    # A field letter out of WHOX order still comes in order; no token: "0".
    lines = ask(a, "WHO alice %nt", "315")
    assert shapes(lines)[0] == ("354", ["alice", "0", "alice"])
    a.send("VERSION")
    fives = a.collect_until(lambda m: m.command == "005" and "WHOX" in m.params)
    assert fives[0].command == "351"


# ---- WHOIS and WHOWAS


def test_whois(server):
    a = server.client("alice")
    b = server.client("bob")
    b.join("#one")
    b.send("AWAY :fishing")
    b.expect("306")
    lines = ask(a, "WHOIS bob", "318")
    got = dict((m.command, m.params) for m in lines)
    assert got["311"] == ["alice", "bob", "bob", HOST_V4, "*", "Real Name"]
    assert got["319"] == ["alice", "bob", "@#one"]
    assert got["312"] == ["alice", "bob", SERVER_NAME, "parley IRC server"]
    assert got["301"] == ["alice", "bob", "fishing"]
    assert got["317"][:2] == ["alice", "bob"]
    idle, signon = int(got["317"][2]), int(got["317"][3])
    assert 0 <= idle < 30
    assert abs(signon - time.time()) < 60
    assert "313" not in got
    assert [m.command for m in lines] == ["311", "319", "312", "301", "317", "318"]


def test_whois_errors(server):
    a = server.client("alice")
    assert shapes(ask(a, "WHOIS ghost", "318")) == [
        ("401", ["alice", "ghost", "No such nick/channel"]),
        ("318", ["alice", "ghost", "End of /WHOIS list"])]
    a.send("WHOIS")
    assert a.expect("431").params == ["alice", "No nickname given"]
    lines = ask(a, "WHOIS %s alice" % SERVER_NAME, "318")
    assert lines[0].command == "311"


def test_whowas(server):
    a = server.client("alice")
    b = server.client("bob")
    assert shapes(ask(a, "WHOWAS bob", "369")) == [
        ("406", ["alice", "bob", "There was no such nickname"]),
        ("369", ["alice", "bob", "End of WHOWAS"])]
    b.send("QUIT :bye")
    b.expect_closed()
    a.sync()
    lines = ask(a, "WHOWAS BOB", "369")
    assert lines[0].params == ["alice", "bob", "bob", HOST_V4, "*", "Real Name"]
    assert lines[1].command == "312"
    assert lines[1].params[:3] == ["alice", "bob", SERVER_NAME]
    assert re.fullmatch(r"\w+day \w+ \d+ \d{4} -- \d\d:\d\d:\d\d UTC", lines[1].params[3])
    a.send("WHOWAS")
    assert a.expect("431").params == ["alice", "No nickname given"]


def test_whowas_history_setting(start_server):
    srv = start_server(config="[limits]\nwhowas_history = 1\n")
    a = srv.client("alice")
    c = srv.client("carol")
    c.send("NICK dave")
    c.expect("NICK")
    c.send("NICK erin")
    c.expect("NICK")
    # Only the newest departure is kept.
    assert ask(a, "WHOWAS carol", "369")[0].command == "406"
    assert ask(a, "WHOWAS dave", "369")[0].command == "314"


# ---- AWAY, ISON, USERHOST


def test_away_replies(server):
    a = server.client("alice")
    b = server.client("bob")
    b.send("AWAY :back soon")
    assert b.expect("306").params == ["bob", "You have been marked as being away"]
    a.send("PRIVMSG bob :hello")
    assert a.expect("301").params == ["alice", "bob", "back soon"]
    b.expect("PRIVMSG")
    a.send("NOTICE bob :hello")
    b.expect("NOTICE")
    a.assert_silent("301")
    b.send("AWAY")
    assert b.expect("305").params == ["bob", "You are no longer marked as being away"]
    a.send("PRIVMSG bob :again")
    b.expect("PRIVMSG")
    a.assert_silent("301")


def test_awaylen_cut_and_advertised(start_server):
    srv = start_server(config="[limits]\nawaylen = 4\n")
    a = srv.client()
    burst = a.register("alice")
    assert any("AWAYLEN=4" in m.params for m in burst if m.command == "005")
    b = srv.client("bob")
    b.send("AWAY :abcdefgh")
    b.expect("306")
    a.send("PRIVMSG bob :x")
    assert a.expect("301").params == ["alice", "bob", "abcd"]


def test_ison_and_userhost(server):
    a = server.client("alice")
    server.client("Bob[")
    a.send("ISON bob{ ghost ALICE")
    assert a.expect("303").params == ["alice", "Bob[ alice"]
    a.send("ISON ghost")
    assert a.expect("303").params == ["alice", ""]
    a.send("ISON")
    assert a.expect("461").params[1] == "ISON"
    a.send("USERHOST bob{ ghost alice")
    assert a.expect("302").params == ["alice", "Bob[=+bob[@%s alice=+alice@%s" % (
        HOST_V4, HOST_V4)]


# ---- Server information


def test_version_time_admin_info(start_server):
    srv = start_server(config="[server]\nadmin_name = Ada\nadmin_email = ada@example.org\n"
                       "admin_location = Room 101\n")
    a = srv.client("alice")
    a.send("VERSION")
    m = a.expect("351")
    assert m.params[1].startswith("parley-") and m.params[2] == SERVER_NAME
    a.expect("005")
    a.send("TIME")
    m = a.expect("391")
    assert m.params[1] == SERVER_NAME
    shown = datetime.datetime.strptime(m.params[2], "%A %B %d %Y -- %H:%M:%S UTC")
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    assert abs((now - shown).total_seconds()) < 60
    assert shapes(ask(a, "ADMIN", "259")) == [
        ("256", ["alice", SERVER_NAME, "Administrative info"]),
        ("257", ["alice", "Room 101"]),
        ("258", ["alice", "Ada"]),
        ("259", ["alice", "ada@example.org"])]
    lines = ask(a, "INFO", "374")
    assert all(m.command == "371" for m in lines[:-1]) and len(lines) > 1
    a.send("TIME other.example")
    assert a.expect("402").params == ["alice", "other.example", "No such server"]


def test_links_stats_users_summon(server):
    a = server.client("alice")
    assert shapes(ask(a, "LINKS", "365")) == [
        ("364", ["alice", SERVER_NAME, SERVER_NAME, "0 parley IRC server"]),
        ("365", ["alice", "*", "End of /LINKS list"])]
    lines = ask(a, "STATS u", "219")
    assert re.fullmatch(r"Server Up 0 days 0:\d\d:\d\d", lines[0].params[1])
    lines = ask(a, "STATS m", "219")
    counts = dict((m.params[1], int(m.params[2])) for m in lines if m.command == "212")
    assert counts["NICK"] == 1 and counts["USER"] == 1 and counts["STATS"] == 2
    assert ask(a, "STATS x", "219")[0].params == ["alice", "x", "End of /STATS report"]
    a.send("USERS")
    assert a.expect("446").params == ["alice", "USERS has been disabled"]
    a.send("SUMMON bob")
    assert a.expect("445").params == ["alice", "SUMMON has been disabled"]


def test_lusers_operators(start_server):
    srv = start_server(config="[oper admin]\npassword = %s\n" % HASH_Y)
    a = srv.client("alice")
    assert "252" not in [m.command for m in ask(a, "LUSERS", "266")]
    a.send("OPER admin s3cret")
    a.expect("381")
    lines = ask(a, "LUSERS", "266")
    assert ("252", ["alice", "1", "operator(s) online"]) in shapes(lines)
    b = srv.client("bob")
    lines = ask(b, "WHO alice", "315")
    assert lines[0].params[6] == "H*"
    lines = ask(b, "WHOIS alice", "318")
    assert ("313", ["bob", "alice", "is an IRC operator"]) in shapes(lines)
