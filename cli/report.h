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

/* --- report_svg.c --- */
void svg_rings(FILE *f, const struct rpt *r);        /* Dunbar's layers */
void svg_key(FILE *f, enum kith_tier t);             /* a layer's marker, for a legend */
void svg_timeline(FILE *f, const struct rpt *r, size_t i); /* person i */

#endif
