/* live.c: `--as-of DATE`: the analysis recomputed from the stored
 * messages dated before DATE, with the same policy kithd uses (config
 * identities and people, plus the stored decisions), and what the other
 * commands read from it.  live_view.c turns it into the store's shapes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/analyze.h"
#include "../lib/followup.h"
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

/* Runs the analysis over L->set with the config's identities and merges
 * plus the stored decisions (L->sp), as kithd would have on L->as_of. */
static int analyse(struct cli *c, struct cli_live *L)
{
	struct kith_merge *merges = NULL;
	size_t n_merges = 0;
	int r = kith_cycle_identities(c->cfg, &L->ids, &L->n_ids);

	if (r == 0)
		r = live_merges(c->cfg, &L->sp, &merges, &n_merges);
	if (r == 0)
		r = kith_store_load_msgset(L->s, L->as_of, &L->set);
	if (r == 0) {
		struct kith_policy pol = {
			.identities = L->ids, .n_identities = L->n_ids,
			.merges = merges, .n_merges = n_merges,
			.splits = (const char *const *)L->sp.splits, .n_splits = L->sp.n_splits,
			.ignores = (const char *const *)L->sp.ignores, .n_ignores = L->sp.n_ignores,
			.pins = L->sp.pins, .n_pins = L->sp.n_pins,
			.strip_plus_tags = c->cfg->strip_plus_tags,
			.half_life_days = c->cfg->half_life_days };

		r = kith_analyze(L->set.v, L->set.n, &pol, L->as_of, &L->a);
	}
	free(merges);
	return r;
}

/* Why live: the derived tables hold one analysis, as of kithd's last cycle;
 * "who was close in 2001" needs the analysis re-run on the messages before
 * that date, which is what kithd would have computed then. */
int cli_live_open(struct cli *c, struct kith_store *s, int64_t as_of, struct cli_live *L)
{
	int r = cli_config(c);

	memset(L, 0, sizeof(*L));
	L->s = s;
	L->as_of = as_of;
	if (r)
		return r;
	if (kith_store_load_policy(s, &L->sp) < 0) {
		cli_err(c, "cannot read decisions: %s", kith_store_errmsg(s));
		kith_store_policy_free(&L->sp);
		return EX_NOTFOUND;
	}
	r = analyse(c, L);
	if (r < 0) {
		cli_err(c, "analysis failed: %s", strerror(-r));
		cli_live_close(L);
		return EX_NOTFOUND;
	}
	return 0;
}

void cli_live_close(struct cli_live *L)
{
	kith_analysis_free(L->a);
	kith_msgset_free(&L->set);
	kith_store_policy_free(&L->sp);
	free(L->ids);
	memset(L, 0, sizeof(*L));
}

int cli_people_live(struct cli *c, struct kith_store *s, int64_t as_of,
		    struct kith_store_person **out, size_t *n)
{
	struct cli_live L;
	int r = cli_live_open(c, s, as_of, &L);

	*out = NULL;
	*n = 0;
	if (r)
		return r;
	r = copy_people(L.a, out, n);
	if (r < 0)
		cli_err(c, "analysis failed: %s", strerror(-r));
	cli_live_close(&L);
	return r < 0 ? EX_NOTFOUND : 0;
}

int cli_live_people(const struct cli_live *L, struct kith_store_person **out, size_t *n)
{
	return copy_people(L->a, out, n);
}

/* The follow-ups kithd would have decided on L->as_of, with the config's
 * settings; keep_max >= 0 replaces keep_in_touch_max (the report lifts
 * the cap to show who it held back). */
int cli_live_tasks(struct cli *c, const struct cli_live *L, int keep_max,
		   struct kith_task_want **out, size_t *n)
{
	struct kith_followup_params p = { .identities = L->ids, .n_identities = L->n_ids };

	kith_config_followup_params(c->cfg, &p);
	if (keep_max >= 0)
		p.keep_in_touch_max = keep_max;
	return kith_followups_decide(L->a, L->set.v, L->set.n, &p, L->sp.snoozes,
				     L->sp.n_snoozes, L->as_of, out, n);
}
