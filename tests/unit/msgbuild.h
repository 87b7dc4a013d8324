/* msgbuild.h: building struct kith_msg values by hand for unit tests.
 * Every string is malloc'd so kith_msgs_free() releases the lot. */
#ifndef KITH_MSGBUILD_H
#define KITH_MSGBUILD_H

#include <stdlib.h>
#include <string.h>
#include "msg.h"

#define DAY 86400LL
#define T0 1600000000LL /* 2020-09-13 */

struct mbox { struct kith_msg *v; size_t n, cap; };

static inline char *mb_dup(const char *s)
{
	char *c = s ? strdup(s) : NULL;

	if (s && !c)
		abort();
	return c;
}

/* Appends to->... ("a@x,b@y"; "|" separates To from Cc). */
static inline void mb_rcpt(struct kith_msg *m, const char *list)
{
	char buf[1024], *tok, *save = NULL, *cc;
	int in_cc = 0;
	size_t n = 0;

	if (!list)
		return;
	snprintf(buf, sizeof(buf), "%s", list);
	m->rcpt = calloc(64, sizeof(*m->rcpt));
	if (!m->rcpt)
		abort();
	cc = strchr(buf, '|');
	for (tok = strtok_r(buf, ",|", &save); tok; tok = strtok_r(NULL, ",|", &save)) {
		if (cc && tok > cc)
			in_cc = 1;
		m->rcpt[n].addr = mb_dup(tok);
		n++;
		if (in_cc)
			m->n_cc++;
		else
			m->n_to++;
	}
	m->n_rcpt_total = (uint32_t)n;
}

/* Adds a message; returns it for further tweaks.  id = position + 1. */
static inline struct kith_msg *mb_add(struct mbox *b, const char *mid, const char *irt, int64_t date,
			       const char *from, const char *rcpt, const char *subj, uint32_t flags)
{
	struct kith_msg *m;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->v = realloc(b->v, b->cap * sizeof(*b->v));
		if (!b->v)
			abort();
	}
	m = &b->v[b->n++];
	memset(m, 0, sizeof(*m));
	m->id = (int64_t)b->n;
	m->message_id = mb_dup(mid);
	m->in_reply_to = mb_dup(irt);
	m->date = date;
	m->from.addr = mb_dup(from);
	m->subject = mb_dup(subj);
	m->flags = flags;
	mb_rcpt(m, rcpt);
	return m;
}

static inline void mb_refs(struct kith_msg *m, const char *a, const char *b)
{
	m->refs = calloc(2, sizeof(*m->refs));
	if (!m->refs)
		abort();
	m->refs[m->n_refs++] = mb_dup(a);
	if (b)
		m->refs[m->n_refs++] = mb_dup(b);
}

static inline void mb_free(struct mbox *b)
{
	kith_msgs_free(b->v, b->n);
	memset(b, 0, sizeof(*b));
}

#endif
