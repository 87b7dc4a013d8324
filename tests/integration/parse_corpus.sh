#!/usr/bin/env bash
# parse_corpus.sh: kith's header parser over the whole real-mail corpus.
#
# Asserts: no file crashes the parser (sanitizer builds included); the Enron
# mailbox's 4,139 files give 2,586 +-3% distinct content keys (the same mail
# sits in several folders under different Message-IDs); every lore message's
# Message-ID matches index.tsv; about 79% of lore messages carry
# In-Reply-To; lore dates and From addresses agree with Python's email
# package on (almost) every message.
set -u
build=${KITH_BUILD:-build}
corpus=${KITH_CORPUS:-}
tool="$build/tools/kith-parse"
if [ -z "$corpus" ] || [ ! -d "$corpus/enron/skilling-j" ] || [ ! -d "$corpus/lore-linux-man" ]; then
	echo "corpus not found (set KITH_CORPUS)"; exit 77
fi
if [ ! -x "$tool" ]; then
	echo "$tool not built (make tests)"; exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# 1. Every file parses; per-file output kept for the checks below.
for set in enron/skilling-j lore-linux-man bulk; do
	name=$(echo "$set" | tr '/' '_')
	find "$corpus/$set" -type f ! -name '*.tsv' ! -name '*.md' | sort >"$tmp/$name.list"
	"$tool" <"$tmp/$name.list" >"$tmp/$name.tsv" 2>"$tmp/$name.err"; rc=$?
	[ $rc -eq 0 ] || bad "kith-parse exited $rc on $set: $(head -n 3 "$tmp/$name.err")"
	"$tool" --stats <"$tmp/$name.list" >"$tmp/$name.stats" 2>>"$tmp/$name.err" || bad "--stats on $set"
	files=$(wc -l <"$tmp/$name.list"); rows=$(($(wc -l <"$tmp/$name.tsv") - 1))
	[ "$files" -eq "$rows" ] || bad "$set: $files files but $rows rows"
	echo "$set: $(tr '\n' ' ' <"$tmp/$name.stats")"
done

stat() { sed -n "s/^$2=//p" "$tmp/$1.stats"; }

# 2. Enron: distinct messages by content key.
keys=$(stat enron_skilling-j distinct_keys); files=$(stat enron_skilling-j files)
echo "enron: $files files, $keys distinct keys (expected about 2586)"
[ "$files" -eq 4139 ] || bad "enron: expected 4139 files, saw $files"
if [ "$keys" -lt 2508 ] || [ "$keys" -gt 2664 ]; then
	bad "enron: $keys distinct keys, not within 3% of 2586"
fi
[ "$(stat enron_skilling-j no_date)" -eq 0 ] || bad "enron: some Date: not parsed"
[ "$(stat enron_skilling-j no_from)" -le 2 ] || bad "enron: From: missing on $(stat enron_skilling-j no_from)"

# 3. Lore: Message-IDs against index.tsv (which keeps the <>).
awk -F'\t' 'NR > 1 { n = split($1, p, "/"); print p[n] "\t<" $3 ">" }' \
	"$tmp/lore-linux-man.tsv" | sort >"$tmp/ours"
awk -F'\t' 'NR > 1 { print $1 "\t" $4 }' "$corpus/lore-linux-man/index.tsv" | sort >"$tmp/theirs"
n_idx=$(wc -l <"$tmp/theirs"); n_diff=$(diff "$tmp/ours" "$tmp/theirs" | grep -c '^[<>]')
echo "lore: $n_idx indexed messages, $n_diff Message-ID lines differ"
[ "$n_idx" -gt 6000 ] || bad "lore: index.tsv has only $n_idx rows"
[ "$n_diff" -eq 0 ] || { bad "lore: Message-IDs differ from index.tsv"; diff "$tmp/ours" "$tmp/theirs" | head; }

# 4. Lore: In-Reply-To on ~79% (README), References on about as many.
irt=$(stat lore-linux-man with_in_reply_to); lf=$(stat lore-linux-man files)
pct=$((irt * 1000 / lf))
echo "lore: In-Reply-To on $irt of $lf (${pct} per mille)"
if [ "$pct" -lt 770 ] || [ "$pct" -gt 810 ]; then
	bad "lore: In-Reply-To share $pct per mille, expected ~790"
fi
[ "$(stat lore-linux-man no_date)" -eq 0 ] || bad "lore: some Date: not parsed"

# 5. Lore: dates and From addresses agree with an independent parser.
if command -v python3 >/dev/null 2>&1; then
	python3 - "$tmp/lore-linux-man.tsv" "$corpus/lore-linux-man/index.tsv" <<'PY' || fail=1
import sys, email.utils
ours = {}
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    next(f)
    for line in f:
        c = line.rstrip("\n").split("\t")
        ours[c[0].rsplit("/", 1)[-1]] = (c[6], c[7])
dates = froms = total = 0
with open(sys.argv[2], encoding="utf-8", errors="replace") as f:
    next(f)
    for line in f:
        c = line.rstrip("\n").split("\t")
        if c[0] not in ours:
            continue
        total += 1
        try:
            want = str(int(email.utils.parsedate_to_datetime(c[4]).timestamp()))
        except Exception:
            want = None
        dates += want is not None and ours[c[0]][0] == want
        addr = email.utils.parseaddr(c[5])[1].lower()
        froms += ours[c[0]][1] == addr
print("lore: dates agree on %d/%d, From on %d/%d" % (dates, total, froms, total))
ok = dates >= total * 0.995 and froms >= total * 0.99
if not ok:
    print("FAIL: lore dates/From disagree with Python's email package")
sys.exit(0 if ok else 1)
PY
else
	echo "python3 missing: date/From cross-check skipped"
fi

# 6. Bulk: signals the manifest names are found.
awk -F'\t' 'NR > 1 && $4 ~ /List-Id/ { print $1 }' "$corpus/bulk/manifest.tsv" | sort >"$tmp/m_listid"
pre="$corpus/bulk/"
awk -F'\t' -v pre="$pre" 'NR > 1 && index("13579bdf", substr($13, length($13), 1)) {
	print substr($1, length(pre) + 1) }' "$tmp/bulk.tsv" | sort >"$tmp/o_listid"
if [ -s "$tmp/o_listid" ]; then
	missing=$(comm -23 "$tmp/m_listid" "$tmp/o_listid" | wc -l)
	echo "bulk: List-Id in manifest $(wc -l <"$tmp/m_listid"), missed by parser $missing"
	[ "$missing" -eq 0 ] || bad "bulk: List-Id missed on $missing files"
fi

[ $fail -eq 0 ] && echo "parse_corpus: all checks passed"
exit $fail
