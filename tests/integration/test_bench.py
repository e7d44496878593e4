"""parley-bench smoke test: it builds, runs a tiny fanout against parleyd, and refuses bad
arguments.  No assertion on speed: benchmarks are not tests (docs/benchmarks.md)."""
import json
import os
import subprocess

import pytest

# CMake's ctest sets PARLEY_BENCH; by hand, the binary of the tree's own build/ directory.
PARLEY_BENCH = os.environ.get("PARLEY_BENCH") or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build",
                 "parley-bench"))


def bench(*args, timeout=60):
    if not os.access(PARLEY_BENCH, os.X_OK):
        pytest.fail("parley-bench binary not found at %s (set PARLEY_BENCH)" % PARLEY_BENCH)
    return subprocess.run([PARLEY_BENCH] + list(args), capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def target(server):
    host, port = server.listeners[0]
    return "%s:%d" % (host, port)


@pytest.mark.models
def test_tiny_fanout_delivers_without_disconnects(start_server):
    srv = start_server()
    res = bench("--target", target(srv), "--clients", "5", "--senders", "2",
                "--duration", "1", "--timeout", "20", "--json", "fanout")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["scenario"] == "fanout"
    assert out["ready"] is True
    assert out["joined"] == 5
    assert out["delivered"] > 0
    assert out["lines_per_s"] > 0
    assert out["latency_us"]["count"] == out["delivered"]
    assert out["disconnects"] == 0
    assert out["errors"] == 0


@pytest.mark.models
def test_tiny_privmsg_and_connect_complete(start_server):
    srv = start_server()
    res = bench("--target", target(srv), "--pairs", "2", "--duration", "0.5", "--json",
                "privmsg")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["delivered"] > 0
    res = bench("--target", target(srv), "--clients", "20", "--server-pid",
                str(srv.proc.pid), "--json", "connect")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["registered"] == 20
    assert out["rss_after_kib"] > 0


def test_tiny_login_storm_logs_everyone_in(start_server):
    """login: 3 accounts REGISTERed, 6 clients log in to them with SASL PLAIN (two per
    account), and the pinger's PINGs are timed meanwhile."""
    srv = start_server(config="[limits]\nflood_burst = 0\nmax_per_address = 0\n"
                       "connect_rate = 0\n[accounts]\nfail_limit = 0\n")
    res = bench("--target", target(srv), "--clients", "6", "--accounts", "3",
                "--timeout", "40", "--json", "login", timeout=100)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["scenario"] == "login"
    assert out["ready"] is True
    assert out["accounts"] == 3 and out["register_failures"] == 0
    assert out["logins"] == 6 and out["login_failures"] == 0
    assert out["logins_per_s"] > 0
    assert out["latency_us"]["count"] > 0
    assert out["disconnects"] == 0
    srv.wait_log("logged in to b")


def test_login_stops_when_registration_is_refused(start_server):
    """A server that refuses REGISTER (here: registration turned off) ends the setup at
    once, with the refusals counted."""
    srv = start_server(config="[accounts]\nregistration = no\n")
    res = bench("--target", target(srv), "--clients", "2", "--timeout", "30", "--json",
                "login", timeout=40)
    assert res.returncode == 1
    out = json.loads(res.stdout)
    assert out["ready"] is False
    assert out["register_failures"] >= 1
    assert out["logins"] == 0
    assert out["setup_s"] < 10


@pytest.mark.models
def test_tiny_fanout_over_websocket(start_server):
    srv = start_server(args=["--web-listen", "127.0.0.1:0"], expect_listeners=2)
    host, port = srv.listeners[1]
    res = bench("--target", "%s:%d" % (host, port), "--ws", "--clients", "5", "--senders",
                "2", "--duration", "1", "--timeout", "20", "--json", "fanout")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["joined"] == 5 and out["delivered"] > 0
    assert out["disconnects"] == 0 and out["errors"] == 0
    # A WebSocket bench against a plain IRC port gets no 101: every client fails.
    res = bench("--target", target(srv), "--ws", "--clients", "2", "--timeout", "2",
                "--json", "connect")
    assert res.returncode == 1


def test_human_summary_without_json(start_server):
    srv = start_server()
    res = bench("--target", target(srv), "--clients", "3", "--senders", "1",
                "--duration", "0.3", "fanout")
    assert res.returncode == 0, res.stderr
    assert "lines/s" in res.stdout
    assert "disconnects 0" in res.stdout


def test_unreachable_server_fails_cleanly(start_server):
    srv = start_server()
    host, port = srv.listeners[0]
    srv.stop()
    srv.expected_exit = True
    res = bench("--target", "%s:%d" % (host, port), "--clients", "3", "--senders", "1",
                "--timeout", "5", "--json", "fanout")
    assert res.returncode == 1
    assert json.loads(res.stdout)["ready"] is False
    assert "setup did not complete" in res.stderr


@pytest.mark.parametrize("args, why", [
    (["fanout", "--target", "10.1.2.3:6667"], "not a loopback address"),
    (["fanout", "--target", "192.168.0.1:6667"], "not a loopback address"),
    (["fanout", "--target", "nonsense"], "is not ADDR:PORT"),
    (["fanout", "--clients", "0"], "--clients"),
    (["fanout", "--clients", "abc"], "--clients"),
    (["fanout", "--clients", "5", "--senders", "5"], "not fewer than"),
    (["fanout", "--duration", "-1"], "--duration"),
    (["fanout", "--size", "100000"], "--size"),
    (["fanout", "--channel", "nochan"], "--channel"),
    (["teleport"], "unknown scenario"),
    ([], "no scenario"),
    (["fanout", "privmsg"], "one scenario only"),
    (["login", "--clients", "2", "--accounts", "3"], "more than --clients"),
    (["login", "--accounts", "0"], "--accounts"),
    (["--bogus", "fanout"], "Try 'parley-bench --help'"),
])
def test_bad_arguments_exit_2_with_reason(args, why):
    res = bench(*args, timeout=10)
    assert res.returncode == 2
    assert why in res.stderr
    assert res.stdout == ""


def test_help_documents_every_flag():
    res = bench("--help", timeout=10)
    assert res.returncode == 0
    for flag in ("--target", "--clients", "--senders", "--pairs", "--window", "--pending",
                 "--size", "--sources", "--duration", "--timeout", "--server-pid",
                 "--channel", "--json", "--tls", "--ws", "--help", "--accounts", "fanout",
                 "connect", "privmsg", "login"):
        assert flag in res.stdout, flag
