"""IRC operators: --hash-password, [oper NAME] blocks, OPER, server notices, KILL,
WALLOPS, REHASH, DIE and RESTART against the real parleyd."""
import subprocess

import pytest

from conftest import PARLEYD, SERVER_NAME, cmd, free_port, prefix, wait_closed

PASSWORD = "correct horse"


def hash_password(text):
    return subprocess.run([PARLEYD, "--hash-password"], input=text.encode(),
                          capture_output=True, timeout=10)


@pytest.fixture(scope="module")
def password_hash():
    p = hash_password(PASSWORD + "\n")
    assert p.returncode == 0, p.stderr
    return p.stdout.decode().strip()


def oper_config(password_hash, extra="", host=None):
    text = "[server]\nname = %s\n%s\n[oper admin]\npassword = %s\n" % (
        SERVER_NAME, extra, password_hash)
    if host is not None:
        text += "host = %s\n" % host
    return text


def become_oper(client):
    client.send("OPER admin :%s" % PASSWORD)
    client.expect("381")
    client.expect(cmd("MODE", client.nick, "+os"))


# -- --hash-password and the configuration file


def test_hash_password_prints_a_yescrypt_hash():
    p = hash_password("s3cret\n")
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode()
    assert out.startswith("$y$") and out.endswith("\n") and out.count("\n") == 1
    # A fresh salt each time.
    assert hash_password("s3cret\n").stdout.decode() != out


def test_hash_password_refuses_empty():
    for text in ("", "\n"):
        p = hash_password(text)
        assert p.returncode == 1
        assert p.stdout == b""
        assert b"empty password" in p.stderr


def test_help_mentions_hash_password():
    p = subprocess.run([PARLEYD, "--help"], capture_output=True, timeout=5)
    assert b"--hash-password" in p.stdout


def test_plaintext_oper_password_is_refused(tmp_path):
    conf = tmp_path / "p.conf"
    conf.write_text("[oper admin]\npassword = hunter2\n")
    p = subprocess.run([PARLEYD, "--config", str(conf), "--listen", "127.0.0.1:0"],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=5)
    assert p.returncode == 1
    assert ("%s:2: password: password must be a crypt(3) hash; make one with parleyd "
            "--hash-password" % conf).encode() in p.stderr


@pytest.mark.parametrize("block,line,reason", [
    ("[oper admin]\nhost = *@*\n", 1, "[oper admin] has no password, certfp or account"),
    ("[oper admin]\npassword = $y$j9T$short\n", 2,
     "password: not a complete crypt(3) hash"),
    ("[oper admin]\npassword = HASH\nhost = localhost\n", 3,
     "host: 'localhost' is not a user@host mask"),
    ("[oper admin]\npassword = HASH\n[oper admin]\npassword = HASH\n", 3,
     "[oper admin] appears twice"),
    ("[oper]\npassword = HASH\n", 1, "unknown section [oper]"),
    ("[oper admin]\npassword = HASH\nclass = x\n", 3,
     "unknown key 'class' in [oper admin]"),
    ("[server]\nallow_die = perhaps\n", 2, "allow_die: 'perhaps' is not yes or no"),
    ("[oper admin]\naccount = a*b\n", 2, "account: 'a*b' is not an account name"),
])
def test_bad_oper_blocks_are_refused(tmp_path, password_hash, block, line, reason):
    conf = tmp_path / "bad.conf"
    conf.write_text(block.replace("HASH", password_hash))
    p = subprocess.run([PARLEYD, "--config", str(conf), "--listen", "127.0.0.1:0"],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=5)
    assert p.returncode == 1
    err = p.stderr.decode()
    assert err.startswith("parleyd: %s:%d: %s" % (conf, line, reason)), err


# -- OPER


def test_oper_success_and_failures(start_server, password_hash):
    srv = start_server(config=oper_config(password_hash))
    a = srv.client("alice")
    a.send("OPER admin wrong")
    a.expect(cmd("464", "alice"))
    a.send("OPER nobody :%s" % PASSWORD)
    a.expect(cmd("491", "alice"))
    a.send("OPER admin")
    a.expect(cmd("461", "alice", "OPER"))
    a.send("MODE alice")
    assert a.expect("221").params == ["alice", "+"]
    become_oper(a)
    a.send("MODE alice")
    assert a.expect("221").params == ["alice", "+os"]
    srv.wait_log(r"alice \(alice@127\.0\.0\.1\) is now an operator")


def test_oper_host_mask(start_server, password_hash):
    srv = start_server(config=oper_config(password_hash, host="*@10.*"))
    a = srv.client("alice")
    a.send("OPER admin :%s" % PASSWORD)
    a.expect(cmd("464", "alice"))


def test_oper_bound_to_an_account(start_server):
    """[oper NAME] account: OPER needs a login to that account (any case), and with no
    password in the block the password parameter is not checked."""
    srv = start_server(config="[server]\nname = %s\n[oper boss]\naccount = Alice\n" %
                       SERVER_NAME)
    a = srv.client("alice")
    a.send("OPER boss x")
    a.expect(cmd("464", "alice"))
    a.send("REGISTER * * :%s" % PASSWORD)
    a.expect(lambda m: m.command == "REGISTER" and m.param(0) == "SUCCESS", timeout=10)
    a.send("OPER boss x")
    a.expect(cmd("381", "alice"))
    a.expect(cmd("MODE", "alice", "+os"))


def test_deoper_with_mode(start_server, password_hash):
    srv = start_server(config=oper_config(password_hash))
    a = srv.client("alice")
    become_oper(a)
    a.send("MODE alice -o")
    a.expect(cmd("MODE", "alice", "-os"))
    a.send("WALLOPS :still here?")
    a.expect(cmd("481", "alice"))


def test_server_notices(start_server, password_hash):
    srv = start_server(config=oper_config(password_hash))
    a = srv.client("alice")
    become_oper(a)
    b = srv.client("bob")
    a.expect(cmd("NOTICE", "alice",
                 "*** Notice -- Client connecting: bob (bob@127.0.0.1)"))
    b.send("QUIT :later")
    a.expect(cmd("NOTICE", "alice",
                 "*** Notice -- Client exiting: bob (bob@127.0.0.1) [Quit: later]"))


# -- KILL and WALLOPS


@pytest.mark.models
def test_kill(start_server, password_hash):
    srv = start_server(config=oper_config(password_hash))
    a = srv.client("alice")
    b = srv.client("bob")
    c = srv.client("carol")
    b.join("#x")
    c.join("#x")
    b.send("KILL carol :no")
    b.expect(cmd("481", "bob"))
    a.send("KILL carol :no")
    a.expect(cmd("481", "alice"))
    become_oper(a)
    a.send("KILL nobody :x")
    a.expect(cmd("401", "alice", "nobody"))
    a.send("KILL bob :spamming")
    lines = wait_closed(b, others=(a, c))
    assert [m.line for m in lines] == [
        ":%s KILL bob :spamming" % prefix("alice"),
        "ERROR :Closing Link: 127.0.0.1 (Killed (alice (spamming)))",
    ]
    m = c.expect("QUIT")
    assert m.source == prefix("bob")
    assert m.trailing == "Killed (alice (spamming))"
    a.expect(cmd("NOTICE", "alice",
                 "*** Notice -- Received KILL message for bob from alice (spamming)"))


def test_wallops(start_server, password_hash):
    srv = start_server(config=oper_config(password_hash))
    a = srv.client("alice")
    b = srv.client("bob")
    c = srv.client("carol")
    b.send("MODE bob +w")
    b.expect(cmd("MODE", "bob", "+w"))
    b.send("WALLOPS :hello")
    b.expect(cmd("481", "bob"))
    become_oper(a)
    a.send("WALLOPS :server maintenance soon")
    m = b.expect("WALLOPS")
    assert m.source == prefix("alice")
    assert m.params == ["server maintenance soon"]
    c.assert_silent("WALLOPS")


# -- REHASH, DIE, RESTART


def motd_text(client):
    client.send("MOTD")
    return [m.trailing for m in client.collect_until("376") if m.command == "372"]


@pytest.mark.models
def test_rehash_reloads_motd(start_server, password_hash, tmp_path):
    motd = tmp_path / "motd.txt"
    motd.write_text("first\n")
    conf = tmp_path / "oper.conf"
    conf.write_text(oper_config(password_hash, extra="motd = %s\n" % motd))
    srv = start_server(config=conf)
    a = srv.client("alice")
    assert motd_text(a) == ["- first"]
    a.send("REHASH")
    a.expect(cmd("481", "alice"))
    become_oper(a)
    motd.write_text("second\n")
    a.send("REHASH")
    assert a.expect("382").params == ["alice", "oper.conf", "Rehashing"]
    srv.wait_log("configuration reloaded")
    assert motd_text(a) == ["- second"]


@pytest.mark.models
def test_rehash_replaces_oper_blocks(start_server, password_hash, tmp_path):
    conf = tmp_path / "oper.conf"
    conf.write_text(oper_config(password_hash))
    srv = start_server(config=conf)
    a = srv.client("alice")
    b = srv.client("bob")
    become_oper(a)
    conf.write_text(oper_config(password_hash).replace("[oper admin]", "[oper boss]"))
    a.send("REHASH")
    a.expect("382")
    srv.wait_log("configuration reloaded")
    b.send("OPER admin :%s" % PASSWORD)
    b.expect(cmd("491", "bob"))
    b.send("OPER boss :%s" % PASSWORD)
    b.expect(cmd("381", "bob"))
    # A broken block on reload keeps the running ones.
    mark = srv.log_len()
    conf.write_text("[oper boss]\npassword = plain\n")
    a.send("REHASH")
    a.expect("382")
    srv.wait_log("reload failed: .*password must be a crypt", start=mark)
    c = srv.client("carol")
    c.send("OPER boss :%s" % PASSWORD)
    c.expect(cmd("381", "carol"))


@pytest.mark.models
def test_die(start_server, password_hash):
    srv = start_server(config=oper_config(password_hash))
    a = srv.client("alice")
    b = srv.client("bob")
    b.send("DIE")
    b.expect(cmd("481", "bob"))
    become_oper(a)
    srv.expected_exit = True
    a.send("DIE")
    lines = wait_closed(b, others=(a,))
    assert lines[-1].line == ("ERROR :Closing Link: 127.0.0.1 "
                              "(Server shutting down (DIE by alice))")
    assert srv.wait(5) == 0
    srv.wait_log(r"shutting down \(DIE by alice\)")


def test_die_and_restart_can_be_disabled(start_server, password_hash):
    srv = start_server(config=oper_config(
        password_hash, extra="allow_die = no\nallow_restart = no\n"))
    a = srv.client("alice")
    become_oper(a)
    a.send("DIE")
    assert a.expect("723").params == ["alice", "die", "Insufficient oper privileges."]
    a.send("RESTART")
    assert a.expect("723").params == ["alice", "restart", "Insufficient oper privileges."]
    assert srv.proc.poll() is None


@pytest.mark.models
def test_restart_execs_in_place(start_server, password_hash):
    port = free_port()
    srv = start_server(config=oper_config(password_hash),
                       listen=("127.0.0.1:%d" % port,))
    a = srv.client("alice")
    b = srv.client("bob")
    become_oper(a)
    mark = srv.log_len()
    a.send("RESTART")
    lines = wait_closed(b, others=(a,))
    assert lines[-1].line == ("ERROR :Closing Link: 127.0.0.1 "
                              "(Server restarting (RESTART by alice))")
    srv.wait_log(r"listening on 127\.0\.0\.1:%d" % port, timeout=10, start=mark)
    assert srv.proc.poll() is None
    # exec keeps the process: same PID, a new image that serves the same port.
    with open("/proc/%d/stat" % srv.pid) as f:
        assert f.read().split()[0] == str(srv.pid)
    c = srv.client("carol")
    c.send("MODE carol")
    assert c.expect("221").params == ["carol", "+"]
    assert len([line for line in srv.log[mark:] if "running as" in line]) == 1
