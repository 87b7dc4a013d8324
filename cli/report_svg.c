/* report_svg.c: the report's charts as inline SVG: Dunbar's layers as
 * rings, and one timeline of exchanges per person.
 *
 * Readable without colour: each layer has its own marker shape and label,
 * the rings are shades of grey, and a timeline puts the other person's
 * exchanges above its line and the user's below.  Colours are Okabe-Ito
 * (safe for colour-blind readers).  Every chart has a <title> and <desc>;
 * the page lists the same facts as text beside it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "report.h"

#define TL_H 9      /* a timeline's half height; its axis is y = 0 */
#define TL_STEP 1   /* viewBox units per month */
#define TL_LEVELS 8 /* bar heights: fewer levels, longer runs, smaller pages */

/* A marker of the layer's shape at (x, y), its own link's content. */
static void marker(FILE *f, enum kith_tier t, double x, double y)
{
	switch (t) {
	case KITH_TIER_INNER:
		fprintf(f, "<circle class=m1 cx=%.0f cy=%.0f r=7>", x, y);
		break;
	case KITH_TIER_CLOSE:
		fprintf(f, "<rect class=m2 x=%.0f y=%.0f width=11 height=11>",
			x - 5.5, y - 5.5);
		break;
	case KITH_TIER_ACTIVE:
		fprintf(f, "<path class=m3 d=\"M%.0f %.0fl6 6-6 6-6-6z\">", x, y - 6);
		break;
	case KITH_TIER_WIDER:
		fprintf(f, "<circle class=m4 cx=%.0f cy=%.0f r=4>", x, y);
		break;
	default:
		fprintf(f, "<path class=m5 d=\"M%.0f %.0fl8 8m0-8-8 8\">", x - 4, y - 4);
		break;
	}
}

static const char *marker_end(enum kith_tier t)
{
	switch (t) {
	case KITH_TIER_INNER: case KITH_TIER_WIDER: return "</circle>";
	case KITH_TIER_CLOSE: return "</rect>";
	default: return "</path>";
	}
}

void svg_key(FILE *f, enum kith_tier t)
{
	fputs("<svg class=k viewBox=\"-8 -8 16 16\" aria-hidden=true>", f);
	marker(f, t, 0, 0);
	fprintf(f, "%s</svg>", marker_end(t));
}

/* One person's marker, a link to their section, their name its tooltip. */
static void place(FILE *f, const struct rpt_mark *m, size_t i)
{
	const struct kith_person *p = &m->person->p;

	fprintf(f, "<a href=#p%zu><title>", i);
	html_text(f, p->name ? p->name : p->key);
	fputs("</title>", f);
	marker(f, p->tier, m->x, m->y);
	fprintf(f, "%s</a>", marker_end(p->tier));
}

/* The name beside a marker (cut when long) where the layout found room,
 * a link too.  Drawn over every marker: a name may cover a shallower
 * layer's marker, never another name. */
static void name(FILE *f, const struct rpt_mark *m, size_t i)
{
	char s[RPT_NAME_CHARS * 4 + 4];

	rpt_chart_name(&m->person->p, s, sizeof(s));
	fprintf(f, "<a href=#p%zu><text x=%.0f y=%.0f%s>", i, m->lx, m->ly,
		m->anchor < 0 ? " text-anchor=end" : m->anchor == 0 ? " text-anchor=middle" : "");
	html_text(f, s);
	fputs("</text></a>", f);
}

/* A layer's title; with "+k more" (linked to the list beside the chart)
 * when the chart could not name everyone. */
static void title(FILE *f, const struct rpt_rings *g, int l)
{
	if (g->more[l])
		fprintf(f, "<a href=#" RPT_TIER_ID ">", (int)rpt_layers[l].tier);
	fprintf(f, "<text class=\"rl\" x=\"%d\" y=\"%.0f\">%s · %zu", RPT_CX, g->title_y[l],
		rpt_layers[l].name, g->all[l]);
	if (g->more[l])
		fprintf(f, " · +%zu more</text></a>", g->more[l]);
	else
		fputs("</text>", f);
}

static void rings_desc(FILE *f, const struct rpt *r, const struct rpt_rings *g)
{
	fprintf(f, "<svg class=\"rings\" viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"rt rd\">"
		"<title id=\"rt\">Dunbar's layers</title><desc id=\"rd\">", 2 * RPT_CX, 2 * RPT_CX);
	for (int l = 0; l < RPT_LAYERS; l++)
		fprintf(f, "%s%s: %zu %s", l ? "; " : "", rpt_layers[l].name, g->all[l],
			g->all[l] == 1 ? "person" : "people");
	fprintf(f, ". Deeper ties sit nearer the centre of their ring; fading ties at the"
		" edge, marked with a cross%s. The list beside the chart names them.</desc>",
		r->fading_left_out ? " (the deepest " RPT_FADING_MAX_S " of them)" : "");
}

/* Why the geometry is elsewhere: report_layout.c places the markers and
 * as many names as fit without overlapping (unit-tested); this writes it. */
void svg_rings(FILE *f, const struct rpt *r)
{
	struct rpt_rings g;

	if (rpt_rings_layout(r, &g) < 0)
		return;
	rings_desc(f, r, &g);
	for (int l = RPT_LAYERS; l-- > 0;)
		fprintf(f, "<circle cx=\"%d\" cy=\"%d\" r=\"%.0f\" fill=\"%s\"%s/>", RPT_CX,
			RPT_CX, g.r_out[l], rpt_layers[l].ring,
			rpt_layers[l].tier == KITH_TIER_FADING ? " class=\"edge\"" : " stroke=\"#999\"");
	for (int l = 0; l < RPT_LAYERS; l++)
		title(f, &g, l);
	fprintf(f, "<text class=\"rl\" x=\"%d\" y=\"%d\">you</text>", RPT_CX, RPT_YOU_Y);
	for (size_t i = 0; i < r->n_people; i++)
		if (g.mark[i].layer >= 0)
			place(f, &g.mark[i], i);
	for (size_t i = 0; i < r->n_people; i++)
		if (g.mark[i].named)
			name(f, &g.mark[i], i);
	fputs("</svg>", f);
	rpt_rings_free(&g);
}

/* ---- timelines ----------------------------------------------------------- */

/* Counts per month each way into you[] and them[] (n_months each). */
static uint32_t month_counts(const struct rpt *r, size_t i, uint32_t *you, uint32_t *them)
{
	const struct rpt_person *p = &r->rp[i];
	uint32_t max = 1;

	for (size_t t = p->turn0; t < p->turn0 + p->n_turns; t++) {
		int64_t m = month_index(r->turns[t].date) - p->m0;
		uint32_t *c = r->turns[t].by_user ? you : them;

		if (m >= 0 && m < p->n_months && ++c[m] > max)
			max = c[m];
	}
	return max;
}

/* One direction's counts as a step area (a bar per month, no gaps) from
 * the axis, up (dir -1) or down (+1).  Why "V" and "h" with runs merged: a
 * timeline of years must cost few bytes (the page has one per person and
 * a budget of 300 KB), and a steady tie repeats one height for months. */
static void steps(FILE *f, const uint32_t *c, int64_t n, uint32_t max, int dir, const char *cls)
{
	int64_t run = 0, cur = 0;

	fprintf(f, "<path class=%s d=\"M0 0", cls);
	for (int64_t m = 0; m <= n; m++) {
		int64_t h = m == n ? -1 : c[m] ? ((int64_t)c[m] * TL_LEVELS + max - 1) / max : 0;

		if (h == cur) {
			run++;
			continue;
		}
		if (run)
			fprintf(f, "h%lld", (long long)(run * TL_STEP));
		if (h >= 0)
			fprintf(f, "V%lld", (long long)(dir * h));
		cur = h;
		run = 1;
	}
	fputs("V0z\"/>", f);
}

/* The text equivalent: exchanges per year each way. */
static void year_desc(FILE *f, const struct rpt_person *p, const uint32_t *you,
		      const uint32_t *them)
{
	int64_t y0 = p->m0 / 12;

	for (int64_t y = y0; y <= (p->m0 + p->n_months - 1) / 12; y++) {
		uint32_t a = 0, b = 0;

		for (int64_t m = y * 12 - p->m0; m < (y + 1) * 12 - p->m0; m++)
			if (m >= 0 && m < p->n_months) {
				a += you[m];
				b += them[m];
			}
		fprintf(f, "%s%lld %u/%u", y > y0 ? ", " : "", (long long)y, b, a);
	}
}

void svg_timeline(FILE *f, const struct rpt *r, size_t i)
{
	const struct rpt_person *p = &r->rp[i];
	uint32_t *you, *them, max;
	int64_t w = p->n_months * TL_STEP;

	if (p->n_months <= 0)
		return;
	you = calloc((size_t)p->n_months * 2, sizeof(*you));
	if (!you)
		return;
	them = you + p->n_months;
	max = month_counts(r, i, you, them);
	fprintf(f, "<svg class=tl viewBox=\"0 %d %lld %d\" preserveAspectRatio=none role=img"
		" aria-label=\"Exchanges by year, them/you: ", -TL_H, (long long)w, 2 * TL_H);
	year_desc(f, p, you, them);
	fputs("\"><path class=yr d=\"M0 0", f);
	for (int64_t m = (12 - p->m0 % 12) % 12; m < p->n_months; m += 12)
		fprintf(f, "M%lld %dv%d", (long long)(m * TL_STEP), -TL_H, 2 * TL_H);
	fputs("\"/>", f);
	steps(f, them, p->n_months, max, -1, "th");
	steps(f, you, p->n_months, max, 1, "yo");
	fputs("</svg>", f);
	free(you);
}
