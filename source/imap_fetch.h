/* imap_fetch.h: reads the server's answer to kithd's one FETCH command.
 *
 * kithd asks every server the same thing:
 *     TAG UID FETCH set (UID BODY.PEEK[HEADER.FIELDS (...)])
 * and the answer is one reply per message,
 *     * SEQ FETCH (UID n BODY[HEADER.FIELDS (...)] {len}\r\n<len bytes>)
 * (items in any order, other items and untagged lines possible), then the
 * tagged status.
 *
 * Why our own reader and not libetpan's: on a first sync libetpan's
 * general response parser cost more CPU than everything else in the IMAP
 * child (a token-table lookup and several mallocs per atom, for a reply
 * whose shape is known), and it reserves whatever literal size a server
 * announces.  This reader knows the shape, hands each message's header
 * bytes to a callback as soon as its reply ends, caps literals, and calls
 * anything it cannot read a protocol error.  libetpan still runs the rest
 * of the session (login, LIST, STATUS, EXAMINE, SEARCH, IDLE).
 *
 * Pure C, no libetpan: bytes come through struct kith_fetch_io, so the
 * unit tests feed it from memory.
 */
#ifndef KITH_IMAP_FETCH_H
#define KITH_IMAP_FETCH_H

#include <stddef.h>
#include <stdint.h>

/* Header sections longer than this are cut here (the rest is read and
 * dropped): the header parser then counts the message as repaired. */
#define KITH_FETCH_KEEP_MAX (1u << 20)
/* A literal announced above this is no header section: a protocol error,
 * before anything is reserved for it. */
#define KITH_FETCH_LITERAL_MAX (1ull << 31)
/* Protocol lines (not literals) longer than this are a protocol error. */
#define KITH_FETCH_LINE_MAX (1u << 20)

/* Where the bytes come from.  Both return 0 or a negative errno. */
struct kith_fetch_io {
	/* The next line up to and excluding CRLF (or a bare LF).  *line stays
	 * valid until the next call of either function. */
	int (*line)(void *ctx, const char **line, size_t *len);
	/* Exactly n bytes into dst (n is never 0). */
	int (*read)(void *ctx, char *dst, size_t n);
	void *ctx;
};

/* One message's reply: its UID and the header section's bytes, valid only
 * during the call.  A negative return stops the reader with that code. */
typedef int (*kith_fetch_msg_fn)(void *ctx, uint32_t uid, const char *hdr, size_t len);

enum kith_fetch_status { KITH_FETCH_OK, KITH_FETCH_NO, KITH_FETCH_BAD };

struct kith_fetch_result {
	enum kith_fetch_status status; /* the tagged line's */
	char text[160];                /* its text, printable ASCII, NUL-terminated */
	unsigned long replies;         /* FETCH replies read (with or without a UID) */
	unsigned long cut;             /* header sections cut to KITH_FETCH_KEEP_MAX */
};

/* Reads replies up to and including the tagged line of `tag`, calling
 * on_msg for each FETCH reply that has both a UID and a BODY[HEADER...]
 * section.  Returns 0 (then *res says OK, NO or BAD), the callback's or
 * io's negative code, -EPROTO for anything malformed or unexpected (a
 * continuation request, another tag, a FETCH reply that does not parse,
 * BYE), or -EMSGSIZE for an implausible literal or line; res->text then
 * describes the fault. */
int kith_fetch_read(const struct kith_fetch_io *io, const char *tag,
		    kith_fetch_msg_fn on_msg, void *ctx, struct kith_fetch_result *res);

#endif
