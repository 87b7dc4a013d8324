#!/usr/bin/env bash
# make_seeds.sh OUTDIR: writes a seed corpus for fuzz_hdr into OUTDIR.
# Handmade headers covering each field and oddity, plus (when KITH_CORPUS
# points at the real-mail corpus) the header blocks of a sample of its
# files.  Seeds are generated, never stored in the repository.
set -eu
out=$1
mkdir -p "$out"
n=0
seed() { n=$((n + 1)); printf '%b' "$1" >"$out/hand-$n"; }

seed 'Message-ID: <m1@example.org>\r\nDate: Tue, 16 Feb 1999 06:39:00 -0800 (PST)\r\nFrom: "Jane Q. Doe" <Jane@Example.ORG>\r\nTo: bob@example.com, Carol <carol@example.net>\r\nCc: dave@example.com\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= aus\r\n\tBerlin\r\nIn-Reply-To: <p2@example.com>\r\nReferences: <p0@example.com>\r\n <p1@example.com>\r\n <p2@example.com>\r\n\r\nbody\r\n'
seed 'From nobody Mon Jan  1 00:00:00 2001\nFrom: a@b.c\nTo: undisclosed-recipients:;\nSubject: =?iso-8859-1?B?Y2Fm6Q==?= =?koi8-r?Q?=F0=D2?=\nDate: 1 Jan 70 00:00 GMT\n\n'
seed 'List-Id: "L" <L.Example.ORG>\r\nList-Unsubscribe: <mailto:u@x>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nList-Post: <mailto:l@x>\r\nPrecedence: bulk\r\nAuto-Submitted: auto-replied\r\nReturn-Path: <>\r\nFeedback-ID: 1:2:3\r\nX-Auto-Response-Suppress: All\r\nContent-Type: multipart/report; report-type=delivery-status\r\nX-Autoreply: yes\r\nDisposition-Notification-To: a@b\r\n\r\n'
seed 'To: legal <.taylor@enron.com>, l'"'"'sheryl.hudson@enron.com, pep <performance.>, </O=ENRON/OU=NA/CN=RECIPIENTS/CN=JSKILLIN>, <@r1,@r2:u@h>, "q\\"uote" <q@x>, a@b (Name (nested)), Group: x@y, z@w;\r\n'
seed 'Subject: a\x00b\xff\xfe\x1b[0m =?utf-8?q?=00=C2=85?= =?bogus?x?y?= =?utf-8?b?////?=\r\nDate: Thursday, April 09, 2003 9:00 AM\r\n'
seed 'References: <a@b> <a@b> bare@id <unclosed (comment <c@d>) "<q@q>"\r\nMessage-ID: no-brackets@here\r\nIn-Reply-To: Your message of Tue <x@y>\r\n'
seed 'Date: Tue, 029 Apr 2019 23:34:45 -0800 (PST)\r\nDate: second\r\nFrom: MAILER-DAEMON <>\r\nSender: s@x\r\n  orphan\r\nno colon line\r\n:\r\n'

if [ -n "${KITH_CORPUS:-}" ] && [ -d "$KITH_CORPUS" ]; then
	find "$KITH_CORPUS" -type f \( -name '*.eml' -o -path '*skilling-j*' -o -path '*sa-*' \) |
		sort | awk 'NR % 40 == 1' | head -n 400 | while read -r f; do
		# The header block only (up to the first empty line).
		sed -n '1,/^\r\{0,1\}$/p' "$f" | head -c 65536 >"$out/corpus-$(echo "$f" | cksum | cut -d' ' -f1)"
	done
fi
echo "$(find "$out" -type f | wc -l) seeds in $out"
