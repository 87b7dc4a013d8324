/* rfc2047.h: decoding RFC 2047 encoded-words into clean UTF-8 (internal).
 *
 * Handles Q and B encodings in any charset iconv knows (plus a few common
 * aliases), joins adjacent encoded-words without the whitespace between
 * them (and decodes them together, so a character split across two words
 * survives), and replaces whatever cannot be decoded with U+FFFD.  Never
 * fails except on ENOMEM.
 */
#ifndef KITH_RFC2047_H
#define KITH_RFC2047_H

#include <stddef.h>
#include "hdrtext.h"

/* Appends the decoded, cleaned text of s[0..n) to b (see
 * kith_utf8_put_clean for the cleaning).  Returns the number of problems
 * met: malformed words, unknown charsets, replaced bytes (0: clean). */
unsigned kith_rfc2047_decode(struct kith_hbuf *b, const char *s, size_t n);

/* Same into a malloc'd string the caller frees; NULL on ENOMEM.  *problems
 * (may be NULL) receives the count. */
char *kith_rfc2047_decode_str(const char *s, size_t n, unsigned *problems);

#endif
