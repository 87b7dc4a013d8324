/* imap_fetch.c: see imap_fetch.h.  Grammar from RFC 3501 section 9,
 * accepting only what a reply to kithd's FETCH can hold. */
#include "imap_fetch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_NESTING 64     /* parenthesised lists inside a skipped value */
#define DISCARD_CHUNK 16384

struct rd {
	const struct kith_fetch_io *io;
	struct kith_fetch_result *res;
	const char *p, *end;  /* the unread rest of the current line */
	char *buf;            /* owned: the header section of the reply being read */
	size_t cap;
};

/* One FETCH reply as it is read. */
struct reply {
	uint32_t uid;         /* 0: none seen */
	int has_hdr;
	size_t len;           /* bytes of rd.buf that are the header section */
};

static int fail(struct rd *r, int code, const char *why)
{
	snprintf(r->res->text, sizeof r->res->text, "%s", why);
	return code;
}

static int next_line(struct rd *r)
{
	size_t len;
	int rc = r->io->line(r->io->ctx, &r->p, &len);

	if (rc < 0)
		return fail(r, rc, "connection lost in a FETCH reply");
	if (len > KITH_FETCH_LINE_MAX)
		return fail(r, -EMSGSIZE, "overlong line in a FETCH reply");
	r->end = r->p + len;
	return 0;
}

static int at(const struct rd *r, char c)
{
	return r->p < r->end && *r->p == c;
}

static int expect(struct rd *r, char c)
{
	if (!at(r, c))
		return fail(r, -EPROTO, "malformed FETCH reply");
	r->p++;
	return 0;
}

/* 1 and consumed when the line continues with keyword w (any case)
 * followed by a space, ')' or the end of the line. */
static int keyword(struct rd *r, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(r->end - r->p) < n || strncasecmp(r->p, w, n) != 0)
		return 0;
	if (r->p + n < r->end && r->p[n] != ' ' && r->p[n] != ')')
		return 0;
	r->p += n;
	return 1;
}

static int number(struct rd *r, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (!(r->p < r->end && *r->p >= '0' && *r->p <= '9'))
		return fail(r, -EPROTO, "malformed number in a FETCH reply");
	for (; r->p < r->end && *r->p >= '0' && *r->p <= '9'; r->p++) {
		x = x * 10 + (uint64_t)(*r->p - '0');
		if (x > max)
			return fail(r, -EMSGSIZE, "number too large in a FETCH reply");
	}
	*v = x;
	return 0;
}

/* Makes room for n bytes in r->buf (n is at most KITH_FETCH_KEEP_MAX). */
static int reserve(struct rd *r, size_t n)
{
	char *b;

	if (n <= r->cap)
		return 0;
	b = realloc(r->buf, n);
	if (!b)
		return fail(r, -ENOMEM, "out of memory");
	r->buf = b;
	r->cap = n;
	return 0;
}

static int discard(struct rd *r, uint64_t n)
{
	char junk[DISCARD_CHUNK];

	while (n > 0) {
		size_t k = n < sizeof junk ? (size_t)n : sizeof junk;
		int rc = r->io->read(r->io->ctx, junk, k);

		if (rc < 0)
			return fail(r, rc, "connection lost in a FETCH literal");
		n -= k;
	}
	return 0;
}

/* At "{n}", the last thing on its line: reads the literal (its first
 * KITH_FETCH_KEEP_MAX bytes into r->buf when m is given) and moves to the
 * line that continues after it. */
static int literal(struct rd *r, struct reply *m)
{
	uint64_t n, keep;
	int rc;

	r->p++;
	rc = number(r, KITH_FETCH_LITERAL_MAX, &n);
	if (rc == -EMSGSIZE)
		return fail(r, rc, "a literal of implausible size in a FETCH reply");
	if (rc < 0 || (rc = expect(r, '}')) < 0)
		return rc;
	if (r->p != r->end)
		return fail(r, -EPROTO, "a literal not at the end of its line");
	keep = m ? (n < KITH_FETCH_KEEP_MAX ? n : KITH_FETCH_KEEP_MAX) : 0;
	if (keep && (rc = reserve(r, (size_t)keep)) < 0)
		return rc;
	if (keep && (rc = r->io->read(r->io->ctx, r->buf, (size_t)keep)) < 0)
		return fail(r, rc, "connection lost in a FETCH literal");
	if ((rc = discard(r, n - keep)) < 0)
		return rc;
	if (m) {
		m->has_hdr = 1;
		m->len = (size_t)keep;
		r->res->cut += n > keep;
	}
	return next_line(r);
}

/* At '"': a quoted string, unescaped into r->buf when m is given. */
static int quoted(struct rd *r, struct reply *m)
{
	size_t k = 0;
	int rc;

	if (m && (rc = reserve(r, (size_t)(r->end - r->p))) < 0)
		return rc;
	for (r->p++; r->p < r->end && *r->p != '"'; r->p++) {
		if (*r->p == '\\' && ++r->p == r->end)
			break;
		if (m)
			r->buf[k++] = *r->p;
	}
	if ((rc = expect(r, '"')) < 0)
		return rc;
	if (m) {
		m->has_hdr = 1;
		m->len = k;
	}
	return 0;
}

/* After an element of a parenthesised list: a space before the next one,
 * or the closing parenthesis (left for the caller). */
static int after_element(struct rd *r)
{
	if (at(r, ' ')) {
		r->p++;
		return 0;
	}
	return at(r, ')') ? 0 : fail(r, -EPROTO, "malformed list in a FETCH reply");
}

static int is_atom_char(char c)
{
	return (unsigned char)c > ' ' && c != '(' && c != ')' && c != '{' && c != '"' &&
	       c != 0x7f;
}

/* Skips one value of an item we do not use: an atom, a number, NIL, a
 * string or a parenthesised list of values (FLAGS, MODSEQ, ENVELOPE...). */
static int skip_value(struct rd *r, int depth)
{
	int rc;

	if (depth > MAX_NESTING)
		return fail(r, -EPROTO, "FETCH reply nested too deep");
	if (at(r, '"'))
		return quoted(r, NULL);
	if (at(r, '{'))
		return literal(r, NULL);
	if (!at(r, '(')) {
		const char *s = r->p;

		while (r->p < r->end && is_atom_char(*r->p))
			r->p++;
		return r->p > s ? 0 : fail(r, -EPROTO, "malformed FETCH reply");
	}
	for (r->p++; !at(r, ')');)
		if ((rc = skip_value(r, depth + 1)) < 0 || (rc = after_element(r)) < 0)
			return rc;
	r->p++;
	return 0;
}

/* The header section's value: NIL (taken as an empty header), a quoted
 * string or a literal. */
static int section_value(struct rd *r, struct reply *m)
{
	if (at(r, '"'))
		return quoted(r, m);
	if (at(r, '{'))
		return literal(r, m);
	if (!keyword(r, "NIL"))
		return fail(r, -EPROTO, "malformed header section in a FETCH reply");
	m->has_hdr = 1;
	m->len = 0;
	return 0;
}

/* Reads an item's name: an atom, with a "[section]" (which may hold
 * spaces and parentheses) and a "<origin>" when present.  *hdr is set when
 * it is BODY[HEADER...], the section kithd asks for. */
static int item_name(struct rd *r, int *is_uid, int *is_hdr)
{
	const char *s = r->p, *sec = NULL;

	while (r->p < r->end && is_atom_char(*r->p) && *r->p != '[')
		r->p++;
	if (at(r, '[')) {
		sec = r->p + 1;
		while (r->p < r->end && *r->p != ']')
			r->p++;
		if (expect(r, ']') < 0)
			return -EPROTO;
		while (r->p < r->end && is_atom_char(*r->p))
			r->p++; /* <origin> */
	}
	if (r->p == s)
		return fail(r, -EPROTO, "malformed item in a FETCH reply");
	*is_uid = !sec && r->p - s == 3 && strncasecmp(s, "UID", 3) == 0;
	*is_hdr = sec && sec - s == 5 && strncasecmp(s, "BODY", 4) == 0 &&
		  r->end - sec >= 6 && strncasecmp(sec, "HEADER", 6) == 0;
	return 0;
}

static int item(struct rd *r, struct reply *m)
{
	int is_uid, is_hdr, rc;
	uint64_t uid;

	if ((rc = item_name(r, &is_uid, &is_hdr)) < 0 || (rc = expect(r, ' ')) < 0)
		return rc;
	if (is_hdr)
		return section_value(r, m);
	if (!is_uid)
		return skip_value(r, 0);
	if ((rc = number(r, UINT32_MAX, &uid)) < 0)
		return rc;
	if (uid == 0)
		return fail(r, -EPROTO, "UID 0 in a FETCH reply");
	m->uid = (uint32_t)uid;
	return 0;
}

/* After "* SEQ FETCH ": the item list, then the end of the line. */
static int fetch_reply(struct rd *r, kith_fetch_msg_fn on_msg, void *ctx)
{
	struct reply m = { 0 };
	int rc;

	if ((rc = expect(r, '(')) < 0)
		return rc;
	while (!at(r, ')'))
		if ((rc = item(r, &m)) < 0 || (rc = after_element(r)) < 0)
			return rc;
	r->p++;
	if (r->p != r->end)
		return fail(r, -EPROTO, "data after a FETCH reply");
	r->res->replies++;
	if (!m.uid || !m.has_hdr)
		return 0; /* a flag update or the like: nothing asked for */
	return on_msg(ctx, m.uid, m.len ? r->buf : "", m.len);
}

/* The "{digits}" that ends the line, if it does: a literal follows. */
static const char *trailing_literal(const struct rd *r)
{
	const char *q = r->end - 1;

	if (r->end - r->p < 3 || *q != '}')
		return NULL;
	while (--q > r->p && *q >= '0' && *q <= '9')
		;
	return *q == '{' && q + 1 < r->end - 1 ? q : NULL;
}

/* Skips an untagged reply kithd has no use for (EXISTS, EXPUNGE, OK...),
 * following any literals to its real end ("{user}" in text is text). */
static int skip_untagged(struct rd *r)
{
	const char *brace;
	int rc;

	while ((brace = trailing_literal(r))) {
		r->p = brace;
		if ((rc = literal(r, NULL)) < 0)
			return rc;
	}
	return 0;
}

static int untagged(struct rd *r, kith_fetch_msg_fn on_msg, void *ctx)
{
	uint64_t seq;
	int rc;

	if (keyword(r, "BYE"))
		return fail(r, -EPROTO, "the server closed the connection (BYE)");
	if (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		if ((rc = number(r, UINT32_MAX, &seq)) < 0 || (rc = expect(r, ' ')) < 0)
			return rc;
		if (keyword(r, "FETCH")) {
			if ((rc = expect(r, ' ')) < 0)
				return rc;
			return fetch_reply(r, on_msg, ctx);
		}
	}
	return skip_untagged(r);
}

static void keep_text(struct kith_fetch_result *res, const char *p, const char *end)
{
	size_t i = 0;

	for (; p < end && i + 1 < sizeof res->text; p++)
		res->text[i++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
	res->text[i] = '\0';
}

static int tagged(struct rd *r)
{
	if (keyword(r, "OK"))
		r->res->status = KITH_FETCH_OK;
	else if (keyword(r, "NO"))
		r->res->status = KITH_FETCH_NO;
	else if (keyword(r, "BAD"))
		r->res->status = KITH_FETCH_BAD;
	else
		return fail(r, -EPROTO, "malformed tagged reply to FETCH");
	if (at(r, ' '))
		r->p++;
	keep_text(r->res, r->p, r->end);
	return 0;
}

static int one_response(struct rd *r, const char *tag, size_t tag_len,
			kith_fetch_msg_fn on_msg, void *ctx)
{
	if (r->end - r->p >= 2 && r->p[0] == '*' && r->p[1] == ' ') {
		r->p += 2;
		return untagged(r, on_msg, ctx);
	}
	if ((size_t)(r->end - r->p) > tag_len && memcmp(r->p, tag, tag_len) == 0 &&
	    r->p[tag_len] == ' ') {
		r->p += tag_len + 1;
		return tagged(r) < 0 ? -EPROTO : 1;
	}
	if (at(r, '+'))
		return fail(r, -EPROTO, "unexpected continuation request during FETCH");
	return fail(r, -EPROTO, "unexpected line during FETCH");
}

int kith_fetch_read(const struct kith_fetch_io *io, const char *tag,
		    kith_fetch_msg_fn on_msg, void *ctx, struct kith_fetch_result *res)
{
	struct rd r = { .io = io, .res = res };
	size_t tag_len = strlen(tag);
	int rc;

	*res = (struct kith_fetch_result){ 0 };
	do {
		rc = next_line(&r);
		if (rc == 0)
			rc = one_response(&r, tag, tag_len, on_msg, ctx);
	} while (rc == 0);
	free(r.buf);
	return rc > 0 ? 0 : rc;
}
