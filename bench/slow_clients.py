#!/usr/bin/python3
"""/healthz and /metrics under slow and idle clients.

Starts `secretwatch run` (release build) against the local stand-ins, watching 1,000 credentials, then for each
COUNT of slow clients: opens them from 127.0.0.x source addresses, 50 per address (the default per-address limit is
64), half trickling one byte of a never-ending request header every 2 s and half sending nothing, each opened again
as soon as the server closes it. Meanwhile it probes /healthz and /metrics (gzip, as Prometheus asks) on a fresh
connection every 100 ms for SECONDS seconds, and prints per COUNT: slow connections held (median), probe latency
p50 / p99 / worst, probes failed or slower than 1 s, the daemon's resident memory and CPU.
  bench/slow_clients.py [SECONDS] [COUNT...]        (default: 30 s; 0 1000 2000 4000)
"""
import asyncio, http.client, multiprocessing, os, resource, shutil, signal, statistics, subprocess, sys, tempfile, time

from common import BUILD, StandIns, cpu_seconds, daemon_config, free_port, rss_mib, wait_for

PER_ADDRESS = 50
TRICKLE_EVERY = 2.0
HEADER = b"GET /api/v1/alarms HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def raise_open_files():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def one_client(port, source, trickle, stop, held):
    """Keeps one slow connection open from `source` until `stop` is set."""
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
        except OSError:
            await asyncio.sleep(0.2)
            continue
        held.value += 1
        sent = 0
        try:
            while not stop.is_set():
                if trickle:
                    writer.write(HEADER[sent:sent + 1] if sent < len(HEADER) else b"a")
                    sent += 1
                try:
                    if await asyncio.wait_for(reader.read(4096), TRICKLE_EVERY) == b"":
                        break  # closed by the server
                except asyncio.TimeoutError:
                    pass
        except OSError:
            pass
        finally:
            held.value -= 1
            writer.close()
        await asyncio.sleep(0.05)


def abuse(port, count, held, stop):
    """The slow clients, in a process of their own so that they never delay a probe."""
    raise_open_files()

    async def main():
        flag = asyncio.Event()
        tasks = [asyncio.create_task(one_client(port, f"127.0.{10 + i // PER_ADDRESS // 250}.{1 + (i // PER_ADDRESS) % 250}",
                                                i % 2 == 0, flag, held)) for i in range(count)]
        while not stop.is_set():
            await asyncio.sleep(0.1)
        flag.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(main())


def probe(port, path):
    """Seconds for one GET on a fresh connection, or None when it failed or took over 5 s."""
    started = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", path, headers={"Accept-Encoding": "gzip"} if path == "/metrics" else {})
        response = connection.getresponse()
        response.read()
        connection.close()
        return time.perf_counter() - started if response.status == 200 else None
    except OSError:
        return None


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(daemon, port, count, seconds):
    held = multiprocessing.Value("i", 0, lock=False)
    stop = multiprocessing.Event()
    abuser = multiprocessing.Process(target=abuse, args=(port, count, held, stop))
    abuser.start()
    try:
        if count:
            wait_for(lambda: held.value >= count, 60, 0.1)
        latencies = {"/healthz": [], "/metrics": []}
        failed = {"/healthz": 0, "/metrics": 0}
        holding = []
        attempts = 0
        cpu_start, started = cpu_seconds(daemon.pid), time.perf_counter()
        rss = []
        while time.perf_counter() - started < seconds:
            tick = time.perf_counter()
            for path in latencies:
                attempts += 1
                took = probe(port, path)
                if took is None or took > 1:
                    failed[path] += 1
                if took is not None:
                    latencies[path].append(took)
            holding.append(held.value)
            rss.append(rss_mib(daemon.pid))
            time.sleep(max(0, 0.1 - (time.perf_counter() - tick)))
        cpu = (cpu_seconds(daemon.pid) - cpu_start) / (time.perf_counter() - started)
        return statistics.median(holding), latencies, attempts, failed, max(rss), cpu
    finally:
        stop.set()
        abuser.join(30)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30
    counts = [int(c) for c in sys.argv[2:]] or [0, 1000, 2000, 4000]
    raise_open_files()
    work = tempfile.mkdtemp(prefix="secretwatch-slow-clients-bench-")
    s = StandIns(work)
    port = free_port()
    now = time.time()
    watched = [(f"app-{i}", f"9a8b7c6d-5e4f-4a3b-8c2d-{i:012d}",
                time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + (i % 400 + 1) * 86400))) for i in range(1000)]
    config = daemon_config(s, work, watched, interval="60s", port=port)
    daemon = subprocess.Popen([os.path.join(BUILD, "secretwatch"), "run", "--config", config],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_for(lambda: probe(port, "/readyz") is not None, 60, 0.1):
            raise SystemExit("the daemon never became ready")
        print(f"{'slow clients':>12} {'held':>6}  {'/healthz p50 / p99 / worst ms':>30}  {'/metrics p50 / p99 / worst ms':>30}"
              f"  {'probes':>6}  {'failed or > 1 s':>15}  {'RSS MiB':>7}  {'CPU':>5}")
        for count in counts:
            held, latencies, probes, failed, rss, cpu = measure(daemon, port, count, seconds)
            cells = []
            for path in ("/healthz", "/metrics"):
                values = latencies[path] or [float("nan")]
                cells.append(f"{percentile(values, 50) * 1000:8.2f} / {percentile(values, 99) * 1000:7.2f} / {max(values) * 1000:7.1f}")
            print(f"{count:>12} {held:>6.0f}  {cells[0]:>30}  {cells[1]:>30}  {probes:>6}  {failed['/healthz'] + failed['/metrics']:>15}"
                  f"  {rss:>7.1f}  {cpu * 100:>4.0f}%", flush=True)
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
        s.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
