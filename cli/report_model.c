/* report_model.c: struct rpt's own helpers (report.h), apart from how it
 * is filled (report_data.c) so that the page writer and its unit test
 * need neither the store nor a live analysis. */
#include <stdlib.h>
#include <string.h>

#include "report.h"

void rpt_free(struct rpt *r)
{
	kith_store_people_free(r->people, r->n_people);
	free(r->rp);
	free(r->turns);
	for (size_t i = 0; i < r->n_tasks; i++) {
		free(r->tasks[i].person_key);
		free(r->tasks[i].summary);
	}
	free(r->tasks);
	memset(r, 0, sizeof(*r));
}

long rpt_find(const struct rpt *r, const char *key)
{
	for (size_t i = 0; key && i < r->n_people; i++)
		if (r->people[i].p.key && !strcmp(r->people[i].p.key, key))
			return (long)i;
	return -1;
}

void rpt_keep_shown(struct rpt *r)
{
	size_t k = 0, fading = 0;

	for (size_t i = 0; i < r->n_people; i++) {
		enum kith_tier t = r->people[i].p.tier;
		int keep = t != KITH_TIER_NONE && (t != KITH_TIER_FADING || fading++ < RPT_FADING_MAX);

		if (keep)
			r->people[k++] = r->people[i];
		else
			kith_store_people_free_one(&r->people[i]);
	}
	r->fading_left_out = fading > RPT_FADING_MAX ? fading - RPT_FADING_MAX : 0;
	r->n_people = k;
}
