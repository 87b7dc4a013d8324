/* depth.c: see depth.h and docs/depth.md. */
#include <string.h>

#include "depth.h"
#include "kmath.h"

#define DAY 86400.0

/* The recency half-life grows by this fraction of itself at full volume:
 * a heavy exchange fades more slowly than a thin one (Burt 2000, decay
 * functions: strong ties decay less). */
#define KITH_SLOW_DECAY 0.5

/* Volume saturates at this many weighed exchanges (log scale). */
#define KITH_VOL_CAP 120.0

double kith_wilson_lower(double k, double n, double z)
{
	double p, z2, c, r;

	if (n <= 0)
		return 0;
	if (k > n)
		k = n;
	p = k / n;
	z2 = z * z;
	c = p + z2 / (2 * n);
	r = z * kith_sqrt(p * (1 - p) / n + z2 / (4 * n * n));
	/* with k = 0, c and r are equal in exact arithmetic; rounding can leave
	 * -1e-17, and a bound on a proportion is never below 0 */
	c = (c - r) / (1 + z2 / n);
	return c > 0 ? c : 0;
}

static void add(struct kith_person *p, const char *name, double value,
		const char *unit, double points)
{
	struct kith_factor *f;

	if (p->n_factors >= KITH_MAX_FACTORS)
		return;
	f = &p->factors[p->n_factors++];
	f->name = name;
	f->value = value;
	f->unit = unit;
	f->points = points;
	p->depth += points;
}

/* Both directions must answer: each side's answer rate (direct messages
 * of the other side it wrote back to within the answer window) at its
 * Wilson lower bound, so one answer to one message is weak evidence, then
 * a soft minimum (harmonic mean) so one-sided mail scores nothing. */
static double reciprocity(const struct kith_pstat *ps, double *raw)
{
	double them = kith_wilson_lower(ps->answered_them, ps->direct_to, 1.645);
	double user = kith_wilson_lower(ps->answered_user, ps->direct_from, 1.645);

	*raw = them + user > 0 ? 2 * them * user / (them + user) : 0;
	return *raw;
}

/* Turns both ways, with diminishing returns: the smaller side counts
 * double so that a lopsided exchange is not mistaken for a deep one;
 * direct mail both ways (the smaller side) adds too, at KITH_MAIL_WEIGHT
 * per message: much real exchange is not threaded (Enron has no threading
 * headers at all, and patch series come as fresh threads).  When only one
 * side ever answers (no two-way conversation, and one side never wrote
 * back within the answer window: they always start, the user always
 * answers), that mail counts half, so real back-and-forth ranks higher. */
static double volume(const struct kith_pstat *ps, double *turns)
{
	double lo = ps->tu < ps->tt ? ps->tu : ps->tt, hi = ps->tu + ps->tt - lo;
	double mail = ps->direct_to < ps->direct_from ? ps->direct_to : ps->direct_from, v;

	if (ps->conv == 0 && (ps->answered_them == 0 || ps->answered_user == 0))
		mail *= 0.5;
	v = kith_log1p(2 * lo + 0.25 * hi + KITH_MAIL_WEIGHT * mail) / kith_log1p(KITH_VOL_CAP);

	*turns = ps->tu + ps->tt;
	return v > 1 ? 1 : v;
}

/* The last contact: the last turn or the last direct message either way. */
static int64_t last_contact(const struct kith_pstat *ps)
{
	int64_t m = ps->last_from;

	if (ps->last_to != KITH_DATE_NONE && (m == KITH_DATE_NONE || ps->last_to > m))
		m = ps->last_to;
	return ps->last_ex != KITH_DATE_NONE && ps->last_ex > m ? ps->last_ex : m;
}

/* Days from the first direct message (or exchange) to the last contact:
 * the duration factor and the tiers' sustained-contact floor. */
static double contact_days(const struct kith_pstat *ps)
{
	int64_t first = ps->first_contact != KITH_DATE_NONE ? ps->first_contact : ps->first_ex;
	int64_t last = last_contact(ps);

	return first != KITH_DATE_NONE && last != KITH_DATE_NONE && last > first ?
	       (double)(last - first) / DAY : 0;
}

/* The contact is fresh or stale: halves every half-life. */
static double fresh(int64_t last, int64_t now, double hl, double *age)
{
	*age = last != KITH_DATE_NONE ? (double)(now - last) / DAY : -1;
	return *age >= 0 ? kith_exp(-KITH_LN2 * *age / hl) : 0;
}

/* Someone in touch one way only (the user writes to them, or they write
 * to the user) is not a relationship yet, but the likelier next one the
 * more, and the more lately, the user writes to them.  Scored below every
 * two-way person (at most KITH_W_CONTACT_MAIL + KITH_W_CONTACT_RECENCY,
 * under KITH_W_BOTH), tier none. */
static void score_contact(const struct kith_pstat *ps, int64_t now, double hl,
			  struct kith_person *p)
{
	double mail = KITH_C_TO * ps->direct_to + KITH_C_FROM * ps->personal_from +
		      KITH_C_FROM_LIST * (ps->direct_from - ps->personal_from);
	double v = kith_log1p(mail) / kith_log1p(KITH_C_CAP), age, f;

	add(p, "one-way mail", mail, "messages", KITH_W_CONTACT_MAIL * (v > 1 ? 1 : v));
	f = fresh(last_contact(ps), now, hl, &age);
	add(p, "recency", age, "days", KITH_W_CONTACT_RECENCY * f);
}

int kith_depth_two_way(const struct kith_pstat *ps)
{
	return kith_pstat_two_way(ps);
}

/* Dunbar's layers are about sustained contact: one exchange, however
 * recent, is not a close tie.  The quieter side's mail (turns or direct
 * messages) and the span of the contact decide how deep a tier the person
 * can reach; depth and rank decide the rest (docs/depth.md §6). */
enum kith_tier kith_depth_deepest(const struct kith_pstat *ps)
{
	uint32_t turns = ps->tu < ps->tt ? ps->tu : ps->tt;
	uint32_t mail = ps->direct_to < ps->direct_from ? ps->direct_to : ps->direct_from;
	uint32_t q = turns > mail ? turns : mail;
	double span = contact_days(ps);

	if (!kith_depth_two_way(ps))
		return KITH_TIER_NONE;
	if (q >= KITH_INNER_MIN_EACH && span >= KITH_INNER_MIN_DAYS)
		return KITH_TIER_INNER;
	if (q >= KITH_CLOSE_MIN_EACH && span >= KITH_CLOSE_MIN_DAYS)
		return KITH_TIER_CLOSE;
	return KITH_TIER_ACTIVE;
}

void kith_depth_score(const struct kith_pstat *ps, int64_t now,
		      double half_life_days, struct kith_person *p, double *historic)
{
	double raw, f, age, span, hl = half_life_days > 0 ? half_life_days : 90;
	int64_t last;

	p->depth = 0;
	p->n_factors = 0;
	*historic = 0;
	if (!kith_depth_two_way(ps)) {
		score_contact(ps, now, hl, p);
		if (ps->role) /* says why in `kith show`: no points */
			add(p, "role mailbox", 1, ps->role, 0);
		return;
	}
	add(p, "both ways", 1, "yes", KITH_W_BOTH);
	f = reciprocity(ps, &raw);
	add(p, "reciprocity", raw, "ratio", KITH_W_RECIPROCITY * f);
	f = volume(ps, &raw);
	add(p, "volume", raw, "turns", KITH_W_VOLUME * f);
	hl *= 1 + KITH_SLOW_DECAY * f; /* strong ties fade more slowly */
	last = last_contact(ps);
	span = contact_days(ps);
	f = kith_log1p(span) / kith_log1p(3 * 365.0);
	add(p, "duration", span, "days", KITH_W_DURATION * (f > 1 ? 1 : f));
	add(p, "one-to-one", ps->one2one, "ratio", KITH_W_ONE2ONE * ps->one2one);
	*historic = p->depth * 100.0 / (100.0 - KITH_W_RECENCY);
	f = fresh(last, now, hl, &age);
	add(p, "recency", age, "days", KITH_W_RECENCY * f);
}

/* Dunbar's layers, cumulative: at most this many people in each, and the
 * least depth a tier asks for so that a thin mailbox has no "inner". */
static const struct { size_t upto; double min; enum kith_tier tier; } layers[] = {
	{ 5, 45, KITH_TIER_INNER },
	{ 15, 35, KITH_TIER_CLOSE },
	{ 50, 20, KITH_TIER_ACTIVE },
	{ 150, 0, KITH_TIER_WIDER },
};

/* Was deep (historic score), now quiet (recency under a quarter). */
static int fading(const struct kith_person *p, double historic)
{
	size_t i;

	for (i = 0; i < p->n_factors; i++)
		if (strcmp(p->factors[i].name, "recency") == 0)
			return historic >= 60 && p->factors[i].points < KITH_W_RECENCY / 4;
	return 0;
}

void kith_depth_tiers(struct kith_person *v, size_t n, const double *historic,
		      const int *deepest)
{
	size_t i, l, rank = 0;

	for (i = 0; i < n; i++) {
		struct kith_person *p = &v[i];
		if (p->pinned) {
			rank++; /* a pin takes its place in the layers, keeps its tier */
			continue;
		}
		p->tier = KITH_TIER_NONE;
		if (deepest[i] == KITH_TIER_NONE)
			continue;
		if (fading(p, historic[i])) {
			p->tier = KITH_TIER_FADING;
			continue;
		}
		rank++;
		for (l = 0; l < sizeof(layers) / sizeof(layers[0]); l++)
			if (rank <= layers[l].upto && p->depth >= layers[l].min &&
			    (int)layers[l].tier >= deepest[i]) {
				p->tier = layers[l].tier;
				break;
			}
	}
}
