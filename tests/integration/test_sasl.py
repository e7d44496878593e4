"""Accounts through the real parleyd and its SQLite store: REGISTER, then SASL PLAIN
and SCRAM-SHA-256 over a raw socket, EXTERNAL over TLS with a client certificate, an
account that survives a restart, [accounts] settings from the file, the throttle
refusing a guesser, and weechat and irssi logging in as users would.
"""
import base64
import hashlib
import hmac
import os
import pty
import re
import select
import subprocess
import threading

import pytest

from conftest import cmd
from test_tls import Cert, tls_args, tls_client

# Fast hashing (argon2id's least).
ACCOUNTS = ("[server]\nname = irc.localhost\n"
            "[accounts]\nargon2_passes = 1\nargon2_memory = 8k\n"
            "[limits]\nconnect_rate = 0\nmax_per_address = 0\n")
PASSWORD = "correct horse battery"


def b64(data):
    return base64.b64encode(data).decode()


def register_account(srv, nick, password=PASSWORD):
    c = srv.client()
    c.register(nick)
    c.send("REGISTER * * :%s" % password)
    c.expect(cmd("REGISTER", "SUCCESS", nick), timeout=10)
    c.close()


def cap_ls(client):
    """CAP LS 302: every capability offered, over as many lines as it takes."""
    client.send("CAP LS 302")
    words = []
    while True:
        ls = client.expect(cmd("CAP", "*", "LS"))
        words += ls.trailing.split()
        if ls.param(2) != "*":
            return words


def sasl_start(client, nick, mech):
    """CAP LS 302, REQ sasl, NICK, USER, AUTHENTICATE mech: until "AUTHENTICATE +"."""
    assert "sasl=PLAIN,EXTERNAL,SCRAM-SHA-256" in cap_ls(client)
    client.send("CAP REQ :sasl")
    client.expect(cmd("CAP", "*", "ACK"))
    client.send("NICK %s" % nick)
    client.send("USER u 0 * :R")
    client.send("AUTHENTICATE %s" % mech)
    client.expect(cmd("AUTHENTICATE", "+"))


def sasl_finish(client, nick, account):
    client.expect(cmd("900", nick, None, account), timeout=10)
    client.expect(cmd("903", nick), timeout=10)
    client.send("CAP END")
    client.expect(cmd("001", nick))


def plain_login(srv, nick, account, password=PASSWORD):
    c = srv.client()
    sasl_start(c, nick, "PLAIN")
    c.send("AUTHENTICATE %s" % b64(b"\0" + account.encode() + b"\0" + password.encode()))
    return c


def scram_login(client, nick, account, password):
    """A whole SCRAM-SHA-256 exchange (RFC 5802) as the client; returns whether the
    server's signature matched."""
    sasl_start(client, nick, "SCRAM-SHA-256")
    cnonce = b64(os.urandom(18))
    first_bare = "n=%s,r=%s" % (account, cnonce)
    client.send("AUTHENTICATE %s" % b64(("n,," + first_bare).encode()))
    server_first = base64.b64decode(
        client.expect(cmd("AUTHENTICATE"), timeout=10).params[0]).decode()
    attrs = dict(a.split("=", 1) for a in server_first.split(","))
    assert attrs["r"].startswith(cnonce) and len(attrs["r"]) > len(cnonce)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]),
                                 int(attrs["i"]))
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    final_bare = "c=biws,r=%s" % attrs["r"]
    auth = ",".join((first_bare, server_first, final_bare)).encode()
    sig = hmac.new(stored_key, auth, "sha256").digest()
    proof = bytes(a ^ b for a, b in zip(client_key, sig))
    client.send("AUTHENTICATE %s" % b64(("%s,p=%s" % (final_bare, b64(proof))).encode()))
    m = client.expect(lambda m: m.command in ("AUTHENTICATE", "904"), timeout=10)
    if m.command == "904":
        return False
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    want = "v=" + b64(hmac.new(server_key, auth, "sha256").digest())
    assert base64.b64decode(m.params[0]).decode() == want
    client.send("AUTHENTICATE +")
    return True


def test_register_then_plain_and_scram(start_server):
    srv = start_server(config=ACCOUNTS)
    register_account(srv, "alice")
    c = plain_login(srv, "bob", "alice")
    sasl_finish(c, "bob", "alice")
    c.close()
    c = srv.client()
    assert scram_login(c, "carol", "alice", PASSWORD)
    sasl_finish(c, "carol", "alice")
    # A wrong password fails at the proof; so does an account nobody registered.
    d = srv.client()
    assert not scram_login(d, "dave", "alice", "wrong horse")
    e = srv.client()
    assert not scram_login(e, "erin", "nobody", PASSWORD)


def test_account_survives_restart(start_server, tmp_path):
    store = tmp_path / "accounts.db"
    srv = start_server(config=ACCOUNTS, store=store)
    register_account(srv, "alice")
    assert srv.terminate() == 0
    srv = start_server(config=ACCOUNTS, store=store)
    c = plain_login(srv, "bob", "alice")
    sasl_finish(c, "bob", "alice")
    # Gone first: a second connection to alice would share bob's user (multiclient).
    c.send("QUIT")
    c.expect_closed()
    c2 = srv.client()
    assert scram_login(c2, "carol", "Alice", PASSWORD)
    sasl_finish(c2, "carol", "alice")


def test_external_over_tls(start_server, tmp_path):
    server_cert = Cert(tmp_path, "server", "localhost", "DNS:localhost,IP:127.0.0.1")
    alice_cert = Cert(tmp_path, "alice", "alice", None)
    srv = start_server(config=ACCOUNTS, args=tls_args(server_cert), expect_listeners=2)
    # alice registers and adds the certificate she is connected with.
    c = tls_client(srv, "alice", cafile=server_cert.cert, client_cert=alice_cert)
    c.send("REGISTER * * :%s" % PASSWORD)
    c.expect(cmd("REGISTER", "SUCCESS", "alice"), timeout=10)
    c.send("NS CERT ADD")
    c.expect(lambda m: m.command == "NOTICE" and alice_cert.fingerprint in m.trailing,
             timeout=10)
    c.close()
    # The same certificate logs in with EXTERNAL under any nick.
    d = tls_client(srv, cafile=server_cert.cert, client_cert=alice_cert)
    sasl_start(d, "bob", "EXTERNAL")
    d.send("AUTHENTICATE +")
    sasl_finish(d, "bob", "alice")
    # Without a certificate, or over plaintext: 904.
    e = tls_client(srv, cafile=server_cert.cert)
    sasl_start(e, "carol", "EXTERNAL")
    e.send("AUTHENTICATE +")
    e.expect(cmd("904", "carol"), timeout=10)


def test_settings_and_throttle(start_server):
    srv = start_server(config=ACCOUNTS + "[accounts]\npassword_min = 12\nfail_limit = 2\n"
                       "email_required = yes\n")
    c = srv.client()
    assert "draft/account-registration=before-connect,email-required" in cap_ls(c)
    c.send("CAP END")
    c.register("alice")
    c.send("REGISTER * alice@example.org :elevenchars")
    c.expect(cmd("FAIL", "REGISTER", "WEAK_PASSWORD", "alice"))
    c.send("REGISTER * alice@example.org :%s" % PASSWORD)
    c.expect(cmd("REGISTER", "VERIFICATION_REQUIRED", "alice"), timeout=10)
    # The code is in the log, as the operator reads it.
    line = srv.wait_log(r"account alice: VERIFY code \w+ \(would be emailed to "
                        r"alice@example.org\)")
    code = re.search(r"VERIFY code (\w+)", line).group(1)
    c.send("VERIFY alice %s" % code)
    c.expect(cmd("VERIFY", "SUCCESS", "alice"), timeout=10)
    # Two wrong passwords from this address: its next AUTHENTICATE is refused at once.
    for nick in ("g1", "g2"):
        g = plain_login(srv, nick, "alice", "not the password")
        g.expect(cmd("904", nick), timeout=10)
        g.close()
    srv.wait_log(r"failed login to alice by g2 \(127.0.0.1\)")
    g = srv.client()
    g.send("CAP REQ :sasl")
    g.send("NICK g3")
    g.send("AUTHENTICATE PLAIN")
    m = g.expect(lambda m: m.command in ("AUTHENTICATE", "904"))
    assert m.command == "904"


# --------------------------------------------------------------------------------------
# Real clients: weechat (SCRAM-SHA-256 and PLAIN) and irssi (PLAIN) in scripted sessions


def _wait_login(srv, nick, account, proc, timeout=15.0):
    try:
        srv.wait_log(r"conn \d+: %s logged in to %s$" % (re.escape(nick), account),
                     timeout=timeout)
    finally:
        proc.kill()
        proc.wait(timeout=5)


@pytest.mark.parametrize("mechanism", ["scram-sha-256", "plain"])
def test_weechat_logs_in(start_server, tmp_path, mechanism):
    srv = start_server(config=ACCOUNTS)
    register_account(srv, "alice")
    nick = "w" + mechanism[:5].replace("-", "")
    commands = ";".join((
        "/server add t %s/%d -notls -nicks=%s" % (srv.host, srv.port, nick),
        "/set irc.server.t.sasl_mechanism %s" % mechanism,
        "/set irc.server.t.sasl_username alice",
        '/set irc.server.t.sasl_password "%s"' % PASSWORD,
        "/connect t"))
    proc = subprocess.Popen(["weechat-headless", "-d", str(tmp_path / "weechat"), "-r",
                             commands], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_login(srv, nick, "alice", proc)


def test_irssi_logs_in_with_plain(start_server, tmp_path):
    srv = start_server(config=ACCOUNTS)
    register_account(srv, "alice")
    home = tmp_path / "irssi"
    home.mkdir()
    (home / "config").write_text(
        'servers = ( { address = "%s"; chatnet = "t"; port = "%d"; use_tls = "no";\n'
        '  autoconnect = "yes"; } );\n'
        'chatnets = { t = { type = "IRC"; sasl_mechanism = "PLAIN";\n'
        '  sasl_username = "alice"; sasl_password = "%s"; }; };\n'
        'settings = { core = { real_name = "I"; user_name = "ibob"; nick = "ibob"; }; };\n'
        % (srv.host, srv.port, PASSWORD))
    # irssi wants a terminal: a pty, read and dropped until the login shows in the log.
    master, slave = pty.openpty()
    proc = subprocess.Popen(["irssi", "--home=%s" % home], stdin=slave, stdout=slave,
                            stderr=slave, env=dict(os.environ, TERM="xterm"))
    os.close(slave)
    stop = threading.Event()

    def drain():
        while not stop.is_set():
            if select.select([master], [], [], 0.1)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    return
    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        srv.wait_log(r"conn \d+: \S+ logged in to alice$", timeout=15.0)
    finally:
        proc.kill()
        proc.wait(timeout=5)
        stop.set()
        reader.join(timeout=5)
        os.close(master)
