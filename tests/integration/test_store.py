"""The store: parleyd's SQLite file, from its first start to a crash.

It is created on first start (its directory too) with the schema version of this
parleyd; a newer file is refused with one line; --backup copies a live one; a database
that cannot be written fails the writes, with a log line, while the server keeps
serving; and every account whose REGISTER was acknowledged survives a kill -9.
"""
import os
import signal
import socket
import sqlite3
import stat
import subprocess
import threading
import time

import pytest

from conftest import PARLEYD, cmd

# Fast hashing (argon2id's least), and no limit on registrations from one address.
ACCOUNTS = ("[server]\nname = irc.localhost\n"
            "[accounts]\nargon2_passes = 1\nargon2_memory = 8k\nfail_limit = 100000\n"
            "[limits]\nconnect_rate = 0\nmax_per_address = 0\n")


def sql(path, query):
    """Rows of query on the database at path, through the sqlite3 program."""
    p = subprocess.run(["sqlite3", str(path), query], capture_output=True, text=True,
                       timeout=10)
    assert p.returncode == 0, p.stderr
    return p.stdout.splitlines()


def threads(pid):
    """The names of the process's threads."""
    names = []
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
            names.append(f.read().strip())
    return names


def register(server, nick, password="correct horse", source=None):
    """REGISTER nick before connection registration; the reply's line."""
    c = server.client(source=source)
    c.send("NICK %s" % nick)
    c.send("REGISTER * * :%s" % password)
    m = c.expect(lambda m: m.command in ("REGISTER", "FAIL"), timeout=10)
    c.close()
    return m


def test_created_on_first_start(start_server, tmp_path):
    """The file and its directory are made, for the owner alone, at the schema version
    this parleyd knows; the log names the store."""
    path = tmp_path / "state" / "parleyd.db"
    srv = start_server(config=ACCOUNTS, store=path)
    srv.wait_log(r"store: %s \(sqlite\)" % path)
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sql(path, "PRAGMA user_version") == ["4"]
    assert sql(path, "PRAGMA journal_mode") == ["wal"]
    # The store's thread starts with its first job.
    assert "parleyd-store" not in threads(srv.pid)
    assert register(srv, "alice").line.endswith("REGISTER SUCCESS alice :Account created")
    assert "parleyd-store" in threads(srv.pid)
    assert sql(path, "SELECT name FROM accounts") == ["alice"]


def test_accounts_survive_a_restart(start_server, tmp_path):
    """An account registered before a restart is one REGISTER cannot take again."""
    path = tmp_path / "parleyd.db"
    srv = start_server(config=ACCOUNTS, store=path)
    assert register(srv, "Bob[1]").command == "REGISTER"
    assert srv.terminate() == 0
    srv = start_server(config=ACCOUNTS, store=path)
    srv.wait_log(r"store: 1 accounts and 0 channels loaded")
    m = register(srv, "bob{1}")
    assert m.command == "FAIL" and m.param(1) == "ACCOUNT_EXISTS", m.line


def test_path_setting(start_server, tmp_path):
    """[store] path, relative to the configuration file's directory; --store none
    overrides it."""
    conf = tmp_path / "etc"
    conf.mkdir()
    path = start_server.config_file(ACCOUNTS + "[store]\npath = state/p.db\n",
                                    name="etc/parleyd.conf")
    srv = start_server(config=path, store=False)
    srv.wait_log(r"store: %s \(sqlite\)" % (conf / "state" / "p.db"))
    assert register(srv, "jo").command == "REGISTER"
    assert sql(conf / "state" / "p.db", "SELECT name FROM accounts") == ["jo"]
    assert srv.terminate() == 0
    srv = start_server(config=path, store=None)
    srv.wait_log(r"store: none")


def test_path_change_waits_for_restart(start_server, tmp_path):
    """A reload that names another file says so; the store in use stays."""
    path = tmp_path / "parleyd.db"
    conf = start_server.config_file(ACCOUNTS + "[store]\npath = %s\n" % path)
    srv = start_server(config=conf, store=False)
    conf.write_text(ACCOUNTS + "[store]\npath = %s\n" % (tmp_path / "other.db"))
    srv.signal(signal.SIGHUP)
    srv.wait_log(r"warn: store changes take effect on restart")
    assert register(srv, "kay").command == "REGISTER"
    assert sql(path, "SELECT name FROM accounts") == ["kay"]
    assert not (tmp_path / "other.db").exists()


def test_no_store(start_server):
    """--store none: the server runs, and REGISTER says it cannot save anything."""
    srv = start_server(config=ACCOUNTS, store=None)
    srv.wait_log(r"store: none")
    m = register(srv, "carol")
    assert m.command == "FAIL" and m.param(1) == "TEMPORARILY_UNAVAILABLE", m.line
    assert "parleyd-store" not in threads(srv.pid)


def test_newer_schema_refused(tmp_path):
    """A file from a newer parleyd: one line, exit 1, the file untouched."""
    path = tmp_path / "parleyd.db"
    sql(path, "PRAGMA user_version = 42")
    p = subprocess.run([PARLEYD, "--listen", "127.0.0.1:0", "--store", str(path)],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=10)
    assert p.returncode == 1
    assert p.stderr.splitlines() == [
        "parleyd: store %s has schema version 42; this parleyd knows up to 4" % path]
    assert sql(path, "PRAGMA user_version") == ["42"]


def test_backup_of_a_live_server(start_server, tmp_path):
    """--backup while the server runs (and writes): a whole, sound copy, exit 0."""
    path = tmp_path / "parleyd.db"
    srv = start_server(config=ACCOUNTS, store=path)
    for nick in ("dave", "erin"):
        assert register(srv, nick).command == "REGISTER"
    copy = tmp_path / "copy.db"
    p = subprocess.run([PARLEYD, "--store", str(path), "--backup", str(copy)],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    assert (p.returncode, p.stderr, p.stdout) == (0, "", "")
    assert not os.path.exists(str(copy) + ".tmp")
    assert sql(copy, "PRAGMA integrity_check") == ["ok"]
    assert sql(copy, "SELECT name FROM accounts ORDER BY name") == ["dave", "erin"]
    # The server goes on writing its own file.
    assert register(srv, "frank").command == "REGISTER"
    assert sql(copy, "SELECT count(*) FROM accounts") == ["2"]


def test_backup_failures_say_one_line(tmp_path):
    """No store there, or no place to write the copy: one line, exit 1."""
    missing = tmp_path / "missing.db"
    p = subprocess.run([PARLEYD, "--store", str(missing), "--backup", str(tmp_path / "c")],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=10)
    assert p.returncode == 1
    assert p.stderr.splitlines() == [
        "parleyd: store %s: No such file or directory" % missing]
    assert not missing.exists()
    path = tmp_path / "parleyd.db"
    sql(path, "CREATE TABLE t (x)")
    p = subprocess.run([PARLEYD, "--store", str(path), "--backup",
                        str(tmp_path / "no" / "dir" / "copy.db")],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=10)
    assert p.returncode == 1
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("parleyd: %s" % (tmp_path / "no")), lines


def test_locked_database_fails_writes_and_serves(start_server, tmp_path):
    """Another process holds the database's write lock past the busy timeout: the
    REGISTER fails with a clear reply and the log says why, while other clients are
    served at once (the loop never waits on the disk); once the lock goes, writes
    work again."""
    path = tmp_path / "parleyd.db"
    srv = start_server(config=ACCOUNTS, store=path)
    other = srv.client("other")
    holder = sqlite3.connect(str(path), isolation_level=None, timeout=1)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        c = srv.client()
        c.send("NICK gina")
        c.send("REGISTER * * :correct horse")
        # The store thread waits on the lock; the loop does not.
        for _ in range(3):
            t0 = time.monotonic()
            other.sync()
            assert time.monotonic() - t0 < 0.5
        m = c.expect(lambda m: m.command in ("REGISTER", "FAIL"), timeout=15)
        assert m.line.endswith(
            "FAIL REGISTER TEMPORARILY_UNAVAILABLE gina "
            ":The account could not be saved, try again later"), m.line
        srv.wait_log(r"warn: store: 1 of 1 writes failed: Input/output error")
        c.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert register(srv, "gina").command == "REGISTER"
    assert sql(path, "SELECT name FROM accounts") == ["gina"]


def _mount_tmpfs(where, size):
    os.makedirs(where)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "tmpfs",
                        str(where)], capture_output=True, text=True, timeout=10)
    return p.returncode == 0


def test_full_disk_fails_writes_and_serves(start_server, tmp_path):
    """The disk fills up under the store: REGISTER fails with a clear reply and a log
    line saying so, the server keeps serving, and once there is room again writes
    work.  (A tiny tmpfs: needs the right to mount, which root in CI has.)"""
    where = tmp_path / "small"
    if not _mount_tmpfs(where, "512k"):
        pytest.skip("cannot mount a tmpfs here")
    try:
        path = where / "parleyd.db"
        srv = start_server(config=ACCOUNTS, store=path)
        assert register(srv, "hal").command == "REGISTER"
        filler = where / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while os.write(fd, b"\0" * 4096) > 0:
                pass
        except OSError:
            pass
        os.close(fd)
        m = register(srv, "ivy")
        assert m.command == "FAIL" and m.param(1) == "TEMPORARILY_UNAVAILABLE", m.line
        srv.wait_log(r"warn: store: 1 of 1 writes failed: No space left on device")
        srv.client("still").sync()
        os.unlink(filler)
        assert register(srv, "ivy").command == "REGISTER"
        assert sql(path, "SELECT name FROM accounts ORDER BY id") == ["hal", "ivy"]
        assert srv.terminate() == 0
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=10)


def _storm(host, port, source, prefix, acked, stop, errors):
    """Register accounts named prefixN, one connection each, until stop (set just
    before the kill); every name whose REGISTER SUCCESS arrived goes into acked."""
    n = 0
    while not stop.is_set():
        nick = "%s%d" % (prefix, n)
        n += 1
        try:
            s = socket.create_connection((host, port), timeout=5,
                                         source_address=(source, 0))
        except OSError as e:
            if not stop.is_set():
                errors.append(e)
            return
        try:
            s.sendall(b"NICK %s\r\nREGISTER * * :correct horse\r\n" % nick.encode())
            buf = b""
            while b"\n" not in buf or b" REGISTER " not in buf and b"FAIL " not in buf:
                data = s.recv(4096)
                if not data:
                    break
                buf += data
            if b" REGISTER SUCCESS " in buf:
                acked.append(nick)
        except OSError:
            pass    # the kill
        finally:
            s.close()


def _storm_and_kill(srv, rnd):
    """One storm on srv, killed once 60 accounts are acknowledged: their names."""
    host, port = srv.listeners[0]
    acked, errors, stop = [], [], threading.Event()
    threads = [threading.Thread(target=_storm, args=(
        host, port, "127.0.0.%d" % (1 + i % 5), "r%ds%dx" % (rnd, i), acked, stop,
        errors)) for i in range(20)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while len(acked) < 60 and time.monotonic() < deadline and not errors:
        time.sleep(0.005)
    srv.expected_exit = True
    stop.set()
    os.kill(srv.pid, signal.SIGKILL)
    srv.proc.wait(5)
    for t in threads:
        t.join(10)
    assert not errors, errors
    assert len(acked) >= 60, "only %d registrations in 20 s" % len(acked)
    return acked


# The store thread lives where the core does: the hub, under the fork model.
@pytest.mark.models
def test_acknowledged_accounts_survive_kill_9(start_server, tmp_path):
    """20 clients from five addresses REGISTER as fast as they can; parleyd is killed
    (SIGKILL) mid-storm, and started again on the same file: every account whose
    success reply was received exists, and the file is sound.  Five rounds: an ack
    sent before its commit is caught when a kill falls between the two."""
    path = tmp_path / "parleyd.db"
    acked = []
    for rnd in range(5):
        srv = start_server(config=ACCOUNTS, store=path, log_level="info")
        if rnd > 0:
            srv.wait_log(r"store: %d accounts and 0 channels loaded" % len(stored))
            for nick in acked[-3:]:
                m = register(srv, nick)
                assert m.command == "FAIL" and m.param(1) == "ACCOUNT_EXISTS", m.line
        acked += _storm_and_kill(srv, rnd)
        assert sql(path, "PRAGMA integrity_check") == ["ok"]
        stored = set(sql(path, "SELECT name FROM accounts"))
        assert set(acked) <= stored, sorted(set(acked) - stored)
