/* run.c: see run.h. */
#include "run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Why the login fallback: with no identity configured at all, the account's
 * login (when it is an address) is the best guess at the user's address. */
int kith_run_identities(const struct kith_config *c, const char ***out, size_t *n)
{
	size_t total = c->n_identities, k = 0;
	const char **v;

	for (size_t i = 0; i < c->n_accounts; i++)
		total += c->accounts[i].n_identities + 1;
	v = calloc(total ? total : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_identities; i++)
		v[k++] = c->identities[i];
	for (size_t i = 0; i < c->n_accounts; i++)
		for (size_t j = 0; j < c->accounts[i].n_identities; j++)
			v[k++] = c->accounts[i].identities[j];
	for (size_t i = 0; k == 0 && i < c->n_accounts; i++)
		if (c->accounts[i].user && strchr(c->accounts[i].user, '@'))
			v[k++] = c->accounts[i].user;
	*out = v;
	*n = k;
	return 0;
}

/* Merges from the config file come first, then those made with the CLI. */
static int build_merges(const struct kith_config *c, const struct kith_store_policy *sp,
			struct kith_merge **out)
{
	size_t n = c->n_people + sp->n_merges, k = 0;
	struct kith_merge *v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_people; i++) {
		v[k].name = c->people[i].name;
		v[k].addrs = (const char *const *)c->people[i].addrs;
		v[k++].n_addrs = c->people[i].n_addrs;
	}
	for (size_t i = 0; i < sp->n_merges; i++)
		v[k++] = sp->merges[i];
	*out = v;
	return (int)k;
}

int kith_run_policy_build(const struct kith_config *c, struct kith_run_policy *p)
{
	size_t n_ids;
	int r = kith_run_identities(c, &p->ids, &n_ids);

	if (r < 0)
		return r;
	r = build_merges(c, &p->sp, &p->merges);
	if (r < 0)
		return r;
	p->policy = (struct kith_policy){
		.identities = p->ids, .n_identities = n_ids,
		.merges = p->merges, .n_merges = (size_t)r,
		.splits = (const char *const *)p->sp.splits, .n_splits = p->sp.n_splits,
		.ignores = (const char *const *)p->sp.ignores, .n_ignores = p->sp.n_ignores,
		.pins = p->sp.pins, .n_pins = p->sp.n_pins,
		.strip_plus_tags = c->strip_plus_tags,
		.half_life_days = c->half_life_days,
	};
	return 0;
}

void kith_run_policy_free(struct kith_run_policy *p)
{
	free(p->merges);
	free(p->ids);
	kith_store_policy_free(&p->sp);
}

int kith_run_as_of(struct kith_store *s, const struct kith_run_policy *p, int64_t as_of,
		   struct kith_analysis **a)
{
	struct kith_msgset set = { 0 };
	int r = kith_store_load_msgset(s, as_of, &set);

	if (r == 0)
		r = kith_analyze(set.v, set.n, &p->policy, as_of, a);
	kith_msgset_free(&set);
	return r;
}
