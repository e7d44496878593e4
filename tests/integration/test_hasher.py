"""Password hashing out of the server's address space: the argon2id jobs run in
parleyd-hash children of the job workers, which answer right and wrong passwords as
the server would, and a hasher killed in the middle of a hash costs only the login it
was checking."""
import os
import signal
import time

from conftest import cmd
from test_sasl import b64, register_account, sasl_finish, sasl_start

PASSWORD = "correct horse battery"
# One worker, so one hasher; 32 MiB so that a hash lasts long enough to be caught at.
CONFIG = ("[server]\nname = irc.localhost\nworkers = 1\n"
          "[accounts]\nargon2_passes = 1\nargon2_memory = %s\nfail_limit = 0\n"
          "[limits]\nconnect_rate = 0\nmax_per_address = 0\n")


def hashers(pid):
    """The pids of pid's children named parleyd-hash."""
    kids = []
    for task in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/children" % (pid, task)) as f:
            kids += [int(k) for k in f.read().split()]
    found = []
    for kid in kids:
        try:
            with open("/proc/%d/comm" % kid) as f:
                if f.read().strip() == "parleyd-hash":
                    found.append(kid)
        except FileNotFoundError:
            pass
    return found


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def plain(srv, nick, password):
    c = srv.client()
    sasl_start(c, nick, "PLAIN")
    c.send("AUTHENTICATE %s" % b64(b"\0acct\0" + password.encode()))
    return c


def test_password_jobs_run_in_a_hasher(start_server):
    srv = start_server(config=CONFIG % "8k")
    assert hashers(srv.pid) == []
    register_account(srv, "acct", PASSWORD)
    kids = hashers(srv.pid)
    assert len(kids) == 1
    with open("/proc/%d/status" % kids[0]) as f:
        assert "Seccomp:\t2" in f.read()
    ok = plain(srv, "good", PASSWORD)
    sasl_finish(ok, "good", "acct")
    bad = plain(srv, "bad", "wrong")
    bad.expect(cmd("904", "bad"), timeout=10)
    # The same child served the three jobs.
    assert hashers(srv.pid) == kids


def test_killed_hasher_costs_one_login(start_server):
    srv = start_server(config=CONFIG % "32m")
    register_account(srv, "acct", PASSWORD)
    [kid] = hashers(srv.pid)
    victim = plain(srv, "victim", PASSWORD)
    # Caught filling its 32 MiB: the check is under way.
    deadline = time.monotonic() + 10
    while rss_kib(kid) < 8192:
        assert time.monotonic() < deadline, "the hasher never started the check"
        time.sleep(0.001)
    os.kill(kid, signal.SIGKILL)
    victim.expect(cmd("904", "victim"), timeout=10)
    srv.wait_log(r"hasher pid %d: no answer" % kid)
    # The next login gets a new hasher, and works.
    after = plain(srv, "after", PASSWORD)
    sasl_finish(after, "after", "acct")
    new = hashers(srv.pid)
    assert len(new) == 1 and new != [kid]
