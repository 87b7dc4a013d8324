/* hdrtext.h: a growable byte buffer and UTF-8 cleaning for the header parser.
 *
 * Internal to lib/ (hdr.c, addr.c, rfc2047.c, msgid.c).  A buffer never
 * fails loudly: an allocation failure sets `oom` and later appends are
 * ignored, so callers check once at the end.
 */
#ifndef KITH_HDRTEXT_H
#define KITH_HDRTEXT_H

#include <stddef.h>

struct kith_hbuf {
	char *p;     /* owned; NUL-terminated whenever len > 0 */
	size_t len, cap;
	int oom;     /* an allocation failed */
};

void kith_hbuf_init(struct kith_hbuf *b);
void kith_hbuf_put(struct kith_hbuf *b, const char *s, size_t n);
void kith_hbuf_putc(struct kith_hbuf *b, char c);
/* Hands over the contents as a malloc'd NUL-terminated string (the caller
 * frees it; "" when empty) and resets b.  NULL when an allocation failed. */
char *kith_hbuf_take(struct kith_hbuf *b);
void kith_hbuf_free(struct kith_hbuf *b);

/* Appends s[0..n) as valid UTF-8: each byte that does not start a valid
 * sequence becomes U+FFFD, TAB/CR/LF become a space, other C0/C1 controls
 * and DEL are dropped.  Returns how many bytes were replaced or dropped
 * (0: the input was clean). */
size_t kith_utf8_put_clean(struct kith_hbuf *b, const char *s, size_t n);

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when invalid. */
size_t kith_utf8_seq_len(const unsigned char *s, size_t n);

/* ASCII-only helpers, independent of the locale. */
static inline int kith_lc(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
static inline int kith_is_wsp(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
/* 1 when s[0..n) equals the NUL-terminated lowercase word w, ignoring case. */
int kith_ascii_ieq(const char *s, size_t n, const char *w);

#endif
