#!/usr/bin/env bash
# arch_includes: every #include stays inside what docs/architecture.md's
# rooms table allows ("may use"): the CLI never reaches into kithd's rooms,
# lib/ uses libc (and iconv) only, each third-party library is included by
# its adapter only, and lib/ never reads the clock.  The rules below mirror
# that table: change both together.
#
# Then the same check on a copy of the tree with violations planted, so
# that a check that stopped finding anything would fail here.
. "$KITH_TOP/tests/lib/common.sh"

# room: the rooms it may include besides its own and lib/ (room/file.h:
# that one header only).
RULES="
lib      -
util     -
config   -
store    util
analysis config store
source   config store util daemon/log.h
tasks    store util daemon/log.h
daemon   config store analysis util source tasks
cli      config store analysis util
"
# A third-party library's headers (a prefix of the <...> name): the only
# file that may include them.
LIBS="
sqlite3.h   store/store_int.h
libconfig.h config/config.c
libetpan/   source/imap_etpan.c
gnutls/     source/tls_gnutls.c
libical/    tasks/tasks_ical.c
"
# lib/'s system headers: libc and iconv only.
LIB_SYS="assert.h ctype.h errno.h float.h iconv.h inttypes.h limits.h math.h stdarg.h
	 stdbool.h stddef.h stdint.h stdio.h stdlib.h string.h strings.h time.h"

ROOMS=$(echo "$RULES" | awk 'NF { print $1 }')

# check_tree TOP: one line per violation on stdout.  An include "x.h" is
# found the way the compiler finds it: in the includer's folder, then in
# lib/ (the only -I of kith's code).
check_tree() {
	RULES=$RULES LIBS=$LIBS LIB_SYS=$LIB_SYS python3 - "$1" <<'EOF'
import os, re, sys
top = sys.argv[1]
rules = {}
for line in os.environ["RULES"].strip().splitlines():
    room, *may = line.split()
    rules[room] = [m for m in may if m != "-"]
libs = [l.split() for l in os.environ["LIBS"].strip().splitlines()]
lib_sys = set(os.environ["LIB_SYS"].split())
quoted = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
angled = re.compile(r'^\s*#\s*include\s*<([^>]+)>')
clock = re.compile(r'\b(time|clock_gettime|gettimeofday)\s*\(')

def may(room, target):
    troom = target.split("/")[0]
    return troom in (room, "lib") or troom in rules[room] or target in rules[room]

def resolve(f, inc):
    for p in (os.path.join(os.path.dirname(f), inc), os.path.join("lib", inc)):
        if os.path.isfile(os.path.join(top, p)):
            return os.path.normpath(p)
    return None

for room in rules:
    d = os.path.join(top, room)
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if not name.endswith((".c", ".h")):
            continue
        f = room + "/" + name
        for n, line in enumerate(open(os.path.join(top, f), errors="replace"), 1):
            m = quoted.match(line)
            if m:
                target = resolve(f, m.group(1))
                if target is None:
                    print(f'{f}: "{m.group(1)}" not found in its folder or lib/')
                elif not may(room, target):
                    print(f"{f}: includes {target} ({room}/ may not use {target.split('/')[0]}/)")
            m = angled.match(line)
            if m:
                inc = m.group(1)
                for prefix, owner in libs:
                    if inc.startswith(prefix) and f != owner:
                        print(f"{f}: includes <{inc}> (only {owner} may)")
                if room == "lib" and inc not in lib_sys:
                    print(f"{f}: includes <{inc}> (lib/ uses libc and iconv only)")
            # "now" is a parameter in lib/: no clock reads (comments aside).
            if room == "lib" and clock.search(line) and not line.lstrip().startswith(("/*", "*")):
                print(f"{f}:{n}: reads the clock (lib/ must not)")
EOF
}

# Every room of the table exists, and every top-level folder of C code is
# a room of the table.
for room in $ROOMS; do
	kt_true "room $room/ exists" test -d "$KITH_TOP/$room"
done
for d in "$KITH_TOP"/*/; do
	d=$(basename "$d")
	ls "$KITH_TOP/$d"/*.[ch] >/dev/null 2>&1 || continue
	kt_true "$d/ is in the rooms table" grep -qx "$d" <<<"$ROOMS"
done

out=$(check_tree "$KITH_TOP")
kt_eq "no include crosses a boundary" "" "$out"
[ -z "$out" ] || echo "$out"

# The same check must catch planted violations.
T=$(kt_tmpdir)
for room in $ROOMS; do
	mkdir -p "$T/$room"
	cp "$KITH_TOP/$room"/*.[ch] "$T/$room/"
done
printf '#include "../daemon/cycle.h"\n' >"$T/cli/bad_daemon.c"
printf '#include "../source/sync.h"\n' >"$T/analysis/bad_source.c"
printf '#include "../store/store.h"\n#include <sqlite3.h>\n' >"$T/lib/bad_store.c"
printf '#include "../daemon/ctl.h"\n' >"$T/tasks/bad_ctl.c"
printf '#include "nowhere.h"\n' >"$T/util/bad_missing.c"
printf 'long f(void);\nlong f(void) { return time(NULL); }\n' >"$T/lib/bad_clock.c"
out=$(check_tree "$T")
echo "$out" | sed 's/^/  planted: /'
kt_contains "cli/ including daemon/ is caught" "cli/bad_daemon.c: includes daemon/cycle.h" "$out"
kt_contains "analysis/ including source/ is caught" "analysis/bad_source.c: includes source/sync.h" "$out"
kt_contains "lib/ including store/ is caught" "lib/bad_store.c: includes store/store.h" "$out"
kt_contains "lib/ including SQLite is caught" "lib/bad_store.c: includes <sqlite3.h> (only store/store_int.h may)" "$out"
kt_contains "lib/ outside libc is caught" "lib/bad_store.c: includes <sqlite3.h> (lib/ uses libc" "$out"
kt_contains "tasks/ including a daemon header beyond log.h is caught" "tasks/bad_ctl.c: includes daemon/ctl.h" "$out"
kt_contains "an include that resolves nowhere is caught" "util/bad_missing.c: \"nowhere.h\" not found" "$out"
kt_contains "a clock read in lib/ is caught" "lib/bad_clock.c:2: reads the clock" "$out"
kt_eq "nothing else is reported" 8 "$(echo "$out" | wc -l)"
kt_done
