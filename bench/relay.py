#!/usr/bin/python3
"""The Alertmanager webhook relay, in one run against the local Exchange and Entra stand-ins.

  relay   `secretwatch run` with one relay receiver; a local client POSTs N notifications of 10 alerts each
          (distinct groupKeys, Alertmanager's webhook payload) over one keep-alive connection: the time from each
          POST to its 200 (the mail is committed to the outbox by then), then the time until all N mails are
          accepted by the Exchange stand-in, and their rate from the first mail to the last
  alarm   the same number of alarm e-mails through the same daemon settings (bench/mail.py's daemon phase): the
          rate relay mail is compared with

Mailer settings in both: concurrency 3, rate cap off. The two phases alternate ROUNDS times; medians are compared.
Run with Debian's python3 (no extra packages). Loopback only, bounded.
  [ROUNDS=3] bench/relay.py [NOTIFICATIONS]
"""
import http.client, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time

from common import BUILD, StandIns, cpu_seconds, daemon_config, free_port, wait_for
from mail import daemon as alarm_daemon

TOKEN = "bench-relay-token-5e2b7c91"
ONCALL = "oncall@contoso.example"
ALERTS = 10


def notification(i, started):
    """Alertmanager's webhook body (version 4) for group `i`: 10 firing alerts, its own groupKey."""
    common = {"alertname": "BenchRelay", "group": f"g{i:05d}", "job": "bench", "severity": "page"}
    alerts = [{"status": "firing", "labels": dict(common, instance=f"host-{i:05d}-{k}.bench.example:9100"),
               "annotations": {"summary": f"Disk almost full on host-{i:05d}-{k}",
                               "description": "Less than 5 % of /var is free; at this rate it is full in 3 hours."},
               "startsAt": started, "endsAt": "0001-01-01T00:00:00Z",
               "generatorURL": "http://prometheus.bench.example:9090/graph?g0.expr=node_filesystem_avail_bytes",
               "fingerprint": f"{i * ALERTS + k:016x}"} for k in range(ALERTS)]
    return json.dumps({"version": "4", "groupKey": '{}:{alertname="BenchRelay", group="g%05d"}' % i, "truncatedAlerts": 0,
                       "status": "firing", "receiver": "ops", "groupLabels": {"alertname": "BenchRelay", "group": f"g{i:05d}"},
                       "commonLabels": common, "commonAnnotations": {}, "externalURL": "http://alertmanager.bench.example:9093",
                       "alerts": alerts}).encode()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def relay(s, n, work):
    port = free_port()
    config = daemon_config(s, work, [], mailer=["concurrency: 3", "rate_per_minute: 0", "poll_interval: 1s"], port=port)
    token_file = os.path.join(work, "relay.token")
    with open(token_file, "w") as f:
        f.write(TOKEN + "\n")
    os.chmod(token_file, 0o600)
    with open(config, "a") as f:
        f.write(f"relay:\n  token_file: {token_file}\n  receivers:\n    - name: ops\n      to: [{ONCALL}]\n")
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 300))
    bodies = [notification(i, started) for i in range(n)]
    start_count = s.mails()
    proc = subprocess.Popen([os.path.join(BUILD, "secretwatch"), "run", "--config", config], stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(work, "daemon.log"), "w"))
    try:
        def healthy():
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                return c.getresponse().status == 200
            except OSError:
                return False
        if not wait_for(healthy, 60, interval=0.1):
            raise SystemExit("the daemon did not start; see " + os.path.join(work, "daemon.log"))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
        latencies = []
        c0 = cpu_seconds(proc.pid)
        for body in bodies:
            t0 = time.perf_counter()
            conn.request("POST", "/api/v1/relay/ops", body=body, headers=headers)
            response = conn.getresponse()
            answer = response.read()
            latencies.append(time.perf_counter() - t0)
            if response.status != 200 or json.loads(answer).get("status") != "queued":
                raise SystemExit(f"POST answered {response.status} {answer[:300]!r}; see {work}/daemon.log")
        posted = time.time()
        c1 = cpu_seconds(proc.pid)
        conn.close()
        if not wait_for(lambda: s.mails() - start_count >= n, 300, interval=0.1):
            raise SystemExit(f"only {s.mails() - start_count} of {n} relay mails arrived; see {work}/daemon.log")
        times = s.mail_times()[start_count:start_count + n]
        sizes = s.mail_sizes()[start_count:start_count + n]
        return dict(latencies=latencies, body=statistics.median(len(b) for b in bodies), drain=max(times) - posted,
                    rate=(n - 1) / (times[-1] - times[0]), size=statistics.median(sizes), cpu=(c1 - c0) / n)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rounds = int(os.environ.get("ROUNDS", "3"))
    for exe in ("secretwatch", "secretwatch-standins"):
        if not os.access(os.path.join(BUILD, exe), os.X_OK):
            raise SystemExit(f"{BUILD}/{exe} not found: run `make release` first (make bench-relay does)")
    work = tempfile.mkdtemp(prefix="secretwatch-relay-bench-")
    s = StandIns(work)
    relays, alarms = [], []
    try:
        for r in range(rounds):
            relay_dir, alarm_dir = os.path.join(work, f"relay-{r + 1}"), os.path.join(work, f"alarm-{r + 1}")
            os.makedirs(relay_dir)
            os.makedirs(alarm_dir)
            relays.append(relay(s, n, relay_dir))
            alarms.append(alarm_daemon(s, n, alarm_dir))
            alarms[-1]["size"] = statistics.median(s.mail_sizes()[-n:])
            x, a = relays[-1], alarms[-1]
            print(f"round {r + 1}: POST->200 median {statistics.median(x['latencies']) * 1000:.2f} ms, "
                  f"p99 {percentile(x['latencies'], 99) * 1000:.2f} ms; relay mail {x['rate']:.0f} mails/s, "
                  f"alarm mail {a['mails'] / a['seconds']:.0f} mails/s; all delivered {x['drain']:.1f} s after the last 200",
                  flush=True)
    finally:
        s.stop()
        shutil.rmtree(work, ignore_errors=True)

    latencies = [v for x in relays for v in x["latencies"]]
    medians = [statistics.median(x["latencies"]) for x in relays]
    relay_rate = statistics.median(x["rate"] for x in relays)
    alarm_rate = statistics.median(a["mails"] / a["seconds"] for a in alarms)
    print()
    print(f"{n} notifications of {ALERTS} alerts ({statistics.median(x['body'] for x in relays) / 1024:.1f} KiB each), "
          f"one keep-alive connection, {rounds} rounds")
    print(f"{'POST -> 200':<34} {'median':>9} {'p90':>9} {'p99':>9} {'max':>9}")
    print(f"{'all rounds':<34} {statistics.median(latencies) * 1000:>8.2f}m {percentile(latencies, 90) * 1000:>8.2f}m "
          f"{percentile(latencies, 99) * 1000:>8.2f}m {max(latencies) * 1000:>8.2f}m   (ms)")
    print(f"per-round medians: {', '.join(f'{m * 1000:.2f}' for m in medians)} ms; "
          f"daemon CPU while posting {statistics.median(x['cpu'] for x in relays) * 1000:.2f} ms per notification")
    print()
    print(f"{'mail':<44} {'mails':>6} {'size':>8} {'mails/s':>9} {'vs alarm':>9}")
    print(f"{'relay mail (10 alerts, text + HTML)':<44} {n:>6} {statistics.median(x['size'] for x in relays):>7,.0f}B "
          f"{relay_rate:>9.1f} {relay_rate / alarm_rate:>8.0%}")
    print(f"{'alarm mail (bench/mail.py daemon phase)':<44} {n:>6} {statistics.median(a['size'] for a in alarms):>7,.0f}B "
          f"{alarm_rate:>9.1f} {1:>8.0%}")
    print(f"all relay mails delivered after the last 200: median {statistics.median(x['drain'] for x in relays):.1f} s")
    print("goal: median POST -> 200 < 5 ms; relay mail leaves at the alarm mail's rate")


if __name__ == "__main__":
    main()
