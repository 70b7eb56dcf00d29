#!/usr/bin/env bash
# Delivery figures for the mailer: queues N mails (default 1000, two recipients each, ~600 bytes) and delivers
# them through secretwatch's outbox (libcurl, STARTTLS, XOAUTH2 with a 2 KB token) to the local aiosmtpd
# stand-in, with the rate cap off. Prints mails/s, token requests and the server's connection count.
#   scripts/bench-mail.sh [COUNT] [CONCURRENCY] [--certificate-info]
# (--certificate-info: record the server's chain on every session, as the daemon does.)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000}
concurrency=${2:-3}
export PATH="/opt/swift/usr/bin:$PATH"
swift build --product mail-bench >/dev/null
work=$(mktemp -d)
trap 'exec 3>&-; wait 2>/dev/null; rm -rf "$work"' EXIT
# A realistic bearer (Entra tokens are 1.5–2.5 KB): libcurl sends it in the two-step AUTH form.
head -c 1500 /dev/urandom | base64 -w0 | tr '+/' '-_' > "$work/token"; echo >> "$work/token"
mkfifo "$work/stdin"
/usr/bin/python3 Tests/SecretWatchCoreTests/SMTP/Fixtures/smtp_server.py --dir "$work/mail" --certdir "$work/certs" \
  --tokens "$work/token" --stats "$work/stats.json" < "$work/stdin" > "$work/port" 2>"$work/server.log" &
exec 3>"$work/stdin"   # the server exits when this closes
for _ in $(seq 100); do grep -q PORT "$work/port" 2>/dev/null && break; sleep 0.1; done
port=$(awk '{print $2}' "$work/port")
bench=.build/debug/mail-bench
"$bench" --db "$work/bench.db" --port "$port" --ca "$work/certs/ca.pem" --token-file "$work/token" --enqueue "$count"
"$bench" --db "$work/bench.db" --port "$port" --ca "$work/certs/ca.pem" --token-file "$work/token" --deliver \
  --concurrency "$concurrency" --rate 0 ${3:+"$3"}
echo "server: $(cat "$work/stats.json")"
echo "received files: $(ls "$work/mail" | grep -c '\.eml$')"
