/* absorb.c: see absorb.h. */
#include "absorb.h"
#include "../analysis/run.h"
#include "../lib/inert.h"

#include <errno.h>
#include <string.h>

static int saved_person(void *ctx, const char *addr)
{
	return kith_store_is_person_addr(ctx, addr) != 0; /* an error counts as a person */
}

static void count(struct kith_absorbed *n, const struct kith_msg *m, enum kith_class cls,
		  int64_t now)
{
	if (m->date != KITH_DATE_NONE && m->date >= now)
		return; /* not yet an input of the analysis */
	n->messages++;
	n->personal += cls == KITH_CLASS_PERSONAL;
	n->list += cls == KITH_CLASS_LIST;
	n->automated += cls == KITH_CLASS_AUTOMATED;
}

/* Every message of set inert?  1, 0 or a negative errno. */
static int all_inert(struct kith_inert *in, const struct kith_msgset *set, int64_t now,
		     struct kith_absorbed *n, const char **why)
{
	enum kith_class cls;
	size_t i;
	int r = 1;

	for (i = 0; i < set->n && r == 1; i++) {
		r = kith_inert_check(in, &set->v[i], &cls, why);
		if (r == 1)
			count(n, &set->v[i], cls, now);
	}
	return r;
}

int kith_absorb(const struct kith_config *c, struct kith_store *st,
		const struct kith_store_basis *was, const struct kith_store_basis *cur,
		int64_t now, size_t *n, const char **why)
{
	struct kith_run_policy pol = { 0 };
	struct kith_store_learnt l;
	struct kith_msgset set;
	struct kith_absorbed cnt = { 0 };
	struct kith_inert in;
	const char *w = "no saved analysis to judge against";
	int r = kith_store_load_learnt(st, &l);

	memset(&in, 0, sizeof(in));
	memset(&set, 0, sizeof(set));
	if (r == 0)
		r = kith_store_load_policy(st, &pol.sp);
	if (r == 0)
		r = kith_run_policy_build(c, &pol);
	if (r == 0)
		r = kith_inert_init(&in, &pol.policy, (const char *const *)l.users, l.n_users,
				    (const char *const *)l.lists, l.n_lists, l.newest, now,
				    saved_person, st);
	if (r == 0)
		r = kith_store_load_msgs_after(st, was->t.max_msg, cur->t.max_msg, &set);
	if (r == 0)
		r = all_inert(&in, &set, now, &cnt, &w);
	if (r == 1 && (r = kith_store_absorb_counts(st, &cnt)) == 0)
		r = 1;
	*n = cnt.messages;
	if (why)
		*why = w;
	kith_inert_free(&in);
	kith_msgset_free(&set);
	kith_run_policy_free(&pol);
	kith_store_learnt_free(&l);
	return r == -ENOENT ? 0 : r;
}
