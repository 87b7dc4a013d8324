/* report_data.c: what `kith report` shows, gathered from the store (the
 * last analysis) or from a live analysis as of a date (--as-of). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define YEAR (365 * 86400LL)

/* Fills rp[] from the turns (already grouped by person, in people order):
 * where each person's turns are, the span of their timeline (first
 * exchange to the as-of date or the last exchange, whichever is later)
 * and their exchanges in the last two years. */
static int index_turns(struct rpt *r)
{
	size_t t = 0;

	r->rp = calloc(r->n_people ? r->n_people : 1, sizeof(*r->rp));
	if (!r->rp)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_people; i++) {
		struct rpt_person *p = &r->rp[i];
		const struct kith_person *kp = &r->people[i].p;
		int64_t first = kp->first_exchange, last = r->as_of - 1;

		p->turn0 = t;
		for (; t < r->n_turns && r->turns[t].person == r->people[i].id; t++) {
			int64_t d = r->turns[t].date;

			p->last12 += d >= r->as_of - YEAR;
			p->prev12 += d < r->as_of - YEAR && d >= r->as_of - 2 * YEAR;
			if (first == KITH_DATE_NONE || d < first)
				first = d;
		}
		p->n_turns = t - p->turn0;
		if (kp->last_exchange != KITH_DATE_NONE && kp->last_exchange > last)
			last = kp->last_exchange;
		if (first != KITH_DATE_NONE && first <= last) {
			p->m0 = month_index(first);
			p->n_months = month_index(last) - p->m0 + 1;
		}
	}
	return 0;
}

static int add_task(struct rpt *r, enum kith_task_kind kind, const char *key,
		    const char *summary, int64_t due, int held)
{
	struct rpt_task *t = &r->tasks[r->n_tasks];

	*t = (struct rpt_task){ kind, key ? strdup(key) : NULL,
				strdup(summary ? summary : ""), due, held };
	r->n_tasks++;
	return (key && !t->person_key) || !t->summary ? -ENOMEM : 0;
}

static int task_order(const void *x, const void *y)
{
	const struct rpt_task *a = x, *b = y;

	return (a->due > b->due) - (a->due < b->due);
}

/* Open tasks (the front of the list) by due date, then the held-back
 * ones after them, by due date too. */
static void sort_tasks(struct rpt *r)
{
	size_t open = 0;

	while (open < r->n_tasks && !r->tasks[open].held)
		open++;
	qsort(r->tasks, open, sizeof(*r->tasks), task_order);
	qsort(r->tasks + open, r->n_tasks - open, sizeof(*r->tasks), task_order);
}

/* The open records, then those the cap held back (KITH_TS_HELD); others
 * (done, deleted) are not on the page. */
static int add_records(struct rpt *r, const struct kith_task_record *v, size_t n)
{
	int err = 0;

	if (!(r->tasks = calloc(n + 1, sizeof(*r->tasks))))
		return -ENOMEM;
	for (int held = 0; held < 2; held++)
		for (size_t i = 0; err == 0 && i < n; i++)
			if (v[i].status == (held ? KITH_TS_HELD : KITH_TS_OPEN))
				err = add_task(r, v[i].kind, v[i].person_key, v[i].summary, v[i].due,
					       held);
	sort_tasks(r);
	return err;
}

/* ---- from the store ---------------------------------------------------- */

static int store_tasks(struct kith_store *s, struct rpt *r)
{
	struct kith_task_record *v = NULL;
	size_t n = 0;
	int err = kith_store_load_tasks(s, &v, &n);

	if (err == 0)
		err = add_records(r, v, n);
	kith_task_records_free_store(v, n);
	return err;
}

int rpt_load_store(struct cli *c, struct kith_store *s, struct rpt *r)
{
	struct kith_store_people_query q = { .tier = -1, .id = -1 };
	int64_t *ids = NULL;
	size_t expect = 0;
	int err;

	memset(r, 0, sizeof(*r));
	r->as_of = kith_store_as_of(s);
	if (r->as_of == KITH_DATE_NONE)
		r->as_of = c->now;
	r->max_open = c->cfg->max_open_tasks;
	err = kith_store_people(s, &q, &r->people, &r->n_people);
	if (err == 0)
		rpt_keep_shown(r);
	if (err == 0 && !(ids = malloc((r->n_people + 1) * sizeof(*ids))))
		err = -ENOMEM;
	for (size_t i = 0; err == 0 && i < r->n_people; i++) {
		ids[i] = r->people[i].id;
		expect += r->people[i].p.turns_user + r->people[i].p.turns_them;
	}
	if (err == 0)
		err = kith_store_turns_of(s, ids, r->n_people, expect, &r->turns, &r->n_turns);
	free(ids);
	if (err == 0)
		err = index_turns(r);
	if (err == 0)
		err = store_tasks(s, r);
	return err;
}

/* ---- from a live analysis ---------------------------------------------- */

/* The live turns of the ranked people, grouped in people order. */
static int live_turns(const struct kith_analysis *a, struct rpt *r)
{
	size_t *slot = calloc(a->n_people + 1, sizeof(*slot)), *start;
	int err = 0;

	r->turns = calloc(a->n_turns ? a->n_turns : 1, sizeof(*r->turns));
	start = calloc(r->n_people + 1, sizeof(*start));
	if (!slot || !r->turns || !start)
		err = -ENOMEM;
	for (size_t i = 0; err == 0 && i < r->n_people; i++)
		slot[r->people[i].id] = i + 1; /* 0: not on the page */
	for (size_t t = 0; err == 0 && t < a->n_turns; t++)
		if (slot[a->turns[t].person] && a->turns[t].date != KITH_DATE_NONE)
			start[slot[a->turns[t].person]]++;
	for (size_t i = 1; err == 0 && i <= r->n_people; i++)
		start[i] += start[i - 1];
	for (size_t t = 0; err == 0 && t < a->n_turns; t++) {
		const struct kith_turn *k = &a->turns[t];

		if (slot[k->person] && k->date != KITH_DATE_NONE)
			r->turns[start[slot[k->person] - 1]++] = (struct kith_store_turn_row){
				(int64_t)k->person, k->date, k->by_user };
	}
	if (err == 0)
		r->n_turns = start[r->n_people];
	free(slot);
	free(start);
	return err;
}

/* The follow-ups of that day: open ones, then those the cap held back. */
static int live_tasks(struct cli *c, const struct cli_live *L, struct rpt *r)
{
	struct kith_task_record *v = NULL;
	size_t n = 0;
	int err = cli_live_task_records(c, L, NULL, &v, &n);

	if (err == 0)
		err = add_records(r, v, n);
	kith_task_records_free_store(v, n);
	return err;
}

int rpt_load_live(struct cli *c, const struct cli_live *L, struct rpt *r)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->as_of = L->as_of;
	r->live = 1;
	r->max_open = c->cfg->max_open_tasks;
	err = cli_live_people(L, &r->people, &r->n_people);
	if (err == 0)
		rpt_keep_shown(r);
	if (err == 0)
		err = live_turns(L->a, r);
	if (err == 0)
		err = index_turns(r);
	if (err == 0)
		err = live_tasks(c, L, r);
	return err;
}
