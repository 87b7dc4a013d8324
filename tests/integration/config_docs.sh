#!/usr/bin/env bash
# config_docs: conf/kith.conf.example and docs/kith.conf.5 keep up with the
# keys config/config.c knows; the example loads as shipped (all commented
# out) and with every setting uncommented, and then states the defaults.
. "$KITH_TOP/tests/lib/common.sh"

CHECK=$KITH_BUILD/tools/kith-confcheck
[ -x "$CHECK" ] || kt_skip "no $CHECK (make tests)"
T=$(kt_tmpdir)
export HOME=$T/home XDG_DATA_HOME= XDG_CONFIG_HOME= STATE_DIRECTORY= RUNTIME_DIRECTORY=
ex=$KITH_TOP/conf/kith.conf.example
man=$KITH_TOP/docs/kith.conf.5

# Every key of every key table in config.c.
keys=$(awk '/^static const char \*const [a-z_]*_keys\[\] = \{/ { on = 1 }
	    on { while (match($0, /"[a-z_0-9]+"/)) { print substr($0, RSTART + 1, RLENGTH - 2);
	         $0 = substr($0, RSTART + RLENGTH) } }
	    on && /\};/ { on = 0 }' "$KITH_TOP/config/config.c" | sort -u)
kt_ge "keys found in config.c" 30 "$(echo "$keys" | wc -l)"
for k in $keys; do
	kt_true "example mentions $k" grep -qE "(^|[^a-z_])$k = " "$ex"
	kt_true "kith.conf.5 documents $k" grep -qE "^\.B(R)? $k( |$)|^\.BR? $k\$|^\.B $k \\\\fR" "$man"
done

cp "$ex" "$T/shipped.conf"; chmod 600 "$T/shipped.conf"
kt_true "the example as shipped loads" "$CHECK" -c "$T/shipped.conf"

# Uncomment settings: "#key", "#)", "#}" and block lines "#  ...".
sed -E '/^#([a-z_)}]|  )/ s/^#//' "$ex" >"$T/all.conf"; chmod 600 "$T/all.conf"
out=$("$CHECK" -c "$T/all.conf" 2>&1); rc=$?
echo "$out" | sed 's/^/    /'
kt_eq "the uncommented example loads" 0 "$rc"
kt_contains "poll_interval default" "poll_interval = 300" "$out"
kt_contains "half_life_days default" "half_life_days = 90" "$out"
kt_contains "memory_limit_mb default" "memory_limit_mb = 512" "$out"
kt_contains "retry_wait default" "retry_wait = 30" "$out"
kt_contains "throttle_wait default" "throttle_wait = 300" "$out"
kt_contains "data_dir default" "data_dir = $HOME/.local/share/kith" "$out"
kt_contains "account defaults" "account work: imap.example.org:993 tls=implicit timeout=60 secret=pass_cmd" "$out"
kt_done
