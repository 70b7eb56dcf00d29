#!/usr/bin/python3
"""Slow and idle HTTP clients for the HTTP exhaustion tests, in a process of their own: thousands of sockets in the
test process itself would crowd the descriptors of every other test running beside it.

From each source address (127.0.0.x: loopback has the whole range, so the per-address limit applies per address)
it keeps TRICKLING connections that send one byte of a never-ending request header every EVERY seconds and IDLE
connections that send nothing; a connection the server closes is opened again. Every 0.2 s it writes
{"open": n, "opened": n, "closed_by_server": n} to --stats. Exits when its stdin closes.
  slow_clients.py --port P --sources 127.0.0.10,127.0.0.11 --trickling 25 --idle 25 [--every 2] --stats FILE
"""
import argparse, asyncio, json, os, resource, sys, threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "SMTP", "Fixtures"))
from fixture_support import exit_when_stdin_closes

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, required=True)
p.add_argument("--sources", required=True)
p.add_argument("--trickling", type=int, default=0)
p.add_argument("--idle", type=int, default=0)
p.add_argument("--every", type=float, default=2.0)
p.add_argument("--stats", required=True)
args = p.parse_args()

HEADER = b"GET /api/v1/alarms HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
counts = {"open": 0, "opened": 0, "closed_by_server": 0}


async def client(source, trickles):
    while True:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", args.port, local_addr=(source, 0))
        except OSError:
            await asyncio.sleep(0.2)
            continue
        counts["open"] += 1
        counts["opened"] += 1
        sent = 0
        try:
            while True:
                if trickles:
                    writer.write(HEADER[sent:sent + 1] if sent < len(HEADER) else b"a")
                    sent += 1
                try:
                    if await asyncio.wait_for(reader.read(4096), args.every) == b"":
                        counts["closed_by_server"] += 1
                        break
                except asyncio.TimeoutError:
                    pass
        except OSError:
            counts["closed_by_server"] += 1
        finally:
            counts["open"] -= 1
            writer.close()
        await asyncio.sleep(0.05)


async def report():
    while True:
        tmp = args.stats + ".tmp"
        with open(tmp, "w") as f:
            json.dump(counts, f)
        os.replace(tmp, args.stats)
        await asyncio.sleep(0.2)


async def main():
    tasks = [asyncio.create_task(report())]
    for source in args.sources.split(","):
        tasks += [asyncio.create_task(client(source, True)) for _ in range(args.trickling)]
        tasks += [asyncio.create_task(client(source, False)) for _ in range(args.idle)]
    await asyncio.gather(*tasks)


soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
asyncio.run(main())
