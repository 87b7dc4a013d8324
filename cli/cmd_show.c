/* cmd_show.c: `kith show PERSON`: one person in full. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/followup.h"
#include "../lib/isodate.h"
#include "cli.h"

#define SHOW_CONVS KITH_RECENT_CONVS
#define SPARK_COLS 60

struct show {
	struct kith_store_person *p;   /* one */
	size_t n_p;
	struct kith_store_conv *convs;
	size_t n_convs;
	struct kith_task_record *tasks;
	size_t n_tasks;
	int64_t *dates;                /* turn dates, oldest first */
	size_t n_dates;
	int64_t as_of;
};

static void show_free(struct show *w)
{
	kith_store_people_free(w->p, w->n_p);
	kith_store_convs_free(w->convs, w->n_convs);
	kith_task_records_free_store(w->tasks, w->n_tasks);
	free(w->dates);
}

static int show_load(struct kith_store *s, int64_t id, struct show *w)
{
	struct kith_store_people_query q = { .tier = -1, .all = 1, .id = id };
	int r = kith_store_people(s, &q, &w->p, &w->n_p);

	if (r == 0 && w->n_p != 1)
		r = -ENOENT;
	if (r == 0)
		r = kith_store_conversations(s, id, SHOW_CONVS, &w->convs, &w->n_convs);
	if (r == 0)
		r = kith_store_person_tasks(s, w->p[0].p.key, 1, &w->tasks, &w->n_tasks);
	if (r == 0)
		r = kith_store_turn_dates(s, id, &w->dates, &w->n_dates);
	w->as_of = kith_store_as_of(s);
	return r;
}

/* The same from a live analysis (--as-of): the person is id in L. */
static int show_load_live(const struct cli_live *L, struct cli *c, int64_t id, struct show *w)
{
	int r = cli_live_people(L, &w->p, &w->n_p);

	if (r == 0) { /* keep only person id */
		for (size_t i = 0; i < w->n_p; i++)
			if ((int64_t)i != id)
				kith_store_people_free_one(&w->p[i]);
		if (id > 0)
			w->p[0] = w->p[id];
		w->n_p = 1;
	}
	if (r == 0)
		r = cli_live_convs(L, id, SHOW_CONVS, &w->convs, &w->n_convs);
	if (r == 0)
		r = cli_live_task_records(c, L, w->p[0].p.key, &w->tasks, &w->n_tasks);
	if (r == 0)
		r = cli_live_turn_dates(L, id, &w->dates, &w->n_dates);
	w->as_of = L->as_of;
	return r;
}

static int64_t month_key(int64_t t, int64_t *y, unsigned *m)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	unsigned d;

	kith_civil_from_days(days, y, m, &d);
	return *y * 12 + *m;
}

/* Exchanges per calendar month (UTC), months with none left out. */
static void months_json(FILE *f, const struct show *w)
{
	size_t i = 0, j;
	int64_t y, y2;
	unsigned m, m2;

	fputs(",\"months\":[", f);
	while (i < w->n_dates) {
		int64_t key = month_key(w->dates[i], &y, &m);

		for (j = i + 1; j < w->n_dates && month_key(w->dates[j], &y2, &m2) == key; j++)
			;
		fprintf(f, "%s{\"month\":\"%04lld-%02u\",\"exchanges\":%zu}", i ? "," : "",
			(long long)y, m, j - i);
		i = j;
	}
	fputc(']', f);
}

/* The person's tasks of one status as a JSON array named `name`. */
static void tasks_json(FILE *f, const struct show *w, const char *name,
		       enum kith_task_status status)
{
	size_t k = 0;

	fprintf(f, ",\"%s\":[", name);
	for (size_t i = 0; i < w->n_tasks; i++) {
		if (w->tasks[i].status != status)
			continue;
		fputs(k++ ? ",{\"kind\":" : "{\"kind\":", f);
		json_str(f, kith_task_kind_name(w->tasks[i].kind));
		fputs(",\"summary\":", f);
		json_str(f, w->tasks[i].summary);
		fputs(",\"due\":", f);
		json_date(f, w->tasks[i].due);
		fputc('}', f);
	}
	fputc(']', f);
}

static void show_json(const struct show *w)
{
	FILE *f = stdout;

	fputc('{', f);
	person_json_fields(f, &w->p[0]);
	fputs(",\"recent_conversations\":[", f);
	for (size_t i = 0; i < w->n_convs; i++) {
		const struct kith_store_conv *v = &w->convs[i];

		fputs(i ? ",{\"subject\":" : "{\"subject\":", f);
		json_str(f, v->subject);
		fputs(",\"first\":", f);
		json_date(f, v->first);
		fputs(",\"last\":", f);
		json_date(f, v->last);
		fprintf(f, ",\"turns_you\":%u,\"turns_them\":%u,\"initiated_by\":\"%s\","
			"\"waiting\":\"%s\"}", v->turns_user, v->turns_them,
			v->initiated_by_user ? "you" : "them", v->last_by_user ? "you" : "them");
	}
	fputc(']', f);
	tasks_json(f, w, "open_tasks", KITH_TS_OPEN);
	tasks_json(f, w, "held_tasks", KITH_TS_HELD);
	months_json(f, w);
	fputs("}\n", f);
}

static void show_head(struct cli *c, const struct kith_store_person *sp)
{
	const struct kith_person *p = &sp->p;

	printf("%s", col(c, C_BOLD));
	put_cell(stdout, p->name ? p->name : p->key, 0, 1);
	printf("%s ", col(c, C_OFF));
	for (size_t i = 0; i < p->n_addrs; i++) {
		printf("%s", i ? ", " : "<");
		put_cell(stdout, p->addrs[i], 0, 1);
	}
	printf("%s\n", p->n_addrs ? ">" : "");
	printf("  %s%s%s%s, depth %.1f, rank %d\n", tier_color(c, p->tier),
	       kith_tier_name(p->tier), col(c, C_OFF), p->pinned ? " (pinned)" : "",
	       p->depth, sp->rank);
	if (sp->reason) {
		printf("  why: ");
		put_cell(stdout, sp->reason, 0, 1);
		putchar('\n');
	}
}

static void show_factors(struct cli *c, const struct kith_store_person *sp)
{
	if (!sp->n_factors)
		return;
	printf("\n  %s%-16s %14s %8s%s\n", col(c, C_BOLD), "FACTOR", "VALUE", "POINTS",
	       col(c, C_OFF));
	for (size_t i = 0; i < sp->n_factors; i++) {
		const struct kith_store_factor *f = &sp->factors[i];
		char val[64];

		snprintf(val, sizeof(val), "%.2f %s", f->value, f->unit ? f->unit : "");
		printf("  ");
		put_cell(stdout, f->name, 16, 1);
		printf(" ");
		put_cell(stdout, val, 14, 0);
		printf(" %+8.1f\n", f->points);
	}
}

static void show_numbers(struct cli *c, const struct kith_person *p)
{
	char a[32], b[32], first[40], last[40];

	fmt_dur(p->latency_user, a, sizeof(a));
	fmt_dur(p->latency_them, b, sizeof(b));
	fmt_day(p->first_exchange, first, sizeof(first));
	fmt_rel(c->now, p->last_exchange, last, sizeof(last));
	printf("\n  %-16s you %u, them %u (in %u conversations)\n", "turns", p->turns_user,
	       p->turns_them, p->conversations);
	printf("  %-16s you %s, them %s (median)\n", "reply latency", a, b);
	printf("  %-16s you %u, them %u\n", "started", p->initiated_user, p->initiated_them);
	printf("  %-16s you %u, them %u\n", "left unanswered", p->unanswered_user,
	       p->unanswered_them);
	printf("  %-16s %u from them, %u to them\n", "messages", p->msgs_from, p->msgs_to);
	printf("  %-16s first %s, last %s\n", "exchanges", first, last);
}

/* Why the relationship's own span: an archive whose mail ended years ago
 * (Enron's) showed an empty line when the line was the last 36 months
 * before today.  It runs from the first exchange to the as-of date or the
 * last exchange, whichever is later, a mark per month or per few months. */
static void show_spark(struct cli *c, const struct show *w)
{
	const struct kith_person *p = &w->p[0].p;
	int64_t to = w->as_of != KITH_DATE_NONE ? w->as_of : c->now, from;
	int cols = c->width > 8 ? c->width - 4 : SPARK_COLS, per;
	char a[16], b[16];

	if (!w->n_dates || p->first_exchange == KITH_DATE_NONE)
		return;
	if (p->last_exchange != KITH_DATE_NONE && p->last_exchange > to)
		to = p->last_exchange;
	from = w->dates[0] > p->first_exchange ? p->first_exchange : w->dates[0];
	if (cols > SPARK_COLS)
		cols = SPARK_COLS;
	fmt_day(from, a, sizeof(a));
	fmt_day(to, b, sizeof(b));
	per = spark_months_per_mark(from, to, cols);
	if (per == 1)
		printf("\n  %sexchanges by month%s (%.7s .. %.7s)\n  %s", col(c, C_BOLD),
		       col(c, C_OFF), a, b, col(c, C_CYAN));
	else
		printf("\n  %sexchanges by month%s, a mark per %d months (%.7s .. %.7s)\n  %s",
		       col(c, C_BOLD), col(c, C_OFF), per, a, b, col(c, C_CYAN));
	put_sparkline(stdout, w->dates, w->n_dates, from, to, per);
	printf("%s\n", col(c, C_OFF));
}

/* The open tasks, then those the cap on open tasks holds back (kithd
 * writes them when a more important one closes), marked as such. */
static void show_tasks(struct cli *c, const struct show *w)
{
	char when[40];

	if (w->n_tasks)
		printf("\n  %stasks%s\n", col(c, C_BOLD), col(c, C_OFF));
	for (int held = 0; held < 2; held++) /* open ones first (a live view sorts by due) */
		for (size_t i = 0; i < w->n_tasks; i++) {
			if ((w->tasks[i].status == KITH_TS_HELD) != held)
				continue;
			fmt_rel(c->now, w->tasks[i].due, when, sizeof(when));
			printf("    due %-14s %-13s ", when, kith_task_kind_name(w->tasks[i].kind));
			put_cell(stdout, w->tasks[i].summary, 0, 1);
			printf("%s%s%s\n", held ? col(c, C_DIM) : "",
			       held ? "  held back (task cap)" : "", held ? col(c, C_OFF) : "");
		}
}

static void show_lists(struct cli *c, const struct show *w)
{
	char when[40];

	if (w->n_convs)
		printf("\n  %srecent conversations%s\n", col(c, C_BOLD), col(c, C_OFF));
	for (size_t i = 0; i < w->n_convs; i++) {
		const struct kith_store_conv *v = &w->convs[i];
		int wsub = c->width ? c->width - 50 : 40;

		fmt_rel(c->now, v->last, when, sizeof(when));
		printf("    %-14s ", when);
		put_cell(stdout, v->subject ? v->subject : "(no subject)", wsub < 12 ? 12 : wsub, 1);
		printf("  %u/%u  %s\n", v->turns_user, v->turns_them,
		       v->last_by_user ? "you wait on them" : "they wait on you");
	}
	show_tasks(c, w);
}

static int show_args(struct cli *c, int argc, char **argv, int64_t *as_of)
{
	static const struct option longs[] = { { "json", no_argument, NULL, 'j' },
					       { "as-of", required_argument, NULL, 'a' },
					       { NULL, 0, NULL, 0 } };
	int ch;

	*as_of = KITH_DATE_NONE;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		if (ch == 'j')
			c->json = 1;
		else if (ch != 'a' || cli_parse_as_of(c, optarg, as_of))
			return EX_USAGE_;
	}
	if (optind + 1 != argc)
		return cli_err(c, "usage: kith show PERSON [--as-of DATE] [--json]"), EX_USAGE_;
	return -1;
}

/* Resolves and loads argv's PERSON from the store or, with as_of, from a
 * live analysis as of that day (*L, closed by the caller). */
static int show_find(struct cli *c, struct kith_store *s, const char *who, int64_t as_of,
		     struct cli_live *L, struct show *w)
{
	int64_t id;
	int r;

	if (as_of != KITH_DATE_NONE) {
		r = cli_live_open(c, s, as_of, L);
		if (r == 0)
			r = cli_live_resolve(c, L, who, &id);
		if (r == 0 && show_load_live(L, c, id, w) < 0) {
			cli_err(c, "cannot read %s: out of memory", who);
			r = EX_NOTFOUND;
		}
		return r;
	}
	r = cli_resolve(c, s, who, &id);
	if (r == 0 && show_load(s, id, w) < 0) {
		cli_err(c, "cannot read %s: %s", who, kith_store_errmsg(s));
		r = EX_NOTFOUND;
	}
	return r;
}

int cmd_show(struct cli *c, int argc, char **argv)
{
	struct kith_store *s = NULL;
	struct cli_live L = { 0 };
	struct show w = { 0 };
	int64_t as_of;
	int r = show_args(c, argc, argv, &as_of);

	if (r >= 0)
		return r;
	r = cli_open(c, 1, &s);
	if (r)
		return r;
	r = show_find(c, s, argv[optind], as_of, &L, &w);
	if (r == 0 && as_of != KITH_DATE_NONE)
		c->now = as_of; /* "3 days ago" as seen on that day */
	if (r == 0 && c->json) {
		show_json(&w);
	} else if (r == 0) {
		show_head(c, &w.p[0]);
		show_factors(c, &w.p[0]);
		show_numbers(c, &w.p[0].p);
		show_spark(c, &w);
		show_lists(c, &w);
	}
	show_free(&w);
	cli_live_close(&L);
	kith_store_close(s);
	return r;
}
