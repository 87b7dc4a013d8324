/* hdr.h: parse a raw RFC 5322 header block into a struct kith_msg.
 *
 * This is kith's own header parser (libetpan's drops folded References and
 * ENVELOPE lacks the list and automation fields).  It never fails on bad
 * input: what parses is stored, what does not is counted in parse_errors.
 */
#ifndef KITH_HDR_H
#define KITH_HDR_H

#include <stddef.h>
#include "msg.h"

/* The header fields kithd asks the server for, in the order of an IMAP
 * HEADER.FIELDS list.  NULL-terminated; static storage. */
extern const char *const kith_hdr_fields[];

/* Parses len bytes of header text (CRLF or LF line ends, folded lines, may
 * hold NULs and invalid UTF-8) into *out, which is zeroed first.
 * Returns 0, or -ENOMEM (then *out holds nothing to free).
 * The caller owns *out and frees it with kith_msg_free(). */
int kith_hdr_parse(const char *raw, size_t len, struct kith_msg *out);

/* Writes the message's content key into key[33] (32 hex digits + NUL): the
 * same message stored in several folders, even under different Message-IDs
 * (the Enron export), gets the same key.  Built from sender, date, normalised
 * subject and the recipient set; falls back to the Message-ID when the date
 * is missing. */
void kith_msg_key(const struct kith_msg *m, char key[33]);

#endif
