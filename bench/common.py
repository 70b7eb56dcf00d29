"""Shared by the benchmark drivers: the stand-ins process, a daemon configuration, /proc readings."""
import json, os, signal, socket, ssl, subprocess, tempfile, time, urllib.parse, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("SECRETWATCH_BUILD", os.path.join(ROOT, ".build/release"))
TENANT = "8f3e2a10-6b7c-4d2e-9a1b-0c5d4e3f2a10"
CLIENT = "5d3c2b1a-9e8f-4a7b-8c6d-2f1e0d9c8b7a"
SECRET = "bench~Secret.Value"
MAILBOX = "ise-alerts@contoso.example"
ADMIN = "mail-admins@contoso.example"
CLK_TCK = os.sysconf("SC_CLK_TCK")


class StandIns:
    def __init__(self, work):
        self.mail = os.path.join(work, "mail")
        self.proc = subprocess.Popen([os.path.join(BUILD, "secretwatch-standins"), "--secret", SECRET, "--mailbox", MAILBOX,
                                      "--mail-dir", self.mail, "--dir", os.path.join(work, "pki")],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.info = json.loads(self.proc.stdout.readline())
        self.token_url = self.info["token_endpoint"].replace("{tenant}", TENANT)

    def mails(self):
        return len([f for f in os.listdir(self.mail) if f.endswith(".eml")])

    def mail_sizes(self):
        """The accepted mails' sizes in bytes, in the stand-in's order of acceptance."""
        names = sorted(f for f in os.listdir(self.mail) if f.endswith(".eml"))
        return [os.stat(os.path.join(self.mail, f)).st_size for f in names]

    def mail_times(self):
        """The accepted mails' file times (seconds), in the stand-in's order of acceptance (the file-name number)."""
        names = sorted(f for f in os.listdir(self.mail) if f.endswith(".eml"))
        return [os.stat(os.path.join(self.mail, f)).st_mtime_ns / 1e9 for f in names]

    def status(self):
        with urllib.request.urlopen(self.info["control"] + "/status", timeout=10) as r:
            return json.load(r)

    def token(self):
        ctx = ssl.create_default_context(cafile=self.info["ca_file"])
        body = urllib.parse.urlencode({"client_id": CLIENT, "client_secret": SECRET, "grant_type": "client_credentials",
                                       "scope": "https://outlook.office365.com/.default"}).encode()
        with urllib.request.urlopen(urllib.request.Request(self.token_url, data=body), context=ctx, timeout=10) as r:
            return json.load(r)["access_token"]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def wait_for(predicate, timeout, interval=0.01):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK



def binary_sizes(path):
    """The binary's size in bytes as built and stripped into a temporary copy the way the .deb strips it."""
    built = os.path.getsize(path)
    with tempfile.TemporaryDirectory(prefix="secretwatch-strip-") as directory:
        copy = os.path.join(directory, "secretwatch")
        subprocess.run(["strip", "--strip-unneeded", "--remove-section=.comment", "--remove-section=.note",
                        "-o", copy, path], check=True)
        stripped = os.path.getsize(copy)
    return built, stripped


def binary_size_table(path):
    """Lines of a small table: the binary as built and stripped, in bytes and MiB."""
    built, stripped = binary_sizes(path)
    return [f"{'binary':>12} {'bytes':>12} {'MiB':>7}",
            f"{'as built':>12} {built:>12,} {built / 1048576:>7.1f}",
            f"{'stripped':>12} {stripped:>12,} {stripped / 1048576:>7.1f}"]


def status_mib(pid, field):
    """A /proc/PID/status size field (VmRSS, VmHWM) in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def daemon_config(s, work, watched, mailer=(), interval="1h", port=None):
    """A configuration for `secretwatch run` against the stand-ins `s`, watching `watched` = [(name, client_id, expiry)]."""
    now = time.time()
    secret_file = os.path.join(work, "secret")
    with open(secret_file, "w") as f:
        f.write(SECRET + "\n")
    os.chmod(secret_file, 0o600)
    lines = [f"database: {work}/sw.db", "log_level: warning", "http:", f"  listen: 127.0.0.1:{port or free_port()}",
             "scheduler:", f"  interval: {interval}", "smtp:", f"  host: {s.info['smtp_host']}", f"  port: {s.info['smtp_port']}",
             f"  ca_file: {s.info['ca_file']}", "  auth:", f"    mailbox: {MAILBOX}", f"    tenant_id: {TENANT}", f"    client_id: {CLIENT}",
             f"    client_secret_file: {secret_file}",
             f"    secret_expires: {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(now + 3650 * 86400))}",
             f"    token_endpoint: {s.info['token_endpoint']}", "token:", f"  ca_file: {s.info['ca_file']}", "  proxy: direct",
             "notifications:", f"  to: [{ADMIN}]", "mailer:"] + [f"  {m}" for m in mailer] + ["credentials:" if watched else "credentials: []"]
    for name, client, expires in watched:
        lines += [f"  - name: {name}", f"    tenant_id: {TENANT}", f"    client_id: {client}", f"    secret_expires: {expires}"]
    if not mailer:
        lines.remove("mailer:")
    config = os.path.join(work, "secretwatch.yml")
    with open(config, "w") as f:
        f.write("\n".join(lines) + "\n")
    return config
