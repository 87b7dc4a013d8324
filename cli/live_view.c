/* live_view.c: a live analysis (live.c) in the shapes the commands print
 * from the store, so that `show`, `recent` and `followups` with --as-of
 * print what they would have printed on that day, with the same code. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/followup.h"
#include "../lib/isodate.h"
#include "cli.h"

int cli_parse_as_of(struct cli *c, const char *arg, int64_t *out)
{
	if (kith_isodate_parse(arg, out) < 0) {
		cli_err(c, "--as-of needs YYYY-MM-DD, got \"%s\"", arg);
		return EX_USAGE_;
	}
	return 0;
}

static char *dup_or_null(const char *s, int *oom)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*oom = 1;
	return d;
}

/* 2: the key or an address is `who` exactly; 1: the name is, ignoring
 * case; 0: a substring of the name or an address; -1: no match. */
static int match_level(const struct kith_person *p, const char *who)
{
	int level = -1;

	if (p->key && !strcasecmp(p->key, who))
		return 2;
	for (size_t i = 0; i < p->n_addrs; i++) {
		if (!strcasecmp(p->addrs[i], who))
			return 2;
		if (strcasestr(p->addrs[i], who))
			level = 0;
	}
	if (p->name && !strcasecmp(p->name, who))
		return 1;
	if (p->name && strcasestr(p->name, who))
		level = 0;
	return level;
}

/* Why the same order of preference as kith_store_find_person: an exact
 * address or name must win over substrings ("Ann" and "Anne"). */
int cli_live_resolve(struct cli *c, const struct cli_live *L, const char *who, int64_t *id)
{
	const struct kith_analysis *a = L->a;
	int best = -1;
	size_t n = 0, first = 0;

	for (size_t i = 0; i < a->n_people; i++) {
		int lv = match_level(&a->people[i], who);

		if (lv > best) {
			best = lv;
			n = 0;
			first = i;
		}
		n += lv == best && lv >= 0;
	}
	if (best >= 0 && n == 1) {
		*id = (int64_t)first;
		return 0;
	}
	if (best < 0) {
		cli_err(c, "no one matches \"%s\" before that date", who);
		return EX_NOTFOUND;
	}
	fprintf(stderr, "%zu people match; say which:\n", n);
	for (size_t i = first, k = 0; i < a->n_people && k < 20; i++) {
		const struct kith_person *p = &a->people[i];

		if (match_level(p, who) == best && ++k)
			fprintf(stderr, "  %-28s %s\n", p->name ? p->name : "-",
				p->n_addrs ? p->addrs[0] : p->key);
	}
	return EX_NOTFOUND;
}

static int fill_turn(const struct cli_live *L, const struct kith_turn *t,
		     struct kith_store_turn *o)
{
	const struct kith_person *p = &L->a->people[t->person];
	const struct kith_conversation *cv = t->conversation < L->a->n_conversations
		? &L->a->conversations[t->conversation] : NULL;
	int oom = 0;

	*o = (struct kith_store_turn){ .person = (int64_t)t->person, .date = t->date,
		.by_user = t->by_user, .latency = t->latency,
		.last_by_user = cv ? cv->last_by_user : 0 };
	o->person_key = dup_or_null(p->key, &oom);
	o->person_name = dup_or_null(p->name, &oom);
	o->subject = dup_or_null(cv ? cv->subject : NULL, &oom);
	return oom ? -ENOMEM : 0;
}

int cli_live_turns(const struct cli_live *L, int64_t person, int64_t since,
		   struct kith_store_turn **out, size_t *n)
{
	const struct kith_analysis *a = L->a;
	struct kith_store_turn *v = calloc(a->n_turns ? a->n_turns : 1, sizeof(*v));
	size_t k = 0;
	int r = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = a->n_turns; i-- > 0 && r == 0;) {
		const struct kith_turn *t = &a->turns[i];

		if (t->date >= since && (person < 0 || (int64_t)t->person == person))
			r = fill_turn(L, t, &v[k++]);
	}
	if (r < 0) {
		kith_store_turns_free(v, k);
		return r;
	}
	*out = v;
	*n = k;
	return 0;
}

int cli_live_turn_dates(const struct cli_live *L, int64_t person, int64_t **out, size_t *n)
{
	const struct kith_analysis *a = L->a;
	int64_t *v = malloc((a->n_turns ? a->n_turns : 1) * sizeof(*v));
	size_t k = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < a->n_turns; i++)
		if ((int64_t)a->turns[i].person == person && a->turns[i].date != KITH_DATE_NONE)
			v[k++] = a->turns[i].date;
	*out = v;
	*n = k;
	return 0;
}

static int conv_newest_first(const void *x, const void *y)
{
	const struct kith_store_conv *a = x, *b = y;

	return (a->last < b->last) - (a->last > b->last);
}

int cli_live_convs(const struct cli_live *L, int64_t person, size_t limit,
		   struct kith_store_conv **out, size_t *n)
{
	const struct kith_analysis *a = L->a;
	struct kith_store_conv *v = calloc(a->n_conversations ? a->n_conversations : 1,
					   sizeof(*v));
	size_t k = 0;
	int oom = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < a->n_conversations && !oom; i++) {
		const struct kith_conversation *cv = &a->conversations[i];

		if ((int64_t)cv->person != person)
			continue;
		v[k] = (struct kith_store_conv){ (int64_t)i, person, NULL, cv->first, cv->last,
			cv->turns_user, cv->turns_them, cv->initiated_by_user, cv->last_by_user };
		v[k++].subject = dup_or_null(cv->subject, &oom);
	}
	if (oom) {
		kith_store_convs_free(v, k);
		return -ENOMEM;
	}
	qsort(v, k, sizeof(*v), conv_newest_first);
	while (limit && k > limit)
		free(v[--k].subject);
	*out = v;
	*n = k;
	return 0;
}

static int by_due(const void *x, const void *y)
{
	const struct kith_task_record *a = x, *b = y;

	return (a->due > b->due) - (a->due < b->due);
}

/* Why the due date moves: kithd's plan (daemon/tasks_plan.c) never makes a
 * task overdue the day it first writes it, and makes a keep-in-touch task
 * due that day; seen live, a task is written on the as-of day. */
static int want_to_record(const struct kith_task_want *w, int64_t as_of,
			  struct kith_task_record *o)
{
	int64_t due = w->due;
	int oom = 0;

	if (w->kind == KITH_TASK_KEEP_IN_TOUCH || due < kith_utc_day_end(as_of))
		due = kith_utc_day_end(as_of);
	*o = (struct kith_task_record){ .kind = w->kind, .status = KITH_TS_OPEN, .due = due,
		.created = as_of, .modified = as_of, .priority = w->priority };
	o->uid = dup_or_null(w->uid, &oom);
	o->person_key = dup_or_null(w->person_key, &oom);
	o->episode = dup_or_null(w->episode, &oom);
	o->summary = dup_or_null(w->summary, &oom);
	return oom ? -ENOMEM : 0;
}

int cli_live_task_records(struct cli *c, const struct cli_live *L, const char *person_key,
			  struct kith_task_record **out, size_t *n)
{
	struct kith_task_want *w = NULL;
	struct kith_task_record *v = NULL;
	size_t nw = 0, k = 0, cap = c->cfg->max_open_tasks > 0 ? (size_t)c->cfg->max_open_tasks
							       : (size_t)-1;
	int r = cli_live_tasks(c, L, &w, &nw);

	if (r == 0 && !(v = calloc(nw ? nw : 1, sizeof(*v))))
		r = -ENOMEM;
	for (size_t i = 0; i < nw && r == 0; i++) {
		if (person_key && !(w[i].person_key && !strcmp(w[i].person_key, person_key)))
			continue;
		r = want_to_record(&w[i], L->as_of, &v[k]);
		if (i >= cap) /* the wants come most important first */
			v[k].status = KITH_TS_HELD;
		k++;
	}
	kith_task_wants_free(w, nw);
	if (r < 0) {
		kith_task_records_free_store(v, k);
		return r;
	}
	qsort(v, k, sizeof(*v), by_due);
	*out = v;
	*n = k;
	return 0;
}
