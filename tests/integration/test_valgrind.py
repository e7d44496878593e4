"""A scripted session under valgrind's memcheck: no invalid access, no uninitialised
read, no leak, and a clean exit on SIGTERM.  Skipped without valgrind (scripts/deps.sh
test installs it), for sanitizer builds, which valgrind cannot run, and for the fork
model (see below)."""
import re
import shutil
import signal
import subprocess
import threading
import time

import pytest

from conftest import LISTENING_RE, MODEL, PARLEYD, Client, tcp_queues

# The concurrency models handle these connections each their own way: ctest runs
# this file under every --model.
pytestmark = pytest.mark.models

# Small limits so the session also leaves delayed lines (flood control) and a refused
# connection (max_per_address) behind for the shutdown to free.
CONFIG = """[server]
name = irc.localhost
[limits]
flood_burst = 5
flood_interval = 1
max_per_address = 3
exempt =
"""


def sanitized():
    with open(PARLEYD, "rb") as f:
        return b"__asan_init" in f.read()


@pytest.fixture
def valgrind_server(tmp_path):
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed")
    if sanitized():
        pytest.skip("a sanitizer build does not run under valgrind")
    if MODEL == "fork":
        # Its relay children run under a seccomp filter, which the system calls
        # valgrind makes on their behalf break (SIGSYS).
        pytest.skip("the fork model's relays cannot run under valgrind")
    conf = tmp_path / "parleyd.conf"
    conf.write_text(CONFIG)
    proc = subprocess.Popen(
        ["valgrind", "--error-exitcode=99", "--leak-check=full", "--show-leak-kinds=all",
         "--errors-for-leak-kinds=definite,indirect,possible", "--track-fds=no",
         PARLEYD, "--model", MODEL, "--listen", "127.0.0.1:0", "--config", str(conf),
         "--log-level", "debug"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    log = []
    found = threading.Event()
    port = []

    def drain():
        for raw in iter(proc.stderr.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            log.append(line)
            m = LISTENING_RE.search(line)
            if m and not port:
                port.append(int(m.group(2)))
                found.set()
        found.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    if not found.wait(30) or not port:
        proc.kill()
        pytest.fail("parleyd under valgrind did not start:\n" + "\n".join(log))
    yield proc, port[0], log, reader
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


def test_scripted_session_is_clean_under_valgrind(valgrind_server):
    proc, port, log, reader = valgrind_server
    # Everything is slower under valgrind: generous, bounded waits.
    a = Client("127.0.0.1", port, name="alice", timeout=20)
    b = Client("127.0.0.1", port, name="bob", timeout=20)
    a.register("alice", timeout=20)
    b.register("bob", timeout=20)
    a.join("#v", timeout=20)
    b.join("#v", timeout=20)
    a.send("MODE #v +o bob")
    a.send("MODE #v +kl key 10")
    a.send("TOPIC #v :a topic")
    b.send("PRIVMSG #v :hello")
    b.send("NOTICE alice :psst")
    b.send("AWAY :gone")
    a.send("WHOIS bob")
    a.expect("318", timeout=20)
    a.send("WHO #v")
    a.expect("315", timeout=20)
    b.send("NICK robert")
    a.expect("NICK", timeout=20)
    a.send("KICK #v robert :out")
    b.expect("KICK", timeout=20)
    b.send("PART #v")
    # A third connection is refused, a fourth too (max_per_address = 3 with a, b, c).
    c = Client("127.0.0.1", port, name="carol", timeout=20)
    d = Client("127.0.0.1", port, name="dave", timeout=20)
    assert d.expect_closed(timeout=20)[-1].trailing.endswith(
        "(Too many connections from your address)")
    c.send("NICK carol")
    # Lines past the burst wait in alice's queue when the server stops.
    a.send_raw(b"".join(b"PRIVMSG #v :queued %d\r\n" % i for i in range(10)))
    b.send("QUIT :done")
    b.expect_closed(timeout=20)
    # The server has read alice's lines once its side of her socket holds none.
    alice = a.sock.getsockname()[1]
    deadline = time.monotonic() + 20
    while tcp_queues(port, alice)[1] > 0:
        assert time.monotonic() < deadline, "the server never read alice's lines"
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    try:
        status = proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("parleyd did not exit on SIGTERM under valgrind")
    reader.join(10)
    text = "\n".join(log)
    for cl in (a, c, d):
        cl.close()
    summary = re.search(r"ERROR SUMMARY: (\d+) errors", text)
    assert summary, text[-3000:]
    assert summary.group(1) == "0", text[-6000:]
    assert "definitely lost: 0" in text or "All heap blocks were freed" in text, text[-3000:]
    assert status == 0, "exit status %r\n%s" % (status, text[-6000:])
