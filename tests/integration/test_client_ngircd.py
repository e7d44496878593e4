"""parley send and parley tail against another server: ngircd from Debian.

Skipped when ngircd is not installed (NGIRCD names the binary; else PATH, /usr/sbin).
ngircd runs in the foreground on an ephemeral loopback port with a minimal config in
tmp_path; started as root it drops to the user "nobody" by itself.
"""
import os
import shutil
import socket
import subprocess
import time

import pytest

from conftest import free_port
from test_client_scripted import Tail, parley


def ngircd_binary():
    for cand in (os.environ.get("NGIRCD"), shutil.which("ngircd"), "/usr/sbin/ngircd"):
        if cand and os.access(cand, os.X_OK):
            return cand
    return None


@pytest.fixture
def ngircd(tmp_path):
    binary = ngircd_binary()
    if binary is None:
        pytest.skip("ngircd is not installed")
    port = free_port()
    conf = tmp_path / "ngircd.conf"
    conf.write_text(
        "[Global]\nName = irc.ngircd.test\nInfo = parley test\nListen = 127.0.0.1\n"
        "Ports = %d\nMotdPhrase = hello\n"
        "[Options]\nPAM = no\nIdent = no\nDNS = no\n" % port)
    proc = subprocess.Popen([binary, "-n", "-f", str(conf)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("ngircd did not start listening on port %d" % port)
            time.sleep(0.05)
    yield "127.0.0.1:%d" % port
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def wait_joined(address, chan, nick, timeout=5.0):
    """Poll NAMES through a throwaway raw connection until nick is in chan."""
    host, port = address.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=timeout)

    def read_until(marker):
        buf = b""
        while marker not in buf:
            data = s.recv(65536)
            if not data:
                raise AssertionError("the probe was closed: %r" % buf)
            buf += data
            for line in buf.split(b"\r\n"):
                parts = line.decode("utf-8", "replace").split(" ")
                if len(parts) > 1 and parts[0] == "PING":
                    s.sendall(("PONG %s\r\n" % parts[1]).encode())
        return buf

    try:
        s.sendall(b"NICK probe\r\nUSER probe 0 * :probe\r\n")
        read_until(b" 001 probe ")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s.sendall(("NAMES %s\r\n" % chan).encode())
            for line in read_until(b" 366 probe ").split(b"\r\n"):
                parts = line.decode("utf-8", "replace").split(" ")
                if len(parts) > 4 and parts[1] == "353" and \
                        any(n.lstrip("@+") == nick for n in line.decode().split(":")[-1].split()):
                    return
            time.sleep(0.05)    # not there yet: ask again in a moment
        raise AssertionError("%s never joined %s" % (nick, chan))
    finally:
        s.close()


def test_send_and_tail_through_ngircd(ngircd):
    t = Tail("-n", "reader", ngircd, "#parley")
    try:
        wait_joined(ngircd, "#parley", "reader")
        r = parley("send", "-n", "poster", ngircd, "#parley", "hello", "ngircd")
        assert r.returncode == 0, r.stderr
        r = parley("send", "-n", "poster", ngircd, "#parley", stdin="line \u00e9\nsecond\n")
        assert r.returncode == 0, r.stderr
        assert t.line() == "<poster> hello ngircd"
        assert t.line() == "<poster> line \u00e9"
        assert t.line() == "<poster> second"
    finally:
        assert t.stop() == 0


def test_default_nick_fits_ngircd(ngircd):
    """ngircd allows 9-byte nicks: the default nick and its alternatives must fit."""
    r = parley("send", ngircd, "#parley", "anonymous")
    assert r.returncode == 0, r.stderr


def test_taken_nick_retried_on_ngircd(ngircd):
    t = Tail("-n", "same", ngircd, "#parley")
    try:
        wait_joined(ngircd, "#parley", "same")
        r = parley("send", "-n", "same", ngircd, "#parley", "from the second one")
        assert r.returncode == 0, r.stderr
        assert t.line() == "<same_> from the second one"
    finally:
        t.stop()


def test_long_message_split_on_ngircd(ngircd):
    t = Tail("-n", "reader", ngircd, "#parley")
    try:
        wait_joined(ngircd, "#parley", "reader")
        text = "\u20ac" * 600
        r = parley("send", "-n", "poster", ngircd, "#parley", text)
        assert r.returncode == 0, r.stderr
        got = ""
        while len(got) < len(text):
            line = t.line()
            assert line.startswith("<poster> ")
            got += line[len("<poster> "):]
        assert got == text
    finally:
        t.stop()
