#!/usr/bin/env bash
# eval_inert: the inert-mail shortcut (lib/inert.h, daemon/absorb.c) proved
# on real mail.  At eight cut dates of each dev mailbox, with the bulk
# corpus mixed in, the next messages arrive one by one; every message
# judged inert must leave the full analysis unchanged, person by person,
# and the follow-up tasks decided from it unchanged, task by task
# (kith-eval --inert exits 1 otherwise), and some must be inert.
# kith-test: nosan
set -u
corpus=${KITH_CORPUS:-}
tool="${KITH_BUILD:-build}/tools/kith-eval"
if [ -z "$corpus" ] || [ ! -d "$corpus/enron/skilling-j" ] || [ ! -d "$corpus/bulk" ] ||
	[ ! -f "$corpus/lore-linux-man/owner-mtk.tsv" ]; then
	echo "corpus not found (KITH_CORPUS=${corpus:-unset})"
	exit 77
fi
[ -x "$tool" ] || { echo "FAIL: $tool not built"; exit 1; }
rc=0
for box in "enron $corpus/enron/skilling-j" "lore $corpus/lore-linux-man"; do
	set -- $box
	out=$("$tool" "$1" "$2" --bulk "$corpus/bulk" --inert) || { echo "$out"; echo "FAIL: $1: an inert message changed the analysis"; rc=1; continue; }
	echo "$out" | tail -n 7
	line=$(echo "$out" | grep "^inert $1: .* arrivals inert")
	n=$(echo "$line" | sed -n 's/^inert [a-z]*: \([0-9]*\) of .*/\1/p')
	[ "${n:-0}" -gt 0 ] || { echo "FAIL: $1: no arrival was inert"; rc=1; }
	echo "$line" | grep -q ", 0 changed the analysis or its tasks" || { echo "FAIL: $1: $line"; rc=1; }
	counts=$(echo "$out" | sed -n "s/^inert $1: \([0-9]*\) task lists compared (\([0-9]*\) tasks)/\1 \2/p")
	nt=${counts% *} ntasks=${counts#* }
	[ "${nt:-0}" -eq "$n" ] || { echo "FAIL: $1: ${nt:-no} task lists compared for $n inert arrivals"; rc=1; }
	[ "${ntasks:-0}" -gt 0 ] || { echo "FAIL: $1: the task lists compared were all empty"; rc=1; }
done
[ $rc -eq 0 ] && echo "PASS" || echo "FAIL"
exit $rc
