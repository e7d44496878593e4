"""The process: flags, configuration errors, ports in use, restart, signals."""
import re
import signal
import socket
import subprocess
import time

import pytest

from conftest import PARLEYD, SERVER_NAME, Client, free_port

# The concurrency models handle these connections each their own way: ctest runs
# this file under every --model.
pytestmark = pytest.mark.models


def run(args, timeout=5):
    return subprocess.run([PARLEYD, "--store", "none"] + list(args), stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=timeout)


def stderr_lines(proc):
    return proc.stderr.decode("utf-8", "replace").splitlines()


def assert_one_error_line(proc, hint_allowed=False):
    lines = stderr_lines(proc)
    assert proc.returncode == 1, "exit %r, stderr %r" % (proc.returncode, lines)
    if hint_allowed and len(lines) == 2:
        assert lines[1] == "Try 'parleyd --help'.", lines
        lines = lines[:1]
    assert len(lines) == 1, "expected one line on stderr, got %r" % lines
    assert lines[0].startswith("parleyd: "), lines
    assert proc.stdout == b"", proc.stdout
    return lines[0]


# -- flags


def test_help():
    p = run(["--help"])
    assert p.returncode == 0
    out = p.stdout.decode()
    for flag in ("--listen", "--config", "--password", "--name", "--log-level", "--help",
                 "--version"):
        assert flag in out, "%s not in --help output:\n%s" % (flag, out)
    assert p.stderr == b""


def test_version():
    p = run(["--version"])
    assert p.returncode == 0
    assert re.fullmatch(rb"parleyd \S+\n", p.stdout), p.stdout
    assert p.stderr == b""


@pytest.mark.parametrize("args", [
    ["--bogus"],
    ["-x"],
    ["--listen"],
    ["--config"],
    ["--listen", "1.2.3"],
    ["--listen", "127.0.0.1:99999"],
    ["--listen", "[::1]"],
    ["--log-level", "loud"],
    ["--name", "nodot"],
    ["--help=yes"],
    ["stray-argument"],
])
def test_bad_flags_one_line_exit_1(args):
    p = run(args)
    assert_one_error_line(p, hint_allowed=True)


def test_listen_flag_with_equals_and_prefix(start_server):
    srv = start_server(listen=(), args=["--listen=127.0.0.1:0", "--na", "eq.example.org"])
    c = srv.client()
    assert c.register("alice")[0].source == "eq.example.org"


def test_starts_without_config_file(start_server):
    srv = start_server()
    c = srv.client()
    assert c.register("alice")[0].source == SERVER_NAME


def test_listen_address_from_config(start_server):
    srv = start_server(config="[listen]\naddress = 127.0.0.1:0\n", listen=())
    assert srv.host == "127.0.0.1"
    srv.client("alice")


# -- configuration errors

CONFIG_ERRORS = [
    ("[bogus]\n", 1),
    ("[limits]\nnickname = 3\n", 2),
    ("name = x\n", 1),
    ("[server]\nthis is not ini\n", 2),
    ("[limits]\nnicklen = 65\n", 2),
    ("[limits]\nnicklen = 5x\n", 2),
    ("[limits]\nnicklen = 5\nnicklen = 6\n", 3),
    ("[limits]\nsendq = 8k\n", 2),
    ("[limits]\nsendq_unregistered = 8k\n", 2),
    ("[timeouts]\nping_timeout = 0\n", 2),
    ("[server]\nmotd = /nonexistent/parley/motd.txt\n", 2),
    ("[server]\nname = nodot\n", 2),
    ("[log]\nlevel = loud\n", 2),
    ("[listen]\naddress = 1.2.3.4\n", 2),
    ("[server]\nnetwork = parley\n[limits]\n" + "# " + "c" * 250 + "\n", 4),
    # multiclient and always-on
    ("[accounts]\nmax_connections = 0\n", 2),
    ("[accounts]\nalways_on = maybe\n", 2),
    ("[accounts]\nauto_away = away\x01\n", 2),
]


@pytest.mark.parametrize("text,lineno", CONFIG_ERRORS)
def test_bad_config_one_line_exit_1(tmp_path, text, lineno):
    path = tmp_path / "bad.conf"
    path.write_text(text)
    p = run(["--listen", "127.0.0.1:0", "--config", str(path)])
    line = assert_one_error_line(p)
    assert "%s:%d:" % (path, lineno) in line, line


def test_missing_config_file(tmp_path):
    path = tmp_path / "absent.conf"
    p = run(["--listen", "127.0.0.1:0", "--config", str(path)])
    line = assert_one_error_line(p)
    assert str(path) in line


# -- ports


def listening_socket(host="127.0.0.1"):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.bind((host, 0))
    s.listen(1)
    return s, s.getsockname()[1]


def test_port_in_use_one_line_exit_1():
    s, port = listening_socket()
    try:
        p = run(["--listen", "127.0.0.1:%d" % port, "--log-level", "error"])
    finally:
        s.close()
    line = assert_one_error_line(p)
    assert "127.0.0.1:%d" % port in line, line


def test_port_in_use_at_default_log_level():
    s, port = listening_socket()
    try:
        p = run(["--listen", "127.0.0.1:%d" % port])
    finally:
        s.close()
    line = assert_one_error_line(p)
    assert line == "parleyd: 127.0.0.1:%d: Address already in use" % port, line


def test_port_held_by_another_parleyd(start_server):
    first = start_server()
    p = run(["--listen", "127.0.0.1:%d" % first.port, "--log-level", "error"])
    assert_one_error_line(p)
    first.client("alice")


def time_wait_count(port):
    """TCP sockets in TIME_WAIT with local port `port` (from /proc/net/tcp)."""
    n = 0
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for row in f:
                fields = row.split()
                local, state = fields[1], fields[3]
                if state == "06" and int(local.split(":")[1], 16) == port:
                    n += 1
    except OSError:
        return None
    return n


def test_restart_binds_while_time_wait(start_server):
    first = start_server()
    port = first.port
    for i in range(3):
        c = first.client("tw%d" % i)
        c.send("QUIT :bye")
        c.expect_closed()
        c.close()
    tw = time_wait_count(port)
    if tw is not None:
        assert tw >= 1, "the server did not close first: no TIME_WAIT on port %d" % port
    assert first.terminate() == 0
    second = start_server(listen=("127.0.0.1:%d" % port,))
    assert second.port == port
    second.client("alice")


# -- signals


def test_sigterm_sends_error_to_every_client_and_exits_0(start_server):
    srv = start_server()
    clients = [srv.client("user%d" % i) for i in range(3)]
    clients[0].join("#room")
    clients[1].join("#room")
    assert srv.terminate(signal.SIGTERM) == 0, srv.log_text()
    for c in clients:
        lines = c.expect_closed()
        assert lines and lines[-1].command == "ERROR", (c.name, lines)
        assert re.search(r"shut", lines[-1].trailing, re.I), lines[-1]
        assert lines[-1].trailing.startswith("Closing Link: ")


def test_sigterm_reaches_unregistered_clients(start_server):
    srv = start_server()
    c = srv.client()
    c.send("NICK halfway")
    c.sync()
    assert srv.terminate(signal.SIGTERM) == 0
    lines = c.expect_closed()
    assert lines and lines[-1].command == "ERROR", lines
    assert re.search(r"shut", lines[-1].trailing, re.I), lines[-1]


def test_sigint_exits_0(start_server):
    srv = start_server()
    c = srv.client("alice")
    assert srv.terminate(signal.SIGINT) == 0
    lines = c.expect_closed()
    assert lines and lines[-1].command == "ERROR", lines


def test_sigterm_with_a_client_that_does_not_read(start_server):
    srv = start_server(config="[limits]\nflood_burst = 0\n"
                              "[timeouts]\nshutdown_grace = 1\n")
    slow = srv.client("slow", rcvbuf=4096)
    talker = srv.client("talker")
    text = "y" * 400
    talker.send_raw(b"".join(b"PRIVMSG slow :%d %s\r\n" % (i, text.encode())
                             for i in range(1000)))
    talker.sync(timeout=5)
    start = time.monotonic()
    assert srv.terminate(signal.SIGTERM, timeout=5) == 0
    assert time.monotonic() - start < 4
    lines = talker.expect_closed()
    assert lines and lines[-1].command == "ERROR"
    slow.close()


def test_stdout_stays_empty(start_server):
    srv = start_server()
    srv.client("alice").send("QUIT")
    srv.terminate()
    srv._out_reader.join(2)
    assert srv.stdout == b""


def motd_lines(burst):
    return [m.trailing for m in burst if m.command == "372"]


def wait_until(check, timeout=3.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def test_sighup_reloads_motd(start_server, tmp_path):
    motd = tmp_path / "motd.txt"
    motd.write_text("first motd\n")
    srv = start_server(config="[server]\nmotd = %s\n" % motd)
    old = srv.client("old")
    assert motd_lines(srv.client().register("a"))[-1].endswith("first motd")
    motd.write_text("second motd\nwith two lines\n")
    srv.signal(signal.SIGHUP)

    def new_motd():
        c = Client(srv.host, srv.port, server=srv)
        try:
            lines = motd_lines(c.register("probe%d" % time.monotonic_ns()))
        finally:
            c.close()
        return lines if lines and lines[-1].endswith("with two lines") else None

    lines = wait_until(new_motd)
    assert lines, "new MOTD not seen after SIGHUP; log:\n" + srv.log_text()
    assert lines[0].endswith("second motd")
    old.send("MOTD")
    assert motd_lines(old.collect_until("376"))[-1].endswith("with two lines")


def test_sighup_with_broken_config_keeps_running(start_server, tmp_path):
    motd = tmp_path / "motd.txt"
    motd.write_text("original motd\n")
    conf = tmp_path / "live.conf"
    conf.write_text("[server]\nmotd = %s\n" % motd)
    srv = start_server(config=conf)
    before = srv.client("before")
    conf.write_text("[server]\nmotd = %s\nthis line is broken\n" % motd)
    motd.write_text("changed motd\n")
    mark = srv.log_len()
    srv.signal(signal.SIGHUP)
    line = srv.wait_log(r"reload failed", start=mark)
    assert str(conf) in line, line
    assert srv.proc.poll() is None
    after = srv.client()
    assert motd_lines(after.register("after"))[-1].endswith("original motd")
    before.send("PING still")
    assert before.expect("PONG").trailing == "still"


def test_sighup_applies_new_limits(start_server, tmp_path):
    conf = tmp_path / "live.conf"
    conf.write_text("[limits]\nnicklen = 30\n")
    srv = start_server(config=conf)
    srv.client("before")
    conf.write_text("[limits]\nnicklen = 12\n[server]\nnetwork = Reloaded\n")
    srv.signal(signal.SIGHUP)

    def isupport():
        c = Client(srv.host, srv.port, server=srv)
        try:
            burst = c.register("p%d" % (time.monotonic_ns() % 10**8))
        finally:
            c.close()
        text = " ".join(" ".join(m.params) for m in burst if m.command == "005")
        return text if "NICKLEN=12" in text.split() else None

    text = wait_until(isupport)
    assert text, "NICKLEN=12 not advertised after SIGHUP; log:\n" + srv.log_text()
    assert "NETWORK=Reloaded" in text.split()


def test_sighup_listener_change_waits_for_restart(start_server, tmp_path):
    conf = tmp_path / "live.conf"
    conf.write_text("[listen]\naddress = 127.0.0.1:0\n")
    srv = start_server(config=conf, listen=())
    conf.write_text("[listen]\naddress = 127.0.0.1:0\naddress = localhost:%d\n"
                    % free_port())
    mark = srv.log_len()
    srv.signal(signal.SIGHUP)
    srv.wait_log(r"listener changes take effect on restart", start=mark)
    srv.client("alice")


def test_flags_override_config_after_reload(start_server, tmp_path):
    conf = tmp_path / "live.conf"
    conf.write_text("[server]\nname = file.example.org\n")
    srv = start_server(config=conf, args=["--name", "flag.example.org"])
    assert srv.client().register("a")[0].source == "flag.example.org"
    conf.write_text("[server]\nname = file2.example.org\nnetwork = AfterHup\n")
    srv.signal(signal.SIGHUP)

    def reloaded():
        c = Client(srv.host, srv.port, server=srv)
        try:
            burst = c.register("p%d" % (time.monotonic_ns() % 10**8))
        finally:
            c.close()
        return burst if "AfterHup" in burst[0].trailing else None

    burst = wait_until(reloaded)
    assert burst, "reload not applied; log:\n" + srv.log_text()
    assert burst[0].source == "flag.example.org"
