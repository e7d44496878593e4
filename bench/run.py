#!/usr/bin/python3
"""Run parley-bench against parleyd, the peers and the limit relay; write the report.

    bench/run.py [--build DIR] [--quick] [--out docs/performance.md]
    bench/run.py --models [--build DIR] [--runs N] [--out docs/models.md]
    bench/run.py --ws [--build DIR] [--runs N]

Each measurement starts a fresh server pinned to CPU 0 (taskset) and runs parley-bench
pinned to CPU 1, so the generator never takes the server's core.  Servers are measured
in a rotating order (parleyd, ngircd, ...; then ngircd, ..., parleyd) so slow drift of
the machine does not always fall on the same server; every figure is the median of the
runs.  The peers run as the unprivileged user 'nobody' (InspIRCd and ircd-hybrid refuse
root) from configs written out of bench/peers/*.in.  BENCH_QUICK=1 (or --quick) makes a
short pass: one run each, fewer channel sizes, shorter measurements.

--models measures parleyd alone under each concurrency model (event, fork, threads with
--io-threads 2): fanout N=500 S=10, connect C=5000 and memory per idle client, first
with the server pinned to CPU 0 as above, then free to use both CPUs; it writes the
tables between the markers of docs/models.md's figures section.

--ws measures parleyd's WebSocket transport against its plain TCP in one run: fanout
N=500 S=10 over each (alternating), and memory per idle client for each, and prints the
table for docs/performance.md.
"""
import argparse
import json
import os
import platform
import pwd
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORK = "/var/tmp/parley-bench"
HYBRID_ROOT = os.path.join(WORK, "hybrid")     # the unpacked ircd-hybrid package
SERVER_CPU = "0"
BENCH_CPU = "1"
START_TIMEOUT = 10.0
# Handshakes under way at once.  Setup for fanout and privmsg is not measured, so each
# server gets what suits it: ngIRCd drops connections when hundreds arrive at once (its
# listen backlog), InspIRCd registers clients only on a once-per-second pass.  connect is
# measured, with the same bound for every server.
SETUP_PENDING = {"ngircd": 16}
SETUP_PENDING_DEFAULT = 256
CONNECT_PENDING = 64
# Messages in flight per fanout sender.  The window must cover a server's loop turn:
# with 8 the generator waited on the slowest receivers and left parleyd and the limit
# relay partly idle (about 80% busy), so fanout measured the round trip, not the server,
# and runs varied by a third.  With 32 every server is saturated (see docs/benchmarks.md).
FANOUT_WINDOW = 32
DNS_STUB = "127.0.0.2"      # answers ircd-hybrid's lookups (see NxdomainStub)
# The TLS rows: every server gets the same self-signed P-256 certificate, and
# parley-bench --tls the same clients; the limit relay has no TLS.
TLS_DIR = os.path.join(WORK, "tls")
TLS_CERT = os.path.join(TLS_DIR, "bench.crt")
TLS_KEY = os.path.join(TLS_DIR, "bench.key")

FULL = {
    "runs": 3,
    "sizes": [10, 50, 100, 250, 500, 1000, 2000],
    "senders": 10,
    "fanout_secs": 3,
    # The descriptor limit here is 20000 per process (no CAP_SYS_RESOURCE to raise it),
    # and InspIRCd registers at most --pending clients a second (see docs/benchmarks.md).
    "connect_clients": 10000,
    "tls_connect_clients": 5000,
    "pairs": 100,
    "privmsg_secs": 5,
}
QUICK = {
    "runs": 1,
    "sizes": [10, 100, 500, 2000],
    "senders": 10,
    "fanout_secs": 2,
    "connect_clients": 5000,
    "tls_connect_clients": 2000,
    "pairs": 100,
    "privmsg_secs": 2,
}


def free_port():
    """An ephemeral loopback port that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(proc, port, log):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("exited with %s: %s" % (proc.returncode, tail(log)))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("not listening on %d after %.0fs" % (port, START_TIMEOUT))


def tail(path):
    try:
        with open(path, errors="replace") as f:
            return " | ".join(f.read().splitlines()[-5:])
    except OSError:
        return ""


def render(template, path, **subst):
    with open(os.path.join(HERE, "peers", template)) as f:
        text = f.read()
    for key, value in subst.items():
        text = text.replace("@%s@" % key, str(value))
    with open(path, "w") as f:
        f.write(text)


class NxdomainStub:
    """A DNS server on DNS_STUB:53 that answers every query NXDOMAIN at once.

    ircd-hybrid looks up every client's address and has no option to stop; this stands in
    for a resolver that knows no name for 127.0.0.x, so the lookups neither stall
    registration nor leave the machine."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((DNS_STUB, 53))
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                query, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            end = 12
            while end < len(query) and query[end] != 0:
                end += 1 + query[end]
            end += 5                # the root label, QTYPE and QCLASS
            if len(query) < 12 or end > len(query):
                continue
            flags = bytes([0x80 | (query[2] & 0x01), 0x83])    # QR, RD copied; RA, NXDOMAIN
            reply = query[:2] + flags + b"\x00\x01\x00\x00\x00\x00\x00\x00" + query[12:end]
            self.sock.sendto(reply, peer)


def make_tls_cert():
    """The servers' certificate for the TLS rows, readable by 'nobody' (the peers)."""
    os.makedirs(TLS_DIR, exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30",
                    "-keyout", TLS_KEY, "-out", TLS_CERT, "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    nobody = pwd.getpwnam("nobody")
    for path in (TLS_DIR, TLS_CERT, TLS_KEY):
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    os.chmod(TLS_DIR, 0o755)
    os.chmod(TLS_KEY, 0o600)


def measure_tls(build, names, cfg):
    """connect and fanout N=500 with every client over TLS; the relay has none."""
    make_tls_cert()
    servers = [Server(n, build, tls=True) for n in names if n != "limit"]
    conn = measure(build, servers, cfg["runs"],
                   ["--tls", "--clients", str(cfg["tls_connect_clients"]), "--pending",
                    str(CONNECT_PENDING), "--timeout", "300", "--server-pid", "@PID@",
                    "connect"], "connect TLS")
    fan = measure(build, servers, cfg["runs"],
                  ["--tls", "--clients", "500", "--senders", str(cfg["senders"]),
                   "--window", str(FANOUT_WINDOW), "--duration", str(cfg["fanout_secs"]),
                   "--pending", "@PENDING@", "fanout"], "fanout N=500 TLS")
    conn["limit"] = []
    fan["limit"] = []
    return conn, fan


def as_nobody():
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


class Server:
    """One server under test; start() gives a fresh process, stop() ends it.

    With model, it is parleyd under that --model (name is then the model's label)."""

    def __init__(self, name, build, model=None, cpus=SERVER_CPU, tls=False, web=False):
        self.name = name
        self.web = web              # parleyd: self.port is a web listener (--ws)
        self.build = build
        self.tls = tls              # self.port speaks TLS; plain_port is the other
        self.model = model
        self.cpus = cpus
        self.dir = os.path.join(WORK, name)
        self.proc = None
        self.port = None
        self.plain_port = None

    def tls_conf(self):
        """What the peer's config template gets for @TLS@ (and @TLS_SERVERINFO@)."""
        if not self.tls:
            return {"TLS": "", "TLS_SERVERINFO": ""}
        if self.name == "ngircd":
            return {"TLS": "[SSL]\n\tCertFile = %s\n\tKeyFile = %s\n\tPorts = %d\n"
                    % (TLS_CERT, TLS_KEY, self.port)}
        if self.name == "inspircd":
            return {"TLS": '<module name="ssl_gnutls">\n'
                    '<sslprofile name="bench" provider="gnutls" certfile="%s" keyfile="%s" '
                    'requestclientcert="no">\n'
                    '<bind address="127.0.0.1" port="%d" type="clients" sslprofile="bench">\n'
                    % (TLS_CERT, TLS_KEY, self.port)}
        return {"TLS": 'listen {\n\tflags = tls;\n\thost = "127.0.0.1";\n\tport = %d;\n};'
                % self.port,
                "TLS_SERVERINFO": 'rsa_private_key_file = "%s";\n\ttls_certificate_file = '
                '"%s";' % (TLS_KEY, TLS_CERT)}

    def listen_flags(self):
        if self.web:
            return ["--web-listen", "127.0.0.1:%d" % self.port]
        if not self.tls:
            return ["--listen", "127.0.0.1:%d" % self.port]
        return ["--tls-listen", "127.0.0.1:%d" % self.port, "--tls-cert", TLS_CERT,
                "--tls-key", TLS_KEY]

    def argv(self):
        d, p = self.dir, self.port
        if self.name.startswith("parleyd") or self.model is not None:
            # As for the peers: flood control and the per-address limits off, since
            # every bench client connects and sends as fast as it can from 127.0.0.1.
            with open(d + "/parleyd.conf", "w") as f:
                f.write("[limits]\nflood_burst = 0\nmax_per_address = 0\n"
                        "connect_rate = 0\n[tls]\nhandshakes_per_address = 0\n"
                        "max_handshakes = 0\n")
            model = [] if self.model is None else ["--model", self.model]
            if self.model == "threads":
                model += ["--io-threads", str(MODEL_IO_THREADS)]
            return ([os.path.join(self.build, "parleyd")] + self.listen_flags() +
                    ["--config", d + "/parleyd.conf", "--log-level", "warn"] + model)
        if self.name == "limit":
            return [os.path.join(self.build, "parley-limit"), "127.0.0.1:%d" % p]
        if self.name == "ngircd":
            render("ngircd.conf.in", d + "/ngircd.conf", PORT=self.plain_port, DIR=d,
                   **self.tls_conf())
            return as_nobody() + ["/usr/sbin/ngircd", "--nodaemon", "--config",
                                  d + "/ngircd.conf"]
        if self.name == "inspircd":
            render("inspircd.conf.in", d + "/inspircd.conf", PORT=self.plain_port, DIR=d,
                   **self.tls_conf())
            return as_nobody() + ["/usr/sbin/inspircd", "--nofork", "--config",
                                  d + "/inspircd.conf"]
        render("ircd-hybrid.conf.in", d + "/ircd.conf", PORT=self.plain_port, DIR=d,
               ROOT=HYBRID_ROOT, **self.tls_conf())
        # ircd-hybrid looks up every client's address with no option to turn it off;
        # in a mount namespace of its own it sees a resolv.conf naming the NXDOMAIN stub.
        with open(d + "/resolv.conf", "w") as f:
            f.write("nameserver %s\n" % DNS_STUB)
        return ["unshare", "--mount", "sh", "-c",
                'mount --bind "$0" /etc/resolv.conf && exec "$@"',
                d + "/resolv.conf"] + as_nobody() + [
                    HYBRID_ROOT + "/usr/sbin/ircd-hybrid", "-foreground",
                    "-configfile", d + "/ircd.conf", "-pidfile",
                    d + "/ircd.pid", "-logfile", d + "/ircd.log",
                    "-klinefile", d + "/kline.db", "-dlinefile", d + "/dline.db",
                    "-xlinefile", d + "/xline.db", "-resvfile", d + "/resv.db"]

    def start(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        with open(self.dir + "/motd.txt", "w") as f:
            f.write("parley-bench\n")
        nobody = pwd.getpwnam("nobody")
        os.chown(self.dir, nobody.pw_uid, nobody.pw_gid)
        os.chown(self.dir + "/motd.txt", nobody.pw_uid, nobody.pw_gid)
        self.port = free_port()
        self.plain_port = free_port() if self.tls else self.port
        log = self.dir + "/stderr.log"
        with open(log, "w") as out:
            self.proc = subprocess.Popen(["taskset", "-c", self.cpus] + self.argv(),
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                         cwd=self.dir)
        wait_port(self.proc, self.port, log)
        # The process to measure: setpriv and taskset exec, so it is the same PID.
        return self.proc.pid

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def run_bench(build, server, args):
    """One parley-bench run against a fresh server; the JSON result or None."""
    try:
        pid = server.start()
    except RuntimeError as e:
        print("  %s: cannot start: %s" % (server.name, e), file=sys.stderr)
        return None
    pending = str(SETUP_PENDING.get(server.name, SETUP_PENDING_DEFAULT))
    argv = (["taskset", "-c", BENCH_CPU, os.path.join(build, "parley-bench"),
             "--target", "127.0.0.1:%d" % server.port, "--json", "--timeout", "120"] +
            [a.replace("@PID@", str(pid)).replace("@PENDING@", pending) for a in args])
    try:
        res = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    finally:
        server.stop()
    try:
        out = json.loads(res.stdout)
    except ValueError:
        print("  %s: no result: %s" % (server.name, res.stderr.strip()), file=sys.stderr)
        return None
    if not out["ready"] or out["disconnects"] > 0:
        print("  %s: setup incomplete or disconnects: %s" % (server.name,
              res.stderr.strip()), file=sys.stderr)
        return None
    return out


def measure(build, servers, runs, args, label):
    """Results per server over runs, servers in a rotating order."""
    results = {s.name: [] for s in servers}
    for i in range(runs):
        order = servers[i % len(servers):] + servers[:i % len(servers)]
        for s in order:
            r = run_bench(build, s, args)
            if r is not None:
                results[s.name].append(r)
            print("  %s run %d %s: %s" % (label, i + 1, s.name, brief(r)),
                  file=sys.stderr)
    return results


def brief(r):
    if r is None:
        return "failed"
    if r["scenario"] == "connect":
        return "%.0f reg/s, %.2f KiB/client" % (r["registrations_per_s"],
                                                r["rss_kib_per_client"])
    return "%.0f lines/s, p99 %.0f us" % (r["lines_per_s"], r["latency_us"]["p99"])


def median(results, key):
    vals = [key(r) for r in results]
    return statistics.median(vals) if vals else None


def version(cmd):
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (res.stdout + res.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def fmt(v, unit=""):
    if v is None:
        return "n/a"
    if v >= 100:
        return "{:,.0f}{}".format(v, unit)
    return "{:.2f}{}".format(v, unit)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "n/a"
    return "%.2f" % (a / b)


def plot(sweep, names, sizes, png, work):
    data = os.path.join(work, "fanout.dat")
    with open(data, "w") as f:
        f.write("# N " + " ".join(names) + "\n")
        for n in sizes:
            row = [sweep[n][s] for s in names]
            f.write("%d %s\n" % (n, " ".join("NaN" if v is None else "%.0f" % v
                                             for v in row)))
    lines = ", ".join("'%s' using 1:%d with linespoints title '%s'" % (data, i + 2, s)
                      for i, s in enumerate(names))
    script = ("set terminal pngcairo size 900,560\nset output '%s'\n"
              "set title 'fanout: delivered lines/s against channel size "
              "(10 senders, window %d)'\n"
              "set xlabel 'channel members'\nset ylabel 'delivered lines/s'\n"
              "set logscale x\nset xrange [8:2500]\nset grid\nset key left top\nset format y '%%.0s%%c'\n"
              "plot %s\n" % (png, FANOUT_WINDOW, lines))
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


MODELS = ["event", "fork", "threads"]
MODEL_IO_THREADS = 2
MODEL_CLIENTS = 500
MODEL_SENDERS = 10
MODEL_FANOUT_SECS = 3
MODEL_CONNECT = 5000
MODELS_BEGIN = "<!-- bench/run.py --models: begin -->"
MODELS_END = "<!-- bench/run.py --models: end -->"


def models_table(build, runs, cpus):
    """The models' rows for one CPU placement of the server: a list of table lines."""
    servers = [Server(m, build, model=m, cpus=cpus) for m in MODELS]
    fan = measure(build, servers, runs,
                  ["--clients", str(MODEL_CLIENTS), "--senders", str(MODEL_SENDERS),
                   "--window", str(FANOUT_WINDOW), "--duration", str(MODEL_FANOUT_SECS),
                   "--pending", "@PENDING@", "fanout"],
                  "fanout N=%d CPUs %s" % (MODEL_CLIENTS, cpus))
    conn = measure(build, servers, runs,
                   ["--clients", str(MODEL_CONNECT), "--pending", str(CONNECT_PENDING),
                    "--timeout", "300", "--server-pid", "@PID@", "connect"],
                   "connect CPUs %s" % cpus)
    rows = []
    for label, res, key in [
            ("fanout N=%d S=%d: delivered lines/s" % (MODEL_CLIENTS, MODEL_SENDERS),
             fan, lambda r: r["lines_per_s"]),
            ("fanout N=%d S=%d: latency p99 (us)" % (MODEL_CLIENTS, MODEL_SENDERS),
             fan, lambda r: r["latency_us"]["p99"]),
            ("connect C=%d: registrations/s" % MODEL_CONNECT, conn,
             lambda r: r["registrations_per_s"]),
            # PSS, not RSS: summed over fork's processes, RSS would count the pages
            # the children share with the hub once per child.
            ("connect C=%d: PSS KiB per idle client" % MODEL_CONNECT, conn,
             lambda r: r["pss_kib_per_client"])]:
        rows.append("| %s | %s |" % (label, " | ".join(
            "%s (%d)" % (fmt(median(res[m], key)), len(res[m])) if res[m] else "n/a"
            for m in MODELS)))
    return rows


def models_main(opts):
    """--models: parleyd under each model, tables into the figures section of --out."""
    opts.build = os.path.abspath(opts.build)
    os.makedirs(WORK, exist_ok=True)
    os.chmod(WORK, 0o755)
    started = time.monotonic()
    pinned = models_table(opts.build, opts.runs, SERVER_CPU)
    both = models_table(opts.build, opts.runs, "0,1")
    elapsed = time.monotonic() - started
    head = "| measurement | " + " | ".join(
        m + (" (io-threads %d)" % MODEL_IO_THREADS if m == "threads" else "")
        for m in MODELS) + " |"
    rule = "|---" * (len(MODELS) + 1) + "|"
    cmd = "bench/run.py --models --runs %d" % opts.runs
    out = [MODELS_BEGIN,
           "Measured by `make bench-models` (`%s`, parleyd from %s) on %d cores, Linux "
           "%s, %s UTC (%.0f s). Each cell is the median of the runs that completed, "
           "their number in parentheses; parley-bench always runs on CPU %s, and each "
           "measurement starts a fresh server." % (
               cmd, opts.build, os.cpu_count(), platform.release(),
               time.strftime("%Y-%m-%d %H:%M", time.gmtime()), elapsed, BENCH_CPU),
           "", "Server pinned to CPU %s (as in `make bench`):" % SERVER_CPU, "", head, rule]
    out += pinned
    out += ["", "Server free to run on CPUs 0 and 1 (sharing CPU %s with parley-bench):"
            % BENCH_CPU, "", head, rule]
    out += both
    out.append(MODELS_END)
    try:
        with open(opts.out) as f:
            text = f.read()
    except FileNotFoundError:
        text = ""
    if MODELS_BEGIN in text and MODELS_END in text:
        text = (text[:text.index(MODELS_BEGIN)] + "\n".join(out) +
                text[text.index(MODELS_END) + len(MODELS_END):])
    else:
        text += ("\n" if text else "") + "## Figures\n\n" + "\n".join(out) + "\n"
    with open(opts.out, "w") as f:
        f.write(text)
    print("wrote %s" % opts.out, file=sys.stderr)


WS_CLIENTS = 500
WS_SENDERS = 10
WS_FANOUT_SECS = 3
WS_CONNECT = 5000


def ws_main(opts):
    """--ws: the same parleyd over TCP and over WebSocket; a table on stdout."""
    build = os.path.abspath(opts.build)
    os.makedirs(WORK, exist_ok=True)
    os.chmod(WORK, 0o755)
    kinds = [("TCP", Server("parleyd-tcp", build), []),
             ("WebSocket", Server("parleyd-web", build, web=True), ["--ws"])]
    fan = {k: [] for k, _, _ in kinds}
    conn = {k: [] for k, _, _ in kinds}
    for i in range(opts.runs):
        for kind, server, extra in kinds[i % 2:] + kinds[:i % 2]:
            r = run_bench(build, server, extra + [
                "--clients", str(WS_CLIENTS), "--senders", str(WS_SENDERS), "--window",
                str(FANOUT_WINDOW), "--duration", str(WS_FANOUT_SECS), "--pending",
                "@PENDING@", "fanout"])
            print("  fanout run %d %s: %s" % (i + 1, kind, brief(r)), file=sys.stderr)
            if r is not None:
                fan[kind].append(r)
    for kind, server, extra in kinds:
        r = run_bench(build, server, extra + [
            "--clients", str(WS_CONNECT), "--pending", str(CONNECT_PENDING), "--timeout",
            "300", "--server-pid", "@PID@", "connect"])
        print("  connect %s: %s" % (kind, brief(r)), file=sys.stderr)
        if r is not None:
            conn[kind].append(r)
    rows = [("fanout N=%d S=%d: delivered lines/s" % (WS_CLIENTS, WS_SENDERS), fan,
             lambda r: r["lines_per_s"]),
            ("fanout N=%d S=%d: latency p99 (us)" % (WS_CLIENTS, WS_SENDERS), fan,
             lambda r: r["latency_us"]["p99"]),
            ("connect C=%d: registrations/s" % WS_CONNECT, conn,
             lambda r: r["registrations_per_s"]),
            ("connect C=%d: RSS KiB per idle client" % WS_CONNECT, conn,
             lambda r: r["rss_kib_per_client"])]
    print("| measurement | TCP | WebSocket | WebSocket / TCP |")
    print("|---|---|---|---|")
    for label, res, key in rows:
        tcp, ws = median(res["TCP"], key), median(res["WebSocket"], key)
        print("| %s | %s | %s | %s |" % (label, fmt(tcp), fmt(ws), ratio(ws, tcp)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--quick", action="store_true",
                    default=os.environ.get("BENCH_QUICK", "") not in ("", "0"))
    ap.add_argument("--out")
    ap.add_argument("--models", action="store_true",
                    help="parleyd under each concurrency model only; writes docs/models.md")
    ap.add_argument("--runs", type=int, default=3, help="--models, --ws: runs per cell")
    ap.add_argument("--ws", action="store_true",
                    help="parleyd over WebSocket against TCP; prints a table")
    opts = ap.parse_args()
    # SIGTERM unwinds like Ctrl-C, so the server being measured is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if opts.ws:
        ws_main(opts)
        return
    if opts.models:
        opts.out = opts.out or os.path.join(ROOT, "docs", "models.md")
        models_main(opts)
        return
    opts.out = opts.out or os.path.join(ROOT, "docs", "performance.md")
    cfg = QUICK if opts.quick else FULL
    os.makedirs(WORK, exist_ok=True)
    os.chmod(WORK, 0o755)
    names = ["parleyd", "ngircd", "inspircd", "ircd-hybrid", "limit"]
    servers = [Server(n, opts.build) for n in names]
    NxdomainStub()
    started = time.monotonic()

    sweep = {}
    fan500 = None
    for n in cfg["sizes"]:
        senders = min(cfg["senders"], n - 1)
        res = measure(opts.build, servers, cfg["runs"],
                      ["--clients", str(n), "--senders", str(senders), "--window",
                       str(FANOUT_WINDOW), "--duration", str(cfg["fanout_secs"]),
                       "--pending", "@PENDING@", "fanout"],
                      "fanout N=%d" % n)
        sweep[n] = {s: median(res[s], lambda r: r["lines_per_s"]) for s in names}
        if n == 500:
            fan500 = res
    conn = measure(opts.build, servers, cfg["runs"],
                   ["--clients", str(cfg["connect_clients"]), "--pending",
                    str(CONNECT_PENDING), "--timeout", "300", "--server-pid", "@PID@",
                    "connect"], "connect")
    priv = measure(opts.build, servers, cfg["runs"],
                   ["--pairs", str(cfg["pairs"]), "--duration", str(cfg["privmsg_secs"]),
                    "--pending", "@PENDING@", "privmsg"], "privmsg")
    tls_conn, tls_fan = measure_tls(opts.build, names, cfg)
    elapsed = time.monotonic() - started

    rows = []
    peers = ["ngircd", "inspircd", "ircd-hybrid"]

    def row(label, res, key, higher_better=True, unit=""):
        vals = {s: median(res[s], key) if res else None for s in names}
        known = [vals[p] for p in peers if vals[p] is not None]
        best = (max(known) if higher_better else min(known)) if known else None
        rows.append("| %s | %s | %s | %s |" % (
            label, " | ".join(fmt(vals[s], unit) for s in names),
            ratio(vals["parleyd"], best), ratio(vals["parleyd"], vals["limit"])))

    row("fanout N=500 S=10 W=%d: delivered lines/s" % FANOUT_WINDOW, fan500,
        lambda r: r["lines_per_s"])
    row("fanout N=500 S=10 W=%d: latency p50 (us)" % FANOUT_WINDOW, fan500,
        lambda r: r["latency_us"]["p50"], False)
    row("fanout N=500 S=10 W=%d: latency p99 (us)" % FANOUT_WINDOW, fan500,
        lambda r: r["latency_us"]["p99"], False)
    row("connect C=%d: registrations/s" % cfg["connect_clients"], conn,
        lambda r: r["registrations_per_s"])
    row("connect C=%d: RSS KiB per idle client" % cfg["connect_clients"], conn,
        lambda r: r["rss_kib_per_client"], False)
    row("connect C=%d: PSS KiB per idle client" % cfg["connect_clients"], conn,
        lambda r: r["pss_kib_per_client"], False)
    row("privmsg P=%d: messages/s" % cfg["pairs"], priv, lambda r: r["lines_per_s"])
    row("privmsg P=%d: latency p99 (us)" % cfg["pairs"], priv,
        lambda r: r["latency_us"]["p99"], False)
    row("TLS connect C=%d: handshakes + registrations/s" % cfg["tls_connect_clients"],
        tls_conn, lambda r: r["registrations_per_s"])
    row("TLS connect C=%d: RSS KiB per idle client" % cfg["tls_connect_clients"],
        tls_conn, lambda r: r["rss_kib_per_client"], False)
    row("TLS fanout N=500 S=%d W=%d: delivered lines/s" % (cfg["senders"], FANOUT_WINDOW),
        tls_fan, lambda r: r["lines_per_s"])
    row("TLS fanout N=500 S=%d W=%d: latency p99 (us)" % (cfg["senders"], FANOUT_WINDOW),
        tls_fan, lambda r: r["latency_us"]["p99"], False)

    png = os.path.join(os.path.dirname(opts.out), "performance-fanout.png")
    plot(sweep, names, cfg["sizes"], png, WORK)
    write_doc(opts, cfg, names, rows, sweep, elapsed)


# The hand-written section of docs/performance.md that write_doc keeps, from this
# heading to the end: the cost of each change to a hot path, measured when it was made.
COSTS_HEADING = "## What each change cost"


def write_doc(opts, cfg, names, rows, sweep, elapsed):
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = [
        ("parleyd", version([os.path.join(opts.build, "parleyd"), "--version"])),
        ("ngircd", version(["/usr/sbin/ngircd", "--version"])),
        ("inspircd", version(["/usr/sbin/inspircd", "--version"])),
        ("ircd-hybrid", "8.2.43 (Debian package ircd-hybrid 1:8.2.43+dfsg.1-1, unpacked)"),
    ]
    mode = "BENCH_QUICK=1 make bench" if opts.quick else "make bench"
    out = []
    out.append("# Performance\n")
    out.append("Measured by `%s` on %s, %d cores (%s), Linux %s, %s UTC; the run took "
               "%.0f s. %s\n" % (
                   mode, platform.node() or "this machine", os.cpu_count(), cpu,
                   platform.release(), time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
                   elapsed,
                   "Quick mode: **one run per cell**, shorter measurements; a full "
                   "`make bench` takes three runs and reports medians." if opts.quick
                   else "Every figure is the median of %d runs." % cfg["runs"]))
    out.append("Server pinned to CPU %s, parley-bench to CPU %s (taskset); each "
               "measurement starts a fresh server; servers are measured in a rotating "
               "order. See docs/benchmarks.md for what each scenario does and how to read "
               "it.\n" % (SERVER_CPU, BENCH_CPU))
    out.append("| measurement | " + " | ".join(names) + " | parleyd / best peer | "
               "parleyd / limit |")
    out.append("|---" * (len(names) + 3) + "|")
    out.extend(rows)
    out.append("")
    out.append("For latency and memory, lower is better, so a ratio below 1 favours "
               "parleyd there; for rates, above 1 does. `n/a`: the server did not "
               "complete the scenario (see the log of the run).\n")
    out.append("## Fanout against channel size (%d senders, window %d)\n" % (
        cfg["senders"], FANOUT_WINDOW))
    out.append("![fanout throughput](performance-fanout.png)\n")
    out.append("| members | " + " | ".join(names) + " |")
    out.append("|---" * (len(names) + 1) + "|")
    for n in cfg["sizes"]:
        out.append("| %d | %s |" % (n, " | ".join(fmt(sweep[n][s]) for s in names)))
    out.append("")
    out.append("## Versions\n")
    for name, v in versions:
        out.append("- %s: %s" % (name, v))
    out.append("- limit: bench/limit/limit.c, the ceiling relay built with parleyd\n")
    out.append("## Reproduce\n")
    out.append("```\n%s\n```\n" % mode)
    out.append("It installs the peers and gnuplot from Debian (bench/install-peers.sh), "
               "builds with CMake (RelWithDebInfo), then runs bench/run.py. Peer configs: "
               "bench/peers/*.in, every raised limit commented.\n")
    text = "\n".join(out)
    # What each change cost is written by hand, once per change: keep it as it is.
    try:
        with open(opts.out) as f:
            old = f.read()
    except FileNotFoundError:
        old = ""
    kept = old.find("\n" + COSTS_HEADING + "\n")
    if kept >= 0:
        text = text.rstrip("\n") + "\n" + old[kept:]
    with open(opts.out, "w") as f:
        f.write(text)
    print("wrote %s" % opts.out, file=sys.stderr)


if __name__ == "__main__":
    main()
