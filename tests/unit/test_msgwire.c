/* test_msgwire.c: a parsed message survives the trip from the IMAP child to
 * the daemon unchanged, and bytes that are not a valid encoding are refused
 * without a crash or a leak. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "hdr.h"
#include "msgwire.h"

static const char full_hdr[] =
	"From: =?UTF-8?Q?Ana_Mar=C3=ADa?= <Ana@Example.org>\r\n"
	"To: Ben <ben@example.org>, chloe@example.org\r\n"
	"Cc: \"Dee, D.\" <dee@example.net>\r\n"
	"Date: Tue, 12 May 2026 09:30:00 +0200\r\n"
	"Subject: Re: lunch on\r\n Thursday?\r\n"
	"Message-ID: <m2@example.org>\r\n"
	"In-Reply-To: <m1@example.org>\r\n"
	"References: <m0@example.org>\r\n <m1@example.org>\r\n"
	"List-Id: Friends <friends.example.org>\r\n"
	"Precedence: bulk\r\n"
	"Auto-Submitted: auto-replied\r\n"
	"\r\n";

static int same_opt(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Field by field, every field a decoded record carries. */
static int same_msg(const struct kith_msg *a, const struct kith_msg *b)
{
	size_t i;

	if (a->date != b->date || a->signals != b->signals ||
	    (a->flags & KITH_MSG_REPAIRED) != b->flags || a->parse_errors != b->parse_errors ||
	    a->n_rcpt_total != b->n_rcpt_total || a->n_to != b->n_to || a->n_cc != b->n_cc ||
	    a->n_refs != b->n_refs || b->id != 0)
		return 0;
	if (!same_opt(a->message_id, b->message_id) || !same_opt(a->in_reply_to, b->in_reply_to) ||
	    !same_opt(a->subject, b->subject) || !same_opt(a->list_id, b->list_id) ||
	    !same_opt(a->from.addr, b->from.addr) || !same_opt(a->from.name, b->from.name))
		return 0;
	for (i = 0; i < a->n_to + a->n_cc; i++)
		if (!same_opt(a->rcpt[i].addr, b->rcpt[i].addr) ||
		    !same_opt(a->rcpt[i].name, b->rcpt[i].name))
			return 0;
	for (i = 0; i < a->n_refs; i++)
		if (!same_opt(a->refs[i], b->refs[i]))
			return 0;
	return 1;
}

/* Encodes the parse of hdr, checks the round trip; returns the encoding. */
static unsigned char *roundtrip(const char *hdr, size_t *len)
{
	struct kith_msg m, d;
	struct kith_hbuf b;
	unsigned char *buf;

	kith_hbuf_init(&b);
	CHECK_INT(kith_hdr_parse(hdr, strlen(hdr), &m), 0);
	m.flags |= KITH_MSG_IN_SENT; /* never travels: the folder says so */
	CHECK_INT(kith_msgwire_encode(&m, &b), 0);
	buf = (unsigned char *)b.p;
	*len = b.len;
	CHECK_INT(kith_msgwire_decode(buf, *len, &d), 0);
	CHECK(same_msg(&m, &d));
	CHECK(!(d.flags & KITH_MSG_IN_SENT));
	kith_msg_free(&d);
	kith_msg_free(&m);
	return buf;
}

static void test_roundtrip(void)
{
	unsigned char *buf;
	struct kith_msg m;
	size_t len;

	buf = roundtrip(full_hdr, &len);
	CHECK_INT(kith_msgwire_decode(buf, len, &m), 0);
	CHECK_STR(m.from.name, "Ana Mar\xc3\xad" "a");
	CHECK_STR(m.from.addr, "ana@example.org");
	CHECK_INT(m.n_to, 2);
	CHECK_INT(m.n_cc, 1);
	CHECK_NULL(m.rcpt[1].name);
	CHECK_INT(m.n_refs, 2);
	CHECK_STR(m.refs[1], "m1@example.org");
	CHECK_STR(m.list_id, "friends.example.org");
	CHECK(m.signals & KITH_SIG_AUTO_REPLIED);
	kith_msg_free(&m);
	free(buf);
	/* absent everything: NULL strings stay NULL, not "" */
	buf = roundtrip("X-Nothing: here\r\n\r\n", &len);
	CHECK_INT(kith_msgwire_decode(buf, len, &m), 0);
	CHECK_NULL(m.from.addr);
	CHECK_NULL(m.subject);
	CHECK_INT(m.date, KITH_DATE_NONE);
	kith_msg_free(&m);
	free(buf);
	/* broken headers: the repaired flag and the error count travel */
	free(roundtrip("From: <<<\r\nDate: not a date\r\nTo: a@b.c, (\r\n\r\n", &len));
}

/* Two records in one buffer: the encoder appends. */
static void test_append(void)
{
	struct kith_msg m, d;
	struct kith_hbuf b;
	unsigned char *buf;
	size_t len, first;

	kith_hbuf_init(&b);
	CHECK_INT(kith_hdr_parse(full_hdr, strlen(full_hdr), &m), 0);
	CHECK_INT(kith_msgwire_encode(&m, &b), 0);
	first = b.len;
	CHECK_INT(kith_msgwire_encode(&m, &b), 0);
	buf = (unsigned char *)b.p;
	len = b.len;
	CHECK_INT(len, 2 * first);
	CHECK_INT(kith_msgwire_decode(buf + first, first, &d), 0);
	CHECK(same_msg(&m, &d));
	kith_msg_free(&d);
	/* the whole buffer is not one record: trailing bytes are refused */
	CHECK_INT(kith_msgwire_decode(buf, len, &d), -EBADMSG);
	kith_msg_free(&m);
	free(buf);
}

/* Every proper prefix of a valid encoding is refused. */
static void test_truncated(void)
{
	struct kith_msg d;
	size_t len, i, refused = 0;
	unsigned char *buf = roundtrip(full_hdr, &len);

	for (i = 0; i < len; i++)
		refused += kith_msgwire_decode(buf, i, &d) == -EBADMSG;
	CHECK_INT(refused, len);
	free(buf);
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Counts and lengths a real parse cannot produce are refused. */
static void test_hostile(void)
{
	struct kith_msg d;
	size_t len;
	unsigned char *buf = roundtrip(full_hdr, &len), *c = malloc(len);
	size_t str0 = 8 + 4 * 4 + 3 * 2; /* first string's length field */

	memcpy(c, buf, len);
	c[26] = 65; /* n_cc (bytes 26-27) 65: over KITH_MAX_RCPT_KEPT */
	CHECK_INT(kith_msgwire_decode(c, len, &d), -EBADMSG);
	memcpy(c, buf, len);
	c[28] = 101; /* n_refs over KITH_MAX_REFS */
	CHECK_INT(kith_msgwire_decode(c, len, &d), -EBADMSG);
	memcpy(c, buf, len);
	put32(c + 20, 1); /* fewer recipients in all than kept */
	CHECK_INT(kith_msgwire_decode(c, len, &d), -EBADMSG);
	memcpy(c, buf, len);
	put32(c + str0, 0xfffffff0u); /* a string longer than the input */
	CHECK_INT(kith_msgwire_decode(c, len, &d), -EBADMSG);
	memcpy(c, buf, len);
	c[str0 + 4 + 2] = '\0'; /* a NUL inside the Message-ID */
	CHECK_INT(kith_msgwire_decode(c, len, &d), -EBADMSG);
	free(c);
	free(buf);
}

/* Random damage to a valid encoding: decoding either succeeds or refuses,
 * never crashes, never leaks (the sanitizer run checks the last two). */
static void test_random_damage(void)
{
	struct kith_msg d;
	size_t len, i, ok = 0, refused = 0;
	unsigned char *buf = roundtrip(full_hdr, &len), *c = malloc(len);
	uint32_t seed = 12345;

	for (i = 0; i < 20000; i++) {
		int r;

		memcpy(c, buf, len);
		for (int k = 0; k < 3; k++) {
			seed = seed * 1103515245u + 12345u;
			c[(seed >> 8) % len] = (unsigned char)(seed >> 24);
		}
		r = kith_msgwire_decode(c, len, &d);
		ok += r == 0;
		refused += r == -EBADMSG;
		if (r == 0)
			kith_msg_free(&d);
	}
	CHECK_INT(ok + refused, 20000);
	CHECK(refused > 0);
	free(c);
	free(buf);
}

int main(void)
{
	test_roundtrip();
	test_append();
	test_truncated();
	test_hostile();
	test_random_damage();
	return T_DONE();
}
