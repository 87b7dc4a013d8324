/* fu_prep.c: see fu_prep.h. */
#include "fu_prep.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze.h"
#include "grow.h"
#include "strpool.h"

#define DAY 86400

static int str_cmp(const void *x, const void *y)
{
	return strcasecmp(*(const char *const *)x, *(const char *const *)y);
}

int kith_fu_is_user(const char *const *ids, size_t n, const char *addr)
{
	if (!addr || !n)
		return 0;
	return bsearch(&addr, ids, n, sizeof(*ids), str_cmp) != NULL;
}

void kith_fu_ids_init(struct kith_fu_ids *x)
{
	*x = (struct kith_fu_ids){ 0 };
	kith_umap_init(&x->seen);
}

void kith_fu_ids_free(struct kith_fu_ids *x)
{
	free(x->v);
	kith_umap_free(&x->seen);
	kith_fu_ids_init(x);
}

int kith_fu_ids_push(struct kith_fu_ids *x, const char *addr)
{
	const char **v = kith_grow(x->v, &x->cap, x->n, sizeof(*v), 16);

	if (!v)
		return -ENOMEM;
	x->v = v;
	x->v[x->n++] = addr;
	return 0;
}

int kith_fu_ids_sender(struct kith_fu_ids *x, struct kith_strpool *pool, const struct kith_msg *m)
{
	const char *c;
	int r;

	if (!(m->flags & KITH_MSG_IN_SENT) || !m->from.addr)
		return 0;
	if (!(c = kith_strpool_intern(pool, m->from.addr, strlen(m->from.addr))))
		return -ENOMEM;
	r = kith_umap_intern(&x->seen, (uint64_t)(uintptr_t)c, 0, NULL);
	return r == 1 ? kith_fu_ids_push(x, c) : r;
}

void kith_fu_ids_sort(struct kith_fu_ids *x)
{
	size_t i, k;

	if (x->n > 1)
		qsort(x->v, x->n, sizeof(*x->v), str_cmp);
	for (i = 0, k = 0; i < x->n; i++)
		if (k == 0 || strcasecmp(x->v[k - 1], x->v[i]) != 0)
			x->v[k++] = x->v[i];
	x->n = k;
	kith_umap_free(&x->seen);
	kith_umap_init(&x->seen);
}

int kith_fu_from_user(const char *const *ids, size_t n, const struct kith_msg *m)
{
	return (m->flags & KITH_MSG_IN_SENT) || kith_fu_is_user(ids, n, m->from.addr);
}

int kith_fu_user_addressed(const char *const *ids, size_t n, const struct kith_msg *m)
{
	size_t i;

	if (!n)
		return 1;
	for (i = 0; i < m->n_to + m->n_cc; i++)
		if (kith_fu_is_user(ids, n, m->rcpt[i].addr))
			return 1;
	return 0;
}

struct kith_fu_prep *kith_fu_prep_new(const char *const *idents, size_t n_idents,
				      int64_t now, int recent_days)
{
	struct kith_fu_prep *p = calloc(1, sizeof(*p));
	size_t i;

	if (!p || !(p->pool = kith_strpool_new()) ||
	    !(p->idents = calloc(n_idents ? n_idents : 1, sizeof(*p->idents))))
		goto fail;
	for (i = 0; i < n_idents; i++, p->n_idents++)
		if (idents[i] && !(p->idents[i] = kith_strpool_copy(p->pool, idents[i],
								     strlen(idents[i]))))
			goto fail;
	p->now = now;
	p->since = now - (int64_t)recent_days * DAY;
	p->ids_rise = 1;
	kith_smap_init(&p->at);
	kith_fu_ids_init(&p->user);
	return p;
fail:
	kith_fu_prep_free(p);
	return NULL;
}

void kith_fu_prep_free(struct kith_fu_prep *p)
{
	if (!p)
		return;
	free(p->idents);
	kith_fu_ids_free(&p->user);
	free(p->last);
	free(p->recent);
	kith_smap_free(&p->at);
	kith_strpool_free(p->pool);
	free(p);
}

/* Every \Sent sender, whatever its date (as the rules took them when they
 * read the whole mailbox). */
int kith_fu_prep_sender(struct kith_fu_prep *p, const struct kith_msg *m)
{
	return kith_fu_ids_sender(&p->user, p->pool, m);
}

int kith_fu_prep_users(struct kith_fu_prep *p)
{
	size_t i;
	int r = 0;

	for (i = 0; i < p->n_idents && r == 0; i++)
		if (p->idents[i])
			r = kith_fu_ids_push(&p->user, p->idents[i]);
	if (r == 0)
		kith_fu_ids_sort(&p->user);
	return r;
}

/* The entry of addr in p->last, made when new; NULL when out of memory. */
static struct kith_fu_last *last_of(struct kith_fu_prep *p, const char *addr)
{
	struct kith_fu_last *v;
	size_t at;
	int r = kith_smap_intern(&p->at, addr, p->n_last, &at);

	if (r < 0)
		return NULL;
	if (r == 0)
		return &p->last[at];
	if (!(v = kith_grow(p->last, &p->cap_last, p->n_last, sizeof(*v), 256)))
		return NULL;
	p->last = v;
	v[p->n_last] = (struct kith_fu_last){ kith_strpool_intern(p->pool, addr, strlen(addr)),
					      KITH_DATE_NONE, KITH_DATE_NONE };
	return v[p->n_last].addr ? &v[p->n_last++] : NULL;
}

static void later(int64_t *at, int64_t t)
{
	if (*at == KITH_DATE_NONE || t > *at)
		*at = t;
}

/* The rules' reading of a message older than their horizon (scan_msg in
 * lib/followup.c with no index): the user's mail dates each recipient,
 * a person's personal mail to the user dates its sender. */
static int note_last(struct kith_fu_prep *p, const struct kith_msg *m, uint8_t cls)
{
	const char *const *u = p->user.v;
	struct kith_fu_last *l;
	size_t r;

	if (kith_fu_from_user(u, p->user.n, m)) {
		for (r = 0; r < m->n_to + m->n_cc; r++) {
			if (!m->rcpt[r].addr || !*m->rcpt[r].addr)
				continue;
			if (!(l = last_of(p, m->rcpt[r].addr)))
				return -ENOMEM;
			later(&l->user_to, m->date);
		}
		return 0;
	}
	if (cls != KITH_CLASS_PERSONAL || !m->from.addr || !*m->from.addr ||
	    !kith_fu_user_addressed(u, p->user.n, m))
		return 0;
	if (!(l = last_of(p, m->from.addr)))
		return -ENOMEM;
	later(&l->them, m->date);
	return 0;
}

static int note_recent(struct kith_fu_prep *p, const struct kith_msg *m, uint8_t cls)
{
	struct kith_fu_recent *v = kith_grow(p->recent, &p->cap_recent, p->n_recent,
					     sizeof(*v), 64);

	if (!v)
		return -ENOMEM;
	p->recent = v;
	v[p->n_recent++] = (struct kith_fu_recent){ m->id, m->date, cls };
	return 0;
}

int kith_fu_prep_note(struct kith_fu_prep *p, const struct kith_msg *m, uint8_t cls)
{
	if (p->n_seen++ && m->id <= p->max_id)
		p->ids_rise = 0;
	if (p->n_seen == 1 || m->id > p->max_id)
		p->max_id = m->id;
	if (m->date == KITH_DATE_NONE)
		return 0;
	if (m->date >= p->since) {
		int r = note_recent(p, m, cls);

		if (r < 0)
			return r;
	}
	return m->date < p->now ? note_last(p, m, cls) : 0;
}

void kith_fu_prep_seal(struct kith_fu_prep *p)
{
	kith_smap_free(&p->at);
	kith_smap_init(&p->at);
}

const struct kith_fu_recent *kith_fu_prep_find(const struct kith_fu_prep *p, int64_t id)
{
	size_t lo = 0, hi = p->n_recent;

	if (!p->ids_rise)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->recent[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->n_recent && p->recent[lo].id == id ? &p->recent[lo] : NULL;
}
