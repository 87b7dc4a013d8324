/* msgwire.h: a struct kith_msg as bytes, and back.
 *
 * Why: the contained IMAP child parses each header block itself (the
 * daemon never parses bytes a server sent) and hands the parent the
 * record in this form.  The parent treats the bytes as hostile: decoding
 * checks every length and count, and accepts nothing a parse of a real
 * header could not have produced.
 *
 * Layout (integers and strings as wire.h writes them):
 *   date:8 signals:4 flags:4 parse_errors:4 n_rcpt_total:4
 *   n_to:2 n_cc:2 n_refs:2
 *   message_id in_reply_to subject list_id from.addr from.name
 *   (addr name) for each of n_to + n_cc recipients
 *   one string for each of n_refs references
 */
#ifndef KITH_MSGWIRE_H
#define KITH_MSGWIRE_H

#include <stddef.h>
#include "hdrtext.h"
#include "msg.h"

/* Largest string the decoder accepts (a header field is far shorter). */
#define KITH_MSGWIRE_STR_MAX (256u * 1024u)

/* Appends m's encoding to b (see wire.h).  m->id is not encoded.
 * Returns 0 or -ENOMEM (b->oom is set; b is the caller's either way). */
int kith_msgwire_encode(const struct kith_msg *m, struct kith_hbuf *b);

/* Decodes exactly len bytes into *out (zeroed first; id 0; of the flags
 * only KITH_MSG_REPAIRED is kept: "written by the user" comes from the
 * folder, never from the bytes).  Returns 0 (the caller owns *out: free
 * with kith_msg_free), -EBADMSG when the bytes are not a valid encoding,
 * -ENOMEM.  On error *out holds nothing to free. */
int kith_msgwire_decode(const unsigned char *p, size_t len, struct kith_msg *out);

#endif
