/* hdrtext.c: growable buffer and UTF-8 cleaning (see hdrtext.h). */
#include <stdlib.h>
#include <string.h>

#include "hdrtext.h"

void kith_hbuf_init(struct kith_hbuf *b)
{
	memset(b, 0, sizeof(*b));
}

/* Makes room for `more` bytes plus a NUL; doubling keeps appends linear. */
static int hbuf_grow(struct kith_hbuf *b, size_t more)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return -1;
	if (more > (size_t)-1 / 2 - b->len) {
		b->oom = 1;
		return -1;
	}
	need = b->len + more + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void kith_hbuf_put(struct kith_hbuf *b, const char *s, size_t n)
{
	if (n == 0 || hbuf_grow(b, n) < 0)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void kith_hbuf_putc(struct kith_hbuf *b, char c)
{
	if (b->len + 2 <= b->cap) { /* the common case, without a call */
		b->p[b->len++] = c;
		b->p[b->len] = '\0';
		return;
	}
	kith_hbuf_put(b, &c, 1);
}

char *kith_hbuf_take(struct kith_hbuf *b)
{
	char *s;

	if (b->oom) {
		kith_hbuf_free(b);
		return NULL;
	}
	s = b->p ? b->p : strdup("");
	kith_hbuf_init(b);
	return s;
}

void kith_hbuf_free(struct kith_hbuf *b)
{
	free(b->p);
	kith_hbuf_init(b);
}

size_t kith_utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	/* The second byte's range excludes overlongs, surrogates, > U+10FFFF. */
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

size_t kith_utf8_put_clean(struct kith_hbuf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, bad = 0, l;

	if (n == 0) /* s may be NULL then (iconv converted to nothing) */
		return 0;
	while (i < n) {
		unsigned char c = u[i];

		if (c >= 0x20 && c < 0x7F) { /* fast path: printable ASCII */
			i++;
			continue;
		}
		kith_hbuf_put(b, s + run, i - run);
		l = kith_utf8_seq_len(u + i, n - i);
		if (l == 0) {
			kith_hbuf_put(b, "\xEF\xBF\xBD", 3);
			bad++;
			l = 1;
		} else if (c == '\t' || c == '\r' || c == '\n') {
			kith_hbuf_putc(b, ' ');
		} else if (c < 0x20 || c == 0x7F || (c == 0xC2 && u[i + 1] < 0xA0)) {
			bad++; /* C0, DEL, C1 (U+0080..U+009F) */
		} else {
			kith_hbuf_put(b, s + i, l);
		}
		i += l;
		run = i;
	}
	kith_hbuf_put(b, s + run, i - run);
	return bad;
}

int kith_ascii_ieq(const char *s, size_t n, const char *w)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i] == '\0' || kith_lc((unsigned char)s[i]) != w[i])
			return 0;
	return w[n] == '\0';
}
