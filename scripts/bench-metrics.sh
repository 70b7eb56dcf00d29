#!/usr/bin/env bash
# make bench-metrics: /metrics of secretwatch with 1,000 watched credentials against the same bytes served by
# prometheus-node-exporter (textfile collector) and by nginx (static, plain and pre-gzipped), in one run,
# with wrk -t2 -c32. Loopback only; every server is started here and stopped on exit.
# Knobs: DURATION (default 10s per measurement), ROUNDS (default 3; the table shows medians), CREDENTIALS (1000).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

# The two reference servers and wrk: installed (and their services stopped only when installed just now) by
# install-deps.sh's bench mode.
scripts/install-deps.sh bench

# A release build: the benchmark measures what ships, not a debug build.
swift build -c release --static-swift-stdlib --product secretwatch-bench
exec python3 bench/bench_metrics.py .build/release/secretwatch-bench
