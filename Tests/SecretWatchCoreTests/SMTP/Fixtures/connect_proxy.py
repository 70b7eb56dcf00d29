#!/usr/bin/python3
"""A minimal HTTP CONNECT proxy for secretwatch's mail tests (SMTP tunnelled through a corporate proxy).

Listens on 127.0.0.1 (random port), prints "PORT <n>", exits when stdin closes. Every CONNECT is counted in
--stats (JSON {"connects": n}). --deny answers every CONNECT with 407 Proxy Authentication Required.
"""
import argparse, asyncio, json, os, sys, threading
from fixture_support import exit_when_stdin_closes

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, default=0)
p.add_argument("--stats")
p.add_argument("--deny", action="store_true")
args, _ = p.parse_known_args()
connects = [0]


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except Exception:
        pass
    finally:
        writer.close()


async def handle(reader, writer):
    head = await reader.readuntil(b"\r\n\r\n")
    method, target, _ = head.split(b"\r\n")[0].decode().split(" ", 2)
    connects[0] += 1
    if args.stats:
        with open(args.stats + ".tmp", "w") as f:
            json.dump({"connects": connects[0]}, f)
        os.replace(args.stats + ".tmp", args.stats)
    if method != "CONNECT" or args.deny:
        writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()
        return
    host, port = target.rsplit(":", 1)
    up_reader, up_writer = await asyncio.open_connection(host, int(port))
    writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
    await writer.drain()
    await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", args.port)
    print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    await server.serve_forever()


asyncio.run(main())
