/* report_layout.c: where the rings chart puts its markers and names
 * (report.h, struct rpt_rings).  Pure geometry over the report's people:
 * no output, so that the unit test can check the placement itself.
 *
 * Why names are placed one by one against boxes: a ring holds as many
 * people as the mailbox gives it, and names spread evenly round a ring
 * ran into each other as soon as a ring held a handful.  Each name's box
 * is estimated from its length (RPT_CHAR_W em a character, the font's
 * height; Chromium's own boxes measured at most 0.95 of it) and tried
 * beside its marker: outer side, inner side, above, below, then a line up
 * or down; the first place that overlaps no text and no marker (and stays
 * inside the chart) is taken.  People go deepest first, so when a crowded
 * ring has no room left it is the shallower names that are left out, and
 * a ring names at most RPT_RING_NAMES (a ring of a hundred names may fit
 * but no longer reads): the others' markers stay (linked, the name as
 * tooltip), and the layer's title says "+k more", linked to the list
 * beside the chart that names everyone. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define MARK_R 7.0      /* a marker's half size (the inner circle's radius) */
#define GAP 10.0        /* from a marker's centre to its name */
#define TITLE_Y 14.0    /* a layer's title: below the top of its band */
#define BAND_MIN 26.0   /* no band thinner: room for its title above "you" */

const struct rpt_layer rpt_layers[RPT_LAYERS] = {
	{ KITH_TIER_INNER, "inner", "#d4d4d4" },
	{ KITH_TIER_CLOSE, "close", "#e0e0e0" },
	{ KITH_TIER_ACTIVE, "active", "#ebebeb" },
	{ KITH_TIER_WIDER, "wider", "#f5f5f5" },
	{ KITH_TIER_FADING, "fading", "#fff" },
};

size_t rpt_u8_chars(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

void rpt_text_box(double x, double y, int anchor, size_t chars, double font,
		  struct rpt_box *b)
{
	double w = (double)chars * RPT_CHAR_W * font;

	b->x0 = anchor > 0 ? x : anchor < 0 ? x - w : x - w / 2;
	b->x1 = b->x0 + w;
	b->y0 = y - RPT_ASCENT * font;
	b->y1 = y + RPT_DESCENT * font;
}

int rpt_boxes_overlap(const struct rpt_box *a, const struct rpt_box *b)
{
	return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

void rpt_chart_name(const struct kith_person *p, char *buf, size_t len)
{
	const char *s = p->name ? p->name : p->key ? p->key : "";
	size_t i = 0, chars = 0;

	for (; s[i] && i + 4 < len; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars == RPT_NAME_CHARS)
			break;
		buf[i] = s[i];
	}
	buf[i] = '\0';
	if (s[i] && i + 4 <= len)
		memcpy(buf + i, "…", 4); /* 3 bytes and the NUL */
}

/* Each band's outer radius: a band is wider the more people it holds
 * (by the square root: room for markers and names), never thinner than
 * BAND_MIN (its title), and the bands fill RPT_R_ALL. */
static void band_radii(const size_t *n, double *r_out)
{
	double w[RPT_LAYERS], sum = 0, r = 0;
	const double spare = RPT_R_ALL - RPT_LAYERS * BAND_MIN;

	for (size_t l = 0; l < RPT_LAYERS; l++)
		sum += w[l] = 30 + 12 * sqrt((double)n[l]);
	for (size_t l = 0; l < RPT_LAYERS; l++)
		r_out[l] = r += BAND_MIN + spare * w[l] / sum;
}

static int layer_of(enum kith_tier t)
{
	for (int l = 0; l < RPT_LAYERS; l++)
		if (rpt_layers[l].tier == t)
			return l;
	return -1;
}

/* Markers: the people of a layer spread evenly round its band (the
 * golden angle puts the rings out of step), the deepest nearest the
 * centre of the band.  A lone inner person sits in the middle. */
static void place_markers(const struct rpt *r, struct rpt_rings *g)
{
	double lo[RPT_LAYERS], hi[RPT_LAYERS];
	size_t k[RPT_LAYERS] = { 0 };

	for (int l = 0; l < RPT_LAYERS; l++) {
		lo[l] = 101;
		hi[l] = -1;
	}
	for (size_t i = 0; i < r->n_people; i++) {
		int l = g->mark[i].layer;

		if (l >= 0) {
			lo[l] = fmin(lo[l], r->people[i].p.depth);
			hi[l] = fmax(hi[l], r->people[i].p.depth);
		}
	}
	for (size_t i = 0; i < r->n_people; i++) {
		struct rpt_mark *m = &g->mark[i];
		int l = m->layer;
		double r_in = l > 0 ? g->r_out[l - 1] : 0, r_out, fr, rad, a;

		if (l < 0)
			continue;
		r_out = g->r_out[l];
		fr = hi[l] > lo[l] ? (hi[l] - r->people[i].p.depth) / (hi[l] - lo[l]) : 0.5;
		rad = l == 0 && g->n[l] == 1 ? 0 : r_in + (r_out - r_in) * (0.25 + 0.5 * fr);
		a = rpt_layers[l].tier * 2.39996 + 2 * M_PI * (double)k[l]++ / (double)g->n[l];
		m->x = round(RPT_CX + rad * cos(a)); /* whole units: as the SVG has them */
		m->y = round(RPT_CX + rad * sin(a));
		m->side = cos(a) < 0 ? -1 : 1;
	}
}

/* The boxes placed so far: titles, markers, names; layer[i] is a
 * marker's layer, -1 for a text. */
struct taken {
	struct rpt_box *v;
	int *layer;
	size_t n;
};

static void take(struct taken *t, const struct rpt_box *b, int layer)
{
	t->v[t->n] = *b;
	t->layer[t->n++] = layer;
}

/* Whether b overlaps no text and no marker of a layer up to `layer`, and
 * stays inside the chart. */
static int fits(const struct taken *t, const struct rpt_box *b, int layer)
{
	if (b->x0 < 0 || b->y0 < 0 || b->x1 > 2 * RPT_CX || b->y1 > 2 * RPT_CX)
		return 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->layer[i] <= layer && rpt_boxes_overlap(&t->v[i], b))
			return 0;
	return 1;
}

/* Tries person i's name beside its marker (outer side, inner side,
 * above, below, then the sides a line up or down); takes the first place
 * that covers no marker, else the first that covers only markers of
 * shallower layers (drawn under the names).  Why the second round: round
 * a crowded middle, a ring of close markers left no room for any inner
 * name, and the deepest names matter most.  1 when named. */
static int place_name(struct rpt_mark *m, struct taken *t)
{
	char name[RPT_NAME_CHARS * 4 + 4];
	size_t chars;
	const struct { double dx, dy; int anchor; } c[] = {
		{ m->side * GAP, 4, m->side }, { -m->side * GAP, 4, -m->side },
		{ 0, -GAP - 1, 0 }, { 0, GAP + RPT_ASCENT * RPT_FONT, 0 },
		{ m->side * GAP, -9, m->side }, { m->side * GAP, 17, m->side },
		{ -m->side * GAP, -9, -m->side }, { -m->side * GAP, 17, -m->side },
		{ 0, -GAP - 14, 0 }, { 0, GAP + 14 + RPT_ASCENT * RPT_FONT, 0 } };
	const size_t n_c = sizeof(c) / sizeof(c[0]);
	struct rpt_box b;

	rpt_chart_name(&m->person->p, name, sizeof(name));
	chars = rpt_u8_chars(name);
	for (size_t k = 0; k < 2 * n_c; k++) {
		double lx = round(m->x + c[k % n_c].dx), ly = round(m->y + c[k % n_c].dy);

		rpt_text_box(lx, ly, c[k % n_c].anchor, chars, RPT_FONT, &b); /* as drawn */
		if (fits(t, &b, k < n_c ? RPT_LAYERS : m->layer)) {
			m->named = 1;
			m->lx = lx;
			m->ly = ly;
			m->anchor = c[k % n_c].anchor;
			take(t, &b, -1);
			return 1;
		}
	}
	return 0;
}

/* The layers' titles, "inner · 3" or "active · 40 · +25 more" (those not
 * named on the chart), at the top of their bands, and "you" in the
 * middle.  A title in `full` has its box taken for the longest it can be
 * (nobody named): the names are placed after it. */
static void place_titles(const struct rpt *r, struct rpt_rings *g, unsigned full,
			 struct taken *t)
{
	struct rpt_box b;
	char buf[96];

	for (int l = 0; l < RPT_LAYERS; l++) {
		g->all[l] = g->n[l] + (rpt_layers[l].tier == KITH_TIER_FADING ?
				       r->fading_left_out : 0);
		g->title_y[l] = round(RPT_CX - g->r_out[l] + TITLE_Y);
		if (full & (1u << l))
			snprintf(buf, sizeof(buf), "%s · %zu · +%zu more", rpt_layers[l].name,
				 g->all[l], g->all[l]);
		else
			snprintf(buf, sizeof(buf), "%s · %zu", rpt_layers[l].name, g->all[l]);
		rpt_text_box(RPT_CX, g->title_y[l], 0, rpt_u8_chars(buf), RPT_TITLE_FONT, &b);
		take(t, &b, -1);
	}
	rpt_text_box(RPT_CX, RPT_YOU_Y, 0, 3, RPT_TITLE_FONT, &b);
	take(t, &b, -1);
}

/* A marker's box, so that no name covers a marker of its layer or a
 * deeper one. */
static void take_marker(struct taken *t, const struct rpt_mark *m)
{
	struct rpt_box b = { m->x - MARK_R, m->y - MARK_R, m->x + MARK_R, m->y + MARK_R };

	take(t, &b, m->layer);
}

/* One pass: titles (those in `full` with room for "+k more"), markers'
 * boxes, then the names, deepest first.  Returns the layers that left
 * someone unnamed. */
static unsigned place_all(const struct rpt *r, struct rpt_rings *g, unsigned full,
			  struct taken *t)
{
	unsigned short_of = 0;

	t->n = 0;
	place_titles(r, g, full, t);
	for (size_t i = 0; i < r->n_people; i++) {
		g->mark[i].named = 0;
		if (g->mark[i].layer >= 0)
			take_marker(t, &g->mark[i]);
	}
	for (size_t l = 0; l < RPT_LAYERS; l++)
		g->more[l] = g->all[l];
	for (size_t i = 0; i < r->n_people; i++) {
		int l = g->mark[i].layer;

		if (l >= 0 && g->all[l] - g->more[l] < RPT_RING_NAMES && place_name(&g->mark[i], t))
			g->more[l]--;
	}
	for (int l = 0; l < RPT_LAYERS; l++)
		if (g->more[l])
			short_of |= 1u << l;
	return short_of;
}

/* Why passes: a title says "+k more" only when its layer left someone
 * unnamed, and that longer title takes room names may have used.  Each
 * pass gives the longer title to every layer that came up short, until
 * no layer is short without one (at most a pass per layer, and one). */
int rpt_rings_layout(const struct rpt *r, struct rpt_rings *g)
{
	size_t most = 2 * r->n_people + RPT_LAYERS + 1;
	struct taken t = { calloc(most, sizeof(*t.v)), calloc(most, sizeof(int)), 0 };
	unsigned full = 0, short_of;

	memset(g, 0, sizeof(*g));
	g->mark = calloc(r->n_people + 1, sizeof(*g->mark));
	if (!t.v || !t.layer || !g->mark) {
		free(t.v);
		free(t.layer);
		rpt_rings_free(g);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->n_people; i++) {
		g->mark[i].person = &r->people[i];
		g->mark[i].layer = layer_of(r->people[i].p.tier);
		if (g->mark[i].layer >= 0)
			g->n[g->mark[i].layer]++;
	}
	band_radii(g->n, g->r_out);
	place_markers(r, g);
	while ((short_of = place_all(r, g, full, &t)) & ~full)
		full |= short_of;
	free(t.v);
	free(t.layer);
	return 0;
}

void rpt_rings_free(struct rpt_rings *g)
{
	free(g->mark);
	memset(g, 0, sizeof(*g));
}
