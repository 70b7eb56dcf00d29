#!/usr/bin/python3
"""A local stand-in for Exchange Online's SMTP submission endpoint, for secretwatch's mail tests.

Run with Debian's /usr/bin/python3 (it sees python3-aiosmtpd). Listens on 127.0.0.1 (port 0 = random),
prints "PORT <n>" once listening, and exits when its stdin closes, so a dying test run leaks nothing.

Behaviour (like smtp.office365.com:587):
  * STARTTLS offered and required before anything but EHLO/NOOP/QUIT (--no-tls: never offered);
    --implicit: TLS from the first byte (smtps).
  * AUTH only after TLS; one mechanism, XOAUTH2, whose bearer must be a line of --tokens (re-read at
    every AUTH, so a test can rotate the accepted token). Bad token: 535 5.7.3.
  * Mail is refused without AUTH (530 5.7.57).
  * Failure modes, chosen by address local parts:
      AUTH user   authdisabled*   535 5.7.139 (SMTP AUTH disabled for the tenant)
      MAIL FROM   sendas-denied*  550 5.7.60  at MAIL FROM
                  concurrency*    432 4.3.2   at MAIL FROM
                  tenantblocked*  550 5.7.708 at MAIL FROM
                  sendas-data*    554 5.2.252 after DATA
                  quota*          554 5.2.0   after DATA
                  permanent*      554 5.6.0   after DATA
                  slow*           DATA answered after 0.4 s
      RCPT TO     refused*        550 5.1.1   (per recipient)
                  later*          451 4.3.0   (per recipient)
  * Accepted mail is written to --dir as NNNNNN.eml (the raw bytes after dot-unstuffing) and then
    NNNNNN.json (envelope, decoded subject and body, header names) — the .json appears last.
  * --stats FILE: JSON with connections, max_concurrent, auth_ok, auth_failed, messages (rewritten on change).
  * --blackhole: instead of SMTP, a listening socket whose accept backlog is full (connects time out).
"""
import argparse, asyncio, base64, email, email.policy, json, os, socket, ssl, subprocess, sys, threading
from fixture_support import make_certs, exit_when_stdin_closes
from aiosmtpd.smtp import SMTP, AuthResult

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, default=0)
p.add_argument("--dir", default=".")
p.add_argument("--certdir")
p.add_argument("--tokens")
p.add_argument("--stats")
p.add_argument("--no-tls", action="store_true")
p.add_argument("--implicit", action="store_true")
p.add_argument("--blackhole", action="store_true")
args = p.parse_args()

stats = {"connections": 0, "concurrent": 0, "max_concurrent": 0, "auth_ok": 0, "auth_failed": 0, "messages": 0}
counter = [0]


def write_stats():
    if not args.stats:
        return
    tmp = args.stats + ".tmp"
    with open(tmp, "w") as f:
        json.dump(stats, f)
    os.replace(tmp, args.stats)


def local(address):
    return (address or "").split("@")[0].lower()


class ExchangeLike(SMTP):
    line_length_limit = 16384          # real Entra tokens are 1.5-2.5 KB

    def connection_made(self, transport):
        super().connection_made(transport)
        if not getattr(self, "_counted", False):   # STARTTLS calls this again for the same session
            self._counted = True
            stats["connections"] += 1
            stats["concurrent"] += 1
            stats["max_concurrent"] = max(stats["max_concurrent"], stats["concurrent"])
            write_stats()

    def connection_lost(self, exc):
        if getattr(self, "_counted", False) and not getattr(self, "_lost", False):
            self._lost = True
            stats["concurrent"] -= 1
            write_stats()
        super().connection_lost(exc)

    async def check_auth_needed(self, caller_method):
        if caller_method in ("MAIL", "RCPT", "DATA") and not self.session.authenticated:
            await self.push("530 5.7.57 Client not authenticated to send mail")
            return True
        return await super().check_auth_needed(caller_method)


class Handler:
    async def auth_XOAUTH2(self, server, arguments):
        try:
            if len(arguments) == 2:
                text = base64.b64decode(arguments[1].encode(), validate=True).decode()
            else:   # two-step form: challenge_auth hands back the decoded response
                blob = await server.challenge_auth("", encode_to_b64=False)
                if not isinstance(blob, bytes):
                    return AuthResult(success=False, handled=False)
                text = blob.decode()
            fields = dict(part.split("=", 1) for part in text.split("\x01") if "=" in part)
            user, bearer = fields["user"], fields["auth"]
        except Exception:
            await server.push("501 5.5.2 Cannot decode XOAUTH2 response")
            return AuthResult(success=False, handled=True)
        if local(user).startswith("authdisabled"):
            stats["auth_failed"] += 1; write_stats()
            return AuthResult(success=False, handled=False, message="535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [TEST.local]")
        accepted = []
        if args.tokens and os.path.exists(args.tokens):
            with open(args.tokens) as f:
                accepted = [line.strip() for line in f if line.strip()]
        if not bearer.startswith("Bearer ") or bearer[len("Bearer "):] not in accepted:
            stats["auth_failed"] += 1; write_stats()
            return AuthResult(success=False, handled=False, message="535 5.7.3 Authentication unsuccessful [TEST.local 2026-11-29T06:00:00.000Z 08DC]")
        stats["auth_ok"] += 1; write_stats()
        return AuthResult(success=True, auth_data=user)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        who = local(address)
        if who.startswith("sendas-denied"):
            return "550 5.7.60 SMTP; Client does not have permissions to send as this sender [TEST.local]"
        if who.startswith("concurrency"):
            return "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=TEST.local]"
        if who.startswith("tenantblocked"):
            return "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP."
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 Sender OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        who = local(address)
        if who.startswith("refused"):
            return "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"
        if who.startswith("later"):
            return "451 4.3.0 Recipient temporarily unavailable"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Recipient OK"

    async def handle_DATA(self, server, session, envelope):
        who = local(envelope.mail_from)
        if who.startswith("slow"):
            await asyncio.sleep(0.4)
        if who.startswith("sendas-data"):
            return "554 5.2.252 SendAsDenied; test@example.com not allowed to send as other@example.com; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied"
        if who.startswith("quota"):
            return "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception"
        if who.startswith("permanent"):
            return "554 5.6.0 Message content rejected"
        raw = envelope.original_content
        counter[0] += 1
        base = os.path.join(args.dir, "%06d" % counter[0])
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        body = message.get_body(("plain",))
        info = {
            "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
            "subject": str(message["subject"]), "body": body.get_content() if body else None,
            "header_names": [name for name, _ in message.items()],
            "message_id": str(message["message-id"]), "authenticated_as": session.auth_data,
        }
        with open(base + ".tmp", "w") as f:
            json.dump(info, f)
        os.replace(base + ".tmp", base + ".json")
        stats["messages"] += 1; write_stats()
        return "250 2.6.0 <%s> Queued mail for delivery" % info["message_id"].strip("<>")


def blackhole():
    server = socket.socket()
    server.bind(("127.0.0.1", args.port))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(8):       # fill the accept queue; later SYNs are dropped, so connects hang
        s = socket.socket(); s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(s)
    print("PORT %d" % port, flush=True)
    exit_when_stdin_closes()


def main():
    if args.blackhole:
        return blackhole()
    os.makedirs(args.dir, exist_ok=True)
    context = None
    if not args.no_tls:
        certdir = args.certdir or args.dir
        os.makedirs(certdir, exist_ok=True)
        make_certs(certdir)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(os.path.join(certdir, "server.pem"), os.path.join(certdir, "server.key"))
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Handler()

    def factory():
        return ExchangeLike(handler, hostname="TEST.local", ident="Microsoft ESMTP MAIL Service (secretwatch test stand-in)",
                            tls_context=None if args.implicit else context,
                            require_starttls=context is not None and not args.implicit,
                            auth_require_tls=not args.implicit, auth_required=False,
                            auth_exclude_mechanism=["LOGIN", "PLAIN"], loop=loop)
    server = loop.run_until_complete(loop.create_server(
        factory, host="127.0.0.1", port=args.port, ssl=context if args.implicit else None))
    write_stats()
    print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    loop.run_forever()


main()
