/* addr.c: RFC 5322 address lists and address normalisation (see addr.h).
 *
 * The list is split at top-level ',' and ';' (quotes, comments and <...>
 * respected; a top-level ':' opens a group whose name is dropped).  Each
 * item is "phrase <addr-spec>" or a bare addr-spec with an optional
 * "(comment)" used as the name.  Anything without a usable "local@domain"
 * is counted and skipped (X.400 paths, lone names, "<>").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "hdrfield.h"
#include "hdrtext.h"
#include "rfc2047.h"

struct out {               /* the caller's list being appended to */
	struct kith_addr **v;
	size_t *n, max, cap;
	uint32_t *total;
};

void kith_addr_free(struct kith_addr *a)
{
	if (!a)
		return;
	free(a->addr);
	free(a->name);
	a->addr = NULL;
	a->name = NULL;
}

/* Index of the next top-level delimiter at or after i: ',' or ';', and
 * ':' (a group's start) unless already inside a group. */
static size_t next_delim(const char *s, size_t n, size_t i, int in_group)
{
	while (i < n) {
		char c = s[i];

		if (c == '"') {
			i = kith_skip_quoted(s, n, i);
		} else if (c == '(') {
			i = kith_skip_comment(s, n, i);
		} else if (c == '<') {
			const char *e = memchr(s + i, '>', n - i);
			i = e ? (size_t)(e - s) + 1 : n;
		} else if (c == ',' || c == ';' || (c == ':' && !in_group)) {
			return i;
		} else {
			i++;
		}
	}
	return n;
}

static int domain_ok(const char *d, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	if (d[0] == '[')
		return n >= 3 && d[n - 1] == ']';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		      c == '_' || c >= 0x80))
			return 0;
	}
	return d[0] != '.';
}

static int local_ok(const char *l, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	if (l[0] == '"')
		return n >= 2 && l[n - 1] == '"';
	for (i = 0; i < n; i++)
		if (strchr("<>()[]\\,;:\"@ ", l[i]) || (unsigned char)l[i] < 0x21 ||
		    l[i] == 0x7F)
			return 0;
	return 1;
}

static int utf8_valid(const char *s, size_t n)
{
	size_t i = 0, l;

	while (i < n) {
		l = kith_utf8_seq_len((const unsigned char *)s + i, n - i);
		if (l == 0)
			return 0;
		i += l;
	}
	return 1;
}

/* Copies s[0..n) lowercased without comments and whitespace (quoted
 * strings kept whole) into b. */
static int is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c >= 0x80 || (c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* 1 when q[0..n) is a dot-atom: atoms joined by single dots. */
static int is_dot_atom(const char *q, size_t n)
{
	if (n == 0 || q[0] == '.' || q[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (q[i] == '.' ? q[i + 1] == '.' : !is_atext((unsigned char)q[i]))
			return 0;
	return 1;
}

/* Why: Exchange (and the Enron export) writes "John.Doe"@x for john.doe@x;
 * both must be one address, lower case as msg.h promises.  A quoted part
 * that needs its quotes keeps them, lowercased inside. */
static void put_quoted_lc(struct kith_hbuf *b, const char *q, size_t n)
{
	int bare = n >= 2 && q[n - 1] == '"' && is_dot_atom(q + 1, n - 2);

	for (size_t i = bare; i < n - bare; i++)
		kith_hbuf_putc(b, (char)kith_lc((unsigned char)q[i]));
}

static void squeeze(struct kith_hbuf *b, const char *s, size_t n)
{
	size_t i, e;

	for (i = 0; i < n; i++) {
		if (s[i] == '(') {
			i = kith_skip_comment(s, n, i) - 1;
		} else if (s[i] == '"') {
			e = kith_skip_quoted(s, n, i);
			put_quoted_lc(b, s + i, e - i);
			i = e - 1;
		} else if (!kith_is_wsp((unsigned char)s[i])) {
			kith_hbuf_putc(b, (char)kith_lc((unsigned char)s[i]));
		}
	}
}

/* Cleans a candidate addr-spec: comments and whitespace dropped, one
 * obsolete route and "mailto:" removed, surrounding quotes ('x@y') removed,
 * lowercased, checked.  Returns a malloc'd address, or NULL when unusable
 * (*oom set when for lack of memory); *fixed set when a repair was needed. */
static char *clean_spec(const char *s, size_t n, int *fixed, int *oom)
{
	struct kith_hbuf b;
	size_t at, st = 0, e;
	char *p;

	kith_hbuf_init(&b);
	squeeze(&b, s, n);
	if (b.oom || b.len == 0) {
		*oom = b.oom;
		kith_hbuf_free(&b);
		return NULL;
	}
	p = b.p;
	e = b.len;
	if (p[0] == '@' && memchr(p, ':', e)) /* obs-route "@a,@b:user@host" */
		st = (size_t)((char *)memchr(p, ':', e) - p) + 1;
	if (e - st > 7 && memcmp(p + st, "mailto:", 7) == 0) {
		st += 7;
		*fixed = 1;
	}
	while (e > st + 1 && (p[st] == '\'' || p[st] == '`') && p[e - 1] == p[st]) {
		st++;
		e--;
		*fixed = 1;
	}
	while (e > st && p[e - 1] == '.') { /* "user@host." */
		e--;
		*fixed = 1;
	}
	for (at = e; at > st && p[at - 1] != '@'; at--)
		;
	if (at == st || !local_ok(p + st, at - 1 - st) || !domain_ok(p + at, e - at) ||
	    !utf8_valid(p + st, e - st)) {
		kith_hbuf_free(&b);
		return NULL;
	}
	memmove(p, p + st, e - st);
	p[e - st] = '\0';
	b.len = e - st;
	return kith_hbuf_take(&b);
}

/* Trims s in place; returns its new length. */
static size_t trim(char *s, size_t n)
{
	size_t a = 0;

	while (n > 0 && kith_is_wsp((unsigned char)s[n - 1]))
		n--;
	while (a < n && kith_is_wsp((unsigned char)s[a]))
		a++;
	memmove(s, s + a, n - a);
	s[n - a] = '\0';
	return n - a;
}

/* Appends a phrase's words: quoted strings unquoted, comments dropped,
 * whitespace collapsed to one space. */
static void phrase_words(struct kith_hbuf *b, const char *s, size_t n)
{
	size_t i = 0, e;

	while (i < n) {
		if (s[i] == '"') {
			e = kith_skip_quoted(s, n, i);
			for (i++; i < e; i++) {
				if (s[i] == '\\' && i + 1 < e)
					i++;
				else if (s[i] == '"')
					continue;
				kith_hbuf_putc(b, s[i]);
			}
		} else if (s[i] == '(' || kith_is_wsp((unsigned char)s[i])) {
			i = s[i] == '(' ? kith_skip_comment(s, n, i) : i + 1;
			if (b->len > 0 && b->p[b->len - 1] != ' ')
				kith_hbuf_putc(b, ' ');
		} else {
			kith_hbuf_putc(b, s[i++]);
		}
	}
}

/* A display name from a phrase (or a comment's inside), decoded to UTF-8;
 * NULL when empty (or on ENOMEM, then *oom is set). */
static char *phrase_name(const char *s, size_t n, int *oom)
{
	struct kith_hbuf raw;
	char *name;
	size_t len;

	kith_hbuf_init(&raw);
	phrase_words(&raw, s, n);
	if (raw.oom || raw.len == 0) {
		*oom |= raw.oom;
		kith_hbuf_free(&raw);
		return NULL;
	}
	len = trim(raw.p, raw.len);
	if (len >= 2 && raw.p[0] == '\'' && raw.p[len - 1] == '\'') { /* 'Jane Doe' */
		raw.p[len - 1] = '\0';
		len = trim(raw.p + 1, len - 2);
		memmove(raw.p, raw.p + 1, len + 1);
	}
	name = kith_rfc2047_decode_str(raw.p, len, NULL);
	kith_hbuf_free(&raw);
	if (!name) {
		*oom = 1;
		return NULL;
	}
	if (trim(name, strlen(name)) == 0) {
		free(name);
		return NULL;
	}
	return name;
}

/* Stores one parsed address (taking ownership of addr and name). */
static int keep(struct out *o, char *addr, char *name)
{
	struct kith_addr *v;

	(*o->total)++;
	if (*o->n >= o->max) {
		free(addr);
		free(name);
		return 0;
	}
	if (*o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 4;

		if (cap > o->max)
			cap = o->max;
		v = realloc(*o->v, cap * sizeof(*v));
		if (!v) {
			free(addr);
			free(name);
			return -ENOMEM;
		}
		*o->v = v;
		o->cap = cap;
	}
	(*o->v)[*o->n].addr = addr;
	(*o->v)[*o->n].name = name;
	(*o->n)++;
	return 0;
}

/* Index of the first top-level '<' in s[0..n), or n. */
static size_t find_angle(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (s[i] == '"')
			i = kith_skip_quoted(s, n, i);
		else if (s[i] == '(')
			i = kith_skip_comment(s, n, i);
		else if (s[i] == '<')
			return i;
		else
			i++;
	}
	return n;
}

/* "phrase <spec>" item; *fixed set for junk after '>' or a missing '>'. */
static char *angle_item(const char *s, size_t n, size_t lt, char **name, int *fixed, int *oom)
{
	const char *gt = memchr(s + lt, '>', n - lt);
	size_t ge = gt ? (size_t)(gt - s) : n, i;
	char *addr;

	if (!gt)
		*fixed = 1;
	for (i = ge + 1; i < n; i++) {
		if (s[i] == '(')
			i = kith_skip_comment(s, n, i) - 1;
		else if (!kith_is_wsp((unsigned char)s[i]))
			*fixed = 1;
	}
	addr = clean_spec(s + lt + 1, ge - lt - 1, fixed, oom);
	if (addr)
		*name = phrase_name(s, lt, oom);
	return addr;
}

/* 1 when the words of a bare item join into one obsolete addr-spec
 * ("jeff . skilling @ enron.com"): each gap borders a '.' or '@'. */
static int joinable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t a, b;

		if (s[i] == '"') {
			i = kith_skip_quoted(s, n, i) - 1;
			continue;
		}
		if (!kith_is_wsp((unsigned char)s[i]))
			continue;
		for (a = i; a > 0 && kith_is_wsp((unsigned char)s[a - 1]); a--)
			;
		for (b = i; b < n && kith_is_wsp((unsigned char)s[b]); b++)
			;
		if (a > 0 && b < n && !strchr(".@", s[a - 1]) && !strchr(".@", s[b]))
			return 0;
		i = b;
	}
	return 1;
}

/* The comment text of a bare "user@host (Name)" item, as a name. */
static char *comment_name(const char *s, size_t n, int *oom)
{
	size_t i = 0, e;

	while (i < n) {
		if (s[i] == '"') {
			i = kith_skip_quoted(s, n, i);
		} else if (s[i] == '(') {
			e = kith_skip_comment(s, n, i);
			return phrase_name(s + i + 1, e - i - (s[e - 1] == ')' ? 2 : 1), oom);
		} else {
			i++;
		}
	}
	return NULL;
}

/* A bare item: an addr-spec, or as a repair the last "@" word of a phrase
 * ("Jeff Skilling jeff@enron.com"). */
static char *bare_item(const char *s, size_t n, char **name, int *fixed, int *oom)
{
	char *spec = kith_strip_cfws(s, n), *addr = NULL;
	size_t len, i, st;

	if (!spec) {
		*oom = 1;
		return NULL;
	}
	len = strlen(spec);
	if (joinable(spec, len)) {
		addr = clean_spec(spec, len, fixed, oom);
		if (addr)
			*name = comment_name(s, n, oom);
	} else {
		for (i = len; i > 0 && !addr; i = st) {
			for (st = i; st > 0 && !kith_is_wsp((unsigned char)spec[st - 1]); st--)
				;
			if (memchr(spec + st, '@', i - st))
				addr = clean_spec(spec + st, i - st, fixed, oom);
			while (st > 0 && kith_is_wsp((unsigned char)spec[st - 1]))
				st--;
		}
		if (addr) {
			*fixed = 1;
			*name = phrase_name(spec, i, oom);
		}
	}
	free(spec);
	return addr;
}

/* 1 when s[0..n) holds nothing but whitespace and comments. */
static int blank(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (s[i] == '(')
			i = kith_skip_comment(s, n, i);
		else if (kith_is_wsp((unsigned char)s[i]))
			i++;
		else
			return 0;
	}
	return 1;
}

/* Parses one list item; returns 0 clean (or empty), 1 repaired or
 * unusable, -ENOMEM. */
static int parse_item(struct out *o, const char *s, size_t n)
{
	size_t lt;
	char *addr, *name = NULL;
	int fixed = 0, oom = 0;

	if (blank(s, n))
		return 0;
	lt = find_angle(s, n);
	if (lt < n)
		addr = angle_item(s, n, lt, &name, &fixed, &oom);
	else
		addr = bare_item(s, n, &name, &fixed, &oom);
	if (oom) {
		free(addr);
		free(name);
		return -ENOMEM;
	}
	if (!addr) {
		free(name);
		return 1;
	}
	if (keep(o, addr, name) < 0)
		return -ENOMEM;
	return fixed;
}

/* --- the fast path -----------------------------------------------------
 *
 * Why: nearly every item in real lists is a plain "local@domain" or
 * "Name <local@domain>" (the Enron export: 99.6% bare), and the general
 * parser above spends several passes and allocations on each.  fast_item()
 * accepts only items whose every byte it understands, produces exactly
 * what parse_item() would (the differential test in test_addr.c holds it
 * to that), and hands anything else to parse_item().
 */

enum { FAST_NO = 2 }; /* fast_item(): "not mine, use the full parser" */

/* Byte classes for the fast path, as a constant table (no run-time setup,
 * nothing shared to race on).  The rules mirror the full parser's:
 * is_atext() and local_ok() for local parts, domain_ok() for domains,
 * phrase_words() for names.  Only printable ASCII is ever in a class. */
#define C_LOCAL  1 /* may appear in a plain local part: atext or '.' */
#define C_DOMAIN 2 /* may appear in a plain domain: letter, digit, '-', '.', '_' */
#define C_PHRASE 4 /* copied as is in an unquoted display name */
#define C_QTEXT  8 /* copied as is inside a quoted display name */

#define FC_ALNUM(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') || \
		     ((c) >= '0' && (c) <= '9'))
#define FC_ATEXT(c) (FC_ALNUM(c) || (c) == '!' || (c) == '#' || (c) == '$' || \
		     (c) == '%' || (c) == '&' || (c) == '\'' || (c) == '*' || (c) == '+' || \
		     (c) == '-' || (c) == '/' || (c) == '=' || (c) == '?' || (c) == '^' || \
		     (c) == '_' || (c) == '`' || (c) == '{' || (c) == '|' || (c) == '}' || \
		     (c) == '~')
/* Specials a name's fast copy leaves to the full parser: quotes, comments,
 * angle brackets, escapes, and '=' (it could start an encoded word). */
#define FC_NAMECH(c) ((c) > 0x20 && (c) < 0x7F && (c) != '"' && (c) != '(' && \
		      (c) != ')' && (c) != '<' && (c) != '>' && (c) != '\\' && (c) != '=')
#define FC(c) ((FC_ATEXT(c) || (c) == '.' ? C_LOCAL : 0) | \
	       (FC_ALNUM(c) || (c) == '-' || (c) == '.' || (c) == '_' ? C_DOMAIN : 0) | \
	       (FC_NAMECH(c) ? C_PHRASE | C_QTEXT : 0) | ((c) == ' ' ? C_QTEXT : 0))
#define FC4(c) FC(c), FC((c) + 1), FC((c) + 2), FC((c) + 3)
#define FC16(c) FC4(c), FC4((c) + 4), FC4((c) + 8), FC4((c) + 12)
#define FC64(c) FC16(c), FC16((c) + 16), FC16((c) + 32), FC16((c) + 48)

static const unsigned char fast_class[256] = { FC64(0), FC64(64) }; /* 128..255: 0 */

/* The plain addr-spec s[0..n) lowercased into a malloc'd string, or NULL
 * with *no set when it is not plain (or *oom set on ENOMEM).  Plain: one
 * '@', a local part of atext and dots not starting with a quote character,
 * a domain of letters, digits, '-', '.', '_' not starting or ending with a
 * dot.  For these clean_spec() changes nothing but the case. */
static char *fast_spec(const char *s, size_t n, int *no, int *oom)
{
	size_t at = n, i;
	char *a;

	if (n < 3 || s[0] == '\'' || s[0] == '`' || s[n - 1] == '.') {
		*no = 1;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '@' && at == n && i > 0)
			at = i;
		else if (!(fast_class[c] & (at == n ? C_LOCAL : C_DOMAIN)))
			break;
	}
	if (i < n || at == n || at + 1 == n || s[at + 1] == '.') {
		*no = 1;
		return NULL;
	}
	a = malloc(n + 1);
	if (!a) {
		*oom = 1;
		return NULL;
	}
	for (i = 0; i < n; i++)
		a[i] = (char)kith_lc((unsigned char)s[i]);
	a[n] = '\0';
	return a;
}

/* The display name of a plain phrase s[0..n) (no comments, escapes, '=',
 * controls or non-ASCII; quoted strings closed), as phrase_name() makes
 * it: quotes removed, gaps outside quotes as one space, trimmed, a
 * surrounding pair of single quotes dropped.  For such text the RFC 2047
 * and UTF-8 cleaning that phrase_name() applies changes nothing.  Sets *no
 * when the phrase is not plain, *oom on ENOMEM; NULL for an empty name. */
static char *fast_phrase(const char *s, size_t n, int *no, int *oom)
{
	char *b = malloc(n + 1);
	size_t i, o = 0, a = 0;
	int inq = 0;

	if (!b) {
		*oom = 1;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"')
			inq = !inq;
		else if (fast_class[c] & (inq ? C_QTEXT : C_PHRASE))
			b[o++] = (char)c;
		else if (c == ' ' && !inq && o > 0 && b[o - 1] != ' ')
			b[o++] = ' ';
		else if (c != ' ' || inq)
			break;
	}
	if (i < n || inq) {
		free(b);
		*no = 1;
		return NULL;
	}
	while (o > 0 && b[o - 1] == ' ')
		o--;
	while (a < o && b[a] == ' ')
		a++;
	if (o - a >= 2 && b[a] == '\'' && b[o - 1] == '\'') {
		for (a++, o--; o > a && b[o - 1] == ' '; o--)
			;
		while (a < o && b[a] == ' ')
			a++;
	}
	if (a == o) {
		free(b);
		return NULL;
	}
	memmove(b, b + a, o - a);
	b[o - a] = '\0';
	return b;
}

/* One item the fast way: 0 stored (or blank), -ENOMEM, or FAST_NO. */
static int fast_item(struct out *o, const char *s, size_t n)
{
	size_t a = 0, lt, gt, i;
	char *addr, *name = NULL;
	int no = 0, oom = 0;

	while (n > 0 && kith_is_wsp((unsigned char)s[n - 1]))
		n--;
	while (a < n && kith_is_wsp((unsigned char)s[a]))
		a++;
	if (a == n)
		return 0; /* blank */
	s += a;
	n -= a;
	if (s[n - 1] != '>') {
		addr = fast_spec(s, n, &no, &oom);
	} else {
		/* "phrase <spec>": the '<' must be outside quotes, the only one */
		for (i = 0, lt = n; i < n - 1; i++) {
			if (s[i] == '"')
				i = kith_skip_quoted(s, n, i) - 1;
			else if (s[i] == '<' || s[i] == '>')
				break;
		}
		lt = i;
		gt = n - 1;
		if (lt >= gt || s[lt] != '<')
			return FAST_NO;
		addr = fast_spec(s + lt + 1, gt - lt - 1, &no, &oom);
		if (addr && lt > 0)
			name = fast_phrase(s, lt, &no, &oom);
	}
	if (no || oom) {
		free(addr);
		return oom ? -ENOMEM : FAST_NO;
	}
	return keep(o, addr, name);
}

/* The items of a list, each the fast way when it can, else in full. */
static int parse_items(struct out *o, const char *s, size_t len, int fast)
{
	size_t i = 0, d;
	int bad = 0, r, in_group = 0;

	while (i <= len) {
		d = next_delim(s, len, i, in_group);
		if (d < len && s[d] == ':') {
			in_group = 1; /* the group's name is not an address */
		} else {
			r = fast ? fast_item(o, s + i, d - i) : FAST_NO;
			if (r == FAST_NO)
				r = parse_item(o, s + i, d - i);
			if (r < 0)
				return -ENOMEM;
			bad += r;
			if (d < len && s[d] == ';')
				in_group = 0;
		}
		i = d + 1;
	}
	return bad;
}

int kith_addr_parse_list(const char *s, size_t len, struct kith_addr **v,
			 size_t *n, size_t max, uint32_t *total)
{
	struct out o = { v, n, max, *n, total };

	return parse_items(&o, s, len, 1);
}

int kith_addr_parse_list_full(const char *s, size_t len, struct kith_addr **v,
			      size_t *n, size_t max, uint32_t *total)
{
	struct out o = { v, n, max, *n, total };

	return parse_items(&o, s, len, 0);
}

/* Writes the normalised form of addr into out (room for strlen(addr)+1
 * bytes, which always suffices).  Returns 0, or -EINVAL when addr is not
 * "local@domain". */
static int norm_into(const char *addr, int strip_plus, char *out)
{
	size_t n = strlen(addr), a = 0, at, i, o = 0;
	int gmail;

	while (n > 0 && kith_is_wsp((unsigned char)addr[n - 1]))
		n--;
	while (a < n && kith_is_wsp((unsigned char)addr[a]))
		a++;
	if (n - a >= 2 && addr[a] == '<' && addr[n - 1] == '>') {
		a++;
		n--;
	}
	while (n > a && addr[n - 1] == '.')
		n--;
	for (at = n; at > a && addr[at - 1] != '@'; at--)
		;
	if (at <= a + 1 || at == n)
		return -EINVAL;
	at--; /* index of '@' */
	gmail = kith_ascii_ieq(addr + at + 1, n - at - 1, "gmail.com") ||
		kith_ascii_ieq(addr + at + 1, n - at - 1, "googlemail.com");
	for (i = a; i < at; i++) {
		if (addr[i] == '+' && (strip_plus || gmail) && o > 0)
			break;
		if (addr[i] == '.' && gmail)
			continue;
		out[o++] = (char)kith_lc((unsigned char)addr[i]);
	}
	if (o == 0)
		return -EINVAL;
	if (gmail) {
		memcpy(out + o, "@gmail.com", 11);
		return 0;
	}
	for (i = at; i < n; i++)
		out[o++] = (char)kith_lc((unsigned char)addr[i]);
	out[o] = '\0';
	return 0;
}

char *kith_addr_normalize(const char *addr, int strip_plus)
{
	char *out;

	if (!addr)
		return NULL;
	out = malloc(strlen(addr) + 1);
	if (out && norm_into(addr, strip_plus, out) < 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* Case-insensitive ASCII comparison of n bytes, independent of locale. */
static int ascii_ncaseeq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (kith_lc((unsigned char)a[i]) != kith_lc((unsigned char)b[i]))
			return 0;
	return 1;
}

/* Domain d (length dn) is host h or one of its subdomains. */
static int domain_matches(const char *d, size_t dn, const char *h)
{
	size_t hn = strlen(h);

	while (hn > 0 && h[hn - 1] == '.')
		hn--;
	if (hn == 0 || dn < hn || !ascii_ncaseeq(d + dn - hn, h, hn))
		return 0;
	return dn == hn || d[dn - hn - 1] == '.';
}

int kith_addr_matches(const char *addr, const char *pattern)
{
	char abuf[512], pbuf[512];
	const char *at;
	size_t an;

	if (!addr || !pattern || !*pattern)
		return 0;
	at = strrchr(addr, '@');
	if (!at)
		return 0;
	an = strlen(at + 1);
	while (an > 0 && (at[an] == '.' || kith_is_wsp((unsigned char)at[an])))
		an--;
	if (pattern[0] == '@')
		return domain_matches(at + 1, an, pattern + 1);
	if (!strchr(pattern, '@'))
		return domain_matches(at + 1, an, pattern);
	if (strlen(addr) == strlen(pattern) && ascii_ncaseeq(addr, pattern, strlen(addr)))
		return 1;
	if (strlen(addr) >= sizeof(abuf) || strlen(pattern) >= sizeof(pbuf))
		return 0;
	/* "a+tag@x" matches the pattern "a@x"; a "+tag" pattern needs the tag. */
	if (norm_into(addr, strchr(pattern, '+') == NULL, abuf) < 0 ||
	    norm_into(pattern, 0, pbuf) < 0)
		return 0;
	return strcmp(abuf, pbuf) == 0;
}
