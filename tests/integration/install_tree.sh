#!/usr/bin/env bash
# install_tree: `make install DESTDIR=... PREFIX=/usr/local` lays out the
# tree (binaries, the task writer in libexec/kith, man pages kith.1
# kith.conf.5 kithd.8, the user unit with @BINDIR@ substituted, the example
# config, bash completion), the binaries are hardened (PIE, full RELRO,
# stack protector), kithd does not load libical, the installed kithd finds
# its task writer, the installed unit verifies, and `make uninstall`
# removes it all again.
# kith-test: nosan
. "$KITH_TOP/tests/lib/common.sh"

kt_need_tools make readelf install
T=$(kt_tmpdir)
D=$T/root
P=/usr/local

# Inputs another engineer writes: report each one that is missing.
missing=0
for f in docs/kith.1 cli/kith.bash-completion docs/kith.conf.5 docs/kithd.8 \
	 systemd/kithd.service conf/kith.conf.example; do
	if [ -f "$KITH_TOP/$f" ]; then kt__pass "source $f exists"
	else kt__fail "source $f is missing (make install needs it)"; missing=1; fi
done
ign=""; [ $missing = 1 ] && ign=-i   # still check the rest of the tree

# Normal build only (the sanitizer build is not for installing).
out=$(make -C "$KITH_TOP" $ign install DESTDIR="$D" PREFIX=$P 2>&1); rc=$?
[ $rc -eq 0 ] || echo "$out" | tail -20 | sed 's/^/    make: /'
kt_eq "make install" 0 "$rc"

mode() { stat -c %a "$1" 2>/dev/null || echo missing; }
for f in bin/kithd bin/kith libexec/kith/kithd-tasks; do kt_eq "$P/$f mode" 755 "$(mode "$D$P/$f")"; done
# libical (and the ICU it brings) is the task writer's alone
kt_eq "kithd does not load libical" 0 "$(readelf -d "$D$P/bin/kithd" | grep -c 'libical')"
kt_eq "kithd-tasks does" 1 "$(readelf -d "$D$P/libexec/kith/kithd-tasks" | grep -c 'NEEDED.*libical\.')"
for f in share/man/man1/kith.1 share/man/man5/kith.conf.5 share/man/man8/kithd.8 \
	 lib/systemd/user/kithd.service share/doc/kith/kith.conf.example \
	 share/bash-completion/completions/kith; do
	kt_eq "$P/$f mode" 644 "$(mode "$D$P/$f")"
done

unit=$D$P/lib/systemd/user/kithd.service
kt_eq "unit ExecStart points at the installed kithd" 1 \
	"$(grep -cx "ExecStart=$P/bin/kithd" "$unit" 2>/dev/null)"
kt_eq "no @BINDIR@ left in the unit" 0 "$(grep -c '@BINDIR@' "$unit" 2>/dev/null)"
if command -v systemd-analyze >/dev/null; then
	sed "s|^ExecStart=$P/bin/kithd|ExecStart=$D$P/bin/kithd|" "$unit" >"$T/kithd.service"
	kt_true "installed unit verifies" systemd-analyze verify --man=no "$T/kithd.service"
fi
if command -v groff >/dev/null; then
	for m in man1/kith.1 man5/kith.conf.5 man8/kithd.8; do
		[ -f "$D$P/share/man/$m" ] || continue
		w=$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$D$P/share/man/$m" 2>&1)
		kt_eq "groff -ww warnings in $m" "" "$w"
	done
fi
if command -v bash >/dev/null && [ -f "$D$P/share/bash-completion/completions/kith" ]; then
	kt_true "bash completion parses" bash -n "$D$P/share/bash-completion/completions/kith"
fi

# Hardening of each installed binary.
for b in kithd kith kithd-tasks; do
	f=$D$P/bin/$b
	[ "$b" = kithd-tasks ] && f=$D$P/libexec/kith/$b
	[ -f "$f" ] || { kt__fail "$b not installed"; continue; }
	kt_contains "$b is PIE (ELF type DYN)" "DYN" "$(readelf -h "$f" | grep 'Type:')"
	kt_contains "$b has the PIE flag" "PIE" "$(readelf -d "$f" | grep 'FLAGS_1')"
	kt_contains "$b binds now (full RELRO)" "NOW" "$(readelf -d "$f" | grep -E 'BIND_NOW|FLAGS')"
	kt_contains "$b has a GNU_RELRO segment" "GNU_RELRO" "$(readelf -lW "$f")"
	kt_contains "$b uses the stack protector" "__stack_chk_fail" "$(readelf -sW --dyn-syms "$f")"
	kt_contains "$b is fortified" "_chk@" "$(readelf -sW --dyn-syms "$f")"
	kt_eq "$b has no executable stack" "RW" \
		"$(readelf -lW "$f" | awk '$1 == "GNU_STACK" { print $7 }')"
	kt_eq "$b has no RPATH/RUNPATH" 0 "$(readelf -d "$f" | grep -cE 'RPATH|RUNPATH')"
done

# The installed kithd finds its task writer in ../libexec/kith.
printf 'data_dir = "%s/data";\ntasks_dir = "%s/tasks";\nidentities = [ "me@x.example" ];\naccounts = ();\n' \
	"$T" "$T" >"$T/k.conf"
chmod 600 "$T/k.conf"
out=$(env -u KITH_TASKS_HELPER "$D$P/bin/kithd" -c "$T/k.conf" --once 2>&1); rc=$?
kt_eq "installed kithd --once (no accounts)" 0 "$rc"
kt_not_contains "installed kithd found kithd-tasks" "not installed beside kithd" "$out"
kt_eq "the writer made the task folder" 700 "$(mode "$T/tasks")"

out=$(make -C "$KITH_TOP" uninstall DESTDIR="$D" PREFIX=$P 2>&1); rc=$?
kt_eq "make uninstall" 0 "$rc"
left=$(find "$D" -type f -o -type l | sed "s|^$D||")
kt_eq "files left after uninstall" "" "$left"
kt_done
