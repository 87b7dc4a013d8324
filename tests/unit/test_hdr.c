/* test_hdr.c: whole header blocks into struct kith_msg, and the key. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "t.h"
#include "hdr.h"

static struct kith_msg M;

static int parse(const char *s)
{
	kith_msg_free(&M);
	return kith_hdr_parse(s, strlen(s), &M);
}

static const char basic[] =
	"Return-Path: <jane@example.org>\r\n"
	"Message-ID: <m1@example.org>\r\n"
	"Date: Tue, 16 Feb 1999 06:39:00 -0800 (PST)\r\n"
	"From: \"Jane Q. Doe\" <Jane@Example.ORG>\r\n"
	"To: bob@example.com, Carol <carol@example.net>\r\n"
	"Cc: dave@example.com\r\n"
	"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= aus\r\n"
	"\tBerlin\r\n"
	"In-Reply-To: <p2@example.com> <p1@example.com>\r\n"
	"References: <p0@example.com>\r\n"
	" <p1@example.com>\r\n"
	" <p2@example.com>\r\n"
	"X-Unknown: whatever: (ignored\r\n"
	"\r\n"
	"From: body@example.com\r\n";

static void check_basic(void)
{
	CHECK_STR(M.message_id, "m1@example.org");
	CHECK_STR(M.in_reply_to, "p2@example.com");
	CHECK_INT(M.n_refs, 3);
	if (M.n_refs == 3) {
		CHECK_STR(M.refs[0], "p0@example.com");
		CHECK_STR(M.refs[2], "p2@example.com");
	}
	CHECK_INT(M.date, 919175940);
	CHECK_STR(M.from.addr, "jane@example.org");
	CHECK_STR(M.from.name, "Jane Q. Doe");
	CHECK_INT(M.n_to, 2);
	CHECK_INT(M.n_cc, 1);
	CHECK_INT(M.n_rcpt_total, 3);
	if (M.n_to + M.n_cc == 3) {
		CHECK_STR(M.rcpt[0].addr, "bob@example.com");
		CHECK_STR(M.rcpt[1].addr, "carol@example.net");
		CHECK_STR(M.rcpt[1].name, "Carol");
		CHECK_STR(M.rcpt[2].addr, "dave@example.com");
	}
	CHECK_STR(M.subject, "Gr\xC3\xBC\xC3\x9F" "e aus Berlin"); /* the fold's TAB: a space */
	CHECK_NULL(M.list_id);
	CHECK_INT(M.signals, 0);
	CHECK_INT(M.parse_errors, 0);
	CHECK_INT(M.flags, 0);
}

/* CRLF, bare LF and a leading mbox "From " line give the same record. */
static void test_basic(void)
{
	char lf[sizeof(basic) + 64], *o = lf;
	const char *p;

	CHECK_INT(parse(basic), 0);
	check_basic();
	for (p = basic; *p; p++)
		if (*p != '\r')
			*o++ = *p;
	*o = '\0';
	CHECK_INT(parse(lf), 0);
	check_basic();
	memmove(lf + 36, lf, strlen(lf) + 1);
	memcpy(lf, "From jane@example.org Tue Feb 16 1999", 36);
	lf[36] = '\n';
	CHECK_INT(parse(lf), 0);
	check_basic();
}

static void test_empty(void)
{
	kith_msg_free(&M);
	CHECK_INT(kith_hdr_parse(NULL, 0, &M), 0);
	CHECK_NULL(M.message_id);
	CHECK(M.date == KITH_DATE_NONE);
	CHECK_NULL(M.from.addr);
	CHECK_NULL(M.subject);
	CHECK_INT(M.n_rcpt_total, 0);
	CHECK_INT(parse("\r\nSubject: body, not header\r\n"), 0);
	CHECK_NULL(M.subject);
	CHECK_INT(parse("Subject:\r\n"), 0);
	CHECK_STR(M.subject, ""); /* present but empty */
	CHECK_INT(parse("Subject: \t  padded  \r\n"), 0);
	CHECK_STR(M.subject, "padded");
}

/* First occurrence wins; unknown fields and junk lines don't disturb. */
static void test_duplicates(void)
{
	CHECK_INT(parse("X-Foo: bar\r\nSubject: first\r\nsubject: second\r\n"
			"FROM: a@x.org\r\nFrom: b@x.org\r\nthis line is junk\r\n"
			"  orphan continuation\r\n" "Message-Id:<m@x>\r\n"), 0);
	CHECK_STR(M.subject, "first");
	CHECK_STR(M.from.addr, "a@x.org");
	CHECK_STR(M.message_id, "m@x");
	CHECK_INT(M.parse_errors, 2); /* the junk line and the orphan after it */
	CHECK(M.flags & KITH_MSG_REPAIRED);
}

/* NUL bytes, invalid UTF-8 and control characters. */
static void test_bytes(void)
{
	static const char raw[] = "Subject: a\0b\xFF" "c\x1B[31m\r\nFrom: x@y.org\r\n";

	kith_msg_free(&M);
	CHECK_INT(kith_hdr_parse(raw, sizeof(raw) - 1, &M), 0);
	CHECK_STR(M.subject, "a b\xEF\xBF\xBD" "c[31m");
	CHECK_STR(M.from.addr, "x@y.org");
	CHECK_INT(M.parse_errors, 1); /* the subject needed cleaning */
	CHECK_INT(parse("Subject: =?utf-8?b?SGVsbG8=?=\r\n =?utf-8?b?IFdvcmxk?=\r\n"), 0);
	CHECK_STR(M.subject, "Hello World");
	CHECK_INT(M.parse_errors, 0);
}

/* A References field folded over 60 lines keeps every id, oldest first;
 * over the cap the newest KITH_MAX_REFS are kept. */
static void test_refs(void)
{
	char *s = malloc(200 * 40), *o = s;
	int i;

	o += sprintf(o, "References:");
	for (i = 0; i < 60; i++)
		o += sprintf(o, "%s<id%d@host.example>", i % 2 ? "\r\n\t" : "\r\n ", i);
	o += sprintf(o, "\r\nIn-Reply-To: <id59@host.example>\r\n");
	CHECK_INT(parse(s), 0);
	CHECK_INT(M.n_refs, 60);
	if (M.n_refs == 60) {
		CHECK_STR(M.refs[0], "id0@host.example");
		CHECK_STR(M.refs[30], "id30@host.example");
		CHECK_STR(M.refs[59], "id59@host.example");
	}
	CHECK_STR(M.in_reply_to, "id59@host.example");
	/* Its own Message-ID in In-Reply-To/References is dropped (no loops). */
	CHECK_INT(parse("Message-ID: <me@x>\r\nIn-Reply-To: <me@x>\r\n"
			"References: <a@x> <me@x> <b@x>\r\n"), 0);
	CHECK_NULL(M.in_reply_to);
	CHECK_INT(M.n_refs, 2);
	if (M.n_refs == 2) {
		CHECK_STR(M.refs[0], "a@x");
		CHECK_STR(M.refs[1], "b@x");
	}
	CHECK_INT(parse("Message-ID: <me@x>\r\nReferences: <me@x>\r\n"), 0);
	CHECK_INT(M.n_refs, 0);
	CHECK_NULL(M.refs);
	o = s + sprintf(s, "References:");
	for (i = 0; i < 150; i++)
		o += sprintf(o, " <r%d@h>", i);
	CHECK_INT(parse(s), 0);
	CHECK_INT(M.n_refs, 100);
	if (M.n_refs == 100) {
		CHECK_STR(M.refs[0], "r50@h");
		CHECK_STR(M.refs[99], "r149@h");
	}
	free(s);
}

/* 10,000 recipients over To and Cc: KITH_MAX_RCPT_KEPT kept, all counted. */
static void test_many_rcpt(void)
{
	char *s = malloc(10000 * 40 + 100), *o = s;
	int i;

	o += sprintf(o, "To: ");
	for (i = 0; i < 6000; i++)
		o += sprintf(o, "\"User %d\" <user%d@example.com>,\r\n ", i, i);
	o += sprintf(o, "last@example.com\r\nCc: ");
	for (i = 0; i < 3999; i++)
		o += sprintf(o, "cc%d@example.com, ", i);
	o += sprintf(o, "\r\n");
	CHECK_INT(parse(s), 0);
	CHECK_INT(M.n_rcpt_total, 10000);
	CHECK_INT(M.n_to, KITH_MAX_RCPT_KEPT);
	CHECK_INT(M.n_cc, 0);
	CHECK_STR(M.rcpt[0].addr, "user0@example.com");
	CHECK_STR(M.rcpt[0].name, "User 0");
	CHECK_INT(M.parse_errors, 0);
	/* Cc before To in the header: still To first in rcpt. */
	CHECK_INT(parse("Cc: c@x.org\r\nTo: t@x.org, u@x.org\r\n"), 0);
	CHECK_INT(M.n_to, 2);
	CHECK_INT(M.n_cc, 1);
	CHECK_STR(M.rcpt[0].addr, "t@x.org");
	CHECK_STR(M.rcpt[2].addr, "c@x.org");
	free(s);
}

/* A 1 MB subject line and a 1 MB folded To line parse in linear time. */
static void test_huge_lines(void)
{
	size_t n = 1 << 20, i;
	char *s = malloc(n + 64);
	clock_t t0 = clock();

	memcpy(s, "Subject: ", 9);
	for (i = 9; i < n; i++)
		s[i] = (char)('a' + i % 26);
	memcpy(s + n, "\r\nFrom: a@b.org\r\n", 18);
	kith_msg_free(&M);
	CHECK_INT(kith_hdr_parse(s, n + 17, &M), 0);
	CHECK(M.subject && strlen(M.subject) == n - 9);
	CHECK_STR(M.from.addr, "a@b.org");
	memcpy(s, "To:      ", 9);
	for (i = 9; i + 4 <= n; i += 4) { /* "a,\n a,\n\ta,..." folded, no '@' */
		s[i] = 'a';
		s[i + 1] = ',';
		s[i + 2] = '\n';
		s[i + 3] = (i / 4) % 2 ? ' ' : '\t';
	}
	for (; i < n; i++)
		s[i] = ' ';
	kith_msg_free(&M);
	CHECK_INT(kith_hdr_parse(s, n + 17, &M), 0);
	CHECK_INT(M.n_rcpt_total, 0);
	CHECK_INT(M.parse_errors, 1); /* one field, however many bad items */
	CHECK_STR(M.from.addr, "a@b.org");
	CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
	kith_msg_free(&M);
	free(s);
}

static void sig(const char *hdr, uint32_t want)
{
	CHECK_INT(parse(hdr), 0);
	CHECK_INT(M.signals, want);
	if (M.signals != want)
		fprintf(stderr, "  (header: %s)\n", hdr);
}

static void test_signals(void)
{
	sig("List-Id: Foo <foo.lists.example.org>\r\n", KITH_SIG_LIST_ID);
	sig("List-Unsubscribe: <mailto:u@x>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
	    KITH_SIG_LIST_UNSUB | KITH_SIG_LIST_UNSUB_POST);
	sig("List-Post: <mailto:l@x>\r\n", KITH_SIG_LIST_OTHER);
	sig("List-Help: <mailto:l@x>\r\n", KITH_SIG_LIST_OTHER);
	sig("Mailing-List: contact l@x; run by ezmlm\r\n", KITH_SIG_LIST_OTHER);
	sig("X-Mailing-List: <l@x>\r\n", KITH_SIG_LIST_OTHER);
	sig("Precedence: BULK\r\n", KITH_SIG_PREC_BULK);
	sig("Precedence: list\r\n", KITH_SIG_PREC_LIST);
	sig("Precedence: (why) junk\r\n", KITH_SIG_PREC_JUNK);
	sig("Precedence: first-class\r\n", 0);
	sig("Auto-Submitted: no\r\n", 0);
	sig("Auto-Submitted: No (not automatic)\r\n", 0);
	sig("Auto-Submitted: auto-generated\r\n", KITH_SIG_AUTO_SUBMITTED);
	sig("Auto-Submitted: Auto-Replied; owner-email=\"a@b\"\r\n",
	    KITH_SIG_AUTO_SUBMITTED | KITH_SIG_AUTO_REPLIED);
	sig("Return-Path: <>\r\n", KITH_SIG_NULL_RETURN_PATH);
	sig("Return-Path: < >\r\n", 0);
	sig("Return-Path: <bounce@x.org>\r\n", 0);
	sig("Feedback-ID: 1:2:3:amazonses\r\n", KITH_SIG_FEEDBACK_ID);
	sig("X-Auto-Response-Suppress: All\r\n", KITH_SIG_AUTO_RESP_SUPPR);
	sig("Content-Type: Multipart/Report; report-type=delivery-status;\r\n boundary=x\r\n",
	    KITH_SIG_REPORT);
	sig("Content-Type: multipart/mixed; boundary=x\r\n", 0);
	sig("X-Autoreply: yes\r\n", KITH_SIG_AUTOREPLY_HDR);
	sig("X-Autorespond: yes\r\n", KITH_SIG_AUTOREPLY_HDR);
	sig("Disposition-Notification-To: a@b.org\r\n", KITH_SIG_MDN_REQUESTED);
	sig("X-List-Id: not a list header\r\n", 0);
}

static void test_list_id(void)
{
	CHECK_INT(parse("List-Id: \"Linux Man\" <Linux-Man.VGER.kernel.org>\r\n"), 0);
	CHECK_STR(M.list_id, "linux-man.vger.kernel.org");
	CHECK_INT(M.parse_errors, 0);
	CHECK_INT(parse("List-Id: Bare.List.Example (comment)\r\n"), 0);
	CHECK_STR(M.list_id, "bare.list.example");
	CHECK_INT(M.parse_errors, 1);
	CHECK_INT(parse("List-Id: two\t words\x01 \xff\r\n"), 0);
	CHECK_STR(M.list_id, "two words \xEF\xBF\xBD");
	CHECK_INT(parse("List-Id:\r\n"), 0);
	CHECK_NULL(M.list_id);
	CHECK_INT(M.signals, KITH_SIG_LIST_ID);
}

/* Fields that don't fully parse are counted; what parses is kept. */
static void test_errors(void)
{
	CHECK_INT(parse("Date: someday\r\nFrom: nobody\r\nTo: a@x.org, junk\r\n"
			"Message-ID: <ok@x>\r\n"), 0);
	CHECK(M.date == KITH_DATE_NONE);
	CHECK_NULL(M.from.addr);
	CHECK_INT(M.n_to, 1);
	CHECK_STR(M.message_id, "ok@x");
	CHECK_INT(M.parse_errors, 3);
	CHECK_INT(M.flags, KITH_MSG_REPAIRED);
	CHECK_INT(parse("Sender: s@x.org\r\n"), 0); /* no From: use Sender */
	CHECK_STR(M.from.addr, "s@x.org");
}

static void test_fields(void)
{
	size_t n = 0;
	int refs = 0, dnt = 0;

	for (n = 0; kith_hdr_fields[n]; n++) {
		refs |= strcmp(kith_hdr_fields[n], "References") == 0;
		dnt |= strcmp(kith_hdr_fields[n], "Disposition-Notification-To") == 0;
		CHECK(strchr(kith_hdr_fields[n], ' ') == NULL);
	}
	CHECK_INT(n, 26);
	CHECK(refs && dnt);
	CHECK_STR(kith_hdr_fields[0], "From");
}

/* kith_msg_key's answers as first stored: any change would make every
 * stored message look new to the next sync. */
#define KEY_LUNCH    "808e54daf22e528dadb1c8e5393335be"
#define KEY_UNDATED  "7d95c73320645543d5b684cea4d31157"
#define KEY_EPOCH    "85c2caa9a0764fb2497a046891ae4276"
#define KEY_NEGATIVE "9776fd154b4be63b3521b2a8b89ce461"

static void key_of(const char *s, char k[33])
{
	CHECK_INT(parse(s), 0);
	kith_msg_key(&M, k);
	CHECK_INT(strlen(k), 32);
	CHECK(strspn(k, "0123456789abcdef") == 32);
}

/* Folder copies with other Message-IDs share a key; real differences don't. */
static void test_key(void)
{
	char a[33], b[33], c[33];

	key_of("Message-ID: <1.JavaMail.evans@thyme>\r\nDate: Tue, 16 Feb 1999 06:39:00 -0800\r\n"
	       "From: a@x.org\r\nTo: b@x.org, c@x.org\r\nSubject: Re:  lunch \r\n", a);
	key_of("Subject: Re: lunch\r\nTo: C@x.org,\r\n b@x.org\r\nFrom: \"A\" <a@x.org>\r\n"
	       "Date: Tue, 16 Feb 1999 14:39:00 +0000\r\nMessage-ID: <2.JavaMail.evans@thyme>\r\n", b);
	CHECK_STR(a, b);
	key_of("Message-ID: <1.JavaMail.evans@thyme>\r\nDate: Tue, 16 Feb 1999 06:39:00 -0800\r\n"
	       "From: a@x.org\r\nTo: b@x.org, c@x.org\r\nSubject: Re: lunch?\r\n", c);
	CHECK(strcmp(a, c) != 0);
	key_of("Message-ID: <1.JavaMail.evans@thyme>\r\nDate: Tue, 16 Feb 1999 06:39:01 -0800\r\n"
	       "From: a@x.org\r\nTo: b@x.org, c@x.org\r\nSubject: Re: lunch\r\n", c);
	CHECK(strcmp(a, c) != 0);
	key_of("Message-ID: <1.JavaMail.evans@thyme>\r\nDate: Tue, 16 Feb 1999 06:39:00 -0800\r\n"
	       "From: a@x.org\r\nTo: b@x.org\r\nSubject: Re: lunch\r\n", c);
	CHECK(strcmp(a, c) != 0);
	/* Without a date, the Message-ID tells copies apart. */
	key_of("Message-ID: <1@x>\r\nFrom: a@x.org\r\nSubject: s\r\n", a);
	key_of("Message-ID: <2@x>\r\nFrom: a@x.org\r\nSubject: s\r\n", b);
	CHECK(strcmp(a, b) != 0);
	key_of("Message-ID: <1@x>\r\nFrom: a@x.org\r\nSubject: s\r\n", c);
	CHECK_STR(a, c);
	/* The key is stored (messages.key): it must never change.  Known answers. */
	key_of("Message-ID: <1.JavaMail.evans@thyme>\r\nDate: Tue, 16 Feb 1999 06:39:00 -0800\r\n"
	       "From: a@x.org\r\nTo: b@x.org, c@x.org\r\nSubject: Re:  lunch \r\n", a);
	CHECK_STR(a, KEY_LUNCH);
	key_of("Message-ID: <1@x>\r\nFrom: a@x.org\r\nSubject: s\r\n", a);
	CHECK_STR(a, KEY_UNDATED);
	key_of("Date: Thu, 1 Jan 1970 00:00:00 +0000\r\nFrom: a@x.org\r\nTo: z@y, a@y, m@y, a@y\r\n"
	       "Subject: \t x  \t y\r\n", a);
	CHECK_STR(a, KEY_EPOCH);
	key_of("Date: Tue, 16 Feb 1960 06:39:00 -0800\r\nSubject: before the epoch\r\n", a);
	CHECK_STR(a, KEY_NEGATIVE);
	/* Field boundaries matter: "ab"+"c" differs from "a"+"bc". */
	key_of("From: ab@x.org\r\nSubject: c\r\n", a);
	key_of("From: a@x.org\r\nSubject: bc\r\n", b);
	CHECK(strcmp(a, b) != 0);
}

/* Throughput on a realistic header: printed as a figure (a speed target
 * is bench/'s; a timed check fails on a busy machine, not on slow code). */
static void test_speed(void)
{
	clock_t t0 = clock();
	double secs;
	char key[33];
	int i, n = 100000;

	for (i = 0; i < n; i++) {
		kith_msg_free(&M);
		if (kith_hdr_parse(basic, sizeof(basic) - 1, &M) < 0)
			break;
		kith_msg_key(&M, key);
	}
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK_INT(i, n);
	printf("parsed %d headers in %.2f s (%.0f/s)\n", n, secs, n / (secs > 0 ? secs : 1e-9));
}

int main(void)
{
	test_basic();
	test_empty();
	test_duplicates();
	test_bytes();
	test_refs();
	test_many_rcpt();
	test_huge_lines();
	test_signals();
	test_list_id();
	test_errors();
	test_fields();
	test_key();
	test_speed();
	kith_msg_free(&M);
	return T_DONE();
}
