/* hdrfield.h: splitting a raw header block into fields (internal to lib/).
 *
 * Lines end in CRLF or bare LF; a line starting with SP or HT continues the
 * previous field (folding); an empty line ends the header.  Lines that are
 * not "name: value" are counted and skipped, except a leading mbox "From "
 * line.  Work is linear in the input, whatever the line lengths.
 */
#ifndef KITH_HDRFIELD_H
#define KITH_HDRFIELD_H

#include <stddef.h>
#include <stdint.h>

struct kith_field {
	const char *name; /* borrowed from the raw block; not NUL-terminated */
	size_t name_len;
	const char *val;  /* raw value, still folded; borrowed */
	size_t val_len;
};

/* Returns 1 with *f set to the next field at or after *pos, or 0 at the end
 * of the header.  *bad is incremented for each malformed line skipped. */
int kith_field_next(const char *raw, size_t len, size_t *pos,
		    struct kith_field *f, uint32_t *bad);

/* Unfolds a raw value: CR and LF removed, NUL turned into a space, leading
 * and trailing whitespace trimmed.  Returns a malloc'd NUL-terminated string
 * the caller frees (its length in *out_len), or NULL on ENOMEM. */
char *kith_field_unfold(const char *val, size_t len, size_t *out_len);

/* Skips a comment "(...)" (nested, with backslash escapes) starting at
 * s[i] == '('; returns the index just past it (n when unclosed). */
size_t kith_skip_comment(const char *s, size_t n, size_t i);

/* Skips a quoted string starting at s[i] == '"'; returns the index just past
 * the closing quote (n when unclosed). */
size_t kith_skip_quoted(const char *s, size_t n, size_t i);

/* Copies s[0..n) without comments and leading/trailing whitespace into a
 * malloc'd string (caller frees); NULL on ENOMEM. */
char *kith_strip_cfws(const char *s, size_t n);

#endif
