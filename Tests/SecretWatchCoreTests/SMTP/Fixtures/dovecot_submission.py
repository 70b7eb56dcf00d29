#!/usr/bin/python3
"""Dovecot's submission service as a real RFC 7628 XOAUTH2 peer for secretwatch's mail tests.

Run with Debian's /usr/bin/python3 (it sees python3-aiosmtpd), as root, with the Debian packages dovecot-core
and dovecot-submissiond installed. Everything lives under --dir (made if missing):

  certs/    a throwaway CA (ca.pem) and a certificate for localhost / 127.0.0.1 (openssl CLI, EC keys)
  keys/     the HS256 key as Dovecot's fs dict wants it (keys/default/HS256/default, base64)
  hs256.key the same key, base64, for minting tokens (`--mint`); other.key: a key Dovecot does not know
  run/, state/  Dovecot's base_dir and state_dir; dovecot.conf, dovecot.log: its configuration and log
  sink/     every message Dovecot relayed: NNNNNN.eml (raw) then NNNNNN.json (envelope, subject, Message-ID)

Dovecot listens on 127.0.0.1 (a free port it is given), offers STARTTLS, XOAUTH2 and OAUTHBEARER, and
validates bearer tokens locally as HS256 JWTs (`sub` must be the mailbox, `aud` the client id below, `exp` in
the future; a refused token gets RFC 7628's `334 <base64 JSON>` challenge). Dovecot counts a connection whose
remote and local addresses are equal as secured, so on 127.0.0.1 it offers AUTH before STARTTLS too (a client
that requires TLS starts it first anyway). Accepted mail is relayed in plain SMTP to an aiosmtpd sink in this
process.
Prints "PORT <n>" once Dovecot accepts connections, and stops Dovecot and exits when its stdin closes (or
when it gets SIGTERM); Dovecot also gets SIGTERM if this process dies (PR_SET_PDEATHSIG).

--mint: prints one JWT for --sub (with --exp-in seconds, negative for an expired one), signed with the key in
--key-file (base64), and exits.
"""
import argparse, base64, ctypes, email, email.policy, hashlib, hmac, json, os, secrets, signal, socket, subprocess, sys, threading, time
from fixture_support import make_certs

AUDIENCE = "secretwatch-tests"
SCOPE = "mail"

p = argparse.ArgumentParser()
p.add_argument("--dir")
p.add_argument("--mint", action="store_true")
p.add_argument("--key-file")
p.add_argument("--sub")
p.add_argument("--exp-in", type=int, default=3600)
p.add_argument("--aud", default=AUDIENCE)
args = p.parse_args()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(key, sub, exp_in, aud):
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    exp = now + exp_in
    claims = {"sub": sub, "aud": aud, "iat": min(now, exp) - 60, "exp": exp, "scope": SCOPE}
    signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + \
        b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(signature)


if args.mint:
    with open(args.key_file) as f:
        key = base64.b64decode(f.read().strip())
    print(mint(key, args.sub, args.exp_in, args.aud))
    sys.exit(0)

from aiosmtpd.smtp import SMTP
import asyncio

DOVECOT = "/usr/sbin/dovecot"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CONFIG = """\
# Written by dovecot_submission.py for one test run; nothing here reads /etc/dovecot.
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
instance_name = secretwatch-test-{port}
protocols = submission
listen = 127.0.0.1
hostname = dovecot.secretwatch.invalid
postmaster_address = postmaster@secretwatch.invalid
ssl = required
ssl_cert = <{d}/certs/server.pem
ssl_key = <{d}/certs/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = xoauth2 oauthbearer
auth_verbose = yes
# Dovecot waits 2 s before answering a failed AUTH; the tests see the same answer without the wait.
auth_failure_delay = 0
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {d}/dovecot-oauth2.conf.ext
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={d}/home/%n
}}
mail_location = maildir:~/Maildir
submission_relay_host = 127.0.0.1
submission_relay_port = {sink}
submission_relay_trusted = yes
service submission-login {{
  inet_listener submission {{
    address = 127.0.0.1
    port = {port}
  }}
}}
"""

OAUTH2 = """\
introspection_mode = local
local_validation_key_dict = fs:posix:prefix={d}/keys/
username_attribute = sub
client_id = {aud}
scope = {scope}
"""


class Sink:
    """Plain SMTP on 127.0.0.1 that writes each message it gets (Dovecot's relay) to a folder."""
    def __init__(self, folder):
        self.folder = folder
        self.counter = 0

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content
        self.counter += 1
        base = os.path.join(self.folder, "%06d" % self.counter)
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        info = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "subject": str(message["subject"]),
                "message_id": str(message["message-id"])}
        with open(base + ".tmp", "w") as f:
            json.dump(info, f)
        os.replace(base + ".tmp", base + ".json")
        return "250 Ok: queued as %06d" % self.counter


def start_sink(folder):
    loop = asyncio.new_event_loop()
    handler = Sink(folder)
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, hostname="sink.secretwatch.invalid", loop=loop), host="127.0.0.1", port=0))
    threading.Thread(target=loop.run_forever, daemon=True).start()
    return server.sockets[0].getsockname()[1]


def die_with_parent():
    """Runs in the Dovecot child before exec: SIGTERM to it when this process dies, however it dies."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG


def start_dovecot(d, sink_port):
    """Starts Dovecot on a free port; tries another port if the one picked was taken meanwhile."""
    for _ in range(5):
        port = free_port()
        conf = os.path.join(d, "dovecot.conf")
        with open(conf, "w") as f:
            f.write(CONFIG.format(d=d, port=port, sink=sink_port))
        log = open(os.path.join(d, "dovecot.stderr"), "ab")
        process = subprocess.Popen([DOVECOT, "-F", "-c", conf], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                   preexec_fn=die_with_parent)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return process, port
            except OSError:
                time.sleep(0.02)
        if process.poll() is None:
            process.terminate(); process.wait()
            sys.exit("dovecot did not listen on port %d within 20 s; see %s/dovecot.log" % (port, d))
        with open(os.path.join(d, "dovecot.log"), "a") as f:
            f.write("[dovecot_submission.py] dovecot exited with %d on port %d\n" % (process.returncode, port))
    with open(os.path.join(d, "dovecot.log"), errors="replace") as f:
        tail = f.read()[-2000:]
    sys.exit("dovecot did not start:\n" + tail)


def main():
    # A Swift test process starts this with nearly every signal blocked; Dovecot inherits the mask, and its
    # master then never sees SIGTERM (nor SIGCHLD). Start from an empty mask.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    if os.geteuid() != 0:
        sys.exit("dovecot_submission.py must run as root (Dovecot drops to its users dovecot and dovenull)")
    if not os.access(DOVECOT, os.X_OK):
        sys.exit("%s is missing: run scripts/install-deps.sh (Debian packages dovecot-core, dovecot-submissiond)" % DOVECOT)
    d = os.path.abspath(args.dir)
    for sub in ("certs", "keys/default/HS256", "run", "state", "sink", "home"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    # Dovecot's unprivileged processes (auth as `dovecot`, logins as `dovenull`) must reach base_dir and the key.
    for path in (d, os.path.join(d, "keys"), os.path.join(d, "keys/default"), os.path.join(d, "keys/default/HS256")):
        os.chmod(path, 0o755)
    os.chmod(os.path.join(d, "home"), 0o1777)   # the submission process runs as nobody and makes its home
    make_certs(os.path.join(d, "certs"))
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    for path in (os.path.join(d, "keys/default/HS256/default"), os.path.join(d, "hs256.key")):
        with open(path, "w") as f:
            f.write(key)
        os.chmod(path, 0o644)
    with open(os.path.join(d, "other.key"), "w") as f:    # for tokens Dovecot must refuse
        f.write(base64.b64encode(secrets.token_bytes(32)).decode())
    with open(os.path.join(d, "dovecot-oauth2.conf.ext"), "w") as f:
        f.write(OAUTH2.format(d=d, aud=AUDIENCE, scope=SCOPE))
    sink_port = start_sink(os.path.join(d, "sink"))
    process, port = start_dovecot(d, sink_port)

    def stop(*_):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill(); process.wait()
        os._exit(0)
    signal.signal(signal.SIGTERM, stop)
    print("PORT %d" % port, flush=True)
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        stop()


main()
