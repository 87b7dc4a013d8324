#!/usr/bin/env bash
# eval_variants: the second issue-14 study (docs/depth.md §7, "A second
# study") is reproducible and leaves the rolling check alone:
#  - `kith-eval --variants` prints the rolling check's figures unchanged
#    (the same lines as `--rolling`), then every variant's mean AP;
#  - every mean AP that docs/depth.md's table gives for the three dev
#    mailboxes (Enron, linux-man as mtk, as Alejandro Colomar) is what the
#    tool prints now: a change to depth or to the study's code that moves
#    a figure must come with the table regenerated.
# kith-test: nosan
set -u
corpus=${KITH_CORPUS:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
tool="${KITH_BUILD:-build}/tools/kith-eval"
doc="$top/docs/depth.md"
if [ -z "$corpus" ] || [ ! -d "$corpus/enron/skilling-j" ] ||
   [ ! -f "$corpus/lore-linux-man/owner-mtk.tsv" ] || [ ! -f "$corpus/lore-linux-man/index.tsv" ]; then
	echo "corpus not found (KITH_CORPUS=${corpus:-unset})"
	exit 77
fi
if [ ! -x "$tool" ]; then
	echo "FAIL: $tool not built"
	exit 1
fi
# The table's rows: "| name | Enron AP (x) | mtk AP (x) | Colomar AP (x) | ...".
rows=$(sed -n '/^| variant | Enron AP/,/^$/p' "$doc" | grep -v '^| variant\|^|---\|^$')
nrows=$(printf '%s\n' "$rows" | grep -c '^|')
if [ "$nrows" -lt 20 ]; then
	echo "FAIL: the study's table in docs/depth.md has $nrows rows"
	exit 1
fi
rc=0
col=2
for box in "enron $corpus/enron/skilling-j" "lore $corpus/lore-linux-man" \
	   "lore-alx $corpus/lore-linux-man"; do
	# shellcheck disable=SC2086 # kind and directory, split on purpose
	roll=$("$tool" $box --rolling) || { echo "FAIL: --rolling on ${box%% *}"; exit 1; }
	# shellcheck disable=SC2086
	var=$("$tool" $box --variants) || { echo "FAIL: --variants on ${box%% *}"; exit 1; }
	if [ "$(printf '%s\n' "$roll" | grep -E '^  [0-9]|^mean ')" != \
	     "$(printf '%s\n' "$var" | grep -E '^  [0-9]|^mean ')" ]; then
		echo "FAIL: ${box%% *}: --variants changed the rolling check's figures"
		rc=1
	fi
	checked=0
	while IFS='|' read -r _ name rest; do
		name=$(echo "$name" | sed 's/\*//g; s/ (chosen)//; s/^ *//; s/ *$//')
		want=$(echo "$rest" | cut -d'|' -f$((col - 1)) | awk '{ print $1 }')
		if [ "$name" = depth ]; then
			got=$(printf '%s\n' "$var" | sed -n 's/^variants [^:]*: depth=\([0-9.]*\) .*/\1/p')
		else
			got=$(printf '%s\n' "$var" | awk -v n="$name" '
				/^  / { line = substr($0, 3, 12); sub(/ +$/, "", line);
					if (line == n) print $(NF - 5) }')
		fi
		if [ -z "$got" ] || [ "$got" != "$want" ]; then
			echo "FAIL: ${box%% *} $name: docs/depth.md says ${want:-?}, kith-eval prints ${got:-nothing}"
			rc=1
		fi
		checked=$((checked + 1))
	done <<< "$rows"
	echo "${box%% *}: rolling figures unchanged; $checked figures of the table reproduced"
	col=$((col + 1))
done
[ $rc -eq 0 ] && echo "PASS" || echo "FAIL"
exit $rc
