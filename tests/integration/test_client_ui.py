"""The interactive parley, driven in tmux: two clients chat through parleyd.

Each client runs in its own detached tmux session on a private tmux server (-L), in a
fixed-size UTF-8 terminal; send-keys types, capture-pane reads the screen.  Every wait
polls the screen with a bound.  Skipped when tmux is not installed.
"""
import os
import shutil
import subprocess
import time

import pytest

from test_client_scripted import PARLEY, parley

TMUX = shutil.which("tmux")


class Tmux:
    def __init__(self, tmp_path):
        self.sock = "parley-test-%d-%d" % (os.getpid(), id(self))
        self.tmp_path = tmp_path

    def run(self, *args):
        return subprocess.run([TMUX, "-L", self.sock] + list(args), capture_output=True,
                              text=True, timeout=10)

    def start(self, name, argv, width=100, height=24):
        cmdline = "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen " + \
            " ".join("'%s'" % a for a in argv)
        r = self.run("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height),
                     cmdline)
        assert r.returncode == 0, r.stderr

    def keys(self, name, *keys):
        self.run("send-keys", "-t", name, *keys)

    def type(self, name, text):
        self.run("send-keys", "-t", name, "-l", text)
        self.keys(name, "Enter")

    def screen(self, name):
        return self.run("capture-pane", "-p", "-t", name).stdout

    def wait_for(self, name, text, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen(name)
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError("%r not on %s's screen within %.1fs:\n%s"
                                     % (text, name, timeout, screen))
            time.sleep(0.05)

    def alive(self, name):
        return self.run("has-session", "-t", name).returncode == 0

    def kill(self):
        self.run("kill-server")


@pytest.fixture
def tmux(tmp_path):
    if TMUX is None:
        pytest.skip("tmux is not installed")
    t = Tmux(tmp_path)
    yield t
    t.kill()


def status_line(screen):
    return [l for l in screen.splitlines() if l.startswith("[")][-1]


def test_two_clients_chat_in_a_channel_and_in_private(server, tmux):
    addr = "%s:%d" % (server.host, server.port)
    tmux.start("alice", [PARLEY, "-n", "alice", addr, "#room"])
    tmux.wait_for("alice", "alice has joined #room")
    tmux.start("bob", [PARLEY, "-n", "bob", addr, "#room"])
    tmux.wait_for("alice", "bob has joined #room")
    tmux.wait_for("bob", "[1:#room]")

    tmux.type("alice", "hello from alice \u00e9\u20ac")
    tmux.wait_for("bob", "<alice> hello from alice \u00e9\u20ac")
    tmux.wait_for("alice", "<alice> hello from alice \u00e9\u20ac")

    # A private message opens a window on both sides; the other side sees activity.
    tmux.type("bob", "/msg alice psst, private")
    screen = tmux.wait_for("alice", "[act: 2]")
    assert "psst" not in screen          # still looking at #room
    tmux.keys("alice", "M-2")
    screen = tmux.wait_for("alice", "<bob> psst, private")
    assert "[2:bob]" in status_line(screen)
    tmux.type("alice", "got it")
    tmux.keys("bob", "C-n")
    tmux.wait_for("bob", "<alice> got it")
    assert "[2:alice]" in status_line(tmux.screen("bob"))

    # /me, and /win back to the channel.
    tmux.type("bob", "/win 1")
    tmux.type("bob", "/me waves")
    tmux.keys("alice", "C-p")
    tmux.wait_for("alice", "* bob waves")

    tmux.type("alice", "/quit bye")
    tmux.wait_for("bob", "alice has quit")
    deadline = time.monotonic() + 5
    while tmux.alive("alice"):
        assert time.monotonic() < deadline, "alice did not exit on /quit"
        time.sleep(0.05)


def test_input_editing_and_history(server, tmux):
    addr = "%s:%d" % (server.host, server.port)
    tmux.start("carol", [PARLEY, "-n", "carol", addr, "#edit"])
    tmux.wait_for("carol", "carol has joined #edit")
    tmux.keys("carol", "-l", "helo world")
    tmux.keys("carol", "Home", "Right", "Right", "Right", "l", "End", "C-w")
    tmux.keys("carol", "-l", "there")
    tmux.keys("carol", "Enter")
    tmux.wait_for("carol", "<carol> hello there")
    tmux.keys("carol", "Up", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace")
    tmux.keys("carol", "-l", "again")
    tmux.keys("carol", "Enter")
    tmux.wait_for("carol", "<carol> hello again")
    tmux.keys("carol", "-l", "garbage")
    tmux.keys("carol", "C-u")
    tmux.type("carol", "/help")
    screen = tmux.wait_for("carol", "/whois NICK")
    assert "garbage" not in screen


def test_taken_nick_resize_and_reconnect(start_server, tmux, tmp_path):
    srv = start_server()
    addr = "%s:%d" % (srv.host, srv.port)
    tmux.start("one", [PARLEY, "-n", "dup", addr, "#r"])
    tmux.wait_for("one", "dup has joined #r")
    tmux.start("two", [PARLEY, "-n", "dup", addr, "#r"])
    screen = tmux.wait_for("two", "dup_ has joined #r")
    assert "[dup_]" in status_line(screen)

    tmux.run("resize-window", "-t", "two", "-x", "50", "-y", "12")
    screen = tmux.wait_for("two", "[dup_]")
    assert len(screen.splitlines()) <= 12
    assert max(len(l) for l in screen.splitlines()) <= 50

    # The server goes away and comes back on the same port: two reconnects, rejoins.
    port = srv.port
    srv.terminate()
    tmux.wait_for("two", "reconnecting in")
    srv2 = start_server(listen=("127.0.0.1:%d" % port,))
    tmux.wait_for("two", "reconnecting in")
    before = tmux.screen("two").count("has joined #r")
    deadline = time.monotonic() + 10
    while tmux.screen("two").count("has joined #r") <= before:
        assert time.monotonic() < deadline, "no rejoin:\n" + tmux.screen("two")
        time.sleep(0.05)
    r = parley("send", "-n", "poster", "127.0.0.1:%d" % srv2.port, "#r", "after restart")
    assert r.returncode == 0, r.stderr
    tmux.wait_for("two", "<poster> after restart", timeout=5)


def test_tls_session_in_the_ui(tmux, tmp_path):
    from test_client_scripted import _certificate, _tls_fake
    cert, key = _certificate(tmp_path, "localhost")
    fake = _tls_fake(cert, key)
    try:
        tmux.start("tls", [PARLEY, "--tls", "--insecure", "-n", "me",
                           "127.0.0.1:%d" % fake.port, "#c"])
        tmux.wait_for("tls", "me has joined #c")
        tmux.type("tls", "over tls")
        deadline = time.monotonic() + 5
        while "PRIVMSG #c :over tls" not in fake.seen:
            assert time.monotonic() < deadline, fake.seen
            time.sleep(0.05)
        tmux.type("tls", "/quit")
    finally:
        fake.close()
