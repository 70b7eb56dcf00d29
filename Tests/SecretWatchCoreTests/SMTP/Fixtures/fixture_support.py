"""What the Python peers of the mail tests share: a throwaway PKI and an exit tied to the test process.

Each peer script imports it from its own folder (Python puts a script's folder first on sys.path)."""
import os, subprocess, sys


def make_certs(d, ca_name="secretwatch test CA"):
    """A throwaway CA (ca.pem) and a server certificate (server.pem, server.key) for localhost / 127.0.0.1, EC keys
    (fast), valid 397 days (beyond every expiry threshold: no endpoint_certificate_expiring in tests that do not
    ask for it); kept when the folder already has them."""
    if os.path.exists(os.path.join(d, "server.pem")):
        return
    def run(*cmd):
        subprocess.run(cmd, check=True, cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("openssl", "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "397", "-subj", "/CN=" + ca_name)
    run("openssl", "req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "397", "-extfile", "ext.cnf")


def exit_when_stdin_closes():
    """Blocks until the test process closes our stdin (or dies), then exits at once: no peer outlives its test."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)
