#!/usr/bin/env bash
# make_seeds.sh OUTDIR [TARGET...]: writes seed corpora for the fuzz targets
# into OUTDIR/TARGET/ (targets: hdr analyze config ctlproto imap; default
# all).  Handmade inputs cover each field, oddity and protocol step; when
# KITH_CORPUS points at the real-mail corpus, real header blocks from it are
# added (hdr), chained into message sets (analyze) and served as IMAP FETCH
# literals in a Dovecot-like transcript (imap).  Seeds are generated, never
# stored in the repository (the corpus must not be copied into it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$1
shift
targets=${*:-hdr analyze config ctlproto imap}
corpus=${KITH_CORPUS:-}
[ -n "$corpus" ] && [ -d "$corpus" ] || corpus=""

# A sample of real message files: every 40th file, at most $1 of them.
corpus_files() {
	[ -n "$corpus" ] || return 0
	find "$corpus" -type f \( -name '*.eml' -o -path '*skilling-j*' -o -path '*bulk*' \) \
		! -name '*.tsv' ! -name '*.md' | sort | awk 'NR % 40 == 1' | head -n "$1"
}

# The header block of a message file (up to the first empty line), capped.
header_of() { sed -n '1,/^\r\{0,1\}$/p' "$1" | head -c "${2:-65536}"; }

# Only the fields kithd fetches (BODY.PEEK[HEADER.FIELDS (kith_hdr_fields)]),
# folded lines kept, then the empty line: what an IMAP server returns.
fields_of() {
	header_of "$1" 65536 | awk -v want="$(sed -n '/kith_hdr_fields\[\] = {/,/NULL/p' \
		"$top/lib/hdr.c" | grep -o '"[A-Za-z-]*"' | tr -d '"' | tr 'A-Z\n' 'a-z ')" '
		BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) keep[w[i]] = 1 }
		/^\r?$/ { printf "\r\n"; exit }
		/^[ \t]/ { if (on) print; next }
		{ f = tolower($0); sub(/:.*/, "", f); on = (f in keep); if (on) print }' |
		head -c "${2:-65536}"
}

seeds_hdr() {
	local d=$out/hdr n=0 f
	mkdir -p "$d"
	seed() { n=$((n + 1)); printf '%b' "$1" >"$d/hand-$n"; }
	seed 'Message-ID: <m1@example.org>\r\nDate: Tue, 16 Feb 1999 06:39:00 -0800 (PST)\r\nFrom: "Jane Q. Doe" <Jane@Example.ORG>\r\nTo: bob@example.com, Carol <carol@example.net>\r\nCc: dave@example.com\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= aus\r\n\tBerlin\r\nIn-Reply-To: <p2@example.com>\r\nReferences: <p0@example.com>\r\n <p1@example.com>\r\n <p2@example.com>\r\n\r\nbody\r\n'
	seed 'From nobody Mon Jan  1 00:00:00 2001\nFrom: a@b.c\nTo: undisclosed-recipients:;\nSubject: =?iso-8859-1?B?Y2Fm6Q==?= =?koi8-r?Q?=F0=D2?=\nDate: 1 Jan 70 00:00 GMT\n\n'
	seed 'List-Id: "L" <L.Example.ORG>\r\nList-Unsubscribe: <mailto:u@x>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nList-Post: <mailto:l@x>\r\nPrecedence: bulk\r\nAuto-Submitted: auto-replied\r\nReturn-Path: <>\r\nFeedback-ID: 1:2:3\r\nX-Auto-Response-Suppress: All\r\nContent-Type: multipart/report; report-type=delivery-status\r\nX-Autoreply: yes\r\nDisposition-Notification-To: a@b\r\n\r\n'
	seed 'To: legal <.taylor@enron.com>, l'"'"'sheryl.hudson@enron.com, pep <performance.>, </O=ENRON/OU=NA/CN=RECIPIENTS/CN=JSKILLIN>, <@r1,@r2:u@h>, "q\\"uote" <q@x>, a@b (Name (nested)), Group: x@y, z@w;\r\n'
	seed 'Subject: a\x00b\xff\xfe\x1b[0m =?utf-8?q?=00=C2=85?= =?bogus?x?y?= =?utf-8?b?////?=\r\nDate: Thursday, April 09, 2003 9:00 AM\r\n'
	seed 'References: <a@b> <a@b> bare@id <unclosed (comment <c@d>) "<q@q>"\r\nMessage-ID: no-brackets@here\r\nIn-Reply-To: Your message of Tue <x@y>\r\n'
	seed 'Date: Tue, 029 Apr 2019 23:34:45 -0800 (PST)\r\nDate: second\r\nFrom: MAILER-DAEMON <>\r\nSender: s@x\r\n  orphan\r\nno colon line\r\n:\r\n'
	corpus_files 400 | while read -r f; do
		header_of "$f" >"$d/corpus-$(echo "$f" | cksum | cut -d' ' -f1)"
	done
}

# fuzz_analyze input: 4 policy bytes, then messages separated by "\n%%" C D
# (see fuzz_analyze.c for the meaning of the bytes).
seeds_analyze() {
	local d=$out/analyze n=0 i f set
	mkdir -p "$d"
	seed() { n=$((n + 1)); printf '%b' "$1" >"$d/hand-$n"; }
	# A two-way thread with the user (identity 1), a reply by the user from Sent.
	seed '\x01\x00\x10\x00Message-ID: <a1@x>\r\nFrom: Bob <bob@example.com>\r\nTo: me@example.org\r\nSubject: lunch?\r\nDate: Tue, 1 Sep 2020 10:00:00 +0000\r\n\n%%\x01\x00Message-ID: <a2@x>\r\nFrom: me@example.org\r\nTo: Bob <bob@example.com>\r\nSubject: Re: lunch?\r\nIn-Reply-To: <a1@x>\r\nReferences: <a1@x>\r\nDate: Tue, 1 Sep 2020 12:00:00 +0000\r\n\n%%\x00\x00Message-ID: <a3@x>\r\nFrom: bob@example.com\r\nTo: me@example.org\r\nSubject: Re: lunch?\r\nIn-Reply-To: <a2@x>\r\nDate: Wed, 2 Sep 2020 09:00:00 +0000\r\n'
	# Relative dates (bit 5) and In-Reply-To chaining (bit 6), merges, pins, plus tags.
	seed '\x7d\x28\x00\x02From: Carol <carol@example.net>\r\nTo: me+tag@example.org\r\nSubject: plan\r\nMessage-ID: <c1@x>\r\n\n%%\x65\x30From: x\r\nTo: carol@example.net\r\nSubject: Re: plan\r\nMessage-ID: <c2@x>\r\n\n%%\x60\x20From: robert@example.net\r\nTo: me@example.org\r\nSubject: Re: plan\r\nMessage-ID: <c3@x>\r\n\n%%\x21\x10From: bob@example.com\r\nCc: me@example.org\r\nSubject: fwd\r\n\n%%\x23\x08To: bob@example.com\r\nSubject: Re: fwd\r\n'
	# Bulk and automated mail next to personal mail, no identities (learned from Sent).
	seed '\x10\x81\x05\x00From: news@lists.example.org\r\nTo: me@example.org\r\nList-Id: <news.lists.example.org>\r\nPrecedence: bulk\r\nSubject: weekly\r\nDate: Mon, 7 Sep 2020 10:00:00 +0000\r\n\n%%\x20\x05From: MAILER-DAEMON@example.org\r\nTo: me@example.org\r\nAuto-Submitted: auto-replied\r\nContent-Type: multipart/report; report-type=delivery-status\r\nSubject: Undelivered\r\n\n%%\x21\x04From: me@example.org\r\nTo: dave@example.com\r\nSubject: hi\r\n\n%%\x60\x02From: dave@example.com\r\nTo: me@example.org\r\nSubject: Re: hi\r\n'
	# Real header blocks in chains of 2..6, control bytes varied.
	i=0
	set=""
	corpus_files 300 | while read -r f; do
		i=$((i + 1))
		if [ -z "$set" ] || [ $((i % 5)) -eq 0 ]; then
			set=$d/corpus-$i
			printf '%b' "\\x$(printf '%02x' $((i % 128)))\\x$(printf '%02x' $((i * 7 % 256)))\\x10\\x00" >"$set"
		else
			printf '%b' "\n%%\\x$(printf '%02x' $((i * 37 % 256)))\\x$(printf '%02x' $((i * 11 % 256)))" >>"$set"
		fi
		fields_of "$f" 3000 >>"$set"
	done
}

seeds_config() {
	local d=$out/config n=0
	mkdir -p "$d"
	seed() { n=$((n + 1)); printf '%b' "$1" >"$d/hand-$n"; }
	[ -f "$top/conf/kith.conf.example" ] && cp "$top/conf/kith.conf.example" "$d/example"
	seed 'data_dir = "/tmp/k"; tasks_dir = "/tmp/t";\naccounts = ( { name = "a"; host = "127.0.0.1"; port = 143; tls = "none"; user = "u"; pass_file = "/p"; timeout = 5; } );\n'
	seed 'identities = [ "Me@Example.org", "me@other" ];\naccounts = ( { name = "w"; host = "imap.example.org"; tls = "starttls"; user = "me"; oauth2_token_cmd = "tok"; folders = { include = [ "INBOX" ]; exclude = [ "Spam" ]; }; } );\npeople = ( { name = "Bob"; addresses = [ "bob@x", "robert@y" ]; } );\nfollowups = { reply_delay_close_days = 2; horizon_days = 21; cadence_days = [ 14, 30, 90, 365 ]; };\n'
	seed 'poll_interval = 0x10; half_life_days = 9e99; strip_plus_tags = true; memory_limit_mb = -1;\naccounts = ( { name = "x"; } , { name = "x"; host = ""; } );\n'
	seed 'a = "unterminated\n'
	seed 'b = ( ( ( [ 1, 2, "x" ] ) ) );\n/* comment */ # comment\n// comment\n'
}

seeds_ctlproto() {
	local d=$out/ctlproto n=0
	mkdir -p "$d"
	seed() { n=$((n + 1)); printf '%b' "$1" >"$d/hand-$n"; }
	seed 'status\n'
	seed 'sync\n'
	seed 'reload\n'
	seed 'ping\n'
	seed 'ok synced 3 folders\n'
	seed 'err bad\tthing\n'
	seed 'ok line one\\nline two\\\\ \\t\n'
	seed 'status'
	seed '\xc2\x85\x1b[31m\x7fping\r\n'
}

# A Dovecot-like transcript for kith_imap_session (tls none, user "user"):
# greeting, LOGIN, CAPABILITY, LIST, then per folder STATUS / EXAMINE /
# UID SEARCH / UID FETCH (batches of 2), LOGOUT.  Tags are libetpan's 1, 2, ...
# With IDLE=1 no folder is refused and the session IDLEs on INBOX first.
# $1: file; other args: header files served as the FETCH literals.
imap_transcript() {
	python3 - "$@" <<'EOF'
import os, sys
out, hdrs = sys.argv[1], sys.argv[2:]
bodies = []
for h in hdrs:
    with open(h, 'rb') as f:
        bodies.append(f.read()[:8000])
while len(bodies) < 3:
    bodies.append(b"From: Bob <bob@example.com>\r\nTo: user@example.org\r\n"
                  b"Subject: =?utf-8?q?caf=C3=A9?=\r\nMessage-ID: <b%d@example.com>\r\n"
                  b"Date: Tue, 1 Sep 2020 10:00:00 +0000\r\n\r\n" % len(bodies))
L = []
def s(x): L.append(x.encode() if isinstance(x, str) else x)
s("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN] Dovecot (Debian) ready.\r\n")
s("1 OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY SPECIAL-USE] Logged in\r\n")
s("* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT UIDPLUS SPECIAL-USE LIST-STATUS MOVE\r\n2 OK Capability completed (0.001 + 0.000 secs).\r\n")
s('* LIST (\\HasNoChildren) "." INBOX\r\n* LIST (\\HasNoChildren \\Sent) "." Sent\r\n'
  '* LIST (\\HasNoChildren \\Trash) "." Trash\r\n* LIST (\\HasChildren) "." Archive\r\n'
  '* LIST (\\Noselect \\HasChildren) "." "Lists"\r\n* LIST (\\HasNoChildren) "." "Lists.caf&AOk-"\r\n'
  '3 OK List completed (0.001 + 0.000 secs).\r\n')
n = len(bodies)
s("* STATUS INBOX (UIDNEXT %d UIDVALIDITY 1 MESSAGES %d)\r\n4 OK Status completed.\r\n" % (4 + n, 3 + n))
s("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n"
  "* %d EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1] UIDs valid\r\n* OK [UIDNEXT %d] Predicted next UID\r\n"
  "* OK [HIGHESTMODSEQ 7] Highest\r\n5 OK [READ-ONLY] Examine completed (0.001 + 0.000 secs).\r\n" % (3 + n, 4 + n))
s("* SEARCH %s\r\n6 OK Search completed (0.001 + 0.000 secs).\r\n" % " ".join(str(4 + i) for i in range(n)))
tag = 7
for b0 in range(0, n, 2):
    for i in range(b0, min(b0 + 2, n)):
        s("* %d FETCH (UID %d BODY[HEADER.FIELDS (FROM TO CC DATE SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES LIST-ID)] {%d}\r\n"
          % (4 + i, 4 + i, len(bodies[i])))
        s(bodies[i])
        s(")\r\n")
    s("%d OK Fetch completed (0.001 + 0.000 secs).\r\n" % tag)
    tag += 1
s("* STATUS Sent (UIDNEXT 11 UIDVALIDITY 7 MESSAGES 10)\r\n%d OK Status completed.\r\n" % tag); tag += 1
s('* STATUS Archive (UIDNEXT 1 UIDVALIDITY 99 MESSAGES 0)\r\n%d OK Status completed.\r\n' % tag); tag += 1
s("* OK [UIDVALIDITY 99] UIDs valid\r\n* 0 EXISTS\r\n%d OK [READ-ONLY] Examine completed.\r\n" % tag); tag += 1
s("* SEARCH\r\n%d OK Search completed.\r\n" % tag); tag += 1
if os.environ.get("IDLE") == "1":
    # every folder fine, so the session goes on to IDLE on INBOX
    s('* STATUS "Lists.caf&AOk-" (UIDNEXT 2 UIDVALIDITY 5 MESSAGES 1)\r\n%d OK Status completed.\r\n' % tag); tag += 1
    s("* 1 EXISTS\r\n* OK [UIDVALIDITY 5] UIDs valid\r\n%d OK [READ-ONLY] Examine completed.\r\n" % tag); tag += 1
    s("* SEARCH\r\n%d OK Search completed.\r\n" % tag); tag += 1
    s("* %d EXISTS\r\n* OK [UIDVALIDITY 1] UIDs valid\r\n%d OK [READ-ONLY] Examine completed.\r\n" % (3 + n, tag)); tag += 1
    s("+ idling\r\n* OK Still here\r\n* %d EXISTS\r\n%d OK Idle completed (0.001 + 2.000 secs).\r\n" % (4 + n, tag)); tag += 1
else:
    s('* STATUS "Lists.caf&AOk-" (UIDNEXT 2 UIDVALIDITY 5 MESSAGES 1)\r\n%d NO [NONEXISTENT] Mailbox doesn\'t exist\r\n' % tag); tag += 1
s("* BYE Logging out\r\n%d OK Logout completed (0.001 + 0.000 secs).\r\n" % tag)
with open(out, 'wb') as f:
    f.write(b"".join(L))
EOF
}

seeds_imap() {
	local d=$out/imap n=0 i=0 f list
	mkdir -p "$d"
	seed() { n=$((n + 1)); printf '%b' "$1" >"$d/hand-$n"; }
	imap_transcript "$d/dovecot-synthetic"
	IDLE=1 imap_transcript "$d/dovecot-synthetic-idle"
	seed '* PREAUTH [CAPABILITY IMAP4rev1 IDLE] ready\r\n* CAPABILITY IMAP4rev1 XLIST\r\n1 OK done\r\n* LIST () "/" INBOX\r\n2 OK done\r\n* XLIST (\\AllMail) "/" "[Gmail]/All Mail"\r\n* XLIST (\\Sent) "/" "[Gmail]/Sent Mail"\r\n3 OK done\r\n'
	seed '* OK ready\r\n1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n'
	seed '* BYE too many connections\r\n'
	seed '* OK hi\r\n1 OK in\r\n2 OK cap\r\n* LIST (\\Sent) NIL Sent\r\n3 OK done\r\n* STATUS Sent (UIDNEXT 5 UIDVALIDITY 3 MESSAGES 2)\r\n4 OK done\r\n* 2 EXISTS\r\n5 OK done\r\n* SEARCH 9 2 2 4000000000\r\n6 OK done\r\n* 1 FETCH (UID 2 BODY[HEADER.FIELDS (FROM)] NIL)\r\n* 2 FETCH (BODY[HEADER.FIELDS (FROM)] "From: a@b" UID 9)\r\n* 3 FETCH (UID 1 BODY[HEADER.FIELDS (FROM)] {0}\r\n)\r\n7 OK done\r\n'
	# folder names as literals, 8-bit and with a CR (kithd quotes them back)
	seed '* OK [CAPABILITY IMAP4rev1 IDLE] hi\r\n1 OK in\r\n* CAPABILITY IMAP4rev1 IDLE\r\n2 OK cap\r\n* LIST () "/" {5}\r\ncaf\xc3\xa9\r\n* LIST () "/" {3}\r\na\rb\r\n3 OK done\r\n* STATUS {5}\r\ncaf\xc3\xa9 (UIDNEXT 3 UIDVALIDITY 9 MESSAGES 1)\r\n4 OK done\r\n* 1 EXISTS\r\n5 OK [READ-ONLY] done\r\n* SEARCH 2\r\n6 OK done\r\n* 1 FETCH (UID 2 BODY[HEADER.FIELDS (FROM)] {21}\r\nFrom: a@example.org\r\n)\r\n7 OK done\r\n* STATUS {3}\r\na\rb (UIDNEXT 1 UIDVALIDITY 2 MESSAGES 0)\r\n8 OK done\r\n* BYE bye\r\n9 OK done\r\n'
	# nothing new (INBOX as stored), so the session IDLEs: a keepalive, then news
	seed '* OK [CAPABILITY IMAP4rev1 IDLE] hi\r\n1 OK in\r\n* CAPABILITY IMAP4rev1 IDLE\r\n2 OK cap\r\n* LIST () "/" INBOX\r\n3 OK done\r\n* STATUS INBOX (UIDNEXT 4 UIDVALIDITY 1 MESSAGES 3)\r\n4 OK done\r\n* 3 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n5 OK [READ-ONLY] done\r\n+ idling\r\n* OK Still here\r\n* 4 EXISTS\r\n6 OK Idle completed\r\n* BYE bye\r\n7 OK done\r\n'
	# AUTH=PLAIN: kithd logs in with AUTHENTICATE PLAIN (a continuation, then OK)
	seed '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE] hi\r\n+ \r\n1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n* CAPABILITY IMAP4rev1 IDLE\r\n2 OK cap\r\n* LIST () "/" INBOX\r\n3 OK done\r\n* STATUS INBOX (UIDNEXT 4 UIDVALIDITY 1 MESSAGES 3)\r\n4 OK done\r\n* BYE bye\r\n5 OK done\r\n'
	# no capability anywhere, then an empty one (libetpan crashes #2a, #2b)
	seed '* OK hi\r\n1 OK in\r\n2 OK [CAPABILITY] x\r\n* LIST () "/" INBOX\r\n* CAPABILITY\r\n3 OK done\r\n'
	if [ -n "$corpus" ]; then
		list=$(mktemp -d)
		corpus_files 200 | while read -r f; do
			i=$((i + 1))
			fields_of "$f" 8000 >"$list/h$i"
			if [ $((i % 4)) -eq 0 ]; then
				IDLE=$((i % 8 == 0)) imap_transcript "$d/dovecot-corpus-$i" \
					"$list/h$((i - 3))" "$list/h$((i - 2))" \
					"$list/h$((i - 1))" "$list/h$i"
			fi
		done
		rm -rf "$list"
	fi
}

for t in $targets; do
	"seeds_$t"
	echo "$t: $(find "$out/$t" -type f | wc -l) seeds in $out/$t"
done
