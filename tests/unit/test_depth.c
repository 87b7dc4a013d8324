/* test_depth.c: the depth score's shape: reciprocity at its heart,
 * diminishing volume, recency that fades but does not erase, factors that
 * sum to the score, tiers. */
#include <math.h>

#include "depth.h"
#include "t.h"

#define DAY 86400LL
#define NOW 1700000000LL

static struct kith_pstat st(uint32_t to, uint32_t from, uint32_t tu, uint32_t tt,
			    int64_t first_ago_days, int64_t last_ago_days)
{
	struct kith_pstat s;

	memset(&s, 0, sizeof(s));
	s.msgs_to = s.direct_to = s.personal_to = to;
	s.msgs_from = s.direct_from = s.personal_from = from;
	s.answered_them = tt; /* each of their turns answered one of my messages */
	s.answered_user = tu;
	s.last_from = s.last_to = NOW - last_ago_days * DAY;
	s.first_contact = NOW - first_ago_days * DAY;
	s.tu = tu;
	s.tt = tt;
	s.conv = tu && tt;
	s.lat_u = s.lat_t = 6 * 3600;
	s.first_ex = NOW - first_ago_days * DAY;
	s.last_ex = NOW - last_ago_days * DAY;
	s.one2one = 1;
	s.listed = 1;
	return s;
}

static double score(struct kith_pstat s, double *hist)
{
	struct kith_person p;
	double h;

	memset(&p, 0, sizeof(p));
	kith_depth_score(&s, NOW, 90, &p, hist ? hist : &h);
	return p.depth;
}

static double factor(struct kith_pstat s, const char *name)
{
	struct kith_person p;
	double h;
	size_t i;

	memset(&p, 0, sizeof(p));
	kith_depth_score(&s, NOW, 90, &p, &h);
	for (i = 0; i < p.n_factors; i++)
		if (!strcmp(p.factors[i].name, name))
			return p.factors[i].points;
	return -1;
}

static void test_wilson(void)
{
	CHECK(kith_wilson_lower(1, 1, 1.645) < kith_wilson_lower(40, 50, 1.645));
	CHECK(kith_wilson_lower(0, 10, 1.645) < 0.001);
	CHECK(kith_wilson_lower(0, 0, 1.645) == 0);
	/* never below zero, even where rounding would leave -1e-17 (fuzz find) */
	for (int n = 1; n < 2000; n++)
		if (kith_wilson_lower(0, n, 1.645) < 0 || kith_wilson_lower(0, n * 0.37, 1.96) < 0) {
			CHECK_INT(n, -1);
			break;
		}
	CHECK(fabs(kith_wilson_lower(50, 100, 1.96) - 0.4038) < 0.001);
}

static void test_shape(void)
{
	struct kith_person p;
	double h, sum = 0, hist_quiet;
	size_t i;

	/* 1 of 1 does not beat 40 of 50 */
	CHECK(factor(st(1, 1, 1, 1, 10, 1), "reciprocity") <
	      factor(st(50, 50, 40, 40, 10, 1), "reciprocity"));
	/* reciprocity is a soft minimum: one side never answering is worth nothing */
	CHECK(factor(st(50, 50, 0, 40, 10, 1), "reciprocity") == 0);
	/* mail one way only is no relationship: no reciprocity or volume, and
	 * less than the "both ways" floor of anyone with mail both ways */
	{
		struct kith_pstat one = st(50, 0, 0, 0, 10, 1);
		one.conv = 0;
		CHECK(factor(one, "reciprocity") == -1 && factor(one, "volume") == -1);
		CHECK(score(one, NULL) > 0 && score(one, NULL) < KITH_W_BOTH);
		CHECK(factor(one, "one-way mail") > 0);
		CHECK(score(st(1, 1, 1, 0, 900, 800), NULL) >= KITH_W_BOTH);
	}
	CHECK(factor(st(50, 50, 45, 2, 10, 1), "reciprocity") <
	      factor(st(50, 50, 25, 25, 10, 1), "reciprocity"));
	/* volume grows, with diminishing returns */
	{
		double v10 = factor(st(10, 10, 10, 10, 100, 1), "volume");
		double v20 = factor(st(20, 20, 20, 20, 100, 1), "volume");
		double v30 = factor(st(30, 30, 30, 30, 100, 1), "volume");
		CHECK(v10 < v20 && v20 < v30);
		CHECK(v30 - v20 < v20 - v10);
	}
	/* recency halves each half-life; the half-life is up to half as long
	 * again for a heavy exchange (full volume: 135 days), so a thin one
	 * fades faster */
	CHECK(fabs(factor(st(5, 5, 5, 5, 400, 0), "recency") - KITH_W_RECENCY) < 1e-6);
	CHECK(fabs(factor(st(300, 300, 290, 290, 1000, 135), "recency") - KITH_W_RECENCY / 2) < 1e-6);
	{
		double thin = factor(st(2, 2, 1, 1, 400, 90), "recency");
		CHECK(thin > KITH_W_RECENCY / 2 && thin < KITH_W_RECENCY * 0.6);
		CHECK(factor(st(80, 80, 60, 60, 400, 90), "recency") > thin);
	}
	/* one-to-one mail is closer than crowd mail */
	{
		struct kith_pstat one = st(10, 10, 8, 8, 100, 1), crowd = one;
		crowd.one2one = 0.1;
		CHECK(score(one, NULL) > score(crowd, NULL));
	}
	/* a long deep relationship gone quiet for a year keeps much of its depth
	 * and stays above a recent thin one */
	{
		double deep_quiet = score(st(80, 80, 60, 60, 1500, 365), &hist_quiet);
		double thin_recent = score(st(2, 2, 1, 1, 3, 1), NULL);
		CHECK(deep_quiet > thin_recent);
		CHECK(deep_quiet > 50);
		CHECK(hist_quiet > 70);
		/* and is "fading", not gone */
		{
			struct kith_person v;
			struct kith_pstat q = st(80, 80, 60, 60, 1500, 365);
			double hq;
			int tw = 1;
			memset(&v, 0, sizeof(v));
			kith_depth_score(&q, NOW, 90, &v, &hq);
			kith_depth_tiers(&v, 1, &hq, &tw);
			CHECK_INT(v.tier, KITH_TIER_FADING);
		}
	}
	/* factors sum to depth, depth within 0..100 */
	memset(&p, 0, sizeof(p));
	{
		struct kith_pstat z = { 0 };
		z.lat_u = z.lat_t = -1;
		z.first_ex = z.last_ex = z.first_contact = KITH_DATE_NONE;
		z.last_from = z.last_to = KITH_DATE_NONE;
		kith_depth_score(&z, NOW, 90, &p, &h);
	}
	if (!(p.depth >= 0 && p.depth < 5))
		fprintf(stderr, "empty depth %f\n", p.depth);
	CHECK(p.depth >= 0 && p.depth < 5);
	memset(&p, 0, sizeof(p));
	{
		struct kith_pstat s = st(300, 300, 290, 290, 3000, 0);
		s.lat_u = s.lat_t = 60;
		kith_depth_score(&s, NOW, 90, &p, &h);
	}
	for (i = 0; i < p.n_factors; i++)
		sum += p.factors[i].points;
	CHECK(fabs(sum - p.depth) < 1e-9);
	CHECK(p.depth <= 100 && p.depth > 90);
	CHECK(p.n_factors >= 5);
}

static void test_tiers(void)
{
	struct kith_person v[200];
	double hist[200];
	int two[200];
	size_t i;

	memset(v, 0, sizeof(v));
	for (i = 0; i < 200; i++) {
		v[i].depth = 90 - (double)i * 0.4;
		hist[i] = v[i].depth;
		two[i] = 1;
		v[i].n_factors = 1;
		v[i].factors[0].name = "recency";
		v[i].factors[0].points = 15;
	}
	two[199] = 0;
	v[3].pinned = 1;
	v[3].tier = KITH_TIER_WIDER;
	v[7].factors[0].points = 1; /* deep once, quiet now */
	kith_depth_tiers(v, 200, hist, two);
	CHECK_INT(v[0].tier, KITH_TIER_INNER);
	CHECK_INT(v[3].tier, KITH_TIER_WIDER); /* pins keep their tier */
	CHECK_INT(v[5].tier, KITH_TIER_CLOSE);
	CHECK_INT(v[7].tier, KITH_TIER_FADING);
	CHECK_INT(v[20].tier, KITH_TIER_ACTIVE);
	CHECK_INT(v[100].tier, KITH_TIER_WIDER);
	CHECK_INT(v[170].tier, KITH_TIER_NONE);
	CHECK_INT(v[199].tier, KITH_TIER_NONE);
	/* a thin mailbox has no inner circle */
	memset(v, 0, sizeof(v));
	v[0].depth = 12;
	hist[0] = 12;
	two[0] = 1;
	kith_depth_tiers(v, 1, hist, two);
	CHECK_INT(v[0].tier, KITH_TIER_WIDER);
}

/* One exchange, however recent, is not a close tie: tiers ask for
 * sustained contact (the quieter side's mail and the span). */
static void test_sustained(void)
{
	struct kith_pstat once = st(1, 1, 1, 1, 2, 1);
	struct kith_pstat some = st(3, 4, 3, 3, 40, 2);
	struct kith_pstat deep = st(12, 14, 8, 9, 400, 3);
	struct kith_pstat role = deep;
	struct kith_person v[4];
	double hist[4];
	int deepest[4];
	size_t i;

	role.role = "role address";
	CHECK_INT(kith_depth_deepest(&once), KITH_TIER_ACTIVE);
	CHECK_INT(kith_depth_deepest(&some), KITH_TIER_CLOSE);
	CHECK_INT(kith_depth_deepest(&deep), KITH_TIER_INNER);
	CHECK_INT(kith_depth_deepest(&role), KITH_TIER_NONE);
	/* ranked first with a high score, the one-off exchange is still active */
	memset(v, 0, sizeof(v));
	deepest[0] = kith_depth_deepest(&once);
	deepest[1] = kith_depth_deepest(&some);
	deepest[2] = kith_depth_deepest(&deep);
	deepest[3] = kith_depth_deepest(&role);
	for (i = 0; i < 4; i++) {
		v[i].depth = 80 - (double)i;
		hist[i] = v[i].depth;
	}
	kith_depth_tiers(v, 4, hist, deepest);
	CHECK_INT(v[0].tier, KITH_TIER_ACTIVE);
	CHECK_INT(v[1].tier, KITH_TIER_CLOSE);
	CHECK_INT(v[2].tier, KITH_TIER_INNER);
	CHECK_INT(v[3].tier, KITH_TIER_NONE);
	/* a role mailbox is scored as a contact and says why */
	{
		struct kith_person p;
		double h;
		memset(&p, 0, sizeof(p));
		kith_depth_score(&role, NOW, 90, &p, &h);
		CHECK(p.depth < KITH_W_BOTH);
		CHECK_STR(p.factors[p.n_factors - 1].name, "role mailbox");
		CHECK_STR(p.factors[p.n_factors - 1].unit, "role address");
	}
}

int main(void)
{
	test_sustained();
	test_wilson();
	test_shape();
	test_tiers();
	return T_DONE();
}
