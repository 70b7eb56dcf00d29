#!/usr/bin/python3
"""Start-up time and idle resident memory.

Starts `secretwatch run` (release build) against the local stand-ins with a small configuration (the SMTP
credential and 5 watched ones), RUNS times: the time from exec until /healthz answers and until /readyz says
ready (first pass done, token obtained), and the resident memory after IDLE seconds of idling (VmRSS) with
its peak since start (VmHWM). Medians. Also the release binary's size as built and stripped (as the .deb's).
  bench/startup.py [RUNS] [IDLE_SECONDS]
"""
import os, shutil, signal, statistics, subprocess, sys, tempfile, time, urllib.request

from common import BUILD, StandIns, binary_size_table, daemon_config, free_port, rss_mib, status_mib, wait_for


def answers(url, status=200):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == status
    except Exception:
        return False


def once(s, work, idle):
    port = free_port()
    now = time.time()
    watched = [(f"app-{i}", f"9a8b7c6d-5e4f-4a3b-8c2d-{i:012d}", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + (i * 40 - 10) * 86400)))
               for i in range(5)]
    config = daemon_config(s, work, watched, interval="30s", port=port)
    started = time.perf_counter()
    proc = subprocess.Popen([os.path.join(BUILD, "secretwatch"), "run", "--config", config], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        if not wait_for(lambda: answers(f"http://127.0.0.1:{port}/healthz"), 30):
            raise SystemExit("the daemon never answered /healthz")
        healthy = time.perf_counter() - started
        if not wait_for(lambda: answers(f"http://127.0.0.1:{port}/readyz"), 30):
            raise SystemExit("the daemon never became ready")
        ready = time.perf_counter() - started
        time.sleep(idle)
        return healthy, ready, rss_mib(proc.pid), status_mib(proc.pid, "VmHWM")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        os.remove(os.path.join(work, "sw.db"))


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    idle = float(sys.argv[2]) if len(sys.argv) > 2 else 10
    work = tempfile.mkdtemp(prefix="secretwatch-startup-bench-")
    s = StandIns(work)
    try:
        results = [once(s, work, idle) for _ in range(runs)]
    finally:
        s.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'runs':>5} {'to /healthz ms':>15} {'to /readyz ms':>14} {'idle RSS MiB':>13} {'peak MiB':>9}")
    print(f"{runs:>5} {statistics.median(r[0] for r in results) * 1000:>15.0f} {statistics.median(r[1] for r in results) * 1000:>14.0f} "
          f"{statistics.median(r[2] for r in results):>13.1f} {statistics.median(r[3] for r in results):>9.1f}")
    print("(SMTP credential + 5 watched; goal: idle RSS < 20 MB)")
    print()
    print("\n".join(binary_size_table(os.path.join(BUILD, "secretwatch"))))


if __name__ == "__main__":
    main()
