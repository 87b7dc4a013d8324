/* msg.c: releasing and copying struct kith_msg records. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "msg.h"
#include "strpool.h"

void kith_msg_free(struct kith_msg *m)
{
	size_t i;

	if (!m)
		return;
	free(m->message_id);
	free(m->in_reply_to);
	for (i = 0; i < m->n_refs; i++)
		free(m->refs[i]);
	free(m->refs);
	kith_addr_free(&m->from);
	for (i = 0; i < m->n_to + m->n_cc; i++)
		kith_addr_free(&m->rcpt[i]);
	free(m->rcpt);
	free(m->subject);
	free(m->list_id);
	memset(m, 0, sizeof(*m));
}

void kith_msgs_free(struct kith_msg *v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		kith_msg_free(&v[i]);
	free(v);
}

void kith_msgset_free(struct kith_msgset *s)
{
	if (!s)
		return;
	free(s->v);
	kith_strpool_free(s->pool);
	memset(s, 0, sizeof(*s));
}

/* The pool's copy of s (NULL for NULL); *oom set when the pool fails. */
static char *pool_str(struct kith_strpool *pool, const char *s, int intern, int *oom)
{
	char *c;

	if (!s)
		return NULL;
	c = intern ? kith_strpool_intern(pool, s, strlen(s)) : kith_strpool_copy(pool, s, strlen(s));
	if (!c)
		*oom = 1;
	return c;
}

/* Why: a streamed row lives for one callback only; a reader that keeps a
 * few rows (the follow-ups keep the recent ones) copies them whole. */
int kith_msg_copy_pooled(struct kith_msg *dst, const struct kith_msg *src,
			 struct kith_strpool *pool)
{
	size_t i, nr = (size_t)src->n_to + src->n_cc;
	int oom = 0;

	*dst = *src;
	dst->refs = NULL;
	dst->rcpt = NULL;
	dst->message_id = pool_str(pool, src->message_id, 0, &oom);
	dst->in_reply_to = pool_str(pool, src->in_reply_to, 0, &oom);
	dst->from.addr = pool_str(pool, src->from.addr, 1, &oom);
	dst->from.name = pool_str(pool, src->from.name, 1, &oom);
	dst->subject = pool_str(pool, src->subject, 1, &oom);
	dst->list_id = pool_str(pool, src->list_id, 1, &oom);
	if (src->n_refs && !(dst->refs = kith_strpool_alloc(pool, src->n_refs * sizeof(*dst->refs))))
		oom = 1;
	for (i = 0; dst->refs && i < src->n_refs; i++)
		dst->refs[i] = pool_str(pool, src->refs[i], 0, &oom);
	if (nr && !(dst->rcpt = kith_strpool_alloc(pool, nr * sizeof(*dst->rcpt))))
		oom = 1;
	for (i = 0; dst->rcpt && i < nr; i++) {
		dst->rcpt[i].addr = pool_str(pool, src->rcpt[i].addr, 1, &oom);
		dst->rcpt[i].name = pool_str(pool, src->rcpt[i].name, 1, &oom);
	}
	if (oom) {
		dst->n_refs = dst->refs ? dst->n_refs : 0;
		dst->n_to = dst->rcpt ? dst->n_to : 0;
		dst->n_cc = dst->rcpt ? dst->n_cc : 0;
	}
	return oom ? -ENOMEM : 0;
}
