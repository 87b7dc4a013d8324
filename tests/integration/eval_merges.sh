#!/usr/bin/env bash
# eval_merges: merge suggestions on the real linux-man mailbox.  The
# maintainer Alejandro Colomar wrote from colomar.6.4.3@gmail.com, then from
# alx.manpages@gmail.com (as "Alejandro Colomar (man-pages)"): kith must
# suggest the pair, never apply it, and suggest no list address or bot.
# kith-test: nosan
set -u
corpus=${KITH_CORPUS:-}
tool="${KITH_BUILD:-build}/tools/kith-eval"
if [ -z "$corpus" ] || [ ! -f "$corpus/lore-linux-man/owner-mtk.tsv" ]; then
	echo "corpus not found (KITH_CORPUS=${corpus:-unset})"
	exit 77
fi
[ -x "$tool" ] || { echo "FAIL: $tool not built"; exit 1; }
out=$("$tool" lore "$corpus/lore-linux-man" --people 60) || { echo "FAIL: kith-eval failed"; exit 1; }
rc=0
sugg=$(echo "$out" | grep '^  suggest ')
echo "$sugg"
echo "$sugg" | grep -Eq 'suggest (colomar643@gmail.com = alxmanpages@gmail.com|alxmanpages@gmail.com = colomar643@gmail.com)' ||
	{ echo "FAIL: Colomar's address change not suggested"; rc=1; }
echo "$sugg" | grep -Eiq 'vger|bugzilla|patchwork|noreply|no-reply' &&
	{ echo "FAIL: a list or bot address in a suggestion"; rc=1; }
# suggested, not applied: both addresses still rank as separate people
for a in alxmanpages@gmail.com colomar643@gmail.com; do
	echo "$out" | grep -Eq "^ +[0-9]+ +[0-9.]+ +[a-z]+ +$a " || { echo "FAIL: $a not listed on its own"; rc=1; }
done
[ $rc -eq 0 ] && echo "PASS" || echo "FAIL"
exit $rc
