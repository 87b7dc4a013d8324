#!/usr/bin/env bash
# scripts/dev.sh: the newcomer's entry point on a fresh Debian 12 machine.
#
#   scripts/dev.sh demo    install what is needed, build, run the demo
#   scripts/dev.sh test    install what is needed, build, run every test
#   scripts/dev.sh deps    only install the Debian packages
#
# Installing packages needs root (run it with sudo); the rest does not.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
	build-essential pkg-config clang libclang-rt-14-dev
	libetpan-dev libical-dev libconfig-dev libsqlite3-dev libgnutls28-dev libsasl2-modules
	sqlite3 gnutls-bin openssl dovecot-imapd dovecot-core
	todoman vdirsyncer radicale python3 python3-icalendar
	valgrind systemd binutils procps curl chromium
)

deps() {
	local missing=()
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "installing: ${missing[*]}"
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
	# Debian starts a system-wide Dovecot on install; kith's tests run their own.
	$sudo systemctl disable --now dovecot >/dev/null 2>&1 || true
}

case "${1:-}" in
deps) deps ;;
demo) deps; make -j2 all; make demo ;;
test) deps; make -j2 check ;;
*) echo "usage: $0 demo|test|deps" >&2; exit 2 ;;
esac
