#!/usr/bin/env python3
"""Runs the /metrics benchmark (see scripts/bench-metrics.sh): starts secretwatch-bench with N credentials,
copies its exposition to node_exporter's textfile directory and to an nginx document root, measures all three
with wrk (plain and gzip), and prints medians and ratios. Standard library only; cleans up after itself."""
import gzip, os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, time, urllib.request

DURATION = os.environ.get("DURATION", "10s")
ROUNDS = int(os.environ.get("ROUNDS", "3"))
CREDENTIALS = int(os.environ.get("CREDENTIALS", "1000"))
BENCH_BIN = sys.argv[1]
procs = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, gz=False, timeout=30):
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gz else {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.headers, r.read()


def wait_for(what, probe, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if probe():
                return
        except Exception:
            pass
        time.sleep(0.2)
    sys.exit(f"bench: {what} did not come up within {seconds}s")


def start(args, log, env=None):
    p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    procs.append(p)
    return p


def stop_all():
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()


def config(path, n):
    lines = [
        f"database: {os.path.dirname(path)}/bench.db", "log_level: warning",
        f"http:\n  listen: 127.0.0.1:{SW_PORT}", "scheduler:\n  interval: 60s",
        "smtp:\n  auth:\n    name: smtp\n    display_name: Bench SMTP app\n    mailbox: bench@example.com",
        "    tenant_id: 0b5f6f2e-8a1c-4d4e-9f3a-6c2d1e0a7b91\n    client_id: 5d3c2b1a-9e8f-4a7b-8c6d-2f1e0d9c8b7a",
        "    client_secret_env: SECRETWATCH_CLIENT_SECRET\n    secret_expires: 2027-05-31",
        "notifications:\n  from: bench@example.com\n  to: [ops@example.com]", "credentials:",
    ]
    today = time.time()
    for i in range(1, n):
        expires = time.strftime("%Y-%m-%d", time.gmtime(today + ((i * 37) % 730 - 20) * 86400))
        lines += [f"  - name: app-{i:04d}", f"    display_name: Bench application {i:04d}",
                  f"    tenant_id: 0b5f6f2e-8a1c-4d4e-9f3a-{i:012x}", f"    client_id: 9a8b7c6d-5e4f-4a3b-8c2d-{i:012x}",
                  f"    secret_expires: {expires}"]
    open(path, "w").write("\n".join(lines) + "\n")


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if not m:
        raise ValueError(f"unreadable wrk latency {text!r}")
    value, unit = float(m.group(1)), m.group(2)
    return {"us": value / 1000, "ms": value, "s": value * 1000, "m": value * 60000}[unit]


def wrk(url, gz):
    args = ["wrk", "-t2", "-c32", f"-d{DURATION}", "--timeout", "10s", "--latency", url]
    if gz:
        args[1:1] = ["-H", "Accept-Encoding: gzip"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=600).stdout
    if "Latency Distribution" not in out:
        sys.exit(f"bench: wrk gave no latency distribution for {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    return rps, p50, p99, errors.group(0) if errors else ""


class RSSSampler:
    """The largest VmRSS of `pid` seen every 100 ms while in use (`with sampler:` around the load)."""
    def __init__(self, pid):
        self.pid, self.max_kb, self.running = pid, 0, False

    def __enter__(self):
        import threading
        self.running = True
        def loop():
            while self.running:
                self.max_kb = max(self.max_kb, rss_kb(self.pid, "VmRSS"))
                time.sleep(0.1)
        self.thread = threading.Thread(target=loop, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()


def rss_kb(pid, field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


work = tempfile.mkdtemp(prefix="secretwatch-bench-")
os.chmod(work, 0o755)
SW_PORT, NODE_PORT, NGINX_PORT = free_port(), free_port(), free_port()
try:
    log = open(f"{work}/servers.log", "w")
    config(f"{work}/bench.yml", CREDENTIALS)
    env = dict(os.environ, SECRETWATCH_CLIENT_SECRET="bench-placeholder-not-a-secret")
    sw = start([BENCH_BIN, f"{work}/bench.yml"], log, env)
    sw_url = f"http://127.0.0.1:{SW_PORT}/metrics"
    wait_for("secretwatch", lambda: get(f"http://127.0.0.1:{SW_PORT}/readyz")[0] == 200)
    wait_for("all credentials in /metrics",
             lambda: get(sw_url)[2].count(b"secretwatch_token_cached_expiry_timestamp_seconds{") >= CREDENTIALS)
    time.sleep(1)
    body = get(sw_url)[2]
    series = sum(1 for l in body.split(b"\n") if l and not l.startswith(b"#"))

    textdir, www = f"{work}/textfile", f"{work}/www"
    os.makedirs(textdir)
    os.makedirs(www)
    # The textfile collector refuses process_* families it exports itself: it gets the secretwatch_* part.
    state = b"\n".join(l for l in body.split(b"\n") if not l.startswith((b"process_", b"# HELP process_", b"# TYPE process_"))) 
    open(f"{textdir}/secretwatch.prom", "wb").write(state)
    open(f"{www}/metrics", "wb").write(body)
    open(f"{www}/metrics.gz", "wb").write(gzip.compress(body, compresslevel=6))
    start(["/usr/bin/prometheus-node-exporter", f"--web.listen-address=127.0.0.1:{NODE_PORT}", "--collector.disable-defaults",
           "--collector.textfile", f"--collector.textfile.directory={textdir}", "--web.disable-exporter-metrics"], log)
    open(f"{work}/nginx.conf", "w").write(f"""
worker_processes auto;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  client_body_temp_path {work}/nginx-tmp;
  proxy_temp_path {work}/nginx-tmp; fastcgi_temp_path {work}/nginx-tmp; uwsgi_temp_path {work}/nginx-tmp; scgi_temp_path {work}/nginx-tmp;
  server {{
    listen 127.0.0.1:{NGINX_PORT};
    root {www};
    location = /metrics {{ default_type "text/plain; version=0.0.4; charset=utf-8"; gzip_static on; gzip_vary on; }}
  }}
}}
""")
    start(["/usr/sbin/nginx", "-c", f"{work}/nginx.conf"], log)
    node_url, nginx_url = f"http://127.0.0.1:{NODE_PORT}/metrics", f"http://127.0.0.1:{NGINX_PORT}/metrics"
    wait_for("node_exporter", lambda: b"secretwatch_client_secret_expiry" in get(node_url)[2])
    wait_for("nginx", lambda: get(nginx_url)[0] == 200)

    targets = [("secretwatch", sw_url), ("node_exporter", node_url), ("nginx", nginx_url)]
    size = {}
    for name, url in targets:
        for gz in (False, True):
            status, headers, raw = get(url, gz)
            size[(name, gz)] = len(raw)
            if gz and headers.get("Content-Encoding") != "gzip":
                sys.exit(f"bench: {name} did not answer gzip")
    print(f"secretwatch /metrics: {CREDENTIALS} credentials, {series} series, {len(body)} bytes plain, "
          f"{size[('secretwatch', True)]} gzip; wrk -t2 -c32 -d{DURATION}, {ROUNDS} round(s), medians", flush=True)
    results = {}
    serving = RSSSampler(sw.pid)
    for r in range(ROUNDS):
        for gz in (False, True):
            for name, url in targets:
                if name == "secretwatch":
                    with serving:
                        results.setdefault((name, gz), []).append(wrk(url, gz))
                else:
                    results.setdefault((name, gz), []).append(wrk(url, gz))
                print(f"  round {r + 1}: {name:13} {'gzip ' if gz else 'plain'} {results[(name, gz)][-1][0]:10.1f} req/s", flush=True)
    med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v), statistics.median(x[2] for x in v),
               "; ".join(sorted({x[3] for x in v if x[3]}))) for k, v in results.items()}
    print()
    print(f"{'server':14} {'encoding':8} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'bytes/scrape':>13} {'vs nginx':>9} {'vs node_exp':>11}")
    for gz in (False, True):
        for name, _ in targets:
            rps, p50, p99, err = med[(name, gz)]
            print(f"{name:14} {'gzip' if gz else 'plain':8} {rps:10.1f} {p50:9.2f} {p99:9.2f} {size[(name, gz)]:13d} "
                  f"{rps / med[('nginx', gz)][0]:9.2f} {rps / max(med[('node_exporter', gz)][0], 0.001):11.1f}"
                  + (f"  ({err})" if err else ""))
    print()
    print(f"secretwatch resident memory: {serving.max_kb / 1024:.1f} MiB ({serving.max_kb * 1024 / 1e6:.1f} MB) at most while "
          f"serving (sampled every 100 ms under load), {rss_kb(sw.pid, 'VmRSS') / 1024:.1f} MiB now (its own heap and stacks "
          f"{rss_kb(sw.pid, 'RssAnon') / 1024:.1f} MiB, mapped code and data of the binary and its libraries "
          f"{rss_kb(sw.pid, 'RssFile') / 1024:.1f} MiB); {rss_kb(sw.pid, 'VmHWM') / 1024:.1f} MiB peak since start (start-up included)")
    goals = [("gzip req/s >= 0.5 x nginx", med[("secretwatch", True)][0] >= 0.5 * med[("nginx", True)][0]),
             ("plain req/s >= 0.5 x nginx", med[("secretwatch", False)][0] >= 0.5 * med[("nginx", False)][0]),
             ("p99 < 20 ms (plain and gzip)", max(med[("secretwatch", g)][2] for g in (False, True)) < 20),
             ("resident memory while serving < 30 MB", serving.max_kb * 1024 < 30e6)]
    for goal, ok in goals:
        print(f"goal {goal}: {'met' if ok else 'NOT met'}")
finally:
    stop_all()
    shutil.rmtree(work, ignore_errors=True)
