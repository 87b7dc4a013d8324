/* depth.h: the depth score (0..100), its factors, and tiers.
 *
 * See docs/depth.md for the formula and why.  Pure functions of the
 * per-person figures turns.c computes, `now` and the half-life.
 */
#ifndef KITH_DEPTH_H
#define KITH_DEPTH_H

#include <stddef.h>
#include "analyze.h"
#include "turns.h"

/* Factor weights: the points a factor gives at its best.  They sum to 100
 * for a person with mail both ways; "both ways" is the floor that puts
 * every such person above everyone in touch one way only.  Chosen on the
 * predictive check (docs/depth.md). */
#ifndef KITH_W_BOTH
#define KITH_W_BOTH 10.0
#endif
#ifndef KITH_W_RECIPROCITY
#define KITH_W_RECIPROCITY 18.0
#endif
#ifndef KITH_W_VOLUME
#define KITH_W_VOLUME 31.0
#endif
#ifndef KITH_W_RECENCY
#define KITH_W_RECENCY 35.0
#endif
#ifndef KITH_W_DURATION
#define KITH_W_DURATION 4.0
#endif
#ifndef KITH_W_ONE2ONE
#define KITH_W_ONE2ONE 2.0
#endif

/* Weight of a direct message each way (the quieter side's count, outside
 * threads) against a turn, in the volume factor. */
#ifndef KITH_MAIL_WEIGHT
#define KITH_MAIL_WEIGHT 2.0
#endif

/* One-way contacts get at most KITH_W_CONTACT_MAIL + KITH_W_CONTACT_RECENCY
 * (< KITH_W_BOTH) points.  Their mail is weighed: each direct message of
 * the user's KITH_C_TO, each of theirs to the user KITH_C_FROM when
 * personal, KITH_C_FROM_LIST through a list; it saturates at KITH_C_CAP. */
#ifndef KITH_W_CONTACT_MAIL
#define KITH_W_CONTACT_MAIL 4.0
#endif
#ifndef KITH_W_CONTACT_RECENCY
#define KITH_W_CONTACT_RECENCY 5.0
#endif
#ifndef KITH_C_TO
#define KITH_C_TO 1.0
#endif
#ifndef KITH_C_FROM
#define KITH_C_FROM 0.5
#endif
#ifndef KITH_C_FROM_LIST
#define KITH_C_FROM_LIST 0.25
#endif
#ifndef KITH_C_CAP
#define KITH_C_CAP 30.0
#endif

/* Lower bound of the Wilson score interval for k successes in n trials at
 * z standard deviations; 0 when n is 0. */
double kith_wilson_lower(double k, double n, double z);

/* 1 when mail goes both ways between the user and the person: a two-way
 * conversation, turns each way, or direct personal mail each way
 * (unthreaded mail, as in the Enron export).  Only such people are tiered. */
int kith_depth_two_way(const struct kith_pstat *ps);

/* Scores one person: fills p->factors/n_factors and p->depth (the sum of
 * the factors' points).  *historic gets the score the relationship would
 * have without its recency factor, scaled to 0..100 (for "fading"); 0
 * for a one-way contact, scored by its one-way mail and recency only. */
void kith_depth_score(const struct kith_pstat *ps, int64_t now,
		      double half_life_days, struct kith_person *p, double *historic);

/* Sustained contact a tier asks for: the quieter side's turns or direct
 * messages, and days from the first contact to the last. */
#define KITH_INNER_MIN_EACH 5
#define KITH_INNER_MIN_DAYS 90.0
#define KITH_CLOSE_MIN_EACH 3
#define KITH_CLOSE_MIN_DAYS 30.0

/* The deepest tier the person's contact allows: KITH_TIER_NONE for
 * someone who is not a relationship (one-way, or a role mailbox), INNER,
 * CLOSE or ACTIVE by the floors above. */
enum kith_tier kith_depth_deepest(const struct kith_pstat *ps);

/* Gives tiers to v[0..n), already sorted deepest first; historic[i] and
 * deepest[i] (kith_depth_deepest: an enum kith_tier; NONE: not a
 * relationship) go with v[i].  A person takes the first layer their rank,
 * depth and deepest allow.  Pinned persons keep their pinned tier. */
void kith_depth_tiers(struct kith_person *v, size_t n, const double *historic,
		      const int *deepest);

#endif
