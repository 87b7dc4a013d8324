#!/usr/bin/env bash
# bench/imap_bench.sh BUILD [COUNT]: first-sync speed and memory of kithd
# against a real Dovecot on loopback, beside a raw header fetch (the ceiling)
# and mbsync (what a user would otherwise assemble).  Prints figures; asserts
# nothing.  COUNT defaults to 100000 messages, replicated from the corpus
# (fresh Message-IDs and dates) or, without it, from the demo mailbox.
set -u
BUILD=$(cd "${1:-build}" && pwd)
COUNT=${2:-100000}
export KITH_TOP=$(cd "$(dirname "$0")/.." && pwd) KT_NAME=imap_bench
cd "$KITH_TOP"
. tests/lib/common.sh
. tests/lib/certs.sh
. tests/lib/dovecot.sh
CORPUS=${KITH_CORPUS:-$KITH_TOP/../shared/corpus}

W=$(kt_tmpdir)
trap 'kt_dovecot_stop >/dev/null 2>&1; rm -rf "$W"' EXIT
SRC=$CORPUS/enron/skilling-j
[ -d "$SRC" ] || SRC=$KITH_TOP/demo/mail
echo "== building a $COUNT-message mailbox from $SRC"
python3 tests/lib/maildir.py replicate "$SRC" "$W/tree/INBOX" "$COUNT" >/dev/null || exit 1
kt_dovecot_init "$W/dc" || exit 1
kt_dovecot_load_tree "$W/tree" >/dev/null || exit 1
kt_dovecot_start || exit 1
kt_doveadm index -u "$DC_USER" INBOX >/dev/null 2>&1 # warm Dovecot's index, once for all
# the same field list kithd asks for (lib/hdr.c kith_hdr_fields)
FIELDS=$(sed -n '/kith_hdr_fields\[\] = {/,/};/p' lib/hdr.c | grep -o '"[A-Za-z-]*"' | tr -d '"' | tr '\n' ' ')
echo "fields: $FIELDS"

secs() { python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$@"; }
now() { date +%s.%N; }

# Dovecot builds its header cache on the first fetch of these fields: pay
# that once, untimed, so neither contender below is charged for it.
python3 bench/rawfetch.py 127.0.0.1 "$DC_IMAPS_PORT" "$DC_CA" "$DC_USER" "$DC_PASS_FILE" "$FIELDS" >/dev/null
median() { python3 -c "import sys; v=sorted(map(float,sys.argv[1:])); print('%.2f' % v[len(v)//2])" "$@"; }
RUNS=${RUNS:-3} # each contender runs this often; figures are the medians

echo "== raw header fetch (a minimal client: one UID FETCH 1:* of the same fields, bytes read and dropped)"
raws=""
for ((i = 0; i < RUNS; i++)); do
	t0=$(now)
	bytes=$(python3 bench/rawfetch.py 127.0.0.1 "$DC_IMAPS_PORT" "$DC_CA" "$DC_USER" "$DC_PASS_FILE" "$FIELDS")
	t1=$(now); raws="$raws $(secs "$t0" "$t1")"
done
raw=$(median $raws)
echo "raw fetch: ${raw} s (median of:$raws), ${bytes} bytes"

kt_kith_conf "$W/kith.conf" "$W/data" "$W/tasks" implicit
# the mailbox owner's addresses (corpus README), so that the analysis finds
# the people a real user would have
[ "$SRC" = "$CORPUS/enron/skilling-j" ] && sed -i 's/^identities = \[/identities = [ "jeff.skilling@enron.com", "jskilli@enron.com", "sherri.sera@enron.com", "joannie.williamson@enron.com",/' "$W/kith.conf"
echo "== kithd first sync (--once: sync + analysis + tasks), from an empty data folder each time"
firsts="" syncs="" anas="" peak=0
for ((i = 0; i < RUNS; i++)); do
	rm -rf "$W/data" "$W/tasks"
	t0=$(now)
	/usr/bin/time -f "%e %U %S %M" -o "$W/time1" "$BUILD/kithd" -c "$W/kith.conf" --once 2>"$W/kithd1.log"
	t1=$(now); firsts="$firsts $(secs "$t0" "$t1")"
	read -r e u s rss < <(tail -n 1 "$W/time1")
	[ "$rss" -gt "$peak" ] && peak=$rss
	# kithd logs how long the IMAP sync (fetch, parse, store) and the
	# analysis took; the sync alone is what the raw fetch bounds
	syncs="$syncs $(sed -n 's/.*info: .*: [0-9]* messages in \([0-9.]*\) s,.*/\1/p' "$W/kithd1.log" | head -n 1)"
	anas="$anas $(sed -n 's/.*tasks open (\([0-9.]*\) s).*/\1/p' "$W/kithd1.log" | head -n 1)"
done
first=$(median $firsts)
stored=$(sqlite3 "$W/data/kith.db" "select count(*) from messages")
echo "kithd first sync: ${first} s wall (median of:$firsts; last run user $u s, sys $s s), ${stored} distinct messages stored"
python3 -c "import sys; c,f,r=map(float,sys.argv[1:]); print('throughput: %.0f messages/s; %.0f%% of the raw fetch rate' % (c/f, 100*r/f))" "$COUNT" "$first" "$raw"
python3 -c "import sys; c,f,r=map(float,sys.argv[1:4]); print('  of which the IMAP sync (fetch, parse, store): %.2f s, %.0f messages/s, %.0f%% of the raw fetch rate' % (f, c/f, 100*r/f)); print('  and the first analysis of the whole mailbox, with the tasks: %s s' % sys.argv[4])" "$COUNT" "$(median $syncs)" "$raw" "$(median $anas)"
echo "  (sync runs:$syncs; analysis runs:$anas)"
echo "peak RSS (largest process of the run): $((peak / 1024)) MiB"
grep -E 'info: .*(messages|people)' "$W/kithd1.log" | sed 's/^/  /'

echo "== no-change poll"
before=$(kt_dovecot_logouts | wc -l)
/usr/bin/time -f "%e %U %S %M" -o "$W/time2" "$BUILD/kithd" -c "$W/kith.conf" --once -v --protocol-log 2>"$W/kithd2.log"
read -r e u s rss < <(tail -n 1 "$W/time2")
echo "no-change poll: ${e} s wall, CPU user $u s + sys $s s (includes re-analysis)"
echo "IMAP commands sent: $(grep -ciE '(^|[^a-z])(STATUS|EXAMINE|SELECT|FETCH|LIST|LOGIN|CAPABILITY|LOGOUT) ' "$W/kithd2.log" || true) protocol lines mentioning a command"
kt_dovecot_logouts | tail -n +"$((before + 1))" | sed 's/^/  dovecot: /'

echo "== idle RSS (kithd running, after its first cycle)"
sed -i "s|^accounts|poll_interval = 600;\nruntime_dir = \"$W/run\";\naccounts|" "$W/kith.conf"
"$BUILD/kithd" -c "$W/kith.conf" -v 2>"$W/kithd3.log" &
KPID=$!
sleep 8
for p in $KPID $(pgrep -P $KPID); do
	echo "pid $p ($( [ "$p" = "$KPID" ] && echo daemon || echo 'IMAP child, idling')): $(grep VmRSS /proc/$p/status | awk '{print $2, $3}')"
done
# CPU seconds of the daemon and its reaped children (utime+stime+cutime+cstime)
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15 + $16 + $17) / hz }' "/proc/$1/stat"; }
# the daemon analyses when a session ends: the first `kith sync` ends its
# first IDLE (and analyses, as every daemon does once); the second is the
# no-change poll measured
"$BUILD/kith" -c "$W/kith.conf" sync >/dev/null 2>&1
sleep 4
c0=$(cpu $KPID)
"$BUILD/kith" -c "$W/kith.conf" sync >/dev/null 2>&1
sleep 3
c1=$(cpu $KPID)
echo "the running daemon's no-change poll (kith sync: IDLE ends, STATUS per folder, analysis kept): $(python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$c0" "$c1") s CPU"
grep -c 'nothing changed since the analysis' "$W/kithd3.log" | sed 's/^/  analyses kept: /'
kill -TERM $KPID; wait $KPID

echo "== mbsync mirror of the same mailbox (bodies too: what a user would assemble)"
if ! command -v mbsync >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q isync >/dev/null 2>&1 || echo "isync not installable: skipped"
fi
if command -v mbsync >/dev/null; then
	mkdir -p "$W/mirror"
	cat >"$W/mbsyncrc" <<EOF
IMAPAccount b
Host localhost
Port $DC_IMAPS_PORT
User $DC_USER
PassCmd "cat $DC_PASS_FILE"
SSLType IMAPS
CertificateFile $DC_CA

IMAPStore r
Account b

MaildirStore l
Path $W/mirror/
Inbox $W/mirror/INBOX

Channel c
Far :r:
Near :l:
Patterns INBOX
Create Near
Sync Pull
SyncState *
EOF
	/usr/bin/time -f "%e %M" -o "$W/time3" mbsync -q -c "$W/mbsyncrc" -a >"$W/mbsync.log" 2>&1 ||
		{ echo "mbsync failed:"; tail -n 5 "$W/mbsync.log"; }
	read -r e rss < <(tail -n 1 "$W/time3")
	echo "mbsync: ${e} s, peak RSS $((rss / 1024)) MiB"
fi
kt_dovecot_stop
