"""The Prometheus endpoint ([metrics] address): what a scrape says as clients come, talk
and go, the HTTP answers to anything else, promtool's check of the output, and Debian's
prometheus scraping a running parleyd (its API then shows the series)."""
import json
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import cmd, free_port
from test_web import Http, WsClient

METRICS = "[server]\nname = irc.localhost\n[metrics]\naddress = 127.0.0.1:0\n"


def metrics_url(srv):
    m = srv.wait_log(r"metrics on (http://127\.0\.0\.1:\d+/metrics)")
    return re.search(r"(http://\S+)", m).group(1)


def scrape(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        assert r.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        return r.read().decode()


def value(text, series):
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.split(" ")[1])
    raise AssertionError("no %s in:\n%s" % (series, text))


@pytest.mark.models
def test_counts_follow_clients(start_server):
    srv = start_server(config=METRICS)
    url = metrics_url(srv)
    before = scrape(url)
    assert value(before, 'parley_clients{state="registered"}') == 0
    assert value(before, 'parley_build_info{version="0.1.0",model="%s"}'
                 % srv.args[2]) == 1
    a, b = srv.client("alice"), srv.client("bob")
    a.join("#m")
    b.join("#m")
    for i in range(5):
        a.send("PRIVMSG #m :hello %d" % i)
    for i in range(5):
        b.expect(cmd("PRIVMSG", "#m", "hello %d" % i))
    a.send("QUIT :bye")
    a.expect_closed()
    b.sync()
    text = scrape(url)
    assert value(text, 'parley_clients{state="registered"}') == 1
    assert value(text, 'parley_connections{transport="plain",state="registered"}') == 1
    assert value(text, "parley_channels") == 1
    assert value(text, "parley_registrations_total") == 2
    assert value(text, 'parley_disconnects_total{reason="quit"}') == 1
    assert value(text, "parley_lines_received_total") >= 5 + 2 * 3
    assert value(text, "parley_lines_sent_total") - value(before, "parley_lines_sent_total") >= 5
    assert value(text, "parley_bytes_received_total") > 0
    assert value(text, "parley_bytes_sent_total") > 0
    assert value(text, "parley_turn_duration_seconds_count") > 0
    assert value(text, 'parley_turn_duration_seconds_bucket{le="+Inf"}') == \
        value(text, "parley_turn_duration_seconds_count")


def test_websocket_connections_are_a_transport(start_server):
    """A web listener's clients: "websocket", in their HTTP phase "handshake"."""
    srv = start_server(config=METRICS, args=["--web-listen", "127.0.0.1:0"],
                       expect_listeners=2)
    url = metrics_url(srv)
    port = srv.listeners[1][1]
    ws = WsClient(port)
    srv.clients.append(ws)
    ws.register("webby")
    srv.client("plain")
    waiting = Http(port)
    waiting.send(b"GET / HTTP/1.1\r\n")
    deadline = time.monotonic() + 5
    while True:
        text = scrape(url)
        if value(text, 'parley_connections{transport="websocket",state="handshake"}') \
                == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert value(text, 'parley_connections{transport="websocket",state="handshake"}') == 1
    assert value(text, 'parley_connections{transport="websocket",state="registered"}') == 1
    assert value(text, 'parley_connections{transport="plain",state="registered"}') == 1
    assert value(text, 'parley_connections{transport="tls",state="registered"}') == 0


def test_http_answers(start_server):
    srv = start_server(config=METRICS)
    url = metrics_url(srv)
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(url.replace("/metrics", "/other"), timeout=5)
    assert e.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(urllib.request.Request(url, data=b"x"), timeout=5)
    assert e.value.code == 405
    # A silent connection is closed after the timeout; the IRC side is not held up.
    host, port = url.split("/")[2].split(":")
    idle = socket.create_connection((host, int(port)), timeout=8)
    srv.client("alice")
    assert idle.recv(1) == b""
    assert "parley_channels 0" in scrape(url)


def test_off_by_default(start_server):
    srv = start_server(config="[server]\nname = irc.localhost\n")
    srv.client("alice")
    assert "metrics on" not in srv.log_text()


def test_promtool_checks_the_output(start_server):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (package prometheus; scripts/deps.sh test)")
    srv = start_server(config=METRICS)
    srv.client("alice").join("#x")
    p = subprocess.run([promtool, "check", "metrics"], input=scrape(metrics_url(srv)).encode(),
                       capture_output=True, timeout=30)
    assert p.returncode == 0, p.stdout + p.stderr


def test_prometheus_scrapes_parleyd(start_server, tmp_path):
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        pytest.skip("prometheus is not installed (scripts/deps.sh test)")
    srv = start_server(config=METRICS)
    target = metrics_url(srv).split("/")[2]
    srv.client("alice").join("#scraped")
    web = free_port()
    (tmp_path / "prometheus.yml").write_text(
        "global:\n  scrape_interval: 1s\n"
        "scrape_configs:\n  - job_name: parleyd\n    static_configs:\n"
        "      - targets: ['%s']\n" % target)
    p = subprocess.Popen([prometheus, "--config.file=%s" % (tmp_path / "prometheus.yml"),
                          "--storage.tsdb.path=%s" % (tmp_path / "tsdb"),
                          "--web.listen-address=127.0.0.1:%d" % web],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    try:
        query = "http://127.0.0.1:%d/api/v1/query?query=parley_channels" % web
        deadline = time.monotonic() + 30
        result = []
        while not result:
            assert p.poll() is None, p.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "prometheus never had the series"
            try:
                with urllib.request.urlopen(query, timeout=2) as r:
                    result = json.load(r)["data"]["result"]
            except (urllib.error.URLError, ConnectionError, KeyError):
                pass
            time.sleep(0.3)
        assert result[0]["metric"]["job"] == "parleyd"
        assert result[0]["value"][1] == "1"
    finally:
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def test_a_bad_metrics_address_is_refused(tmp_path):
    from conftest import PARLEYD
    conf = tmp_path / "m.conf"
    conf.write_text("[metrics]\naddress = 127.0.0.1\n")
    p = subprocess.run([PARLEYD, "--config", str(conf), "--listen", "127.0.0.1:0"],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=5)
    assert p.returncode == 1
    assert ("parleyd: %s:2: address: '127.0.0.1' is not an address" % conf).encode() \
        in p.stderr, p.stderr


def test_jobs_are_counted_and_timed(start_server):
    from test_oper import PASSWORD, hash_password
    p = hash_password(PASSWORD + "\n")
    assert p.returncode == 0, p.stderr
    srv = start_server(config=METRICS + "[oper admin]\npassword = %s\n"
                       % p.stdout.decode().strip())
    url = metrics_url(srv)
    c = srv.client("alice")
    c.send("OPER admin :%s" % PASSWORD)
    c.expect("381")
    text = scrape(url)
    assert value(text, "parley_jobs_total") == 1
    assert value(text, "parley_jobs_in_flight") == 0
    assert value(text, "parley_job_duration_seconds_count") == 1
    # A yescrypt check takes milliseconds, never nothing.
    assert value(text, "parley_job_duration_seconds_sum") > 0.0005
    assert value(text, "parley_operators") == 1


def test_out_of_descriptors_a_scrape_waits_without_spinning(start_server):
    """parleyd at 64 descriptors, all taken by silent IRC connections: a scrape cannot be
    accepted, and the server pauses accepting scrapes instead of spinning on the
    listener (it stays nearly idle); once the connections go, scrapes work again."""
    import resource
    from conftest import raise_nofile
    from test_amplification import cpu_seconds

    raise_nofile(256)

    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    srv = start_server(config=METRICS + "[limits]\nmax_per_address = 0\n",
                       preexec_fn=limit, log_level="info")
    url = metrics_url(srv)
    host, port = url.split("/")[2].split(":")
    flood = [socket.create_connection((srv.host, srv.port), timeout=5) for _ in range(70)]
    try:
        time.sleep(0.3)
        waiting = socket.create_connection((host, int(port)), timeout=5)
        srv.wait_log(r"metrics: accept \(pausing for 1000 ms\): Too many open files")
        before = cpu_seconds(srv.pid)
        time.sleep(1.5)
        assert cpu_seconds(srv.pid) - before < 0.5
    finally:
        for s in flood:
            s.close()
    waiting.close()
    time.sleep(1.2)
    assert "parley_channels 0" in scrape(url)
