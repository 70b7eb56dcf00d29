#!/usr/bin/env bash
# The SMTP failure matrix as secretwatch observes it: every case run against local stand-ins (aiosmtpd with
# STARTTLS + XOAUTH2, one without STARTTLS, a socket whose backlog is full, a proxy that answers 407, a closed
# port). Prints a Markdown table: outcome, reason, SMTP code, enhanced code, token requests, reply, message.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
swift build --product mail-bench >/dev/null
work=$(mktemp -d)
fixtures=Tests/SecretWatchCoreTests/SMTP/Fixtures
echo "matrix-token-accepted-0001" > "$work/token"
fds=()
start() { # name script args... — runs in this shell so the stdin pipe stays open
  local name=$1 script=$2 fd; shift 2
  mkfifo "$work/$name.in"
  /usr/bin/python3 "$fixtures/$script" "$@" < "$work/$name.in" > "$work/$name.port" 2>/dev/null &
  exec {fd}>"$work/$name.in"
  fds+=("$fd")
  for _ in $(seq 100); do grep -q PORT "$work/$name.port" 2>/dev/null && break; sleep 0.1; done
}
port() { awk '{print $2}' "$work/$1.port"; }
start smtp smtp_server.py --dir "$work/mail" --certdir "$work/certs" --tokens "$work/token"
start notls smtp_server.py --dir "$work/mail2" --no-tls
start hole smtp_server.py --blackhole
start proxy connect_proxy.py --deny
smtp=$(port smtp); notls=$(port notls); hole=$(port hole); proxy=$(port proxy)
closed=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
.build/debug/mail-bench --matrix "$smtp,$notls,$hole,$proxy,$closed" --ca "$work/certs/ca.pem" --token-file "$work/token" 2>/dev/null
# Closing the stdin pipes stops the stand-ins.
for fd in "${fds[@]}"; do eval "exec $fd>&-"; done
wait
rm -rf "$work"
