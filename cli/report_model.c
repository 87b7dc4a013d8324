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
