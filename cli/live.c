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
#include "../analysis/run.h"
#include "cli.h"

/* Deep-copies one analysed person into the stored-row shape. */
static int copy_person(const struct kith_person *p, size_t rank, struct kith_store_person *o)
{
	char why[256];

	memset(o, 0, sizeof(*o));
	kith_store_person_reason(p, why, sizeof(why));
	o->reason = strdup(why);
	o->id = (int64_t)rank;
	o->rank = (int)rank + 1;
	o->p = *p;
	o->p.key = p->key ? strdup(p->key) : NULL;
	o->p.name = p->name ? strdup(p->name) : NULL;
	o->p.addrs = calloc(p->n_addrs ? p->n_addrs : 1, sizeof(char *));
	o->p.n_addrs = 0;
	o->p.n_factors = 0;
	o->factors = calloc(p->n_factors ? p->n_factors : 1, sizeof(*o->factors));
	if (!o->p.addrs || !o->factors || !o->reason || (p->key && !o->p.key) ||
	    (p->name && !o->p.name))
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

/* Why live: the derived tables hold one analysis, as of kithd's last cycle;
 * "who was close in 2001" needs the analysis re-run on the messages before
 * that date, which is what kithd would have computed then.  The messages
 * stay loaded: the follow-up rules read them too. */
int cli_live_open(struct cli *c, struct kith_store *s, int64_t as_of, struct cli_live *L)
{
	int r = cli_config(c);

	memset(L, 0, sizeof(*L));
	L->s = s;
	L->as_of = as_of;
	if (r)
		return r;
	if (kith_store_load_policy(s, &L->rp.sp) < 0) {
		cli_err(c, "cannot read decisions: %s", kith_store_errmsg(s));
		cli_live_close(L);
		return EX_NOTFOUND;
	}
	r = kith_run_policy_build(c->cfg, &L->rp);
	if (r == 0)
		r = kith_store_load_msgset(s, as_of, &L->set);
	if (r == 0)
		r = kith_analyze(L->set.v, L->set.n, &L->rp.policy, as_of, &L->a);
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
	kith_run_policy_free(&L->rp);
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

/* The follow-ups the rules want on L->as_of, with the config's settings,
 * most important first (before the cap on open tasks). */
int cli_live_tasks(struct cli *c, const struct cli_live *L, struct kith_task_want **out,
		   size_t *n)
{
	struct kith_followup_params p = { .identities = L->rp.policy.identities,
					  .n_identities = L->rp.policy.n_identities };

	kith_config_followup_params(c->cfg, &p);
	return kith_followups_decide(L->a, L->set.v, L->set.n, &p, L->rp.sp.snoozes,
				     L->rp.sp.n_snoozes, L->as_of, out, n, NULL);
}
