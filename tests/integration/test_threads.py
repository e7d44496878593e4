"""The threads model's own setting: --io-threads and [server] io_threads.

The model-dependent tests run under --model threads too (ctest's integration-threads);
these pin what only this model has: its number of threads, and the same behaviour with
one worker and with several, under phases big enough to be shared among them.
"""
import os
import subprocess

import pytest

from conftest import PARLEYD, cmd


def run(args, timeout=5):
    return subprocess.run([PARLEYD, "--store", "none"] + list(args), stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=timeout)


def threads_of(pid):
    return len(os.listdir("/proc/%d/task" % pid))


@pytest.mark.parametrize("value", ["0", "65", "x", "", "-1", "2k"])
def test_bad_io_threads_flag_one_line_exit_1(value):
    p = run(["--io-threads", value])
    lines = p.stderr.decode("utf-8", "replace").splitlines()
    assert p.returncode == 1, lines
    assert lines[0] == ("parleyd: --io-threads: '%s' is not a number of threads "
                        "(1..64)" % value), lines


@pytest.mark.parametrize("value", ["0", "65", "two"])
def test_bad_io_threads_setting_refused(tmp_path, value):
    path = tmp_path / "parleyd.conf"
    path.write_text("[server]\nio_threads = %s\n" % value)
    p = run(["--config", str(path)])
    lines = p.stderr.decode("utf-8", "replace").splitlines()
    assert p.returncode == 1, lines
    assert len(lines) == 1, lines
    assert lines[0].startswith("parleyd: %s:2: io_threads: '%s' " % (path, value)), lines


def test_help_names_io_threads():
    p = run(["--help"])
    assert p.returncode == 0
    assert b"--io-threads N" in p.stdout


@pytest.mark.parametrize("how,expect", [
    (["--io-threads", "1"], 1),
    (["--io-threads", "4"], 4),
    ([], 2),
])
def test_threads_model_runs_io_threads(start_server, how, expect):
    srv = start_server(args=["--model", "threads"] + how)
    srv.client("alice").sync()
    assert threads_of(srv.pid) == expect


def test_setting_gives_the_threads(start_server):
    # The suite's servers always get --model (PARLEY_MODEL), which overrides the file's.
    srv = start_server(config="[server]\nio_threads = 3\n", args=["--model", "threads"])
    srv.client("alice").sync()
    assert threads_of(srv.pid) == 3


def test_flag_overrides_setting(start_server):
    srv = start_server(config="[server]\nio_threads = 3\n",
                       args=["--model", "threads", "--io-threads", "5"])
    srv.client("alice").sync()
    assert threads_of(srv.pid) == 5


@pytest.mark.parametrize("model", ["event", "fork"])
def test_other_models_ignore_io_threads(start_server, model):
    srv = start_server(args=["--model", model, "--io-threads", "8"])
    srv.client("alice").sync()
    assert threads_of(srv.pid) == 1


@pytest.mark.parametrize("workers", ["1", "3"])
def test_many_ready_connections_every_line_in_order(start_server, workers):
    """Enough clients that a turn's reads and writes are split among the workers: each
    member gets every line of every sender, each sender's lines in the order sent."""
    srv = start_server(config="[limits]\nmax_per_address = 0\nflood_burst = 0\n"
                              "connect_rate = 0\n",
                       args=["--model", "threads", "--io-threads", workers])
    members = [srv.client("m%02d" % i) for i in range(40)]
    for m in members:
        m.join("#crowd")
    for m in members:
        m.sync()
    # Every member sends at once, so reads come many to a turn, then writes to all.
    for i, m in enumerate(members):
        m.send_raw(b"".join(b"PRIVMSG #crowd :%d.%d\r\n" % (i, k) for k in range(5)))
    for j, m in enumerate(members):
        got = {}
        want = (len(members) - 1) * 5
        while sum(len(v) for v in got.values()) < want:
            msg = m.expect(cmd("PRIVMSG", "#crowd"), timeout=5.0)
            sender, k = msg.trailing.split(".")
            got.setdefault(int(sender), []).append(int(k))
        assert j not in got
        assert all(v == list(range(5)) for v in got.values()), got


def io_workers(pid):
    """The voluntary context switches of each I/O thread, by thread id."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        base = "/proc/%d/task/%s/" % (pid, tid)
        with open(base + "comm") as f:
            if f.read().strip() != "parleyd-io":
                continue
        with open(base + "status") as f:
            for line in f:
                if line.startswith("voluntary_ctxt_switches:"):
                    out[tid] = int(line.split()[1])
    return out


def test_io_threads_do_the_reads_and_writes(start_server):
    """The I/O threads are woken for turns with many ready connections: a threads model
    that quietly served everything from the core's thread would leave them asleep."""
    srv = start_server(config="[limits]\nmax_per_address = 0\nflood_burst = 0\n",
                       args=["--model", "threads", "--io-threads", "3"])
    members = [srv.client("w%02d" % i) for i in range(64)]
    for m in members:
        m.join("#busy")
    for m in members:
        m.sync()
    before = io_workers(srv.pid)
    assert len(before) == 2, before
    for rnd in range(10):
        for i, m in enumerate(members):
            m.send_raw(b"PRIVMSG #busy :%d.%d\r\n" % (rnd, i))
        for m in members:
            m.sync()
    after = io_workers(srv.pid)
    woken = {tid: after[tid] - before[tid] for tid in before}
    assert all(n >= 5 for n in woken.values()), woken
