#!/usr/bin/env bash
# eval_bulk: real bulk mail (lists, newsletters, bots, bounces) mixed into
# both corpus mailboxes, addressed to the user: fewer than 1% of it may
# ever count as a conversation turn, and no list address, bot, bounce
# sender or newsletter may reach the top 50 people.
# kith-test: nosan
set -u
corpus=${KITH_CORPUS:-}
tool="${KITH_BUILD:-build}/tools/kith-eval"
if [ -z "$corpus" ] || [ ! -d "$corpus/bulk" ] || [ ! -d "$corpus/enron/skilling-j" ] ||
   [ ! -f "$corpus/lore-linux-man/owner-mtk.tsv" ]; then
	echo "corpus not found (KITH_CORPUS=${corpus:-unset})"
	exit 77
fi
if [ ! -x "$tool" ]; then
	echo "FAIL: $tool not built"
	exit 1
fi
rc=0
out=$("$tool" enron "$corpus/enron/skilling-j" --bulk "$corpus/bulk" --bulkcheck) || rc=1
echo "$out"
out=$("$tool" lore "$corpus/lore-linux-man" --bulk "$corpus/bulk" --bulkcheck) || rc=1
echo "$out"
# The check itself must have run on real data, not on an empty mix.
echo "$out" | grep -q '^bulk: 1[0-9][0-9][0-9] messages mixed in' || { echo "FAIL: bulk corpus not mixed in"; rc=1; }
[ $rc -eq 0 ] && echo "PASS" || echo "FAIL"
exit $rc
