"""History on the real server and its SQLite store (docs/history.md).

Two draft/chathistory clients read a channel's and a private conversation's history
after reconnecting and after a restart; a classic client gets the last lines on JOIN;
a stranger who takes a freed nick reads nothing of its last holder's; every line
older than the flush interval survives a kill -9 under load; and bad requests get
the FAIL the spec names.
"""
import base64
import signal
import subprocess
import threading
import time

from conftest import cmd

HCAPS = "draft/chathistory batch server-time message-tags echo-message"
CONFIG = ("[server]\nname = irc.localhost\n"
          "[limits]\nconnect_rate = 0\nmax_per_address = 0\n"
          "[history]\njoin_replay = 2\n")


def sql(path, query):
    p = subprocess.run(["sqlite3", str(path), query], capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout.splitlines()


def connect(srv, nick, caps=HCAPS):
    c = srv.client()
    if caps:
        c.send("CAP REQ :%s" % caps)
        c.expect(cmd("CAP"))
        c.send("CAP END")
    c.register(nick)
    return c


def history(c, *params):
    """CHATHISTORY params...: the (command, source, text, tags) of the batch's lines."""
    c.send("CHATHISTORY %s" % " ".join(params))
    start = c.expect(lambda m: m.command in ("BATCH", "FAIL"), timeout=5)
    assert start.command == "BATCH", start.line
    ref = start.params[0][1:]
    lines = c.collect_until(lambda m: m.command == "BATCH" and m.params[0] == "-" + ref)
    return [(m.command, m.source.split("!")[0], m.param(-1), m.tags)
            for m in lines[:-1]]


def test_channel_after_reconnect_and_restart(start_server, tmp_path):
    path = tmp_path / "parleyd.db"
    srv = start_server(config=CONFIG, store=path)
    a = connect(srv, "alice")
    b = connect(srv, "bob")
    a.join("#talk")
    b.join("#talk")
    a.send("PRIVMSG #talk :hello all")
    b.expect(cmd("PRIVMSG", "#talk", "hello all"))
    b.send("PRIVMSG #talk :hi alice")
    a.expect(cmd("PRIVMSG", "#talk", "hi alice"))
    want_chan = [("PRIVMSG", "alice", "hello all"), ("PRIVMSG", "bob", "hi alice")]
    for c in (a, b):
        c.close()
    # Reconnected as new sessions: the channel's lines are there for its members.
    # (Private lines follow accounts: test_private_by_account_after_restart.)
    a = connect(srv, "alice")
    a.join("#talk")
    got = history(a, "LATEST", "#talk", "*", "10")
    assert [g[:3] for g in got] == want_chan
    assert all("msgid" in g[3] and "time" in g[3] for g in got)
    a.close()
    assert srv.terminate() == 0
    srv = start_server(config=CONFIG, store=path)
    a = connect(srv, "alice")
    a.join("#talk")
    b = connect(srv, "bob")
    b.join("#talk")
    assert [g[:3] for g in history(b, "LATEST", "#talk", "*", "10")] == want_chan
    assert [g[:3] for g in history(b, "BEFORE", "#talk", "msgid=" +
                                   history(b, "LATEST", "#talk", "*", "1")[0][3]["msgid"],
                                   "10")] == want_chan[:1]


def register_account(srv, nick, password="correct horse battery"):
    c = srv.client()
    c.send("CAP REQ :%s" % HCAPS)
    c.expect(cmd("CAP"))
    c.send("NICK %s" % nick)
    c.send("REGISTER * * :%s" % password)
    m = c.expect(lambda m: m.command in ("REGISTER", "FAIL"), timeout=20)
    assert m.command == "REGISTER", m.line
    c.send("CAP END")
    c.register(nick)
    return c


ACCOUNTS = CONFIG + ("[accounts]\nargon2_passes = 1\nargon2_memory = 8k\n"
                     "fail_limit = 100000\n")


def login(srv, nick, password="correct horse battery", caps=HCAPS, account=None):
    c = srv.client()
    c.send("CAP REQ :%s sasl" % caps)
    c.expect(cmd("CAP"))
    c.send("NICK %s" % nick)
    c.send("USER %s 0 * :x" % nick)
    c.send("AUTHENTICATE PLAIN")
    c.expect(cmd("AUTHENTICATE"))
    c.send("AUTHENTICATE %s" % base64.b64encode(
        ("%s\0%s\0%s" % (account or nick, account or nick, password)).encode()).decode())
    c.expect(cmd("903"), timeout=20)
    c.send("CAP END")
    c.expect(cmd("001"))
    c.sync()
    return c


def test_private_by_account_after_restart(start_server, tmp_path):
    """Logged-in users read their private conversation on any connection, also after
    a restart; MARKREAD follows the account."""
    path = tmp_path / "parleyd.db"
    srv = start_server(config=ACCOUNTS, store=path)
    register_account(srv, "alice").close()
    register_account(srv, "bob").close()
    a = login(srv, "alice")
    b = login(srv, "bob")
    a.send("PRIVMSG bob :just you")
    b.expect(cmd("PRIVMSG", "bob", "just you"))
    b.send("PRIVMSG alice :and you")
    a.expect(cmd("PRIVMSG", "alice", "and you"))
    a.close()
    b.close()
    assert srv.terminate() == 0
    srv = start_server(config=ACCOUNTS, store=path)
    want = [("PRIVMSG", "alice", "just you"), ("PRIVMSG", "bob", "and you")]
    b = login(srv, "bob", caps=HCAPS + " draft/read-marker")
    assert [g[:3] for g in history(b, "LATEST", "alice", "*", "10")] == want
    a = login(srv, "alice", caps=HCAPS + " draft/read-marker")
    assert [g[:3] for g in history(a, "LATEST", "bob", "*", "10")] == want
    # A second connection of bob's hears of the marker bob sets.
    b2 = login(srv, "bob2", caps=HCAPS + " draft/read-marker", account="bob")
    b.send("MARKREAD alice timestamp=2030-01-01T00:00:00.000Z")
    m = b.expect(cmd("MARKREAD"))
    assert m.params == ["alice", "timestamp=2030-01-01T00:00:00.000Z"]
    m = b2.expect(cmd("MARKREAD"))
    assert m.params == ["alice", "timestamp=2030-01-01T00:00:00.000Z"]
    a.send("MARKREAD bob")
    assert a.expect(cmd("MARKREAD")).params == ["bob", "*"]
    # An older marker does not move it back.
    b2.send("MARKREAD alice timestamp=2029-01-01T00:00:00.000Z")
    assert b2.expect(cmd("MARKREAD")).params == [
        "alice", "timestamp=2030-01-01T00:00:00.000Z"]
    # The marker outlives a restart, and a JOIN tells it before the names end.
    b.send("MARKREAD #room timestamp=2031-01-01T00:00:00.000Z")
    b.expect(cmd("MARKREAD"))
    for c in (a, b, b2):
        c.close()
    assert srv.terminate() == 0
    srv = start_server(config=ACCOUNTS, store=path)
    b = login(srv, "bob", caps=HCAPS + " draft/read-marker")
    b.send("MARKREAD alice")
    assert b.expect(cmd("MARKREAD")).params == [
        "alice", "timestamp=2030-01-01T00:00:00.000Z"]
    lines = b.join("#room")
    marks = [m for m in lines if m.command == "MARKREAD"]
    assert [m.params for m in marks] == [["#room", "timestamp=2031-01-01T00:00:00.000Z"]]


def test_newcomer_on_a_freed_nick_reads_nothing(start_server):
    srv = start_server(config=CONFIG)
    a = connect(srv, "alice")
    b = connect(srv, "bob")
    a.send("PRIVMSG bob :for bob only")
    b.expect(cmd("PRIVMSG", "bob", "for bob only"))
    b.send("QUIT")
    b.expect_closed()
    c = connect(srv, "bob")
    assert history(c, "LATEST", "alice", "*", "10") == []
    assert history(c, "BEFORE", "alice", "timestamp=2099-01-01T00:00:00.000Z",
                   "10") == []
    c.send("CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z "
           "timestamp=2099-01-01T00:00:00.000Z 10")
    start = c.expect(cmd("BATCH"))
    assert start.params[1] == "draft/chathistory-targets"
    assert c.expect(cmd("BATCH")).params[0] == "-" + start.params[0][1:]
    # alice, whose session it still is, reads it.
    assert [g[:3] for g in history(a, "LATEST", "bob", "*", "10")] == [
        ("PRIVMSG", "alice", "for bob only")]


def test_classic_client_gets_replay_on_join(start_server):
    srv = start_server(config=CONFIG)
    a = connect(srv, "alice")
    a.join("#old")
    for text in ("one", "two", "three"):
        a.send("PRIVMSG #old :%s" % text)
    a.sync()
    time.sleep(0.1)
    c = connect(srv, "classic", caps=None)
    c.send("JOIN #old")
    c.expect(cmd("366"))
    got = [c.expect(cmd("PRIVMSG")) for _ in range(2)]
    assert [m.param(-1) for m in got] == ["two", "three"]
    assert all(m.tags == {} for m in got)


def test_bad_requests_fail(start_server):
    srv = start_server(config=CONFIG)
    a = connect(srv, "alice")
    a.join("#c")
    cases = [
        ("CHATHISTORY LATEST #c *", ["CHATHISTORY", "NEED_MORE_PARAMS", "LATEST"]),
        ("CHATHISTORY SIDEWAYS #c * 5", ["CHATHISTORY", "UNKNOWN_COMMAND", "SIDEWAYS"]),
        ("CHATHISTORY BEFORE #c msgid= 5", ["CHATHISTORY", "INVALID_PARAMS", "BEFORE"]),
        ("CHATHISTORY AFTER #c timestamp=yesterday 5",
         ["CHATHISTORY", "INVALID_PARAMS", "AFTER"]),
        ("CHATHISTORY LATEST #c * -1", ["CHATHISTORY", "INVALID_PARAMS", "LATEST"]),
        ("CHATHISTORY LATEST #secret * 5",
         ["CHATHISTORY", "INVALID_TARGET", "LATEST", "#secret"]),
        ("REDACT #c nosuchmsgid", ["REDACT", "UNKNOWN_MSGID", "#c", "nosuchmsgid"]),
        ("REDACT #nowhere x", ["REDACT", "INVALID_TARGET", "#nowhere"]),
        ("MARKREAD #c sometime", ["MARKREAD", "INVALID_PARAMS", "#c"]),
    ]
    for line, want in cases:
        a.send(line)
        m = a.expect(cmd("FAIL"), timeout=10)
        assert m.params[:len(want)] == want, (line, m.line)
    # A query's limit is capped at the advertised CHATHISTORY=n.
    assert history(a, "LATEST", "#c", "*", "100000") == []


def test_kill_under_load_keeps_what_was_flushed(start_server, tmp_path):
    """kill -9 while a client writes as fast as it can: the file opens cleanly and every
    line echoed more than a second before the kill is in it."""
    path = tmp_path / "parleyd.db"
    # No flood control: the client writes as fast as the server reads.
    srv = start_server(config=CONFIG.replace("[limits]\n", "[limits]\nflood_burst = 0\n"),
                       store=path)
    a = connect(srv, "alice")
    a.join("#load")
    echoed = []
    stop = threading.Event()

    def writer():
        n = 0
        while not stop.is_set() and n < 200000:
            try:
                for _ in range(50):
                    a.send("PRIVMSG #load :line %d" % n)
                    n += 1
            except OSError:     # the server is gone
                return
            time.sleep(0.005)

    def reader():
        while not stop.is_set():
            try:
                m = a.expect(cmd("PRIVMSG"), timeout=0.5)
            except AssertionError:
                continue
            echoed.append((time.monotonic(), int(m.param(-1).split()[1])))

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    time.sleep(2.0)
    mark = time.monotonic()
    time.sleep(1.2)
    srv.signal(signal.SIGKILL)
    srv.wait()
    srv.expected_exit = True
    stop.set()
    for t in threads:
        t.join(timeout=10)
    flushed = [n for (at, n) in echoed if at <= mark]
    assert len(flushed) > 100, len(flushed)
    assert sql(path, "PRAGMA integrity_check") == ["ok"]
    kept = set(int(t.split()[1]) for t in
               sql(path, "SELECT substr(line, instr(line, 'line ')) FROM history "
                         "WHERE channel = '#load' AND event = 0"))
    missing = [n for n in flushed if n not in kept]
    assert missing == [], missing[:10]
    # And the server starts again on it.
    srv = start_server(config=CONFIG, store=path)
    b = connect(srv, "bob")
    b.join("#load")
    assert len(history(b, "LATEST", "#load", "*", "5")) == 5
