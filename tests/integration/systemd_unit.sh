#!/usr/bin/env bash
# systemd_unit: systemd/kithd.service is a valid user unit, its sandbox
# scores an exposure of at most 1.5 in `systemd-analyze security`, and it
# keeps the settings the daemon relies on.
. "$KITH_TOP/tests/lib/common.sh"

kt_need_tools systemd-analyze
T=$(kt_tmpdir)
src=$KITH_TOP/systemd/kithd.service
# verify wants ExecStart's binary to exist: point @BINDIR@ at the build.
bindir=$KITH_BUILD
[ -x "$bindir/kithd" ] || bindir=/bin   # any real folder with executables
mkdir -p "$T/unit"
sed "s|@BINDIR@|$bindir|g" "$src" >"$T/unit/kithd.service"
[ -x "$bindir/kithd" ] || sed -i "s|^ExecStart=.*|ExecStart=/bin/true|" "$T/unit/kithd.service"
kt_eq "ExecStart uses @BINDIR@" 1 "$(grep -c '^ExecStart=@BINDIR@/kithd$' "$src")"

out=$(systemd-analyze verify --man=no "$T/unit/kithd.service" 2>&1); rc=$?
kt_eq "systemd-analyze verify" 0 "$rc"
[ -n "$out" ] && echo "$out" | sed 's/^/    verify: /'
# The Documentation= pages resolve against our own man pages.
mkdir -p "$T/man/man5" "$T/man/man8"
cp "$KITH_TOP/docs/kith.conf.5" "$T/man/man5/" && cp "$KITH_TOP/docs/kithd.8" "$T/man/man8/"
out=$(MANPATH=$T/man systemd-analyze verify "$T/unit/kithd.service" 2>&1); rc=$?
kt_eq "verify with Documentation= man pages" 0 "$rc"

out=$(systemd-analyze security --offline=yes --no-pager "$T/unit/kithd.service" 2>&1)
score=$(echo "$out" | sed -n 's/.*Overall exposure level for kithd.service: \([0-9.]*\).*/\1/p')
echo "  exposure: $score"
echo "$out" | grep -E '^✗' | sed 's/^/    /'
kt_ne "an exposure score" "" "$score"
kt_true "exposure $score <= 1.5" awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 1.5) }'

# What kithd and its users rely on.
for want in Type=notify NotifyAccess=main RestartPreventExitStatus=78 Restart=on-failure \
	'ExecReload=/bin/kill -HUP $MAINPID' StateDirectory=kith RuntimeDirectory=kith \
	RuntimeDirectoryMode=0700 UMask=0077 PrivateUsers=yes NoNewPrivileges=yes \
	'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' LimitCORE=0; do
	kt_eq "unit has $want" 1 "$(grep -cxF -- "$want" "$src")"
done
kt_eq "unit has WatchdogSec=" 1 "$(grep -c '^WatchdogSec=[0-9]' "$src")"
kt_eq "unit has LimitAS=" 1 "$(grep -c '^LimitAS=[0-9]' "$src")"
kt_done
