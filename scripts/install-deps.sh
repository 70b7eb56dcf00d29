#!/usr/bin/env bash
# Installs the Debian packages one task needs, only those missing, and says for each what it is for.
#
#   scripts/install-deps.sh [--dry-run] MODE
#
#   build  compiling secretwatch: pkg-config and the -dev packages of the C libraries it links
#          (make build, make release)
#   demo   build + the tools the demo's printed commands use (make demo, make run)
#   deb    build + what make deb uses: binutils (strip, readelf) and python3 (the man page)
#   test   deb + the real peers the tests start (aiosmtpd, Dovecot, Prometheus/promtool, Alertmanager/amtool),
#          openssl for the test keys, lintian for the package test (make test, CI)
#   bench  build + the load generator and reference servers of the benchmarks (make bench-*)
#
# --dry-run prints every package of MODE with its state and purpose and installs nothing (no root needed).
# Needs root or sudo for apt-get. A package that starts a system service when installed (prometheus,
# prometheus-alertmanager, dovecot, nginx, node_exporter) has that service stopped and disabled only when this
# run installed the package: a service the machine already had is left alone.
set -euo pipefail

usage() {
  echo "usage: $0 [--dry-run] build|demo|deb|test|bench" >&2
  exit 2
}

dry_run=false
if [ "${1:-}" = "--dry-run" ]; then dry_run=true; shift; fi
[ $# -eq 1 ] || usage
mode=$1

# Each group: "package|why". Modes are unions of groups.
build=(
  "pkg-config|finds the C libraries' flags for swift build"
  "libcurl4-openssl-dev|libcurl: token requests, Microsoft Graph, SMTP"
  "libssl-dev|libcrypto: certificate credentials, client assertions"
  "libsqlite3-dev|SQLite: the database"
  "libmicrohttpd-dev|libmicrohttpd: /metrics, /healthz and the API"
  "zlib1g-dev|zlib: gzip for /metrics"
  "libyaml-dev|libyaml: reads the YAML configuration"
)
demo=(
  "curl|the curl lines the demo prints"
  "sqlite3|inspecting a database by hand (docs/troubleshooting.md)"
)
deb=(
  "binutils|strip and readelf for make deb"
  "python3|turns secretwatch's --experimental-dump-help into the man page"
)
test=(
  "openssl|makes the crypto tests' throwaway keys and certificates"
  "python3-aiosmtpd|a real SMTP peer for the mail tests"
  "dovecot-core|a real RFC 7628 XOAUTH2 server for the mail tests"
  "dovecot-submissiond|Dovecot's submission service for the mail tests"
  "prometheus|promtool and a real Prometheus for the rule and scrape tests"
  "prometheus-alertmanager|a real Alertmanager and amtool sending webhooks to the relay tests"
  "lintian|checks the package make deb builds (package test)"
)
bench=(
  "curl|the plain-curl baselines of make bench-mail"
  "openssl|the throwaway keys of make bench-crypto"
  "python3-aiosmtpd|the SMTP peer of make bench-mail"
  "wrk|load generator of make bench-metrics"
  "nginx|reference server of make bench-metrics"
  "prometheus-node-exporter|reference server of make bench-metrics (textfile collector)"
)

case "$mode" in
  build) wanted=("${build[@]}") ;;
  demo)  wanted=("${build[@]}" "${demo[@]}") ;;
  deb)   wanted=("${build[@]}" "${deb[@]}") ;;
  test)  wanted=("${build[@]}" "${deb[@]}" "${test[@]}") ;;
  bench) wanted=("${build[@]}" "${bench[@]}") ;;
  *) usage ;;
esac

# The system service a package starts when installed, if any.
service_of() {
  case "$1" in
    prometheus) echo prometheus ;;
    prometheus-alertmanager) echo prometheus-alertmanager ;;
    dovecot-core) echo dovecot ;;
    nginx) echo nginx ;;
    prometheus-node-exporter) echo prometheus-node-exporter ;;
  esac
}

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for entry in "${wanted[@]}"; do
  package=${entry%%|*}
  why=${entry#*|}
  if installed "$package"; then
    $dry_run && printf '%-26s present         %s\n' "$package" "$why"
  else
    missing+=("$package")
    if $dry_run; then
      printf '%-26s would install   %s\n' "$package" "$why"
    else
      printf 'install-deps (%s): installing %s — %s\n' "$mode" "$package" "$why"
    fi
  fi
done

if $dry_run; then
  for package in "${missing[@]}"; do
    service=$(service_of "$package")
    [ -z "$service" ] || echo "would stop and disable $service.service after installing $package (this run installs it)"
  done
  exit 0
fi

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
  # secretwatch's tests and benchmarks run their own instances of these servers. Only the services of the
  # packages installed just now are stopped: `missing` holds exactly those.
  for package in "${missing[@]}"; do
    service=$(service_of "$package")
    [ -n "$service" ] || continue
    echo "install-deps ($mode): stopping and disabling $service, which installing $package started"
    if [ -d /run/systemd/system ]; then
      $sudo systemctl disable --now "$service.service" >/dev/null 2>&1 || true
      $sudo systemctl disable --now "$service.socket" >/dev/null 2>&1 || true
    elif [ -x "/etc/init.d/$service" ]; then
      $sudo service "$service" stop >/dev/null 2>&1 || true
      $sudo update-rc.d "$service" disable >/dev/null 2>&1 || true
    fi
  done
fi
command -v swift >/dev/null || { echo "swift is not on PATH: install Swift 6.x (https://swift.org/install) first" >&2; exit 1; }
