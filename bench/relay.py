#!/usr/bin/python3
"""The Alertmanager webhook relay, in one run against the local Exchange and Entra stand-ins.

  relay   `secretwatch run` with one relay receiver; a local client POSTs N notifications of 10 alerts each
          (distinct groupKeys, Alertmanager's webhook payload) over one keep-alive connection: the time from each
          POST to its 200 (the mail is committed to the outbox by then) while the mailer sends, and how long after
          the last 200 the last mail reaches the Exchange stand-in. Then N more with the mailer held back (rate
          cap 1/min), and a restart with the cap off: the backlog's rate from the first mail to the last
  alarm   the same number of alarm e-mails queued at start (bench/mail.py's daemon phase): the rate relay mail is
          compared with

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


def notification(i, started, count=ALERTS):
    """Alertmanager's webhook body (version 4) for group `i`: `count` firing alerts, its own groupKey."""
    common = {"alertname": "BenchRelay", "group": f"g{i:05d}", "job": "bench", "severity": "page"}
    alerts = [{"status": "firing", "labels": dict(common, instance=f"host-{i:05d}-{k}.bench.example:9100"),
               "annotations": {"summary": f"Disk almost full on host-{i:05d}-{k}",
                               "description": "Less than 5 % of /var is free; at this rate it is full in 3 hours."},
               "startsAt": started, "endsAt": "0001-01-01T00:00:00Z",
               "generatorURL": "http://prometheus.bench.example:9090/graph?g0.expr=node_filesystem_avail_bytes",
               "fingerprint": f"{i * ALERTS + k:016x}"} for k in range(count)]
    return json.dumps({"version": "4", "groupKey": '{}:{alertname="BenchRelay", group="g%05d"}' % i, "truncatedAlerts": 0,
                       "status": "firing", "receiver": "ops", "groupLabels": {"alertname": "BenchRelay", "group": f"g{i:05d}"},
                       "commonLabels": common, "commonAnnotations": {}, "externalURL": "http://alertmanager.bench.example:9093",
                       "alerts": alerts}).encode()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Daemon:
    """`secretwatch run` with one relay receiver `ops`, on a database that outlives restarts."""

    def __init__(self, s, work):
        self.s, self.work, self.port = s, work, free_port()
        self.token_file = os.path.join(work, "relay.token")
        with open(self.token_file, "w") as f:
            f.write(TOKEN + "\n")
        os.chmod(self.token_file, 0o600)
        self.proc = None

    def start(self, rate_per_minute):
        config = daemon_config(self.s, self.work, [], port=self.port, mailer=[
            "concurrency: 3", f"rate_per_minute: {rate_per_minute}", "poll_interval: 1s"])
        with open(config, "a") as f:
            # The daily recipient cap is counted on every POST as by default, but set at its bound so that the
            # benchmark's thousands of notifications within minutes never reach it.
            f.write(f"relay:\n  token_file: {self.token_file}\n  max_recipients_per_day: 1000000\n  receivers:\n"
                    f"    - name: ops\n      to: [{ONCALL}]\n")
        self.proc = subprocess.Popen([os.path.join(BUILD, "secretwatch"), "run", "--config", config],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.work, "daemon.log"), "a"))

        def healthy():
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthz")
                return c.getresponse().status == 200
            except OSError:
                return False
        if not wait_for(healthy, 60, interval=0.1):
            raise SystemExit("the daemon did not start; see " + os.path.join(self.work, "daemon.log"))

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)
            self.proc = None

    def post_all(self, bodies):
        """POSTs every body on one keep-alive connection; returns each POST's time to its 200 and the daemon's CPU."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
        latencies = []
        c0 = cpu_seconds(self.proc.pid)
        for body in bodies:
            t0 = time.perf_counter()
            conn.request("POST", "/api/v1/relay/ops", body=body, headers=headers)
            response = conn.getresponse()
            answer = response.read()
            latencies.append(time.perf_counter() - t0)
            if response.status != 200 or json.loads(answer).get("status") != "queued":
                raise SystemExit(f"POST answered {response.status} {answer[:300]!r}; see {self.work}/daemon.log")
        cpu = (cpu_seconds(self.proc.pid) - c0) / len(bodies)
        conn.close()
        return latencies, cpu


def relay(s, n, work):
    """Two phases on one database. Flowing: the mailer sends while the client POSTs (rate cap off): POST-to-200
    times, and how long after the last 200 the last mail arrives. Queued: N more notifications POSTed with the rate
    capped at one mail a minute, then a restart with the cap off sends the whole backlog at once, like
    bench/mail.py's alarm mails: its rate from the first mail to the last compares with theirs."""
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 300))
    d = Daemon(s, work)
    try:
        d.start(rate_per_minute=0)
        start_count = s.mails()
        latencies, cpu = d.post_all([notification(i, started) for i in range(n)])
        posted = time.time()
        if not wait_for(lambda: s.mails() - start_count >= n, 300, interval=0.1):
            raise SystemExit(f"only {s.mails() - start_count} of {n} relay mails arrived; see {work}/daemon.log")
        drain = max(s.mail_times()[start_count:start_count + n]) - posted
        d.stop()

        d.start(rate_per_minute=1)
        queued_latencies, _ = d.post_all([notification(n + i, started) for i in range(n)])
        d.stop()
        before = s.mails()
        d.start(rate_per_minute=0)
        expected = start_count + 2 * n
        if not wait_for(lambda: s.mails() >= expected, 300, interval=0.1):
            raise SystemExit(f"only {s.mails() - start_count} of {2 * n} relay mails arrived; see {work}/daemon.log")
        times = s.mail_times()[before:expected]
        sizes = s.mail_sizes()[start_count:expected]

        # The same backlog of one-alert notifications: mails of an alarm mail's size, to compare like with like.
        # (The rate cap of one a minute lets the first of them out at once, as in the phase above.)
        d.stop()
        small_start = s.mails()
        d.start(rate_per_minute=1)
        d.post_all([notification(2 * n + i, started, count=1) for i in range(n)])
        d.stop()
        small_before = s.mails()
        d.start(rate_per_minute=0)
        if not wait_for(lambda: s.mails() >= small_start + n, 300, interval=0.1):
            raise SystemExit(f"only {s.mails() - small_start} of {n} one-alert relay mails arrived; see {work}/daemon.log")
        small_times = s.mail_times()[small_before:small_start + n]
        small_size = statistics.median(s.mail_sizes()[small_start:small_start + n])
        bodies = [len(notification(i, started)) for i in range(0, n, max(1, n // 20))]
        return dict(latencies=latencies, queued_latencies=queued_latencies, body=statistics.median(bodies), drain=drain,
                    rate=(len(times) - 1) / (times[-1] - times[0]), mails=len(times), size=statistics.median(sizes), cpu=cpu,
                    small_rate=(len(small_times) - 1) / (small_times[-1] - small_times[0]), small_size=small_size)
    finally:
        d.stop()


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
                  f"p99 {percentile(x['latencies'], 99) * 1000:.2f} ms (mailer idle: median "
                  f"{statistics.median(x['queued_latencies']) * 1000:.2f} ms); all delivered {x['drain']:.1f} s after the "
                  f"last 200; backlog: relay mail {x['rate']:.0f} mails/s, alarm mail {a['mails'] / a['seconds']:.0f} mails/s",
                  flush=True)
    finally:
        s.stop()
        if not os.environ.get("KEEP"):
            shutil.rmtree(work, ignore_errors=True)

    def row(name, values):
        ms = [v * 1000 for v in values]
        return (f"{name:<40} {statistics.median(ms):>8.2f} {percentile(ms, 90):>8.2f} {percentile(ms, 99):>8.2f} "
                f"{max(ms):>8.2f}")

    relay_rate = statistics.median(x["rate"] for x in relays)
    alarm_rate = statistics.median(a["mails"] / a["seconds"] for a in alarms)
    print()
    print(f"{n} notifications of {ALERTS} alerts ({statistics.median(x['body'] for x in relays) / 1024:.1f} KiB each, "
          f"distinct groupKeys), one keep-alive connection; {rounds} rounds, all POSTs pooled")
    print(f"{'POST -> 200 (ms)':<40} {'median':>8} {'p90':>8} {'p99':>8} {'max':>8}")
    print(row("mailer sending meanwhile (rate cap off)", [v for x in relays for v in x["latencies"]]))
    print(row("mailer idle (backlog kept queued)", [v for x in relays for v in x["queued_latencies"]]))
    medians = ", ".join(f"{statistics.median(x['latencies']) * 1000:.2f}" for x in relays)
    print(f"per-round medians, mailer sending: {medians} ms; "
          f"daemon CPU {statistics.median(x['cpu'] for x in relays) * 1000:.2f} ms per notification")
    print(f"last mail delivered after the last 200 (mailer sending meanwhile): median "
          f"{statistics.median(x['drain'] for x in relays):.2f} s")
    print()
    print(f"{'a backlog of queued mail, daemon started':<44} {'mails':>6} {'size':>8} {'mails/s':>9} {'vs alarm':>9}")
    print(f"{'relay mail (10 alerts, text + HTML)':<44} {relays[0]['mails']:>6} {statistics.median(x['size'] for x in relays):>7,.0f}B "
          f"{relay_rate:>9.1f} {relay_rate / alarm_rate:>8.0%}")
    small_rate = statistics.median(x["small_rate"] for x in relays)
    print(f"{'relay mail (1 alert, text + HTML)':<44} {n:>6} {statistics.median(x['small_size'] for x in relays):>7,.0f}B "
          f"{small_rate:>9.1f} {small_rate / alarm_rate:>8.0%}")
    print(f"{'alarm mail (bench/mail.py daemon phase)':<44} {n:>6} {statistics.median(a['size'] for a in alarms):>7,.0f}B "
          f"{alarm_rate:>9.1f} {1:>8.0%}")
    print("goal: median POST -> 200 < 5 ms; relay mail leaves at the alarm mail's rate")

if __name__ == "__main__":
    main()
