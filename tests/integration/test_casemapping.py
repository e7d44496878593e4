"""[server] casemapping = rfc8265: UTF-8 nicks under PRECIS, confusables refused.

A server started with it says CASEMAPPING=rfc8265, takes a UTF-8 nick, delivers to it
whatever case the sender writes, refuses a nick that only looks like one in use with
433, and keeps the mapping across a reload that changes it.  The store remembers the
mapping its names were keyed under: a file written under rfc1459 whose keys rfc8265
would fold otherwise stops the start with one line.
"""
import subprocess

from conftest import PARLEYD, cmd

RFC8265 = "[server]\ncasemapping = rfc8265\n"
ACCOUNTS = ("[accounts]\nargon2_passes = 1\nargon2_memory = 8k\nfail_limit = 100000\n"
            "[limits]\nconnect_rate = 0\nmax_per_address = 0\n")


def isupport(burst):
    return [t for m in burst if m.command == "005" for t in m.params[1:-1]]


def test_utf8_nicks_and_confusables(start_server):
    srv = start_server(config=RFC8265)
    eric = srv.client()
    tokens = isupport(eric.register("Éric"))
    assert "CASEMAPPING=rfc8265" in tokens
    assert "UTF8ONLY" in tokens
    bob = srv.client()
    bob.register("bob")
    # Any case of the nick reaches it.
    bob.send("PRIVMSG ÉRIC :bonjour")
    m = eric.expect(cmd("PRIVMSG"))
    assert m.params == ["Éric", "bonjour"] and m.nick == "bob"
    # A look-alike: Cyrillic о for the o of bob.
    other = srv.client()
    other.send("NICK b\u043eb")
    m = other.expect("433")
    assert m.params[1] == "b\u043eb"
    # PRECIS refuses a zero-width space.
    other.send("NICK a\u200bb")
    assert other.expect("432").params[1] == "a\u200bb"
    # "[" is not "{" under rfc8265.
    other.register("bob[")
    bob.send("NICK bob{")
    assert bob.expect(cmd("NICK")).params == ["bob{"]


def test_reload_keeps_it(start_server):
    path = start_server.config_file(RFC8265)
    srv = start_server(config=path)
    start = srv.log_len()
    path.write_text("[server]\ncasemapping = rfc1459\n")
    srv.signal(1)
    srv.wait_log(r"casemapping changes take effect on restart", start=start)
    c = srv.client()
    assert "CASEMAPPING=rfc8265" in isupport(c.register("Zoë"))


def test_rfc1459_refuses_utf8(start_server):
    srv = start_server()
    c = srv.client()
    c.send("NICK Éric")
    assert c.expect("432").params[1] == "Éric"
    assert "CASEMAPPING=rfc1459" in isupport(c.register("eric"))


def test_store_keyed_otherwise_refused(start_server, tmp_path):
    store = tmp_path / "parleyd.db"
    srv = start_server(config=ACCOUNTS, store=store)
    c = srv.client()
    c.send("NICK Foo[")
    c.send("REGISTER * * :correct horse")
    m = c.expect(lambda m: m.command in ("REGISTER", "FAIL"), timeout=10)
    assert m.params[:2] == ["SUCCESS", "Foo["], m.line
    c.close()
    assert srv.terminate() == 0
    conf = start_server.config_file(RFC8265 + ACCOUNTS, name="rfc8265.conf")
    p = subprocess.run([PARLEYD, "--listen", "127.0.0.1:0", "--config", str(conf),
                        "--store", str(store)], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 1
    assert p.stderr.splitlines() == [
        "parleyd: store %s: Foo[ was kept under another casemapping than rfc8265: "
        "keep the casemapping it was written with" % store]


def test_store_keyed_under_rfc8265(start_server, tmp_path):
    """Accounts keyed under rfc8265 survive a restart under it, in any case."""
    store = tmp_path / "parleyd.db"
    conf = RFC8265 + ACCOUNTS
    for nick, outcome in (("Éric", ["SUCCESS", "Éric"]), ("ÉRIC", ["ACCOUNT_EXISTS"])):
        srv = start_server(config=conf, store=store)
        c = srv.client()
        c.send("NICK %s" % nick)
        c.send("REGISTER * * :correct horse")
        m = c.expect(lambda m: m.command in ("REGISTER", "FAIL"), timeout=10)
        got = m.params[:2] if m.command == "REGISTER" else m.params[1:2]
        assert got == outcome, m.line
        c.close()
        assert srv.terminate() == 0
