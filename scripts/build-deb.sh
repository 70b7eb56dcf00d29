#!/usr/bin/env bash
# Builds the secretwatch Debian package with dpkg-deb from an already built binary (make deb passes the release
# build). docs/packaging.md says what the package holds and why.
#
#   scripts/build-deb.sh --binary PATH [--output DIR] [--compression xz|gzip|zstd] [--allow-unpackaged-libraries]
#
# --allow-unpackaged-libraries: a library the binary needs that no Debian package provides (the Swift runtime of
#   a build without --static-swift-stdlib) is left out of Depends with a warning instead of failing. Such a
#   package only runs where that library is installed: for the package test, which packages the debug build.
# Prints the path of the .deb on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=""
output=.build/deb
compression=xz
allow_unpackaged=false
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    --compression)
      case "$2" in xz|gzip|zstd) compression=$2 ;; *) echo "build-deb: --compression is xz, gzip or zstd; got $2" >&2; exit 2 ;; esac
      shift 2 ;;
    --allow-unpackaged-libraries) allow_unpackaged=true; shift ;;
    *) echo "usage: $0 --binary PATH [--output DIR] [--compression xz|gzip|zstd] [--allow-unpackaged-libraries]" >&2; exit 2 ;;
  esac
done
[ -n "$binary" ] || { echo "build-deb: --binary PATH is required (make deb passes .build/release/secretwatch)" >&2; exit 2; }
[ -x "$binary" ] || { echo "build-deb: $binary is not an executable; build it first (make release)" >&2; exit 1; }
for tool in dpkg-deb dpkg-query strip readelf ldd gzip /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "build-deb: $tool is missing: scripts/install-deps.sh deb" >&2; exit 1; }
done

umask 022
work=$(mktemp -d "${TMPDIR:-/tmp}/secretwatch-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
doc=$root/usr/share/doc/secretwatch

# The binary, stripped the way dh_strip does (the debug build too: the symbols are most of its size).
install -D -m 0755 "$binary" "$root/usr/bin/secretwatch"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/secretwatch"
bin=$root/usr/bin/secretwatch
version=$("$bin" --version)
arch=$(dpkg --print-architecture)
# Reproducible dates: the last commit's, unless SOURCE_DATE_EPOCH says otherwise.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
maintainer=${DEB_MAINTAINER:-secretwatch maintainers <secretwatch@users.noreply.github.com>}

# The unit from deploy/, pointed at the packaged binary.
install -D -m 0644 deploy/secretwatch.service "$root/lib/systemd/system/secretwatch.service"
sed -i 's#/usr/local/bin/secretwatch#/usr/bin/secretwatch#g' "$root/lib/systemd/system/secretwatch.service"

# Documentation: README (the unit's Documentation=), docs/, the example configuration, the alert rules and the
# dashboard; copyright and changelog as Debian wants them.
install -D -m 0644 README.md "$doc/README.md"
for f in docs/*.md; do install -D -m 0644 "$f" "$doc/$f"; done
install -D -m 0644 examples/secretwatch.yml "$doc/examples/secretwatch.yml"
install -D -m 0644 alerts/secretwatch.rules.yml "$doc/examples/prometheus/secretwatch.rules.yml"
install -D -m 0644 dashboards/secretwatch.json "$doc/examples/grafana/secretwatch.json"
cat > "$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: secretwatch

Files: *
Copyright: $(date -u -d "@$epoch" +%Y) secretwatch contributors
License: Apache-2.0

License: Apache-2.0
 Licensed under the Apache License, Version 2.0 (the "License"); you may not use
 this file except in compliance with the License. You may obtain a copy of the
 License at http://www.apache.org/licenses/LICENSE-2.0
 .
 Unless required by applicable law or agreed to in writing, software distributed
 under the License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR
 CONDITIONS OF ANY KIND, either express or implied. See the License for the
 specific language governing permissions and limitations under the License.
 .
 On Debian systems, the complete text of the Apache License, Version 2.0 can be
 found in /usr/share/common-licenses/Apache-2.0.
EOF
chmod 0644 "$doc/copyright"
{
  echo "secretwatch ($version) unstable; urgency=medium"
  echo
  echo "  * secretwatch $version."
  echo
  echo " -- $maintainer  $(LC_ALL=C date -u -R -d "@$epoch")"
} | gzip -9n > "$doc/changelog.gz"

# The man page, from the argument parser's own description of every command; shell completions, from the
# argument parser too.
"$bin" --experimental-dump-help \
  | /usr/bin/python3 scripts/manpage.py --version "$version" --date "$(date -u -d "@$epoch" +%Y-%m-%d)" \
  | gzip -9n > "$work/secretwatch.1.gz"
install -D -m 0644 "$work/secretwatch.1.gz" "$root/usr/share/man/man1/secretwatch.1.gz"
mkdir -p "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
  "$root/usr/share/fish/vendor_completions.d"
# (bash-completion sources its files: no #! line.)
"$bin" --generate-completion-script bash | sed '1{/^#!/d}' > "$root/usr/share/bash-completion/completions/secretwatch"
"$bin" --generate-completion-script zsh > "$root/usr/share/zsh/vendor-completions/_secretwatch"
"$bin" --generate-completion-script fish > "$root/usr/share/fish/vendor_completions.d/secretwatch.fish"

# Depends: the Debian package of every library the binary names (DT_NEEDED), found where the dynamic linker
# finds it (ldd) and looked up in dpkg's database, plus adduser for postinst.
package_of() {
  local path=$1 candidate owner
  for candidate in "$path" "$(readlink -f "$path")" "${path#/usr}" "/usr$path"; do
    owner=$(dpkg-query -S "$candidate" 2>/dev/null | grep -v '^diversion' | head -1 | cut -d: -f1) || true
    if [ -n "$owner" ]; then echo "${owner%%,*}"; return 0; fi
  done
  return 1
}
depends=(adduser)
ldd_output=$(ldd "$bin")
for soname in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]/\1/p'); do
  # "libfoo.so.1 => /path (addr)", or for the dynamic linker "/path/ld-linux….so.2 (addr)".
  path=$(awk -v so="$soname" '$1 == so && $2 == "=>" { print $3; exit }
    substr($1, length($1) - length(so)) == "/" so { print $1; exit }' <<<"$ldd_output")
  if [ -z "$path" ] || [ "$path" = "not" ]; then
    echo "build-deb: $soname is not found by the dynamic linker (ldd $bin)" >&2; exit 1
  fi
  if package=$(package_of "$path"); then
    depends+=("$package")
  elif $allow_unpackaged; then
    echo "build-deb: warning: $soname ($path) belongs to no Debian package; left out of Depends" >&2
  else
    echo "build-deb: $soname ($path) belongs to no Debian package; build with --static-swift-stdlib (make release)" >&2
    exit 1
  fi
done
depends_line=$(printf '%s\n' "${depends[@]}" | sort -u | paste -sd, | sed 's/,/, /g')

mkdir -p "$root/DEBIAN"
install -m 0755 deploy/debian/postinst deploy/debian/prerm deploy/debian/postrm "$root/DEBIAN/"
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<EOF
Package: secretwatch
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends_line
Section: admin
Priority: optional
Description: watch Entra client secrets, OAuth tokens and Exchange Online SMTP
 secretwatch is a small daemon for systems that send mail through Microsoft
 Exchange Online with OAuth 2.0 (SMTP AUTH XOAUTH2 with a client-credentials
 token from Entra ID). It tracks client secret expiry, token health and send
 outcomes in SQLite, raises alarms and mails them through that same path, and
 serves Prometheus metrics and an alarm-history API.
 .
 The service is installed disabled: write /etc/secretwatch/secretwatch.yml
 (example in /usr/share/doc/secretwatch/examples), then
 systemctl enable --now secretwatch.
EOF

(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"
find "$root" -type d -exec chmod 0755 {} +
mkdir -p "$output"
deb="$output/secretwatch_${version}_${arch}.deb"
rm -f "$deb"
SOURCE_DATE_EPOCH=$epoch dpkg-deb --root-owner-group -Z"$compression" --build "$root" "$deb" >/dev/null
echo "$deb"
