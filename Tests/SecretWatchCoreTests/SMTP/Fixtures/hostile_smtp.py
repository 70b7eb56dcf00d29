#!/usr/bin/python3
"""A scripted, hostile SMTP submission server for secretwatch's mail tests: it answers whatever the test tells
it to, at any stage, including what no stand-in of ours would say (echoes of the client's AUTH blob, RFC 7628 error
challenges, 421 at the greeting, silence, a closed socket, a reply of megabytes).

Run with Debian's /usr/bin/python3. Listens on 127.0.0.1 (port 0 = random), prints "PORT <n>" once listening, and
exits when its stdin closes.

Without rules it behaves like smtp.office365.com:587: STARTTLS offered and required before AUTH, AUTH XOAUTH2
only after TLS, the bearer must be a line of --tokens (535 5.7.3 otherwise), accepted mail is written to --dir as
NNNNNN.eml (raw bytes after dot-unstuffing).

--script FILE (JSON, re-read before every reply, so a test may change it mid-run):
  {"rules": [{"stage": "eod", "reply": "451 4.4.0 try later", "times": 1, "match": "admin2"}, ...]}
  stage   greeting | ehlo | starttls | auth | mail | rcpt | data | eod | rset | quit
          (ehlo = the EHLO after TLS; data = the answer to DATA itself; eod = the verdict after the body)
  reply   the reply line(s) ("\n" separates lines); "{arg}" is replaced by the command's argument as sent
          (for auth: the initial response, base64), "{arg_b64}" by its base64. Special replies:
            CHALLENGE <json>  answers "334 base64(json)", reads the client's next line, then answers "then"
                              (default "535 5.7.8 Authentication credentials invalid")
            CLOSE             closes the connection without a word
            SILENT            never answers (the client must time out)
            HUGE <n>          n bytes of continuation lines ("250-xxxx…") before a final "451 4.3.0 too much"
  times   how many times the rule applies (absent: always); counted per rule since the script last changed
  match   apply only when the argument contains this text
--log FILE: every line the client sent (JSON lines {"line": ...}), AUTH blobs included: tests only.
"""
import argparse, asyncio, base64, json, os, ssl, subprocess, sys, threading
from fixture_support import make_certs, exit_when_stdin_closes

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, default=0)
p.add_argument("--dir", default=".")
p.add_argument("--certdir")
p.add_argument("--tokens")
p.add_argument("--script")
p.add_argument("--log")
p.add_argument("--stats")   # accepted for the shared launcher; unused
p.add_argument("--implicit", action="store_true")
args = p.parse_args()

counter = [0]
script_state = {"mtime": None, "rules": [], "used": []}


def rules():
    if not args.script or not os.path.exists(args.script):
        return []
    mtime = os.stat(args.script).st_mtime_ns
    if mtime != script_state["mtime"]:
        with open(args.script) as f:
            script_state["rules"] = json.load(f).get("rules", [])
        script_state["used"] = [0] * len(script_state["rules"])
        script_state["mtime"] = mtime
    return script_state["rules"]


def scripted(stage, argument):
    """The rule's reply for this stage and argument, or None for the default behaviour."""
    for i, rule in enumerate(rules()):
        if rule.get("stage") != stage:
            continue
        if "match" in rule and rule["match"] not in argument:
            continue
        if "times" in rule and script_state["used"][i] >= rule["times"]:
            continue
        script_state["used"][i] += 1
        return rule
    return None


def log(line):
    if args.log:
        with open(args.log, "a") as f:
            f.write(json.dumps({"line": line}) + "\n")


def accepted_tokens():
    if args.tokens and os.path.exists(args.tokens):
        with open(args.tokens) as f:
            return [line.strip() for line in f if line.strip()]
    return []


class Session:
    def __init__(self, reader, writer, context):
        self.reader, self.writer, self.context = reader, writer, context
        self.tls = args.implicit
        self.authenticated = False
        self.mail_from = None
        self.rcpts = []

    async def send(self, text):
        for line in text.split("\n"):
            self.writer.write(line.encode() + b"\r\n")
        await self.writer.drain()

    async def readline(self):
        line = await self.reader.readline()
        if not line:
            raise ConnectionError("client closed")
        text = line.decode("utf-8", "replace").rstrip("\r\n")
        log(text)
        return text

    async def answer(self, stage, argument, default):
        """Sends the scripted reply for the stage, or `default`; returns False when the session must end."""
        rule = scripted(stage, argument)
        if rule is None:
            await self.send(default)
            return True
        reply = rule.get("reply", "")
        if reply == "CLOSE":
            self.writer.close()
            return False
        if reply == "SILENT":
            await asyncio.sleep(3600)
            return False
        if reply.startswith("HUGE "):
            size = int(reply.split()[1])
            chunk = "250-" + "x" * 996
            for _ in range(size // 1000):
                self.writer.write(chunk.encode() + b"\r\n")
                await self.writer.drain()
            await self.send("451 4.3.0 too much")
            return True
        if reply.startswith("CHALLENGE "):
            challenge = base64.b64encode(reply[len("CHALLENGE "):].encode()).decode()
            await self.send("334 " + challenge)
            await self.readline()
            await self.send(rule.get("then", "535 5.7.8 Authentication credentials invalid"))
            return True
        encoded = base64.b64encode(argument.encode()).decode()
        await self.send(reply.replace("{arg}", argument).replace("{arg_b64}", encoded))
        return True

    async def run(self):
        if not await self.answer("greeting", "", "220 TEST.local Microsoft ESMTP MAIL Service ready (secretwatch hostile test peer)"):
            return
        while True:
            line = await self.readline()
            verb, _, argument = line.partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "HELO"):
                lines = ["250-TEST.local Hello", "250-SIZE 37748736", "250-8BITMIME", "250-PIPELINING"]
                if not self.tls and self.context is not None:
                    lines.append("250-STARTTLS")
                if self.tls:
                    lines.append("250-AUTH LOGIN XOAUTH2")
                lines.append("250 SMTPUTF8")
                stage = "ehlo" if self.tls else "ehlo-plain"
                if not await self.answer(stage, argument, "\n".join(lines)):
                    return
            elif verb == "STARTTLS":
                if not await self.answer("starttls", argument, "220 2.0.0 SMTP server ready"):
                    return
                await self.writer.start_tls(self.context)
                self.tls = True
            elif verb == "AUTH":
                mechanism, _, initial = argument.partition(" ")
                if not initial:
                    await self.send("334 ")
                    initial = await self.readline()
                rule = scripted_peek("auth", initial)
                if rule is not None:
                    if not await self.answer("auth", initial, ""):
                        return
                    self.authenticated = rule.get("reply", "").startswith("235")
                    continue
                try:
                    text = base64.b64decode(initial).decode()
                    fields = dict(part.split("=", 1) for part in text.split("\x01") if "=" in part)
                    bearer = fields.get("auth", "")
                except Exception:
                    bearer = ""
                if bearer.startswith("Bearer ") and bearer[7:] in accepted_tokens():
                    self.authenticated = True
                    await self.send("235 2.7.0 Authentication successful")
                else:
                    await self.send("535 5.7.3 Authentication unsuccessful [TEST.local]")
            elif verb == "MAIL":
                default = "250 2.1.0 Sender OK" if self.authenticated else "530 5.7.57 Client not authenticated to send mail"
                self.mail_from = argument
                self.rcpts = []
                if not await self.answer("mail", argument, default):
                    return
            elif verb == "RCPT":
                self.rcpts.append(argument)
                if not await self.answer("rcpt", argument, "250 2.1.5 Recipient OK"):
                    return
            elif verb == "DATA":
                if not await self.answer("data", argument, "354 Start mail input; end with <CRLF>.<CRLF>"):
                    return
                body = []
                while True:
                    raw = await self.reader.readline()
                    if not raw:
                        return
                    if raw in (b".\r\n", b".\n"):
                        break
                    body.append(raw[1:] if raw.startswith(b"..") else raw)
                content = b"".join(body)
                rule_arg = " ".join(self.rcpts)
                counter[0] += 1
                number = counter[0]
                queued = "250 2.6.0 Queued mail for delivery"
                if scripted_peek("eod", rule_arg):
                    if not await self.answer("eod", rule_arg, queued):
                        return
                    continue
                os.makedirs(args.dir, exist_ok=True)
                with open(os.path.join(args.dir, "%06d.eml.tmp" % number), "wb") as f:
                    f.write(content)
                os.replace(os.path.join(args.dir, "%06d.eml.tmp" % number), os.path.join(args.dir, "%06d.eml" % number))
                await self.send(queued)
            elif verb == "RSET":
                self.rcpts = []
                if not await self.answer("rset", argument, "250 2.0.0 Resetting"):
                    return
            elif verb == "NOOP":
                await self.send("250 2.0.0 OK")
            elif verb == "QUIT":
                await self.answer("quit", argument, "221 2.0.0 Service closing transmission channel")
                self.writer.close()
                return
            else:
                await self.send("500 5.3.3 Unrecognized command")


def scripted_peek(stage, argument):
    """The rule that would apply (without counting it), or None."""
    for i, rule in enumerate(rules()):
        if rule.get("stage") == stage and ("match" not in rule or rule["match"] in argument) \
                and ("times" not in rule or script_state["used"][i] < rule["times"]):
            return rule
    return None


def main():
    certdir = args.certdir or args.dir
    os.makedirs(certdir, exist_ok=True)
    make_certs(certdir)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(os.path.join(certdir, "server.pem"), os.path.join(certdir, "server.key"))

    async def serve(reader, writer):
        try:
            await Session(reader, writer, context).run()
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            writer.close()

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(asyncio.start_server(
        serve, host="127.0.0.1", port=args.port, ssl=context if args.implicit else None, limit=1 << 20))
    print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    loop.run_forever()


main()
