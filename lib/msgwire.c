/* msgwire.c: see msgwire.h. */
#include "msgwire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "msgid.h"
#include "wire.h"

int kith_msgwire_encode(const struct kith_msg *m, struct kith_hbuf *b)
{
	size_t i;

	kith_wire_put_i64(b, m->date);
	kith_wire_put_u32(b, m->signals);
	kith_wire_put_u32(b, m->flags);
	kith_wire_put_u32(b, m->parse_errors);
	kith_wire_put_u32(b, m->n_rcpt_total);
	kith_wire_put_u16(b, (uint16_t)m->n_to);
	kith_wire_put_u16(b, (uint16_t)m->n_cc);
	kith_wire_put_u16(b, (uint16_t)m->n_refs);
	kith_wire_put_str(b, m->message_id);
	kith_wire_put_str(b, m->in_reply_to);
	kith_wire_put_str(b, m->subject);
	kith_wire_put_str(b, m->list_id);
	kith_wire_put_str(b, m->from.addr);
	kith_wire_put_str(b, m->from.name);
	for (i = 0; i < m->n_to + m->n_cc; i++) {
		kith_wire_put_str(b, m->rcpt[i].addr);
		kith_wire_put_str(b, m->rcpt[i].name);
	}
	for (i = 0; i < m->n_refs; i++)
		kith_wire_put_str(b, m->refs[i]);
	return b->oom ? -ENOMEM : 0;
}

/* Recipients and references; a list never holds an empty slot. */
static void get_lists(struct kith_wire_rd *r, struct kith_msg *m)
{
	size_t i, n = m->n_to + m->n_cc;

	if (n && !(m->rcpt = calloc(n, sizeof(*m->rcpt)))) {
		r->oom = 1;
		m->n_to = m->n_cc = 0; /* kith_msg_free walks the counts */
	}
	for (i = 0; m->rcpt && i < n && !r->bad && !r->oom; i++) {
		m->rcpt[i].addr = kith_wire_get_str(r);
		m->rcpt[i].name = kith_wire_get_str(r);
		if (!m->rcpt[i].addr)
			r->bad = 1;
	}
	if (m->n_refs && !(m->refs = calloc(m->n_refs, sizeof(*m->refs)))) {
		r->oom = 1;
		m->n_refs = 0;
	}
	for (i = 0; m->refs && i < m->n_refs && !r->bad && !r->oom; i++)
		if (!(m->refs[i] = kith_wire_get_str(r)))
			r->bad = 1;
}

int kith_msgwire_decode(const unsigned char *p, size_t len, struct kith_msg *out)
{
	struct kith_wire_rd r = { .p = p, .n = len, .str_max = KITH_MSGWIRE_STR_MAX };
	struct kith_msg *m = out;
	int st;

	memset(m, 0, sizeof(*m));
	m->date = kith_wire_get_i64(&r);
	m->signals = kith_wire_get_u32(&r);
	m->flags = kith_wire_get_u32(&r) & KITH_MSG_REPAIRED;
	m->parse_errors = kith_wire_get_u32(&r);
	m->n_rcpt_total = kith_wire_get_u32(&r);
	m->n_to = kith_wire_get_u16(&r);
	m->n_cc = kith_wire_get_u16(&r);
	m->n_refs = kith_wire_get_u16(&r);
	if (r.bad || m->n_to + m->n_cc > KITH_MAX_RCPT_KEPT || m->n_refs > KITH_MAX_REFS ||
	    m->n_rcpt_total < m->n_to + m->n_cc) {
		r.bad = 1;
		m->n_to = m->n_cc = m->n_refs = 0; /* nothing allocated yet */
	}
	m->message_id = kith_wire_get_str(&r);
	m->in_reply_to = kith_wire_get_str(&r);
	m->subject = kith_wire_get_str(&r);
	m->list_id = kith_wire_get_str(&r);
	m->from.addr = kith_wire_get_str(&r);
	m->from.name = kith_wire_get_str(&r);
	get_lists(&r, m);
	st = kith_wire_status(&r);
	if (st < 0)
		kith_msg_free(m);
	return st;
}
