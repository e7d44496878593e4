#!/usr/bin/python3
"""Fanout against one parleyd and against a network of three nodes, in one run.

    bench/cluster.py [--build DIR] [--runs N] [--clients 500] [--senders 10] [--window W]

A single parleyd, then nats-server and three nodes (n1 n2 n3, one network) with
parley-bench's clients spread round robin over them (--target A,B,C): the same fanout
N=500 S=10, alternating, every figure the median of the runs.  For the network it also
reads what each node spent: its CPU time (utime + stime from /proc) over the lines it
published and received (parley_cluster_lines_*_total from its metrics), the cost of a
cross-node line on this machine.  Prints a table for docs/cluster.md.

On a 2-core machine three nodes, nats-server and the generator share two CPUs: the
figures are for shape, not speed (docs/cluster.md says how they scale).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (free_port, wait_port, the limits every bench server runs with)

NATS = shutil.which("nats-server") or "/usr/sbin/nats-server"
LIMITS = ("[limits]\nflood_burst = 0\nmax_per_address = 0\nconnect_rate = 0\n"
          "[tls]\nhandshakes_per_address = 0\nmax_handshakes = 0\n")
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def metrics(url):
    if url is None:
        return {}
    text = urllib.request.urlopen(url, timeout=5).read().decode()
    out = {}
    for line in text.splitlines():
        m = re.match(r"(parley_cluster_\w+) (\d+)$", line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


class Proc:
    def __init__(self, argv, log, port):
        self.log = log
        with open(log, "w") as out:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=out)
        run.wait_port(self.proc, port, log)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wait_log(path, pattern, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path) as f:
            if re.search(pattern, f.read()):
                return
        time.sleep(0.05)
    raise RuntimeError("%s: no %r" % (path, pattern))


def start_single(build, work):
    port = run.free_port()
    conf = os.path.join(work, "single.conf")
    with open(conf, "w") as f:
        f.write(LIMITS)
    p = Proc([os.path.join(build, "parleyd"), "--listen", "127.0.0.1:%d" % port,
              "--config", conf, "--store", "none", "--log-level", "warn"],
             os.path.join(work, "single.log"), port)
    return [p], ["127.0.0.1:%d" % port], [(p.proc.pid, None, None)]


def start_network(build, work):
    nport = run.free_port()
    nats = Proc([NATS, "-js", "-sd", os.path.join(work, "js"), "-a", "127.0.0.1", "-p",
                 str(nport)], os.path.join(work, "nats.log"), nport)
    procs, targets, scrapes = [nats], [], [(nats.proc.pid, None, None)]
    for name in ("n1", "n2", "n3"):
        port, mport = run.free_port(), run.free_port()
        conf = os.path.join(work, name + ".conf")
        with open(conf, "w") as f:
            f.write(LIMITS + "[server]\nnetwork = bench\n[metrics]\naddress = "
                    "127.0.0.1:%d\n[cluster]\nnats_url = nats://127.0.0.1:%d\nnode = %s\n"
                    % (mport, nport, name))
        log = os.path.join(work, name + ".log")
        procs.append(Proc([os.path.join(build, "parleyd"), "--listen",
                           "127.0.0.1:%d" % port, "--config", conf, "--store", "none",
                           "--log-level", "info"], log, port))
        targets.append("127.0.0.1:%d" % port)
        scrapes.append((procs[-1].proc.pid, "http://127.0.0.1:%d/metrics" % mport, log))
    for _, _, log in scrapes[1:]:
        wait_log(log, r"cluster: (synchronised|sync_timeout)")
    return procs, targets, scrapes


def fanout(build, targets, clients, senders, window, secs):
    argv = [os.path.join(build, "parley-bench"), "--target", ",".join(targets), "--json",
            "--timeout", "120", "--clients", str(clients), "--senders", str(senders),
            "--window", str(window), "--duration", str(secs), "fanout"]
    res = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    out = json.loads(res.stdout)
    if not out["ready"] or out["disconnects"] > 0:
        raise RuntimeError("setup incomplete or disconnects: " + res.stderr)
    return out


def one_run(build, kind, opts):
    work = tempfile.mkdtemp(prefix="parley-cluster-")
    procs = []
    try:
        procs, targets, scrapes = (start_single if kind == "one server" else
                                   start_network)(build, work)
        before = [(cpu_seconds(pid), metrics(url)) for pid, url, _ in scrapes]
        r = fanout(build, targets, opts.clients, opts.senders, opts.window, opts.secs)
        after = [(cpu_seconds(pid), metrics(url)) for pid, url, _ in scrapes]
        # CPU of the parleyds (and of nats-server apart), per delivered line; the node
        # lines they published and received.
        servers = [(b, a) for (b, a), (_, url, _) in zip(zip(before, after), scrapes)
                   if url is not None or len(scrapes) == 1]
        cpu = sum(a[0] - b[0] for b, a in servers)
        r["server_us_per_delivery"] = cpu / max(r["delivered"], 1) * 1e6
        r["node_lines"] = sum(a[1].get(k, 0) - b[1].get(k, 0) for b, a in servers
                              for k in ("parley_cluster_lines_in_total",
                                        "parley_cluster_lines_out_total"))
        r["server_cpu_s"] = cpu
        r["nats_cpu_s"] = (after[0][0] - before[0][0]) if len(scrapes) > 1 else 0.0
        return r
    finally:
        for p in reversed(procs):
            p.stop()
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(run.ROOT, "build"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--clients", type=int, default=500)
    ap.add_argument("--senders", type=int, default=10)
    ap.add_argument("--secs", type=float, default=5)
    ap.add_argument("--window", type=int, default=run.FANOUT_WINDOW,
                    help="messages in flight per sender (1: the latency unloaded)")
    opts = ap.parse_args()
    build = os.path.abspath(opts.build)
    kinds = ["one server", "three nodes"]
    res = {k: [] for k in kinds}
    for i in range(opts.runs):
        for kind in kinds[i % 2:] + kinds[:i % 2]:
            r = one_run(build, kind, opts)
            res[kind].append(r)
            print("  run %d %s: %.0f lines/s, p50 %.0f us, p99 %.0f us" % (
                i + 1, kind, r["lines_per_s"], r["latency_us"]["p50"],
                r["latency_us"]["p99"]), file=sys.stderr)

    def med(kind, key):
        return statistics.median(key(r) for r in res[kind])

    rows = [("delivered lines/s", lambda r: r["lines_per_s"]),
            ("latency p50 (us)", lambda r: r["latency_us"]["p50"]),
            ("latency p99 (us)", lambda r: r["latency_us"]["p99"])]
    print("fanout N=%d S=%d W=%d, %d runs, median:\n" % (
        opts.clients, opts.senders, opts.window, opts.runs))
    print("| measurement | one server | three nodes | three / one |")
    print("|---|---|---|---|")
    for label, key in rows:
        a, b = med(kind=kinds[0], key=key), med(kind=kinds[1], key=key)
        print("| %s | %.0f | %.0f | %.2f |" % (label, a, b, b / a if a else 0))
    one, three = (med(k, lambda r: r["server_us_per_delivery"]) for k in kinds)
    print("| parleyd CPU per delivered line (us) | %.2f | %.2f | %.2f |" % (
        one, three, three / one if one else 0))
    # What the network spends beyond one server's work for the same deliveries, per
    # node line (each published once, received by the nodes with members).
    extra = [(r["server_cpu_s"] - one * 1e-6 * r["delivered"]) / max(r["node_lines"], 1)
             * 1e6 for r in res[kinds[1]]]
    nats = [r["nats_cpu_s"] / max(r["node_lines"], 1) * 1e6 for r in res[kinds[1]]]
    print("\nnode lines per run (published + received): %d; parleyd CPU per node line "
          "beyond one server's: %.1f us; nats-server CPU per node line: %.1f us" % (
              statistics.median(r["node_lines"] for r in res[kinds[1]]),
              statistics.median(extra), statistics.median(nats)))


if __name__ == "__main__":
    main()
