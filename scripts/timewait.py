#!/usr/bin/python3
"""Which side holds TIME_WAIT, observed: start parleyd on a loopback port, end one
connection each way (the client's QUIT, an operator's KILL, the client's own close, the
server's shutdown by SIGTERM), print `ss -tan` for the port after each, then start
parleyd again on the same port at once while the old connections still sit in TIME_WAIT.

    /usr/bin/python3 scripts/timewait.py --parleyd build/parleyd [--model fork]

docs/models.md shows its output and explains it.  Everything runs on 127.0.0.1; every
wait is bounded.
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

PASSWORD = "timewait"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def ss(port):
    """`ss -tan` for the port, the header and the rows that name it."""
    out = subprocess.run(["ss", "-tan", "( sport = :%d or dport = :%d )" % (port, port)],
                         capture_output=True, text=True, timeout=5).stdout
    return "\n".join(line.rstrip() for line in out.splitlines())


class Server:
    def __init__(self, parleyd, port, model, conf):
        self.proc = subprocess.Popen(
            [parleyd, "--model", model, "--listen", "127.0.0.1:%d" % port,
             "--config", conf], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            if "listening on" in line:
                self.listening = line.strip()
                return
        self.proc.kill()
        sys.exit("parleyd did not start")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(10)


class Client:
    def __init__(self, port, nick):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.port = self.sock.getsockname()[1]
        self.buf = b""
        self.send("NICK %s" % nick)
        self.send("USER %s 0 * :%s" % (nick, nick))
        self.expect(rb" (376|422) ")

    def send(self, line):
        self.sock.sendall(line.encode() + b"\r\n")

    def expect(self, pattern):
        deadline = time.monotonic() + 5
        while not re.search(pattern, self.buf):
            if time.monotonic() > deadline:
                sys.exit("timed out waiting for %r" % pattern)
            data = self.sock.recv(65536)
            if not data:
                sys.exit("closed while waiting for %r" % pattern)
            self.buf += data

    def read_to_eof(self):
        """Everything until the server's FIN; returns the last line."""
        while True:
            data = self.sock.recv(65536)
            if not data:
                break
            self.buf += data
        return self.buf.rstrip(b"\r\n").split(b"\r\n")[-1].decode()


def show(title, port, note):
    time.sleep(0.2)
    print("### %s\n" % title)
    print("%s\n" % note)
    print("```\n$ ss -tan '( sport = :%d or dport = :%d )'" % (port, port))
    print(ss(port))
    print("```\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parleyd", default="build/parleyd")
    ap.add_argument("--model", default="event", choices=("event", "fork", "threads"))
    args = ap.parse_args()
    if not os.access(args.parleyd, os.X_OK):
        sys.exit("no parleyd at %s" % args.parleyd)
    hashed = subprocess.run([args.parleyd, "--hash-password"], input=PASSWORD + "\n",
                            capture_output=True, text=True, timeout=10).stdout.strip()
    conf = tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False)
    conf.write("[oper admin]\npassword = %s\n" % hashed)
    conf.close()
    port = free_port()
    print("## model %s, port %d\n" % (args.model, port))
    srv = Server(args.parleyd, port, args.model, conf.name)

    c = Client(port, "quitter")
    c.send("QUIT :bye")
    last = c.read_to_eof()
    c.sock.close()
    show("Client QUIT (client port %d)" % c.port, port,
         "The client sent QUIT; it read `%s`, then EOF, then closed." % last)

    oper = Client(port, "oper")
    oper.send("OPER admin %s" % PASSWORD)
    oper.expect(rb" 381 ")
    victim = Client(port, "victim")
    oper.send("KILL victim :enough")
    last = victim.read_to_eof()
    victim.sock.close()
    show("Operator KILL (client port %d)" % victim.port, port,
         "An operator killed the client; it read `%s`, then EOF, then closed." % last)

    leaver = Client(port, "leaver")
    leaver.sock.close()
    show("Client closes first (client port %d)" % leaver.port, port,
         "For contrast: the client closed its socket without a word.")

    last_ones = [oper] + [Client(port, "stay%d" % i) for i in range(2)]
    status = srv.stop()
    for s in last_ones:
        last = s.read_to_eof()
        s.sock.close()
    show("Server shutdown by SIGTERM (client ports %s)" % (
        ", ".join(str(s.port) for s in last_ones)), port,
        "parleyd exited %d; each client read `%s`, then EOF, then closed." % (
            status, last))

    again = Server(args.parleyd, port, args.model, conf.name)
    print("### Restart at once\n")
    print("```\n%s" % again.listening)
    print("$ ss -tan '( sport = :%d or dport = :%d )'" % (port, port))
    print(ss(port))
    print("```")
    again.stop()
    os.unlink(conf.name)


if __name__ == "__main__":
    main()
