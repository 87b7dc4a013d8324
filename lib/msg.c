/* msg.c: releasing struct kith_msg records. */
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
