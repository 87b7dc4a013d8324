/* report_html.c: `kith report`'s page: one self-contained HTML file (inline
 * CSS and SVG, no script, no request: its Content-Security-Policy forbids
 * every fetch), readable printed in grey.
 *
 * Every string that came from mail (names, addresses, subjects in task
 * summaries) goes through html_text. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define YEAR (365 * 86400LL)
#define YEAR_LIST 10   /* people per list in "the year in relationships" */

static const char css[] =
	"body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:960px;padding:0 1em;"
	"color:#111;background:#fff}"
	"h1{margin:.6em 0 .1em}h2{border-bottom:2px solid #111;margin-top:1.6em}"
	"a{color:#0b5394}nav a{margin-right:1em}small,.ad,.ax{color:#555}"
	"table{border-collapse:collapse;margin:.4em 0}th,td{padding:.15em .6em .15em 0;"
	"text-align:left;vertical-align:top}caption{text-align:left;font-weight:bold}"
	".lay{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}"
	".rings{width:100%;max-width:560px;flex:1 1 420px}.tiers{flex:1 1 260px}"
	".rings text{font-size:12px;paint-order:stroke;stroke:#fff;stroke-width:3px;"
	"stroke-linejoin:round}.rl{text-anchor:middle;font-weight:bold;fill:#333}"
	".m1{fill:#D55E00}.m2{fill:#E69F00;stroke:#000;stroke-width:.5}.m3{fill:#009E73}"
	".m4{fill:#0072B2}.m5{stroke:#CC79A7;stroke-width:3;fill:none}"
	".edge{stroke:#777;stroke-dasharray:6 4}"
	".k{width:1em;height:1em;margin-right:.3em;vertical-align:-.1em}"
	".yrs{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:1em}"
	".yrs ol{padding-left:1.4em;margin:.2em 0}"
	".p{border-top:1px solid #bbb;padding:.3em 0;break-inside:avoid}.p h3{margin:.3em 0 0}"
	".t{font-size:12px;border:1px solid #555;border-radius:3px;padding:0 .3em;"
	"margin-left:.5em;font-weight:normal}"
	".tl{width:100%;height:44px;display:block;margin-top:.3em}"
	".yr{vector-effect:non-scaling-stroke;fill:none;stroke:#bbb}"
	".th{fill:#0072B2}.yo{fill:#E69F00}"
	".tl{background:linear-gradient(#000,#000) 0 50%/100% 1px no-repeat}"
	".ax{display:flex;justify-content:space-between;font-size:12px}"
	".due{font-weight:bold}"
	"@media print{nav{display:none}a{color:#000;text-decoration:none}"
	"*{print-color-adjust:exact;-webkit-print-color-adjust:exact}}";

/* Why via kith_text_clean: it already turns invalid UTF-8 into U+FFFD and
 * control characters into spaces; what is left to escape is HTML's own. */
void html_text(FILE *f, const char *s)
{
	char *t = kith_text_clean(s ? s : "", 4096, 0);

	for (const char *p = t ? t : ""; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*p, f);
		}
	}
	free(t);
}

static const char *who(const struct kith_person *p)
{
	return p->name ? p->name : p->key;
}

/* A link to person i's section. */
static void person_link(FILE *f, const struct rpt *r, size_t i)
{
	fprintf(f, "<a href=#p%zu>", i);
	html_text(f, who(&r->people[i].p));
	fputs("</a>", f);
}

static void head(FILE *f, const struct rpt *r)
{
	char day[16];

	fmt_day(r->as_of, day, sizeof(day));
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
		" style-src 'unsafe-inline'; img-src data:\">"
		"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
		"<meta name=\"referrer\" content=\"no-referrer\">"
		"<title>kith: your relationships as of %s</title><style>%s</style></head><body>\n"
		"<header><h1>Your relationships</h1><p>As of %s%s: %zu people in Dunbar's layers,"
		" from the headers of your mail. Written by kith.</p><nav><a href=\"#layers\">Layers</a>"
		"<a href=\"#year\">The year</a><a href=\"#followups\">Follow-ups</a>"
		"<a href=\"#people\">People</a></nav></header>\n", day, css, day,
		r->live ? " (recomputed from the mail before that day)" : "", r->n_people);
}

/* ---- Dunbar's layers ------------------------------------------------------ */

static void tier_list(FILE *f, const struct rpt *r, enum kith_tier t)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_people; i++)
		n += r->people[i].p.tier == t;
	fprintf(f, "<h3 id=" RPT_TIER_ID ">", (int)t);
	svg_key(f, t);
	fprintf(f, "%s · %zu</h3><p>", kith_tier_name(t), n);
	for (size_t i = 0, k = 0; i < r->n_people; i++) {
		if (r->people[i].p.tier != t)
			continue;
		fputs(k++ ? ", " : "", f);
		person_link(f, r, i);
	}
	if (t == KITH_TIER_FADING && r->fading_left_out)
		fprintf(f, "%sand %zu more, not shown here (<code>kith people --fading</code>)",
			n ? "; " : "", r->fading_left_out);
	fputs(n || (t == KITH_TIER_FADING && r->fading_left_out) ? "</p>" : "nobody</p>", f);
}

static void layers_section(FILE *f, const struct rpt *r)
{
	fputs("<section id=\"layers\"><h2>Dunbar's layers</h2><p>The few people you are"
	      " closest to in the middle, then the close, active and wider circles; ties that"
	      " were deep and have gone quiet at the edge. A marker is a person: nearer the"
	      " centre of its ring is deeper.</p><div class=\"lay\">", f);
	svg_rings(f, r);
	fputs("<div class=\"tiers\">", f);
	for (int t = KITH_TIER_INNER; t <= KITH_TIER_FADING; t++)
		tier_list(f, r, (enum kith_tier)t);
	fputs("</div></div></section>\n", f);
}

/* ---- the year in relationships -------------------------------------------- */

enum yr_kind { YR_GREW, YR_FADED, YR_NEW };

/* How much person i belongs on list k (0: not at all); larger first. */
static long year_score(const struct rpt *r, size_t i, enum yr_kind k)
{
	const struct rpt_person *p = &r->rp[i];
	const struct kith_person *kp = &r->people[i].p;
	long now = p->last12, before = p->prev12;

	switch (k) {
	case YR_GREW:
		return before > 0 && now >= 4 && now >= 2 * before ? now - before : 0;
	case YR_FADED:
		if (before >= 4 && 2 * now <= before)
			return before - now;
		return kp->tier == KITH_TIER_FADING ? 1 : 0;
	default:
		return kp->first_exchange != KITH_DATE_NONE &&
		       kp->first_exchange >= r->as_of - YEAR ? (long)(r->n_people - i) : 0;
	}
}

struct scored { long score; size_t i; };

static int by_score(const void *x, const void *y)
{
	const struct scored *a = x, *b = y;

	if (a->score != b->score)
		return a->score < b->score ? 1 : -1;
	return (a->i > b->i) - (a->i < b->i);
}

static void year_list(FILE *f, const struct rpt *r, enum yr_kind k, const char *title,
		      const char *none)
{
	struct scored *v = calloc(r->n_people + 1, sizeof(*v));
	size_t n = 0;

	fprintf(f, "<div><h3>%s</h3><ol>", title);
	for (size_t i = 0; v && i < r->n_people; i++) {
		long s = year_score(r, i, k);

		if (s > 0)
			v[n++] = (struct scored){ s, i };
	}
	if (n)
		qsort(v, n, sizeof(*v), by_score);
	for (size_t j = 0; j < n && j < YEAR_LIST; j++) {
		fputs("<li>", f);
		person_link(f, r, v[j].i);
		fprintf(f, " <small>%u → %u exchanges</small></li>", r->rp[v[j].i].prev12,
			r->rp[v[j].i].last12);
	}
	fprintf(f, "</ol>%s</div>", n ? "" : none);
	free(v);
}

/* A task's person (a link when on the page), then sep, then its summary. */
static void task_who(FILE *f, const struct rpt *r, const struct rpt_task *t, const char *sep)
{
	long p = rpt_find(r, t->person_key);

	if (p >= 0)
		person_link(f, r, (size_t)p);
	else
		html_text(f, t->person_key);
	fputs(sep, f);
	html_text(f, t->summary);
}

static void owed_list(FILE *f, const struct rpt *r)
{
	size_t n = 0;

	fputs("<div><h3>You owe a reply</h3><ol>", f);
	for (size_t i = 0; i < r->n_tasks; i++) {
		const struct rpt_task *t = &r->tasks[i];

		if (t->held || t->kind != KITH_TASK_REPLY)
			continue;
		fputs("<li>", f);
		task_who(f, r, t, " <small>");
		fputs("</small></li>", f);
		n++;
	}
	fprintf(f, "</ol>%s</div>", n ? "" : "<p>Nobody: you are all caught up.</p>");
}

static void year_section(FILE *f, const struct rpt *r)
{
	fputs("<section id=\"year\"><h2>The year in relationships</h2><p>Exchanges in the"
	      " twelve months before the date above, against the twelve before them.</p>"
	      "<div class=\"yrs\">", f);
	year_list(f, r, YR_GREW, "Grew", "<p>No tie grew markedly.</p>");
	year_list(f, r, YR_FADED, "Faded", "<p>No tie faded markedly.</p>");
	year_list(f, r, YR_NEW, "New", "<p>No new relationship this year.</p>");
	owed_list(f, r);
	fputs("</div></section>\n", f);
}

/* ---- follow-ups ----------------------------------------------------------- */

static void task_row(FILE *f, const struct rpt *r, const struct rpt_task *t)
{
	char due[16];

	fmt_day(t->due, due, sizeof(due));
	fprintf(f, "<tr><td%s>%s%s</td><td>%s</td><td>", t->due < r->as_of ? " class=\"due\"" : "",
		due, t->due < r->as_of ? " (overdue)" : "", kith_task_kind_name(t->kind));
	task_who(f, r, t, "</td><td>");
	fputs("</td></tr>", f);
}

static void task_table(FILE *f, const struct rpt *r, int held, const char *caption)
{
	size_t n = 0, shown = 0, most = held ? RPT_HELD_MAX : (size_t)-1;

	for (size_t i = 0; i < r->n_tasks; i++)
		n += r->tasks[i].held == held;
	if (!n) {
		fprintf(f, "<p>%s: none.</p>", caption);
		return;
	}
	fprintf(f, "<table><caption>%s</caption><tr><th>%s</th><th>kind</th><th>who</th>"
		"<th>task</th></tr>", caption, held ? "would be due" : "due");
	for (size_t i = 0; i < r->n_tasks && shown < most; i++)
		if (r->tasks[i].held == held && ++shown)
			task_row(f, r, &r->tasks[i]);
	fputs("</table>", f);
	if (n > shown)
		fprintf(f, "<p>And %zu more.</p>", n - shown);
}

static void followups_section(FILE *f, const struct rpt *r)
{
	fputs("<section id=\"followups\"><h2>Follow-ups</h2>", f);
	task_table(f, r, 0, "Open, soonest due first");
	fprintf(f, "<p>kith keeps at most %d follow-ups open at a time"
		" (<code>followups.max_open</code>), the most important first; these wait"
		" their turn:</p>", r->max_open);
	task_table(f, r, 1, "Held back");
	fputs("</section>\n", f);
}

/* ---- people --------------------------------------------------------------- */

static void person_facts(FILE *f, const struct rpt *r, size_t i)
{
	const struct kith_store_person *sp = &r->people[i];
	const struct kith_person *p = &sp->p;
	char a[32], b[32], first[16], last[16];

	fmt_dur(p->latency_user, a, sizeof(a));
	fmt_dur(p->latency_them, b, sizeof(b));
	fmt_day(p->first_exchange, first, sizeof(first));
	fmt_day(p->last_exchange, last, sizeof(last));
	fprintf(f, "<p>Depth <b>%.0f</b> · rank %d%s · %u conversations · turns them %u, you %u"
		" · %s to %s · median reply them %s, you %s</p>", p->depth, sp->rank,
		p->pinned ? " (pinned)" : "", p->conversations, p->turns_them, p->turns_user,
		first, last, b, a);
}

static void person_axis(FILE *f, const struct rpt_person *p)
{
	int64_t a = p->m0, b = p->m0 + p->n_months - 1;

	if (p->n_months <= 0)
		return;
	fprintf(f, "<p class=ax aria-hidden=true><span>%04lld-%02lld</span>"
		"<span>%04lld-%02lld</span></p>", (long long)(a / 12),
		(long long)(a % 12 + 1), (long long)(b / 12), (long long)(b % 12 + 1));
}

/* A factor's raw value, short: 0.601, 37, 1390. */
static void factor_value(FILE *f, double v)
{
	fprintf(f, fabs(v) >= 100 ? "%.0f" : "%.3g", v);
}

/* Why they rank where they do (the line `kith show` gives), then each
 * factor's points and value. */
static void person_factors(FILE *f, const struct kith_store_person *sp)
{
	if (sp->reason) {
		fputs("<p class=f>Why: ", f);
		html_text(f, sp->reason);
		fputs("</p>", f);
	}
	if (!sp->n_factors)
		return;
	fputs("<p class=f>Depth by factor: ", f);
	for (size_t k = 0; k < sp->n_factors; k++) {
		const struct kith_store_factor *x = &sp->factors[k];

		fputs(k ? " · " : "", f);
		html_text(f, x->name);
		fprintf(f, " <b>%+.1f</b> (", x->points);
		factor_value(f, x->value);
		fputc(' ', f);
		html_text(f, x->unit);
		fputc(')', f);
	}
	fputs("</p>", f);
}

static void person_tasks(FILE *f, const struct rpt *r, size_t i)
{
	size_t n = 0;
	char due[16];

	for (size_t k = 0; k < r->n_tasks; k++) {
		const struct rpt_task *t = &r->tasks[k];

		if (t->held || !t->person_key || !r->people[i].p.key ||
		    strcmp(t->person_key, r->people[i].p.key))
			continue;
		fmt_day(t->due, due, sizeof(due));
		fprintf(f, "%s<li>due %s: ", n++ ? "" : "<ul>", due);
		html_text(f, t->summary);
		fputs("</li>", f);
	}
	fputs(n ? "</ul>" : "", f);
}

static void person_section(FILE *f, const struct rpt *r, size_t i)
{
	const struct kith_person *p = &r->people[i].p;

	fprintf(f, "<section class=p id=p%zu><h3>", i);
	html_text(f, who(p));
	fprintf(f, "<span class=t>%s</span></h3><p class=ad>", kith_tier_name(p->tier));
	for (size_t k = 0; k < p->n_addrs; k++) {
		fputs(k ? ", " : "", f);
		html_text(f, p->addrs[k]);
	}
	fputs("</p>", f);
	person_facts(f, r, i);
	svg_timeline(f, r, i);
	person_axis(f, &r->rp[i]);
	person_factors(f, &r->people[i]);
	person_tasks(f, r, i);
	fputs("</section>\n", f);
}

int rpt_write_html(FILE *f, const struct rpt *r)
{
	head(f, r);
	fputs("<main>", f);
	layers_section(f, r);
	year_section(f, r);
	followups_section(f, r);
	fputs("<section id=\"people\"><h2>People</h2><p>Each timeline runs month by month from"
	      " the first exchange to the date above (or the last exchange): their turns above"
	      " the line, yours below.</p>\n", f);
	for (size_t i = 0; i < r->n_people; i++)
		person_section(f, r, i);
	if (!r->n_people)
		fputs("<p>Nobody yet: kith finds people once you and they have written to each"
		      " other.</p>", f);
	fputs("</section></main></body></html>\n", f);
	return ferror(f) ? -EIO : 0;
}
