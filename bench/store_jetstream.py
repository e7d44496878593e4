#!/usr/bin/python3
"""The store's cost through NATS JetStream against SQLite (docs/performance.md, "The
store on JetStream"), RUNS alternated pairs (default 3), each on a fresh parleyd and a
fresh store (a new SQLite file; a new network, so new buckets and stream, on one
nats-server started here with its monitoring port):

- REGISTER: 200 accounts, one after the other, each on a connection of its own (NICK,
  REGISTER, wait for the reply); argon2id at its least, so the store is what is timed.
  The median and p99 of connect-to-reply, in ms.
- History appends: parley-bench fanout N=100 S=10 W=8 for 3 s with history on; the
  delivered lines/s and the lines stored per second (SQLite's rows; the stream's
  messages, from nats-server's /jsz).
- History queries: parley-bench history, one client, CHATHISTORY LATEST #bench * 100
  on the lines the fanout left, for 3 s: queries/s and their p50 and p99, in ms.

Usage: bench/store_jetstream.py [RUNS]   (from the source tree, after make build)
"""
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

B = os.environ.get("BUILD", "build")
CONF = ("[server]\nname = irc.localhost\nnetwork = %s\n"
        "[accounts]\nargon2_passes = 1\nargon2_memory = 8k\nfail_limit = 0\n"
        "[limits]\nconnect_rate = 0\nmax_per_address = 0\nflood_burst = 0\n"
        "sendq = 16m\n")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port):
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.02)
    raise SystemExit("nothing listens on %d" % port)


def start_parleyd(d, network, store):
    with open(os.path.join(d, "c.conf"), "w") as f:
        f.write(CONF % network)
    log = open(os.path.join(d, "srv.log"), "w")
    p = subprocess.Popen([os.path.join(B, "parleyd"), "--listen", "127.0.0.1:0",
                          "--config", os.path.join(d, "c.conf"), "--store", store,
                          "--log-level", "info"], stdout=log, stderr=log)
    for _ in range(500):
        with open(os.path.join(d, "srv.log")) as f:
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", f.read())
        if m:
            return p, int(m.group(1))
        time.sleep(0.02)
    raise SystemExit("parleyd did not start")


def register_times(port, n=200):
    times = []
    for i in range(n):
        t0 = time.monotonic()
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"NICK acct%d\r\nREGISTER * * :pw-pw-pw-pw\r\n" % i)
        buf = b""
        while b" REGISTER " not in buf and b"FAIL " not in buf:
            chunk = s.recv(4096)
            if not chunk:
                raise SystemExit("closed during REGISTER")
            buf += chunk
        times.append((time.monotonic() - t0) * 1000)
        assert b"REGISTER SUCCESS" in buf, buf
        s.close()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def bench(port, *args):
    out = subprocess.run([os.path.join(B, "parley-bench"), "-t", "127.0.0.1:%d" % port,
                          "--json"] + list(args), capture_output=True, text=True,
                         timeout=120)
    return json.loads(out.stdout)


def stream_msgs(mport, name):
    with urllib.request.urlopen("http://127.0.0.1:%d/jsz?streams=true" % mport) as f:
        j = json.load(f)
    for acc in j.get("account_details", []):
        for st in acc.get("stream_detail", []):
            if st["name"] == name:
                return st["state"]["messages"]
    return 0


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    d = tempfile.mkdtemp()
    nport, mport = free_port(), free_port()
    nats = subprocess.Popen(["nats-server", "-js", "-sd", os.path.join(d, "js"), "-p",
                             str(nport), "-m", str(mport), "-a", "127.0.0.1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows = []
    try:
        wait_port(nport)
        for i in range(runs):
            for kind in ("sqlite", "jetstream"):
                net = "bench%d%s" % (i, kind)
                db = os.path.join(d, "%s.db" % net)
                store = db if kind == "sqlite" else "nats://127.0.0.1:%d" % nport
                p, port = start_parleyd(d, net, store)
                p50, p99 = register_times(port)
                r = bench(port, "-n", "100", "-s", "10", "-w", "8", "-d", "3", "fanout")
                time.sleep(1)   # the last batch's appends
                q = bench(port, "-n", "1", "-d", "3", "history")
                qps = q["latency_us"]["count"] / q["measured_s"]
                q50, q99 = q["latency_us"]["p50"] / 1000, q["latency_us"]["p99"] / 1000
                p.terminate()
                p.wait(10)
                with open(os.path.join(d, "srv.log")) as f:
                    for line in f:
                        if "warn" in line or "error" in line:
                            print("  %s: %s" % (kind, line.rstrip()))
                if kind == "sqlite":
                    stored = int(subprocess.run(["sqlite3", db, "SELECT count(*) FROM "
                                                 "history"], capture_output=True,
                                                text=True).stdout)
                else:
                    stored = stream_msgs(mport, "parley_%s_history" % net)
                rows.append((kind, p50, p99, r["lines_per_s"], stored / r["measured_s"],
                             qps, q50, q99))
                print("%-9s REGISTER p50 %.2f ms p99 %.2f ms; fanout %.0f lines/s "
                      "delivered, %.0f stored/s; LATEST %.0f/s p50 %.2f p99 %.2f ms"
                      % rows[-1], "(%d stored of %d sent)" % (stored, r["sent"]),
                      flush=True)
    finally:
        nats.terminate()
        nats.wait(10)
        shutil.rmtree(d)
    names = ("REGISTER p50 ms", "REGISTER p99 ms", "fanout delivered/s", "stored/s",
             "LATEST queries/s", "LATEST p50 ms", "LATEST p99 ms")
    print("medians:        jetstream     sqlite  jetstream/sqlite")
    for k, name in enumerate(names, 1):
        j = statistics.median(r[k] for r in rows if r[0] == "jetstream")
        q = statistics.median(r[k] for r in rows if r[0] == "sqlite")
        print("%-18s %10.2f %10.2f %8.2f" % (name, j, q, j / q if q else 0))

if __name__ == "__main__":
    main()
