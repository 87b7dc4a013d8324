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

#define CX 340
#define RING_NAMED 16 /* a layer with more people is not labelled on the chart */
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

#define R_ALL 325   /* the outer edge's radius */

/* The layers from the centre out; fading ties sit at the edge. */
static const struct layer {
	enum kith_tier tier;
	const char *name;
	const char *ring;     /* the band's grey */
} layers[] = {
	{ KITH_TIER_INNER, "inner", "#d4d4d4" },
	{ KITH_TIER_CLOSE, "close", "#e0e0e0" },
	{ KITH_TIER_ACTIVE, "active", "#ebebeb" },
	{ KITH_TIER_WIDER, "wider", "#f5f5f5" },
	{ KITH_TIER_FADING, "fading", "#fff" },
};
#define N_LAYERS (sizeof(layers) / sizeof(layers[0]))

/* Each band's outer radius: a band is wider the more people it holds
 * (by the square root: room for markers and names), never too thin to
 * read, and the bands fill R_ALL. */
static void band_radii(const size_t *n, double *r_out)
{
	double w[N_LAYERS], sum = 0, r = 0;

	for (size_t l = 0; l < N_LAYERS; l++)
		sum += w[l] = 30 + 12 * sqrt((double)n[l]);
	for (size_t l = 0; l < N_LAYERS; l++)
		r_out[l] = r += R_ALL * w[l] / sum;
}

void svg_key(FILE *f, enum kith_tier t)
{
	fputs("<svg class=k viewBox=\"-8 -8 16 16\" aria-hidden=true>", f);
	marker(f, t, 0, 0);
	fprintf(f, "%s</svg>", marker_end(t));
}

/* One person's marker at angle a, radius rad; named and a link to their
 * section when `named` (the link's text is the name). */
static void place(FILE *f, const struct kith_person *p, size_t i, double a, double rad,
		  int named)
{
	double x = CX + rad * cos(a), y = CX + rad * sin(a);

	if (named)
		fprintf(f, "<a href=#p%zu>", i);
	marker(f, p->tier, x, y);
	fputs(marker_end(p->tier), f);
	if (!named)
		return;
	fprintf(f, "<text x=%.0f y=%.0f%s>", x + (cos(a) < 0 ? -10 : 10), y + 4,
		cos(a) < 0 ? " text-anchor=end" : "");
	html_text(f, p->name ? p->name : p->key);
	fputs("</text></a>", f);
}

/* The people of one layer, deepest nearest the centre of its band, spread
 * evenly round it; named on the chart when the layer has few (a crowded
 * layer's markers are bare: the list beside the chart names and links
 * everyone). */
static void ring_people(FILE *f, const struct rpt *r, const struct layer *L, size_t n,
			double r_in, double r_out)
{
	double lo = 101, hi = -1, a0 = L->tier * 2.39996; /* the golden angle: rings out of step */
	size_t k = 0;

	for (size_t i = 0; i < r->n_people; i++)
		if (r->people[i].p.tier == L->tier) {
			lo = fmin(lo, r->people[i].p.depth);
			hi = fmax(hi, r->people[i].p.depth);
		}
	for (size_t i = 0; i < r->n_people; i++) {
		const struct kith_person *p = &r->people[i].p;
		double fr = hi > lo ? (hi - p->depth) / (hi - lo) : 0.5;
		double rad = r_in + (r_out - r_in) * (0.25 + 0.5 * fr);

		if (p->tier != L->tier)
			continue;
		if (r_in == 0 && n == 1)
			rad = 0;
		place(f, p, i, a0 + 2 * M_PI * (double)k++ / (double)n, rad, n <= RING_NAMED);
	}
}

static size_t count_tier(const struct rpt *r, enum kith_tier t)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_people; i++)
		n += r->people[i].p.tier == t;
	return n;
}

void svg_rings(FILE *f, const struct rpt *r)
{
	size_t n[N_LAYERS], all[N_LAYERS]; /* shown; and with the fading left out */
	double ro[N_LAYERS];

	for (size_t l = 0; l < N_LAYERS; l++) {
		n[l] = count_tier(r, layers[l].tier);
		all[l] = n[l] + (layers[l].tier == KITH_TIER_FADING ? r->fading_left_out : 0);
	}
	band_radii(n, ro);
	fprintf(f, "<svg class=\"rings\" viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"rt rd\">"
		"<title id=\"rt\">Dunbar's layers</title><desc id=\"rd\">", 2 * CX, 2 * CX);
	for (size_t l = 0; l < N_LAYERS; l++)
		fprintf(f, "%s%s: %zu %s", l ? "; " : "", layers[l].name, all[l],
			all[l] == 1 ? "person" : "people");
	fprintf(f, ". Deeper ties sit nearer the centre of their ring; fading ties at the"
		" edge, marked with a cross%s. The list beside the chart names them.</desc>",
		r->fading_left_out ? " (the deepest " RPT_FADING_MAX_S " of them)" : "");
	for (size_t l = N_LAYERS; l-- > 0;)
		fprintf(f, "<circle cx=\"%d\" cy=\"%d\" r=\"%.0f\" fill=\"%s\"%s/>", CX, CX,
			ro[l], layers[l].ring,
			layers[l].tier == KITH_TIER_FADING ? " class=\"edge\"" : " stroke=\"#999\"");
	for (size_t l = 0; l < N_LAYERS; l++)
		fprintf(f, "<text class=\"rl\" x=\"%d\" y=\"%.0f\">%s · %zu</text>", CX,
			CX - ro[l] + 14, layers[l].name, all[l]);
	fprintf(f, "<text class=\"rl\" x=\"%d\" y=\"%d\">you</text>", CX, CX + 4);
	for (size_t l = 0; l < N_LAYERS; l++)
		ring_people(f, r, &layers[l], n[l], l ? ro[l - 1] : 0, ro[l]);
	fputs("</svg>", f);
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
