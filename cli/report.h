/* report.h: `kith report`: one self-contained HTML page about the user's
 * relationships.
 *
 *   report_data.c  gathers what the page shows (struct rpt) from the store,
 *                  or from a live analysis for --as-of;
 *   report_model.c frees and searches it;
 *   report_html.c  writes the page (and escapes every string from mail);
 *   report_svg.c   draws its charts as inline SVG;
 *   cmd_report.c   the command.
 */
#ifndef KITH_REPORT_H
#define KITH_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "../store/store_report.h"
#include "../lib/followup.h"
#include "cli.h"

/* A follow-up on the page. */
struct rpt_task {
	enum kith_task_kind kind;
	char *person_key;   /* owned */
	char *summary;      /* owned */
	int64_t due;
	int held;           /* 1: held back by the cap on open tasks */
};

/* One person's figures on the page (parallel to rpt.people). */
struct rpt_person {
	size_t turn0, n_turns;   /* their turns: rpt.turns[turn0 .. turn0 + n_turns) */
	int64_t m0, n_months;    /* the timeline: first month (month_index), months */
	uint32_t last12, prev12; /* turns in the year before as_of, and the year before */
};

struct rpt {
	int64_t as_of;                     /* the day the page describes */
	int live;                          /* 1: recomputed for --as-of */
	struct kith_store_person *people;  /* owned: the ranked people, deepest first */
	size_t n_people;
	struct rpt_person *rp;             /* owned, one per person */
	struct kith_store_turn_row *turns; /* owned: person by person, oldest first */
	size_t n_turns;
	struct rpt_task *tasks;            /* owned: open ones by due, then held back */
	size_t n_tasks;
	int max_open;                      /* followups.max_open: the cap on open tasks */
	size_t fading_left_out;            /* fading ties beyond RPT_FADING_MAX */
};

/* The page shows everyone in the four layers, and only the deepest of the
 * fading ties (a mailbox of years can hold hundreds; each costs a section
 * of the page's 300 KB budget): the others are counted. */
#define RPT_FADING_MAX 50
#define RPT_FADING_MAX_S "50"
/* Held-back follow-ups listed (the others are counted). */
#define RPT_HELD_MAX 20

/* --- report_data.c: 0 or a negative errno (the store's text in errmsg) --- */
int rpt_load_store(struct cli *c, struct kith_store *s, struct rpt *r);
int rpt_load_live(struct cli *c, const struct cli_live *L, struct rpt *r);

/* --- report_model.c --- */
void rpt_free(struct rpt *r);
/* Drops the people the page does not show (no tier; fading ties beyond
 * RPT_FADING_MAX, counted in fading_left_out), keeping the order. */
void rpt_keep_shown(struct rpt *r);
/* Index of the person whose key is `key`, or -1. */
long rpt_find(const struct rpt *r, const char *key);

/* --- report_html.c --- */
/* s as HTML text: & < > " ' escaped, invalid UTF-8 and control characters
 * replaced, so a hostile header can never open a tag or an attribute. */
void html_text(FILE *f, const char *s);
/* The whole page; 0 or -EIO when f failed. */
int rpt_write_html(FILE *f, const struct rpt *r);

/* --- report_layout.c: the rings chart's geometry (viewBox 0 0 2*RPT_CX) --- */
#define RPT_CX 340          /* the centre; the chart is 2 * RPT_CX square */
#define RPT_R_ALL 325       /* the outer edge's radius */
#define RPT_LAYERS 5        /* inner, close, active, wider, fading */
#define RPT_FONT 12.0       /* a name's font size (CSS: .rings text) */
#define RPT_TITLE_FONT 13.5 /* a layer's title, 12px bold: estimated as wider */
#define RPT_YOU_Y (RPT_CX + 4)
/* A text's box estimated from its length: RPT_CHAR_W em a character, the
 * line from RPT_ASCENT em above the baseline to RPT_DESCENT em below. */
#define RPT_CHAR_W 0.65
#define RPT_ASCENT 0.95
#define RPT_DESCENT 0.25
#define RPT_TIER_ID "lt%d"  /* the id of a layer's list beside the chart */
#define RPT_RING_NAMES 20   /* names on the chart per layer, at most */
#define RPT_NAME_CHARS 18   /* a name on the chart: longer ones cut, "…" */

struct rpt_layer {
	enum kith_tier tier;
	const char *name;
	const char *ring;       /* the band's grey */
};
extern const struct rpt_layer rpt_layers[RPT_LAYERS]; /* from the centre out */

struct rpt_box { double x0, y0, x1, y1; };

/* One person on the chart. */
struct rpt_mark {
	const struct kith_store_person *person; /* borrowed from the rpt */
	int layer;          /* index in rpt_layers; -1: not on the chart */
	double x, y;        /* the marker */
	int side;           /* 1: right of the centre, -1: left */
	int named;          /* 1: the name is drawn at (lx, ly) */
	double lx, ly;
	int anchor;         /* the name's text-anchor: 1 start, 0 middle, -1 end */
};

struct rpt_rings {
	double r_out[RPT_LAYERS];   /* each band's outer radius */
	double title_y[RPT_LAYERS]; /* each layer's title (centred on RPT_CX) */
	size_t n[RPT_LAYERS];       /* people on the chart per layer */
	size_t all[RPT_LAYERS];     /* and with the fading ties left out of the page */
	size_t more[RPT_LAYERS];    /* of all: not named on the chart */
	struct rpt_mark *mark;      /* owned: one per rpt.people, same order */
};

/* Places every person's marker and as many names as fit without any two
 * texts (names, layer titles, "you") or a name and a marker overlapping,
 * deepest people first.  0 or -ENOMEM; free with rpt_rings_free. */
int rpt_rings_layout(const struct rpt *r, struct rpt_rings *g);
void rpt_rings_free(struct rpt_rings *g);
/* The estimated box of a text of `chars` characters at (x, y) (baseline),
 * anchored as rpt_mark.anchor, in font size `font`. */
void rpt_text_box(double x, double y, int anchor, size_t chars, double font,
		  struct rpt_box *b);
int rpt_boxes_overlap(const struct rpt_box *a, const struct rpt_box *b);
size_t rpt_u8_chars(const char *s); /* code points */
/* p's name (else address) as the chart shows it: at most RPT_NAME_CHARS
 * code points, the last a "…" when cut; len at least RPT_NAME_CHARS * 4 + 4. */
void rpt_chart_name(const struct kith_person *p, char *buf, size_t len);

/* --- report_svg.c --- */
void svg_rings(FILE *f, const struct rpt *r);        /* Dunbar's layers */
void svg_key(FILE *f, enum kith_tier t);             /* a layer's marker, for a legend */
void svg_timeline(FILE *f, const struct rpt *r, size_t i); /* person i */

#endif
