#!/usr/bin/env bash
# make bench-metrics: /metrics of secretwatch with 1,000 watched credentials against the same bytes served by
# prometheus-node-exporter (textfile collector) and by nginx (static, plain and pre-gzipped), in one run,
# with wrk -t2 -c32. Loopback only; every server is started here and stopped on exit.
# Knobs: DURATION (default 10s per measurement), ROUNDS (default 3; the table shows medians), CREDENTIALS (1000).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

# The two reference servers (and wrk) are for the benchmark only, so they are installed here, not by install-deps.sh.
need=()
for p in nginx prometheus-node-exporter wrk curl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${need[*]}"
  # Keep the packages' own services from starting (policy-rc.d), and stop them if systemd started them anyway.
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
  if [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now nginx prometheus-node-exporter >/dev/null 2>&1 || true
  fi
fi

# A release build: the benchmark measures what ships, not a debug build.
swift build -c release --static-swift-stdlib --product secretwatch-bench
exec python3 bench/bench_metrics.py .build/release/secretwatch-bench
