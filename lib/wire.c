/* wire.c: see wire.h. */
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void put_le(struct kith_hbuf *b, uint64_t v, size_t n)
{
	char c[8];

	for (size_t i = 0; i < n; i++)
		c[i] = (char)(v >> (8 * i));
	kith_hbuf_put(b, c, n);
}

void kith_wire_put_u16(struct kith_hbuf *b, uint16_t v)
{
	put_le(b, v, 2);
}

void kith_wire_put_u32(struct kith_hbuf *b, uint32_t v)
{
	put_le(b, v, 4);
}

void kith_wire_put_i64(struct kith_hbuf *b, int64_t v)
{
	put_le(b, (uint64_t)v, 8);
}

void kith_wire_put_str(struct kith_hbuf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!s || n >= KITH_WIRE_NO_STRING) {
		put_le(b, KITH_WIRE_NO_STRING, 4);
		return;
	}
	put_le(b, (uint32_t)n, 4);
	kith_hbuf_put(b, s, n);
}

static uint64_t get_le(struct kith_wire_rd *r, size_t n)
{
	uint64_t v = 0;

	if (r->bad || r->n - r->at < n) {
		r->bad = 1;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)r->p[r->at + i] << (8 * i);
	r->at += n;
	return v;
}

uint16_t kith_wire_get_u16(struct kith_wire_rd *r)
{
	return (uint16_t)get_le(r, 2);
}

uint32_t kith_wire_get_u32(struct kith_wire_rd *r)
{
	return (uint32_t)get_le(r, 4);
}

int64_t kith_wire_get_i64(struct kith_wire_rd *r)
{
	return (int64_t)get_le(r, 8);
}

char *kith_wire_get_str(struct kith_wire_rd *r)
{
	uint32_t n = kith_wire_get_u32(r);
	char *s;

	if (r->bad || r->oom || n == KITH_WIRE_NO_STRING)
		return NULL;
	if ((r->str_max && n > r->str_max) || r->n - r->at < n ||
	    memchr(r->p + r->at, '\0', n)) {
		r->bad = 1;
		return NULL;
	}
	if (!(s = malloc((size_t)n + 1))) {
		r->oom = 1;
		return NULL;
	}
	memcpy(s, r->p + r->at, n);
	s[n] = '\0';
	r->at += n;
	return s;
}

int kith_wire_status(const struct kith_wire_rd *r)
{
	if (r->oom)
		return -ENOMEM;
	return r->bad || r->at != r->n ? -EBADMSG : 0;
}
