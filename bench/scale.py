#!/usr/bin/env python3
"""Scheduler and store at scale.

For each size N (default 10,000 and 100,000 watched credentials): generates a configuration, starts the real
`secretwatch run` (release build) on a fresh database, and measures
  - the first evaluation pass (raises the alarms) and the median of the following steady-state passes,
  - resident memory during steady passes (median of VmRSS samples) and its peak since start (VmHWM: at 100,000
    the start-up, reading the configuration, sets it),
  - the database size,
  - the /metrics scrape time (median of 20 scrapes) when the HTTP server answers.
Prints one table, then the binary's size as built and stripped (as the .deb's). Loopback only; every run is
bounded in time and cleans up its processes.
"""
import os, random, re, shutil, signal, statistics, subprocess, sys, tempfile, time, urllib.request, uuid

from common import binary_size_table

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("SECRETWATCH_BIN", os.path.join(ROOT, ".build/release/secretwatch"))
PASS_RE = re.compile(r'msg="scheduler pass done" duration_seconds=([0-9.]+)')


def write_config(directory, n, port):
    rnd = random.Random(n)
    lines = [
        f"database: {directory}/sw.db", "log_level: debug", "http:", f"  listen: 127.0.0.1:{port}",
        "scheduler:", "  interval: 2s", "smtp:", "  auth:", "    mailbox: sender@contoso.com",
        "    tenant_id: 0b5f6f2e-8a1c-4d4e-9f3a-6c2d1e0a7b91", "    client_id: 5d3c2b1a-9e8f-4a7b-8c6d-2f1e0d9c8b7a",
        "    client_secret_env: SW_BENCH_SECRET", "    secret_expires: 2030-01-01",
        "notifications:", "  to: [admin@contoso.com]", "credentials:",
    ]
    now = time.time()
    for i in range(n):
        # Spread expiries from 30 days ago to 2 years ahead: about 8 % of them are within a threshold or expired.
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + rnd.uniform(-30, 730) * 86400))
        lines += [f"  - name: app-{i}", "    tenant_id: 0b5f6f2e-8a1c-4d4e-9f3a-6c2d1e0a7b91",
                  f"    client_id: {uuid.UUID(int=rnd.getrandbits(128))}", f"    secret_expires: {expires}"]
    path = os.path.join(directory, "secretwatch.yml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def rss_kib(pid, samples=10, interval=0.3):
    """Median resident size over a few seconds of steady passes, and the peak (VmHWM) since start."""
    values = []
    for _ in range(samples):
        values.append(status_kib(pid, "VmRSS"))
        time.sleep(interval)
    return statistics.median(values), status_kib(pid, "VmHWM")


def scrape_ms(port, count=20, gzip=False):
    times = []
    body = b""
    for _ in range(count):
        start = time.perf_counter()
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers={"Accept-Encoding": "gzip"} if gzip else {})
            with urllib.request.urlopen(request, timeout=10) as r:
                body = r.read()
        except Exception:
            return None, None
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(body)


def run(n, passes=6):
    directory = tempfile.mkdtemp(prefix=f"secretwatch-scale-{n}-")
    port = free_port()
    try:
        config = write_config(directory, n, port)
        env = dict(os.environ, SW_BENCH_SECRET="bench-secret-value")
        log = open(os.path.join(directory, "daemon.log"), "w+")
        started = time.perf_counter()
        proc = subprocess.Popen([BIN, "run", "--config", config], stdout=subprocess.DEVNULL, stderr=log, env=env)
        durations, deadline = [], time.time() + 300
        while len(durations) < passes and time.time() < deadline and proc.poll() is None:
            time.sleep(0.2)
            log.seek(0)
            durations = [float(m) for m in PASS_RE.findall(log.read())]
        startup = time.perf_counter() - started
        if len(durations) < passes:
            raise SystemExit(f"N={n}: only {len(durations)} passes within the time limit; see {log.name}")
        rss, peak = rss_kib(proc.pid)
        scrape, size = scrape_ms(port)
        scrape_gz, size_gz = scrape_ms(port, gzip=True)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        db = os.path.getsize(os.path.join(directory, "sw.db"))
        return dict(n=n, first=durations[0], steady=statistics.median(durations[1:]), rss=rss / 1024, peak=peak / 1024, db=db / 1e6,
                    scrape=scrape, size=size, scrape_gz=scrape_gz, size_gz=size_gz, startup=startup)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    if not os.access(BIN, os.X_OK):
        raise SystemExit(f"{BIN} not found: run `make release` first (make bench does)")
    rows = [run(n) for n in sizes]
    print(f"{'credentials':>12} {'first pass':>11} {'steady pass':>12} {'RSS MiB':>8} {'peak MiB':>9} {'DB MB':>7} {'/metrics ms':>12} {'bytes':>9} {'gzip ms':>8} {'gzip bytes':>10}")
    for r in rows:
        def fmt(value, spec):
            return format(value, spec) if value is not None else "n/a"
        print(f"{r['n']:>12,} {r['first']*1000:>9.0f}ms {r['steady']*1000:>10.0f}ms {r['rss']:>8.1f} {r['peak']:>9.1f} {r['db']:>7.1f} "
              f"{fmt(r['scrape'], '.1f'):>12} {fmt(r['size'], 'd'):>9} {fmt(r['scrape_gz'], '.1f'):>8} {fmt(r['size_gz'], 'd'):>10}")
    print("goal: 100,000 credentials evaluated in < 1 s per pass with < 150 MB resident, start-up peak included")
    print()
    print("\n".join(binary_size_table(BIN)))


if __name__ == "__main__":
    main()
