/* hdrfield.c: header field splitting and unfolding (see hdrfield.h). */
#include <stdlib.h>
#include <string.h>

#include "hdrfield.h"
#include "hdrtext.h"

/* The end of the line starting at p (index of '\n', or len), and the
 * content length without a trailing CR. */
static size_t line_end(const char *raw, size_t len, size_t p, size_t *content)
{
	const char *nl = memchr(raw + p, '\n', len - p);
	size_t e = nl ? (size_t)(nl - raw) : len;

	*content = e - p;
	if (*content > 0 && raw[e - 1] == '\r')
		(*content)--;
	return e;
}

/* 1 when raw[p..p+n) is "name:" with a valid field name (printable ASCII,
 * no space or colon; obsolete whitespace before the colon allowed). */
static int split_name(const char *raw, size_t p, size_t n, struct kith_field *f)
{
	const char *line = raw + p, *colon = memchr(line, ':', n);
	size_t nl, i;

	if (!colon)
		return 0;
	nl = (size_t)(colon - line);
	while (nl > 0 && (line[nl - 1] == ' ' || line[nl - 1] == '\t'))
		nl--;
	if (nl == 0)
		return 0;
	for (i = 0; i < nl; i++)
		if ((unsigned char)line[i] <= 32 || (unsigned char)line[i] >= 127)
			return 0;
	f->name = line;
	f->name_len = nl;
	f->val = colon + 1;
	return 1;
}

int kith_field_next(const char *raw, size_t len, size_t *pos,
		    struct kith_field *f, uint32_t *bad)
{
	size_t p = *pos, n, e;

	while (p < len) {
		e = line_end(raw, len, p, &n);
		if (n == 0) { /* empty line: end of header */
			*pos = len;
			return 0;
		}
		if (raw[p] != ' ' && raw[p] != '\t' && split_name(raw, p, n, f)) {
			size_t vend = p + n;

			/* Take continuation lines (folding). */
			p = e < len ? e + 1 : len;
			while (p < len && (raw[p] == ' ' || raw[p] == '\t')) {
				e = line_end(raw, len, p, &n);
				vend = p + n;
				p = e < len ? e + 1 : len;
			}
			f->val_len = (size_t)(raw + vend - f->val);
			*pos = p;
			return 1;
		}
		if (!(p == 0 && n >= 5 && memcmp(raw, "From ", 5) == 0))
			(*bad)++;
		p = e < len ? e + 1 : len;
	}
	*pos = len;
	return 0;
}

char *kith_field_unfold(const char *val, size_t len, size_t *out_len)
{
	size_t i, a = 0, o = 0;
	char *s;

	while (len > 0 && kith_is_wsp((unsigned char)val[len - 1]))
		len--;
	while (a < len && kith_is_wsp((unsigned char)val[a]))
		a++;
	s = malloc(len - a + 1);
	if (!s)
		return NULL;
	for (i = a; i < len; i++) {
		char c = val[i];

		if (c == '\r' || c == '\n')
			continue;
		s[o++] = c ? c : ' ';
	}
	s[o] = '\0';
	if (out_len)
		*out_len = o;
	return s;
}

size_t kith_skip_comment(const char *s, size_t n, size_t i)
{
	size_t depth = 0;

	for (; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
	}
	return n;
}

size_t kith_skip_quoted(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return n;
}

char *kith_strip_cfws(const char *s, size_t n)
{
	struct kith_hbuf b;
	size_t i = 0, j;

	kith_hbuf_init(&b);
	while (i < n) {
		if (s[i] == '(') {
			i = kith_skip_comment(s, n, i);
			kith_hbuf_putc(&b, ' ');
		} else if (s[i] == '"') {
			j = kith_skip_quoted(s, n, i);
			kith_hbuf_put(&b, s + i, j - i);
			i = j;
		} else {
			kith_hbuf_putc(&b, s[i++]);
		}
	}
	/* Trim in place. */
	while (b.len > 0 && kith_is_wsp((unsigned char)b.p[b.len - 1]))
		b.p[--b.len] = '\0';
	for (j = 0; j < b.len && kith_is_wsp((unsigned char)b.p[j]); j++)
		;
	if (j > 0) {
		memmove(b.p, b.p + j, b.len - j + 1);
		b.len -= j;
	}
	return kith_hbuf_take(&b);
}
