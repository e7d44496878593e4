"""Real clients log in with SASL: weechat (Debian's weechat-headless) with PLAIN and
SCRAM-SHA-256, irssi with PLAIN, against parleyd on its SQLite store.

The account is registered first with REGISTER from a raw client.  Each client runs from
a configuration this test writes in tmp_path: weechat-headless from commands given with
-r and its own --dir, irssi in a detached tmux session on a private tmux server (-L)
with --home.  A raw client then asks WHOIS until the server answers 330 (the client is
logged in to the account), and the client's own record shows the 903: weechat's server
buffer log, irssi's status window.  Skipped only
when a program is not installed.
"""
import os
import shutil
import subprocess
import time

import pytest

from conftest import Client

WEECHAT = shutil.which("weechat-headless")
IRSSI = shutil.which("irssi")
TMUX = shutil.which("tmux")

ACCOUNT = "alice"
PASSWORD = "sesame-open-123"
SASL_SUCCESS = "SASL authentication successful"     # parleyd's 903, as weechat shows it
IRSSI_SASL_SUCCESS = "SASL authentication succeeded"    # irssi's own words for a 903


def register_account(server, account=ACCOUNT, password=PASSWORD):
    c = server.client()
    c.register(account)     # parleyd names an account for the nick that registers it
    c.send("REGISTER %s * %s" % (account, password))
    c.expect(lambda m: m.command == "REGISTER" and m.param(0) == "SUCCESS", timeout=10)
    c.send("QUIT")
    c.close()


def wait_logged_in(server, nick, account=ACCOUNT, timeout=20.0):
    """WHOIS nick from a raw client until 330 says nick is logged in to account."""
    c = server.client()
    c.register("probe")
    deadline = time.monotonic() + timeout
    try:
        while True:
            c.send("WHOIS %s" % nick)
            lines = c.collect_until(lambda m: m.command == "318", timeout=5)
            hit = [m for m in lines if m.command == "330"]
            if hit:
                assert hit[0].params[1:4] == [nick, account, "is logged in as"], hit[0].line
                return
            if time.monotonic() > deadline:
                raise AssertionError("%s is not logged in to %s after %.0fs: %s" % (
                    nick, account, timeout, [m.line for m in lines]))
            time.sleep(0.1)     # not yet: ask again in a moment
    finally:
        c.close()


def wait_file_has(path, text, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        data = path.read_text(errors="replace") if path.exists() else ""
        if text in data:
            return
        if time.monotonic() > deadline:
            raise AssertionError("%r not in %s within %.0fs:\n%s" % (text, path, timeout,
                                                                     data[-2000:]))
        time.sleep(0.05)


# -- weechat

def weechat_commands(port, nick, mechanism):
    """The commands of a scripted weechat session: one server, SASL, connect."""
    s = "irc.server.parley."
    return ";".join([
        "/set logger.file.flush_delay 0",
        "/server add parley 127.0.0.1/%d" % port,
        "/set %snicks %s" % (s, nick),
        "/set %ssasl_mechanism %s" % (s, mechanism),
        "/set %ssasl_username %s" % (s, ACCOUNT),
        "/set %ssasl_password %s" % (s, PASSWORD),
        "/set %ssasl_fail disconnect" % s,
        "/connect parley",
    ])


@pytest.mark.parametrize("mechanism", ["plain", "scram-sha-256"])
def test_weechat_logs_in_with_sasl(server, tmp_path, mechanism):
    if WEECHAT is None:
        pytest.skip("weechat-headless is not installed")
    register_account(server)
    home = tmp_path / "weechat"
    home.mkdir()
    nick = "wee" + mechanism[:5].replace("-", "")
    proc = subprocess.Popen(
        [WEECHAT, "--dir", str(home), "-r", weechat_commands(server.port, nick, mechanism)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_logged_in(server, nick)
        wait_file_has(home / "logs" / "irc.server.parley.weechatlog", SASL_SUCCESS)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# -- irssi

IRSSI_CONFIG = """servers = (
  {
    address = "127.0.0.1";
    chatnet = "parley";
    port = "%(port)d";
    use_tls = "no";
    autoconnect = "yes";
  }
);
chatnets = {
  parley = {
    type = "IRC";
    sasl_mechanism = "PLAIN";
    sasl_username = "%(account)s";
    sasl_password = "%(password)s";
  };
};
settings = {
  core = { real_name = "Irssi User"; user_name = "iuser"; nick = "%(nick)s"; };
};
"""


def test_irssi_logs_in_with_sasl_plain(server, tmp_path):
    if IRSSI is None:
        pytest.skip("irssi is not installed")
    if TMUX is None:
        pytest.skip("tmux is not installed (irssi needs a terminal)")
    register_account(server)
    home = tmp_path / "irssi"
    home.mkdir()
    nick = "irssiuser"
    (home / "config").write_text(IRSSI_CONFIG % {
        "port": server.port, "account": ACCOUNT, "password": PASSWORD, "nick": nick})
    sock = "parley-sasl-%d" % os.getpid()
    tmux = [TMUX, "-L", sock]
    r = subprocess.run(tmux + ["new-session", "-d", "-s", "irssi", "-x", "120", "-y", "30",
                               "env LANG=C.UTF-8 TERM=screen '%s' --home='%s'" % (IRSSI, home)],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    try:
        wait_logged_in(server, nick)
        # irssi says so of the 903 in its status window, the one on the screen.
        deadline = time.monotonic() + 10
        while True:
            screen = subprocess.run(tmux + ["capture-pane", "-p", "-t", "irssi"],
                                    capture_output=True, text=True, timeout=10).stdout
            if IRSSI_SASL_SUCCESS in screen:
                break
            assert time.monotonic() < deadline, "no 903 on irssi's screen:\n" + screen
            time.sleep(0.05)
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True, timeout=10)
