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
	mailutils-imap4d cyrus-common courier-base courier-authlib-userdb sasl2-bin
	todoman vdirsyncer radicale python3 python3-icalendar
	valgrind systemd binutils procps curl chromium
)

# Debian's cyrus-imapd and courier-imap conflict with every other IMAP
# server package (dovecot-imapd among them): the tests run them unpacked
# from their packages, never installed (tests/lib/cyrus.sh, courier.sh).
TEST_SERVERS=${KITH_TEST_SERVERS:-/opt/kith-test-servers}
CONFLICTING=(cyrus-imapd courier-imap)

unpack_conflicting() {
	local p tmp
	for p in "${CONFLICTING[@]}"; do
		[ -d "$TEST_SERVERS/$p/usr" ] && continue
		tmp=$(mktemp -d)
		(cd "$tmp" && apt-get download -q "$p") || { rm -rf "$tmp"; return 1; }
		mkdir -p "$TEST_SERVERS/$p"
		dpkg-deb -x "$tmp"/"$p"_*.deb "$TEST_SERVERS/$p"
		rm -rf "$tmp"
	done
}

install_missing() { # sudo-prefix
	local missing=() p svc
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "installing: ${missing[*]}"
	$1 apt-get update -q
	DEBIAN_FRONTEND=noninteractive $1 apt-get install -y -q --no-install-recommends "${missing[@]}"
	# Debian starts system-wide daemons on install (Dovecot; exim4, the MTA
	# Cyrus and Courier depend on; Cyrus; Courier's authdaemond; saslauthd):
	# kith's tests run their own, privately.
	for svc in dovecot exim4 cyrus-imapd courier-authdaemon saslauthd; do
		$1 systemctl disable --now "$svc" >/dev/null 2>&1 || true
	done
}

deps() {
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	install_missing "$sudo"
	$sudo env TEST_SERVERS="$TEST_SERVERS" bash -c \
		"$(declare -f unpack_conflicting); CONFLICTING=(${CONFLICTING[*]}); unpack_conflicting"
}

case "${1:-}" in
deps) deps ;;
demo) deps; make -j2 all; make demo ;;
test) deps; make -j2 check ;;
*) echo "usage: $0 demo|test|deps" >&2; exit 2 ;;
esac
