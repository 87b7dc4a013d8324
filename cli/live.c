/* live.c: `kith people --as-of DATE`: the analysis recomputed from the
 * stored messages dated before DATE, with the same policy kithd uses
 * (config identities and people, plus the stored decisions). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/analyze.h"
#include "cycle.h"
#include "cli.h"

/* Config merges first, then the stored ones (as kithd does). */
static int live_merges(const struct kith_config *cfg, const struct kith_store_policy *sp,
		       struct kith_merge **out, size_t *n)
{
	size_t k = 0, total = cfg->n_people + sp->n_merges;
	struct kith_merge *v = calloc(total ? total : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->n_people; i++)
		v[k++] = (struct kith_merge){ .name = cfg->people[i].name,
			.addrs = (const char *const *)cfg->people[i].addrs,
			.n_addrs = cfg->people[i].n_addrs };
	for (size_t i = 0; i < sp->n_merges; i++)
		v[k++] = sp->merges[i];
	*out = v;
	*n = k;
	return 0;
}

/* Deep-copies one analysed person into the stored-row shape. */
static int copy_person(const struct kith_person *p, size_t rank, struct kith_store_person *o)
{
	memset(o, 0, sizeof(*o));
	o->id = (int64_t)rank;
	o->rank = (int)rank + 1;
	o->p = *p;
	o->p.key = p->key ? strdup(p->key) : NULL;
	o->p.name = p->name ? strdup(p->name) : NULL;
	o->p.addrs = calloc(p->n_addrs ? p->n_addrs : 1, sizeof(char *));
	o->p.n_addrs = 0;
	o->p.n_factors = 0;
	o->factors = calloc(p->n_factors ? p->n_factors : 1, sizeof(*o->factors));
	if (!o->p.addrs || !o->factors || (p->key && !o->p.key) || (p->name && !o->p.name))
		return -ENOMEM;
	for (size_t i = 0; i < p->n_addrs; i++) {
		if (!(o->p.addrs[i] = strdup(p->addrs[i])))
			return -ENOMEM;
		o->p.n_addrs++;
	}
	for (size_t i = 0; i < p->n_factors && i < KITH_MAX_FACTORS; i++) {
		const struct kith_factor *f = &p->factors[i];

		o->factors[i] = (struct kith_store_factor){ .value = f->value, .points = f->points,
			.name = strdup(f->name ? f->name : "?"), .unit = f->unit ? strdup(f->unit) : NULL };
		o->n_factors++;
		if (!o->factors[i].name)
			return -ENOMEM;
	}
	return 0;
}

static int copy_people(const struct kith_analysis *a, struct kith_store_person **out, size_t *n)
{
	struct kith_store_person *v = calloc(a->n_people ? a->n_people : 1, sizeof(*v));
	size_t k = 0;
	int r = 0;

	if (!v)
		return -ENOMEM;
	for (; k < a->n_people && r == 0; k++)
		r = copy_person(&a->people[k], k, &v[k]);
	if (r < 0) {
		kith_store_people_free(v, k);
		return r;
	}
	*out = v;
	*n = k;
	return 0;
}

static int analyse(struct cli *c, struct kith_store *s, int64_t as_of,
		   const struct kith_store_policy *sp, struct kith_analysis **a)
{
	struct kith_msgset set = { 0 };
	struct kith_merge *merges = NULL;
	const char **ids = NULL;
	size_t n_ids = 0, n_merges = 0;
	int r = kith_cycle_identities(c->cfg, &ids, &n_ids);

	if (r == 0)
		r = live_merges(c->cfg, sp, &merges, &n_merges);
	if (r == 0)
		r = kith_store_load_msgset(s, as_of, &set);
	if (r == 0) {
		struct kith_policy pol = {
			.identities = ids, .n_identities = n_ids,
			.merges = merges, .n_merges = n_merges,
			.splits = (const char *const *)sp->splits, .n_splits = sp->n_splits,
			.ignores = (const char *const *)sp->ignores, .n_ignores = sp->n_ignores,
			.pins = sp->pins, .n_pins = sp->n_pins,
			.strip_plus_tags = c->cfg->strip_plus_tags,
			.half_life_days = c->cfg->half_life_days };

		r = kith_analyze(set.v, set.n, &pol, as_of, a);
	}
	kith_msgset_free(&set);
	free(merges);
	free(ids);
	return r;
}

/* Why live: the derived tables hold one analysis, as of kithd's last cycle;
 * "who was close in 2001" needs the analysis re-run on the messages before
 * that date, which is what kithd would have computed then. */
int cli_people_live(struct cli *c, struct kith_store *s, int64_t as_of,
		    struct kith_store_person **out, size_t *n)
{
	struct kith_store_policy sp;
	struct kith_analysis *a = NULL;
	int r = cli_config(c);

	*out = NULL;
	*n = 0;
	if (r)
		return r;
	if (kith_store_load_policy(s, &sp) < 0) {
		cli_err(c, "cannot read decisions: %s", kith_store_errmsg(s));
		return EX_NOTFOUND;
	}
	r = analyse(c, s, as_of, &sp, &a);
	if (r == 0)
		r = copy_people(a, out, n);
	if (r < 0)
		cli_err(c, "analysis failed: %s", strerror(-r));
	kith_analysis_free(a);
	kith_store_policy_free(&sp);
	return r < 0 ? EX_NOTFOUND : 0;
}
