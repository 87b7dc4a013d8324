/* wire.h: the byte format kith's processes speak over their pipes.
 *
 * Integers little endian; a string is a 32-bit length then its bytes, the
 * length KITH_WIRE_NO_STRING meaning NULL.  Writers append to a kith_hbuf
 * (an allocation failure sets its oom flag; check once at the end).
 * Readers treat the bytes as hostile: a read past the end, or a string
 * that is too long or holds a NUL, sets `bad` and yields 0 / NULL from then
 * on, so a decoder checks kith_wire_status() once at the end.
 */
#ifndef KITH_WIRE_H
#define KITH_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include "hdrtext.h"

#define KITH_WIRE_NO_STRING 0xffffffffU

void kith_wire_put_u16(struct kith_hbuf *b, uint16_t v);
void kith_wire_put_u32(struct kith_hbuf *b, uint32_t v);
void kith_wire_put_i64(struct kith_hbuf *b, int64_t v);
void kith_wire_put_str(struct kith_hbuf *b, const char *s); /* s may be NULL */

struct kith_wire_rd {
	const unsigned char *p; /* borrowed */
	size_t n, at;           /* bytes in all, bytes read */
	size_t str_max;         /* longest string accepted; 0: any that fits */
	int bad, oom;
};

uint16_t kith_wire_get_u16(struct kith_wire_rd *r);
uint32_t kith_wire_get_u32(struct kith_wire_rd *r);
int64_t kith_wire_get_i64(struct kith_wire_rd *r);
/* A malloc'd copy of the next string (the caller frees it); NULL for the
 * NULL mark or on error. */
char *kith_wire_get_str(struct kith_wire_rd *r);
/* 0 when every byte was read and nothing was wrong, -ENOMEM, -EBADMSG. */
int kith_wire_status(const struct kith_wire_rd *r);

#endif
