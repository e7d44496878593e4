"""The fork model's own promises: a child per connection, reaped from the loop (no
zombie, no leaked child, no leaked descriptor in the parent), confined, ended on shutdown
and RESTART, and a crash that takes down one client only.  Every server here runs
--model fork whatever PARLEY_MODEL says, so ctest runs this file once; the tests marked
models run under each model."""
import os
import re
import signal
import socket
import struct
import subprocess
import time

import pytest

from conftest import Client, PARLEYD, fd_count, free_port, prefix, wait_closed
from test_oper import PASSWORD, become_oper, hash_password, oper_config
from test_tls import TLSClient, certs, tls_args  # noqa: F401 (certs: a fixture)

FORK = ("--model", "fork")
STORM = 2000
BATCH = 100


def children(pid):
    """{child pid: state letter} for the processes whose parent is pid."""
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                stat = f.read()
        except OSError:
            continue    # gone meanwhile
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            out[int(name)] = fields[0]
    return out


def wait_for(check, timeout=10.0):
    """Poll check() until it is truthy; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(0.05)


def relay_pid(srv, mark):
    """The pid of the relay spawned after log line index mark (the last one)."""
    line = srv.wait_log(r"relay pid \d+ for fd", start=mark)
    pids = [int(m.group(1)) for m in
            (re.search(r"relay pid (\d+) for fd", x) for x in srv.log[mark:]) if m]
    assert pids, line
    return pids[-1]


MAP_MAX = 256 << 20     # bigger mappings are a sanitizer's reservations, not data
CHUNK = 4 << 20


def memory_holds(pid, needle):
    """Whether needle is anywhere in pid's readable memory (as root: /proc/PID/mem)."""
    with open("/proc/%d/maps" % pid) as f:
        maps = [line.split() for line in f]
    with open("/proc/%d/mem" % pid, "rb", buffering=0) as mem:
        for fields in maps:
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            if not fields[1].startswith("r") or hi - lo > MAP_MAX:
                continue
            tail = b""
            for at in range(lo, hi, CHUNK):
                try:
                    mem.seek(at)
                    data = tail + mem.read(min(CHUNK, hi - at))
                except OSError:     # [vvar] and the like
                    break
                if needle in data:
                    return True
                tail = data[-len(needle):]
    return False


def relay_argv(pid):
    """The relay's argv, once its exec has set it up."""
    def argv():
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().split(b"\0")[:-1]
    return wait_for(argv, timeout=5)


def seccomp_mode(pid):
    with open("/proc/%d/status" % pid) as f:
        return dict(line.split(":", 1) for line in f.read().splitlines())["Seccomp"].strip()


def crash_signal():
    """SIGSEGV, the crash of a bug in input handling; SIGABRT (an assertion's) under
    AddressSanitizer, whose SIGSEGV handler would report the test's own signal."""
    with open(PARLEYD, "rb") as f:
        return signal.SIGABRT if b"__asan_init" in f.read() else signal.SIGSEGV


def client_with_pid(srv, nick):
    mark = srv.log_len()
    c = srv.client(nick)
    return c, relay_pid(srv, mark)


def test_a_child_per_connection_confined(start_server):
    srv = start_server(args=FORK)
    a, pid = client_with_pid(srv, "alice")
    assert list(children(srv.pid)) == [pid]
    with open("/proc/%d/status" % pid) as f:
        status = dict(line.split(":", 1) for line in f.read().splitlines())
    assert status["Seccomp"].strip() == "2", "no seccomp filter in the relay"
    assert status["NoNewPrivs"].strip() == "1"
    # stderr, the client's socket, the hub's socketpair end and the status channel:
    # not the listener, not the other clients, not the epoll or signal descriptors.
    fds = {int(fd): os.readlink("/proc/%d/fd/%s" % (pid, fd))
           for fd in os.listdir("/proc/%d/fd" % pid)}
    assert len(fds) == 4, fds
    assert 2 in fds
    assert sum(1 for t in fds.values() if t.startswith("socket:")) == 3, fds
    a.send("PRIVMSG alice :to myself")
    assert a.expect("PRIVMSG").trailing == "to myself"


def test_a_relay_holds_no_other_users_data(start_server, oper_hash):
    """A relay is parleyd run anew, not a copy of the hub: the channel topic alice set,
    the line she sent to bob (who does not read) and the operator's password hash are
    in the hub's memory and nowhere in carol's relay, which holds carol's own line."""
    srv = start_server(args=FORK, config=oper_config(oper_hash))
    topic = "alice-topic-3f9d1c0b7e"
    line = "alice-to-bob-8a2e6d4f51"
    own = "carol-to-herself-c47b19e0"
    alice = srv.client("alice")
    bob = srv.client("bob")
    alice.join("#room")
    bob.join("#room")
    alice.send("TOPIC #room :%s" % topic)
    alice.expect("TOPIC")
    alice.send("PRIVMSG bob :%s" % line)
    alice.sync()
    carol, pid = client_with_pid(srv, "carol")
    carol.send("PRIVMSG carol :%s" % own)
    assert carol.expect("PRIVMSG").trailing == own
    assert relay_argv(pid)[0] == b"parleyd-relay"
    # The search finds what is there: the hub's data in the hub, carol's in her relay.
    assert memory_holds(srv.pid, topic.encode()), "the hub has no topic: search broken"
    assert memory_holds(srv.pid, oper_hash.encode())
    assert memory_holds(pid, own.encode()), "carol's relay lacks her line: search broken"
    for secret in (topic, line, oper_hash):
        assert not memory_holds(pid, secret.encode()), "carol's relay holds %r" % secret


def test_relay_confined_before_its_client_speaks(start_server, certs):
    """Right after connect, before the client sends a byte (a TLS client not even its
    ClientHello), its relay is a fresh image of parleyd under its seccomp filter."""
    srv = start_server(args=FORK + tuple(tls_args(certs["server"])), expect_listeners=2)
    exe = os.readlink("/proc/%d/exe" % srv.pid)
    for listener, tls in ((0, False), (1, True)):
        mark = srv.log_len()
        host, port = srv.listeners[listener]
        s = socket.create_connection((host, port), timeout=5)
        pid = relay_pid(srv, mark)
        argv = relay_argv(pid)
        assert argv and argv[0] == b"parleyd-relay", argv
        assert argv[-1] == (b"tls" if tls else b"plain"), argv
        assert os.readlink("/proc/%d/exe" % pid) == exe
        assert wait_for(lambda: seccomp_mode(pid) == "2", timeout=5), \
            "relay %d not confined while its client is silent" % pid
        s.close()
    # And it serves the clients that then speak.
    for c in (srv.client("plain"), TLSClient(srv.host, srv.listeners[1][1], server=srv)):
        if isinstance(c, TLSClient):
            c.register("secure")
        c.send("PING ok")
        assert c.expect("PONG").trailing == "ok"


def test_storm_leaves_no_zombie_child_or_descriptor(start_server):
    srv = start_server(args=FORK, log_level="info",
                       config="[limits]\nmax_per_address = 0\nconnect_rate = 0\n")
    warm = srv.client("warm")
    warm.send("QUIT")
    warm.expect_closed()
    warm.close()
    assert wait_for(lambda: not children(srv.pid)), children(srv.pid)
    baseline = fd_count(srv.pid)
    watcher = srv.client("watcher")
    watcher.join("#storm")
    (watcher_relay,) = children(srv.pid)
    start = time.monotonic()
    done = 0
    while done < STORM:
        socks = []
        for _ in range(BATCH):
            s = socket.create_connection((srv.host, srv.port), timeout=5)
            socks.append(s)
        for i, s in enumerate(socks):
            kind = (done + i) % 4
            if kind == 1:       # an abortive close: the relay passes the reset on
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif kind == 2:     # a line, then the FIN
                s.sendall(b"NICK storm%d\r\nUSER s 0 * :s\r\nQUIT :gone\r\n" % (done + i))
            elif kind == 3:     # half-closed: the server's ERROR still comes
                s.sendall(b"QUIT\r\n")
                s.shutdown(socket.SHUT_WR)
                s.settimeout(5)
                data = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                assert data.startswith(b"ERROR :Closing Link"), data
            s.close()
        done += len(socks)
        watcher.poll(0)
    elapsed = time.monotonic() - start
    # Every child ends and is reaped: none left but the watcher's, none a zombie.
    left = wait_for(lambda: list(children(srv.pid)) == [watcher_relay] and
                    fd_count(srv.pid) == baseline + 1, timeout=15)
    assert left, "after %d connections: children %r, fds %d (baseline %d + watcher)" % (
        STORM, children(srv.pid), fd_count(srv.pid), baseline)
    settled = time.monotonic() - start
    # The one client that stayed never noticed.
    watcher.send("PING still")
    assert watcher.expect("PONG").trailing == "still"
    watcher.send("QUIT")
    watcher.expect_closed()
    watcher.close()
    assert wait_for(lambda: not children(srv.pid) and fd_count(srv.pid) == baseline)
    print("storm: %d connections in %.2fs, every relay reaped after %.2fs; parent fds "
          "%d before, %d after" % (STORM, elapsed, settled, baseline, fd_count(srv.pid)))


def test_zombie_never_outlives_a_loop_turn(start_server):
    srv = start_server(args=FORK)
    clients = [srv.client("z%d" % i) for i in range(5)]
    for c in clients:
        c.close()
    # An exited child is reaped from the loop (SIGCHLD through the signalfd).
    assert wait_for(lambda: not children(srv.pid)), children(srv.pid)


def test_child_crash_affects_only_its_client(start_server):
    srv = start_server(args=FORK)
    alice, pid = client_with_pid(srv, "alice")
    bob = srv.client("bob")
    carol = srv.client("carol")
    for c in (alice, bob, carol):
        c.join("#room")
    bob.sync()
    carol.sync()
    sig = crash_signal()
    os.kill(pid, sig)
    for c in (bob, carol):
        m = c.expect("QUIT", timeout=5)
        assert m.source == prefix("alice")
    srv.wait_log(r"relay pid %d \(fd \d+\) killed by signal %d" % (pid, sig))
    wait_closed(alice, others=(bob, carol))
    bob.send("PRIVMSG #room :still here")
    assert carol.expect("PRIVMSG").trailing == "still here"
    carol.send("PRIVMSG bob :me too")
    assert bob.expect("PRIVMSG").trailing == "me too"
    assert pid not in children(srv.pid)


def test_client_reset_reason_reaches_peers(start_server):
    srv = start_server(args=FORK)
    alice = srv.client("alice")
    bob = srv.client("bob")
    alice.join("#room")
    bob.join("#room")
    alice.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    alice.close()
    assert bob.expect("QUIT").params == ["Connection reset by peer"]
    # A FIN is no error: "Connection closed", as under the event model.
    carol = srv.client("carol")
    carol.join("#room")
    carol.sock.shutdown(socket.SHUT_WR)
    m = bob.expect(lambda m: m.command == "QUIT" and m.nick == "carol")
    assert m.params == ["Connection closed"]


def test_max_clients_refused_without_a_child(start_server):
    srv = start_server(args=FORK, config="[limits]\nmax_clients = 2\n")
    a = srv.client("alice")
    b = srv.client("bob")
    before = set(children(srv.pid))
    assert len(before) == 2
    extra = Client(srv.host, srv.port, server=srv)
    lines = extra.expect_closed(timeout=3)
    assert [m.line for m in lines] == ["ERROR :Server is full"]
    assert set(children(srv.pid)) == before
    srv.wait_log(r"refusing connections: max_clients reached")
    a.send("PRIVMSG bob :still fine")
    assert b.expect("PRIVMSG").trailing == "still fine"


def test_shutdown_ends_and_reaps_every_child(start_server):
    srv = start_server(args=FORK)
    clients = []
    pids = []
    for i in range(4):
        c, pid = client_with_pid(srv, "u%d" % i)
        clients.append(c)
        pids.append(pid)
    # One that never reads its ERROR nor closes: its child lingers until ended.
    silent = Client(srv.host, srv.port, server=srv)
    assert srv.terminate(signal.SIGTERM) == 0
    for c in clients:
        lines = c.expect_closed()
        assert lines and lines[-1].command == "ERROR", lines
    log = srv.log_text()
    for pid in pids:
        assert re.search(r"relay pid %d \(fd \d+\) (exited|killed)" % pid, log), pid
        assert not os.path.exists("/proc/%d" % pid), "relay %d outlived parleyd" % pid
    silent.close()


@pytest.fixture(scope="module")
def oper_hash():
    p = hash_password(PASSWORD + "\n")
    assert p.returncode == 0, p.stderr
    return p.stdout.decode().strip()


def test_restart_leaves_no_child_behind(start_server, oper_hash):
    port = free_port()
    srv = start_server(args=FORK, config=oper_config(oper_hash),
                       listen=("127.0.0.1:%d" % port,))
    a, apid = client_with_pid(srv, "alice")
    b, bpid = client_with_pid(srv, "bob")
    become_oper(a)
    mark = srv.log_len()
    a.send("RESTART")
    wait_closed(b, others=(a,))
    srv.wait_log(r"listening on 127\.0\.0\.1:%d" % port, timeout=10, start=mark)
    # The old relays were reaped before the exec: neither running nor zombies now.
    assert wait_for(lambda: not children(srv.pid)), children(srv.pid)
    for pid in (apid, bpid):
        assert not os.path.exists("/proc/%d" % pid)
    c, cpid = client_with_pid(srv, "carol")
    assert list(children(srv.pid)) == [cpid]


def test_model_flag_refuses_unknown_models():
    p = subprocess.run([PARLEYD, "--model", "forks"], capture_output=True, timeout=5)
    assert p.returncode == 1
    assert b"--model: 'forks' is not a model (event, fork, threads)" in p.stderr
    p = subprocess.run([PARLEYD, "--help"], capture_output=True, timeout=5)
    assert b"--model MODEL" in p.stdout


def test_model_setting_read_at_start_only(tmp_path):
    """[server] model = fork without the flag; a reload that changes it says it waits
    for a restart, and the running model stays."""
    conf = tmp_path / "parleyd.conf"
    conf.write_text("[server]\nmodel = fork\n")
    proc = subprocess.Popen([PARLEYD, "--store", "none", "--config", str(conf), "--listen", "127.0.0.1:0"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        log = []
        port = None
        while port is None:
            line = proc.stderr.readline()
            assert line, "parleyd exited: %s" % "".join(log)
            log.append(line)
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            port = int(m.group(1)) if m else None
        a = Client("127.0.0.1", port)
        a.register("alice")
        assert len(children(proc.pid)) == 1
        conf.write_text("[server]\nmodel = event\n")
        proc.send_signal(signal.SIGHUP)
        while "configuration reloaded" not in log[-1]:
            line = proc.stderr.readline()
            assert line, "parleyd exited: %s" % "".join(log)
            log.append(line)
        assert any("model changes take effect on restart" in x for x in log), log
        b = Client("127.0.0.1", port)
        b.register("bob")
        assert len(children(proc.pid)) == 2
        a.close()
        b.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
