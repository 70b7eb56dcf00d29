#!/usr/bin/env bash
# Installs the Debian packages secretwatch builds and tests with, only those missing.
# Used by `make run`, `make test` and CI. Needs root or sudo for apt-get.
set -euo pipefail

packages=(
  libcurl4-openssl-dev libssl-dev libsqlite3-dev libmicrohttpd-dev   # the C libraries
  zlib1g-dev                                                         # gzip for /metrics
  pkg-config openssl sqlite3 curl                                    # build and inspection tools (openssl also makes the crypto tests' keys)
  python3-aiosmtpd                                                   # real SMTP peer for the mail tests
  dovecot-core dovecot-submissiond                                   # a real RFC 7628 XOAUTH2 server for the mail tests
  prometheus                                                         # promtool + a real Prometheus for the HTTP tests
  wrk                                                                # load generator for make bench
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
# Some packages start a system service when installed (prometheus on :9090, dovecot on the mail ports);
# secretwatch's tests run their own instances. Stop and disable such a service only when this run installed
# its package: a service the machine already had is left alone.
service_of() {
  case "$1" in
    prometheus) echo prometheus ;;
    dovecot-core) echo dovecot ;;
  esac
}
for p in "${missing[@]}"; do
  service=$(service_of "$p")
  [ -n "$service" ] || continue
  if [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now "$service.service" >/dev/null 2>&1 || true
    $sudo systemctl disable --now "$service.socket" >/dev/null 2>&1 || true
  elif [ -x "/etc/init.d/$service" ]; then
    $sudo service "$service" stop >/dev/null 2>&1 || true
    $sudo update-rc.d "$service" disable >/dev/null 2>&1 || true
  fi
done
command -v swift >/dev/null || { echo "swift is not on PATH: install Swift 6.x (https://swift.org/install) first" >&2; exit 1; }
