#!/usr/bin/env python3
"""Discovery at scale: 10,000 app registrations x 2 credentials read from the Graph stand-in.

Starts `secretwatch-standins --graph-applications N` (default 10,000 apps: one secret and one certificate each,
20,000 credentials, listed 999 apps a page) and runs the real `secretwatch run` (release build) on a fresh
database in three set-ups, RUNS times each (default 3), alternating:
  none        the SMTP credential only, no discovery: the baseline
  configured  the same 20,000 credentials written in the configuration (same expiry dates), no discovery
  discovery   the SMTP credential and a discovery section (the SMTP app reads Graph, interval 1m)
and measures, from the daemon's own log (`scheduler pass done`, `tenant discovered`) and /proc/<pid>/status:
  - the first pass (discovery: token, 11 pages, 20,000 credentials inserted, their first expiry evaluation),
  - the Graph listing alone as the daemon timed it (token, pages, parsing, matching the secret in use),
  - the same listing by a minimal client (Python, one keep-alive connection): the stand-in's own share,
  - the repeat discovery a minute later (nothing changed in Graph) minus a steady pass: its end-to-end cost,
  - steady passes: with 20,000 discovered credentials against 20,000 configured ones and against none,
  - resident memory: steady (median of VmRSS during steady passes) and peak (VmHWM) in each set-up.
Prints medians as tables. Loopback only; every process it starts is stopped.
"""
import json, os, re, shutil, signal, ssl, statistics, subprocess, sys, tempfile, time, urllib.parse, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import BUILD, CLIENT, TENANT, SECRET, MAILBOX, ADMIN, free_port  # noqa: E402

BIN = os.path.join(BUILD, "secretwatch")
PASS_RE = re.compile(r'msg="scheduler pass done".*duration_seconds=([0-9.]+)')
DISCOVERED_RE = re.compile(r'msg="tenant discovered".*duration_seconds=([0-9.]+)')
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
STEADY_PASSES = 5


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def generated_expiries(apps, now):
    """The expiry dates `StandInApplication.generated` gives (secret: 1 + i % 400 days, certificate: 30 + i % 400)."""
    for i in range(apps):
        yield f"app-{i}-secret", now + (1 + i % 400) * 86400
        yield f"app-{i}-certificate", now + (30 + i % 400) * 86400


def write_config(work, s, mode, apps, now):
    secret_file = os.path.join(work, "secret")
    with open(secret_file, "w") as f:
        f.write(SECRET + "\n")
    os.chmod(secret_file, 0o600)
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
    lines = [f"database: {work}/sw.db", "log_level: debug", "http:", f"  listen: 127.0.0.1:{free_port()}",
             "scheduler:", "  interval: 2s", "smtp:", f"  host: {s['smtp_host']}", f"  port: {s['smtp_port']}",
             f"  ca_file: {s['ca_file']}", "  auth:", f"    mailbox: {MAILBOX}", f"    tenant_id: {TENANT}", f"    client_id: {CLIENT}",
             f"    client_secret_file: {secret_file}", f"    secret_expires: {iso(now + 3650 * 86400)}",
             f"    token_endpoint: {s['token_endpoint']}", "token:", f"  ca_file: {s['ca_file']}", "  proxy: direct",
             "notifications:", f"  to: [{ADMIN}]"]
    if mode == "configured":
        lines.append("credentials:")
        for n, (name, expires) in enumerate(generated_expiries(apps, now)):
            lines += [f"  - name: {name}", f"    tenant_id: {TENANT}", f"    client_id: 00000000-0000-4000-8000-{n:012x}",
                      f"    secret_expires: {iso(expires)}"]
    if mode == "discovery":
        lines += ["discovery:", "  interval: 1m", f"  graph_endpoint: {s['graph_base_url']}", "  tenants:",
                  "    - name: bench", "      use_smtp_credential: true", f"      scope: {GRAPH_SCOPE}"]
    path = os.path.join(work, "secretwatch.yml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def passes(log_text):
    """[(duration, discovery listing duration or None)] per scheduler pass, in order."""
    out, listing = [], None
    for line in log_text.splitlines():
        m = DISCOVERED_RE.search(line)
        if m:
            listing = float(m.group(1))
            continue
        m = PASS_RE.search(line)
        if m:
            out.append((float(m.group(1)), listing))
            listing = None
    return out


def run_daemon(s, mode, apps):
    work = tempfile.mkdtemp(prefix=f"secretwatch-discovery-{mode}-")
    proc = None
    try:
        config = write_config(work, s, mode, apps, time.time())
        log = open(os.path.join(work, "daemon.log"), "w+")
        proc = subprocess.Popen([BIN, "run", "--config", config], stdout=subprocess.DEVNULL, stderr=log)
        # discovery: the first pass, steady passes, then the repeat discovery (interval 1m) and one more pass.
        deadline = time.time() + (150 if mode == "discovery" else 90)
        rss, seen = [], []
        while time.time() < deadline and proc.poll() is None:
            time.sleep(0.25)
            log.seek(0)
            seen = passes(log.read())
            if 2 <= len(seen) <= 1 + STEADY_PASSES:
                rss.append(status_kib(proc.pid, "VmRSS"))
            done_steady = len(seen) >= 1 + STEADY_PASSES
            repeats = [p for p in seen[1:] if p[1] is not None]
            if done_steady and (mode != "discovery" or (repeats and seen[-1][1] is None)):
                break
        peak = status_kib(proc.pid, "VmHWM")
        if len(seen) < 1 + STEADY_PASSES:
            raise SystemExit(f"{mode}: only {len(seen)} passes within the time limit; see {log.name}")
        first, steady = seen[0], [p[0] for p in seen[1:] if p[1] is None][:STEADY_PASSES]
        result = dict(first=first[0], listing=first[1], steady=statistics.median(steady), rss=statistics.median(rss) / 1024,
                      peak=peak / 1024, repeat=None, repeat_listing=None)
        if mode == "discovery":
            if first[1] is None:
                raise SystemExit(f"discovery: the first pass did not discover; see {log.name}")
            repeat = next((p for p in seen[1:] if p[1] is not None), None)
            if repeat is None:
                raise SystemExit(f"discovery: no repeat discovery within the time limit; see {log.name}")
            result.update(repeat=repeat[0], repeat_listing=repeat[1])
        return result
    finally:
        if proc and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


def minimal_listing(s):
    """The whole listing by a minimal client: a Graph token, then every page ($top=999), one connection."""
    import http.client
    ctx = ssl.create_default_context(cafile=s["ca_file"])
    started = time.perf_counter()
    body = urllib.parse.urlencode({"client_id": CLIENT, "client_secret": SECRET, "grant_type": "client_credentials",
                                   "scope": GRAPH_SCOPE}).encode()
    url = s["token_endpoint"].replace("{tenant}", TENANT)
    with urllib.request.urlopen(urllib.request.Request(url, data=body), context=ctx, timeout=30) as r:
        token = json.load(r)["access_token"]
    base = urllib.parse.urlsplit(s["graph_base_url"])
    conn = http.client.HTTPSConnection(base.hostname, base.port, context=ctx, timeout=60)
    path = "/v1.0/applications?$select=id,appId,displayName,tags,passwordCredentials,keyCredentials&$top=999"
    apps = pages = 0
    while path:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        page = json.loads(conn.getresponse().read())
        apps += len(page["value"])
        pages += 1
        link = page.get("@odata.nextLink")
        path = urllib.parse.urlsplit(link)._replace(scheme="", netloc="").geturl() if link else None
    conn.close()
    return time.perf_counter() - started, apps, pages


def main():
    apps = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    runs = int(os.environ.get("RUNS", "3"))
    for exe in (BIN, os.path.join(BUILD, "secretwatch-standins")):
        if not os.access(exe, os.X_OK):
            raise SystemExit(f"{exe} not found: run `make release` first (make bench does)")
    work = tempfile.mkdtemp(prefix="secretwatch-discovery-standins-")
    standins = subprocess.Popen([os.path.join(BUILD, "secretwatch-standins"), "--secret", SECRET, "--mailbox", MAILBOX,
                                 "--mail-dir", os.path.join(work, "mail"), "--dir", os.path.join(work, "pki"),
                                 "--graph-applications", str(apps)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        s = json.loads(standins.stdout.readline())
        results = {"none": [], "configured": [], "discovery": []}
        listings = []
        for r in range(runs):
            listings.append(minimal_listing(s))
            for mode in ("none", "configured", "discovery"):
                results[mode].append(run_daemon(s, mode, apps))
                print(f"  run {r + 1}/{runs} {mode}: {results[mode][-1]}", file=sys.stderr, flush=True)
    finally:
        standins.send_signal(signal.SIGTERM)
        standins.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    def med(mode, key):
        values = [x[key] for x in results[mode] if x[key] is not None]
        return statistics.median(values) if values else None

    _, listed_apps, pages = listings[0]
    minimal = statistics.median(t for t, _, _ in listings)
    print(f"\ndiscovery of {listed_apps:,} applications ({2 * listed_apps:,} credentials, {pages} pages of up to 999), medians of {runs} runs:")
    print(f"{'':<58} {'ms':>8}")
    print(f"{'first pass with discovery (listing + insert + first expiry)':<58} {med('discovery', 'first') * 1000:>8.0f}")
    print(f"{'  of which the listing as the daemon timed it':<58} {med('discovery', 'listing') * 1000:>8.0f}")
    print(f"{'  the same listing by a minimal client (stand-in share)':<58} {minimal * 1000:>8.0f}")
    print(f"{f'first pass, the same {2 * apps:,} credentials configured':<58} {med('configured', 'first') * 1000:>8.0f}")
    print(f"{'repeat discovery pass (nothing changed in Graph)':<58} {med('discovery', 'repeat') * 1000:>8.0f}")
    print(f"{'  of which the listing':<58} {med('discovery', 'repeat_listing') * 1000:>8.0f}")
    print(f"{'  minus a steady pass: discovery end to end':<58} {(med('discovery', 'repeat') - med('discovery', 'steady')) * 1000:>8.0f}")
    print(f"\n{'set-up':<44} {'steady pass ms':>15} {'RSS MiB':>8} {'peak MiB':>9}")
    for mode, label in (("none", "SMTP credential only, no discovery"), ("configured", f"{2 * apps:,} configured credentials"),
                        ("discovery", f"{2 * apps:,} discovered credentials")):
        print(f"{label:<44} {med(mode, 'steady') * 1000:>15.1f} {med(mode, 'rss'):>8.1f} {med(mode, 'peak'):>9.1f}")
    print(f"\nextra resident memory from discovery (discovered − none): steady {med('discovery', 'rss') - med('none', 'rss'):.1f} MiB, "
          f"peak {med('discovery', 'peak') - med('none', 'peak'):.1f} MiB")
    print("goals: one discovery pass < 2 s; < 60 MB extra resident; a pass over discovered credentials costs what the same "
          "number of configured ones does")


if __name__ == "__main__":
    main()
