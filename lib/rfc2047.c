/* rfc2047.c: encoded-word decoding (see rfc2047.h). */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "rfc2047.h"

#define MAX_CHARSET 63

struct ew {                 /* one parsed encoded-word */
	char charset[MAX_CHARSET + 1];
	char enc;           /* 'b' or 'q' */
	const char *text;   /* borrowed */
	size_t text_len;
	size_t end;         /* index just past "?=" */
};

struct pending {            /* decoded bytes of adjacent words, one charset */
	char charset[MAX_CHARSET + 1];
	struct kith_hbuf raw;
};

static int charset_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("-_.:+!#$%&'^`{|}~*", c) != NULL;
}

/* Parses "=?charset?X?text?=" at s[i]; 1 on success.  Every scan stops at
 * the first '?' or whitespace, so repeated failures stay linear overall. */
static int parse_ew(const char *s, size_t n, size_t i, struct ew *w)
{
	size_t j = i + 2, k = 0;

	if (i + 2 > n || s[i] != '=' || s[i + 1] != '?')
		return 0;
	while (j < n && s[j] != '?' && charset_char((unsigned char)s[j])) {
		if (k == MAX_CHARSET)
			return 0;
		w->charset[k++] = (char)kith_lc((unsigned char)s[j++]);
	}
	if (k == 0 || j + 2 >= n || s[j] != '?' || s[j + 2] != '?')
		return 0;
	w->charset[k] = '\0';
	w->enc = (char)kith_lc((unsigned char)s[j + 1]);
	if (w->enc != 'b' && w->enc != 'q')
		return 0;
	w->text = s + j + 3;
	for (j += 3; j < n && s[j] != '?'; j++)
		if ((unsigned char)s[j] <= ' ' || (unsigned char)s[j] >= 127)
			return 0;
	if (j + 1 >= n || s[j + 1] != '=')
		return 0;
	w->text_len = (size_t)(s + j - w->text);
	w->end = j + 2;
	/* RFC 2231 language suffix: "utf-8*en". */
	{
		char *star = strchr(w->charset, '*');
		if (star)
			*star = '\0';
	}
	return w->charset[0] != '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = kith_lc(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Q decoding; returns the number of malformed escapes (kept literally). */
static unsigned decode_q(struct kith_hbuf *b, const char *t, size_t n)
{
	unsigned bad = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int hi, lo;

		if (t[i] == '_') {
			kith_hbuf_putc(b, ' ');
		} else if (t[i] == '=' && i + 2 < n &&
			   (hi = hexval((unsigned char)t[i + 1])) >= 0 &&
			   (lo = hexval((unsigned char)t[i + 2])) >= 0) {
			kith_hbuf_putc(b, (char)(hi * 16 + lo));
			i += 2;
		} else {
			if (t[i] == '=')
				bad++;
			kith_hbuf_putc(b, t[i]);
		}
	}
	return bad;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Lenient base64: skips characters outside the alphabet (counted as
 * problems, padding excepted) and tolerates missing padding. */
static unsigned decode_b(struct kith_hbuf *b, const char *t, size_t n)
{
	unsigned bad = 0, acc = 0;
	int bits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int v = b64val((unsigned char)t[i]);

		if (v < 0) {
			if (t[i] != '=')
				bad++;
			continue;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			kith_hbuf_putc(b, (char)((acc >> bits) & 0xFF));
		}
	}
	return bad;
}

/* Names MIME uses that glibc's iconv does not know (or knows worse). */
static const char *charset_alias(const char *cs)
{
	static const char *const map[][2] = {
		{"ks_c_5601-1987", "CP949"}, {"ks_c_5601", "CP949"},
		{"gb2312", "GB18030"}, {"gbk", "GB18030"}, {"x-gbk", "GB18030"},
		{"x-sjis", "SHIFT_JIS"}, {"shift-jis", "SHIFT_JIS"},
		{"iso-8859-8-i", "ISO-8859-8"}, {"windows-874", "CP874"},
		{"unknown-8bit", "WINDOWS-1252"}, {"x-unknown", "WINDOWS-1252"},
		{"x-user-defined", "WINDOWS-1252"}, {"ansi_x3.4-1968", "ASCII"},
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(cs, map[i][0]) == 0)
			return map[i][1];
	return cs;
}

static int is_utf8_name(const char *cs)
{
	return !strcmp(cs, "utf-8") || !strcmp(cs, "utf8") || !strcmp(cs, "us-ascii") ||
	       !strcmp(cs, "ascii");
}

/* Converts in[0..n) from cs to UTF-8 with iconv into out (unclean).  An
 * unconvertible byte becomes U+FFFD.  Returns problems, or -1 when iconv
 * does not know the charset. */
static int iconv_to_utf8(struct kith_hbuf *out, const char *cs, const char *in, size_t n)
{
	iconv_t cd = iconv_open("UTF-8", charset_alias(cs));
	char tmp[1024], *ip = (char *)in;
	size_t il = n;
	int bad = 0;

	if (cd == (iconv_t)-1)
		return -1;
	while (il > 0) {
		char *op = tmp;
		size_t ol = sizeof(tmp);
		size_t r = iconv(cd, &ip, &il, &op, &ol);

		kith_hbuf_put(out, tmp, (size_t)(op - tmp));
		if (r == (size_t)-1 && errno != E2BIG) {
			/* EILSEQ or EINVAL (truncated): replace one byte, go on. */
			kith_hbuf_put(out, "\xEF\xBF\xBD", 3);
			ip++;
			il--;
			bad++;
		}
	}
	iconv_close(cd);
	return bad;
}

/* Emits the pending decoded bytes as clean UTF-8 and empties them. */
static unsigned flush(struct kith_hbuf *b, struct pending *pd)
{
	struct kith_hbuf conv;
	unsigned bad = 0;
	int r;

	if (pd->raw.len == 0)
		return 0;
	if (is_utf8_name(pd->charset)) {
		bad = (unsigned)kith_utf8_put_clean(b, pd->raw.p, pd->raw.len);
	} else {
		kith_hbuf_init(&conv);
		r = iconv_to_utf8(&conv, pd->charset, pd->raw.p, pd->raw.len);
		if (r < 0) /* unknown charset: keep what is valid UTF-8 */
			bad = 1 + (unsigned)kith_utf8_put_clean(b, pd->raw.p, pd->raw.len);
		else
			bad = (unsigned)r + (unsigned)kith_utf8_put_clean(b, conv.p, conv.len);
		if (conv.oom)
			b->oom = 1;
		kith_hbuf_free(&conv);
	}
	if (pd->raw.oom)
		b->oom = 1;
	pd->raw.len = 0;
	return bad;
}

/* Index of the next encoded-word after the whitespace at s[i..], or 0. */
static size_t next_adjacent(const char *s, size_t n, size_t i, struct ew *w)
{
	while (i < n && kith_is_wsp((unsigned char)s[i]))
		i++;
	return (i < n && parse_ew(s, n, i, w)) ? i : 0;
}

unsigned kith_rfc2047_decode(struct kith_hbuf *b, const char *s, size_t n)
{
	struct pending pd;
	struct ew w;
	size_t i = 0, lit = 0, j;
	unsigned bad = 0;

	memset(&pd, 0, sizeof(pd));
	while (i < n) {
		const char *q = memchr(s + i, '=', n - i);

		if (!q)
			break;
		i = (size_t)(q - s);
		if (!parse_ew(s, n, i, &w)) {
			i++;
			continue;
		}
		bad += (unsigned)kith_utf8_put_clean(b, s + lit, i - lit);
		for (;;) {
			if (strcmp(pd.charset, w.charset) != 0) {
				bad += flush(b, &pd);
				memcpy(pd.charset, w.charset, sizeof(pd.charset));
			}
			bad += w.enc == 'b' ? decode_b(&pd.raw, w.text, w.text_len)
					    : decode_q(&pd.raw, w.text, w.text_len);
			i = w.end;
			j = next_adjacent(s, n, i, &w);
			if (!j)
				break;
			i = j; /* drop the whitespace between adjacent words */
		}
		bad += flush(b, &pd);
		lit = i;
	}
	bad += (unsigned)kith_utf8_put_clean(b, s + lit, n - lit);
	kith_hbuf_free(&pd.raw);
	return bad;
}

char *kith_rfc2047_decode_str(const char *s, size_t n, unsigned *problems)
{
	struct kith_hbuf b;
	unsigned bad;

	kith_hbuf_init(&b);
	bad = kith_rfc2047_decode(&b, s, n);
	if (problems)
		*problems = bad;
	return kith_hbuf_take(&b);
}
