/* eval_variants.h: the --variants section of kith-eval (included once, by
 * kith-eval.c, after the rolling check).  Issue 14's second study: ideas
 * not in docs/depth.md's history, each a re-ranking of depth's own people
 * at every rolling cut date, scored with the same truth and AP as the
 * rolling check, so the numbers are reproducible:
 *
 *   win-min W      min(direct mail each way) over the last W days only,
 *                  ties by depth (a learned-free combination)
 *   conv2 W        distinct two-way conversations (turns both ways inside
 *                  the window) in the last W days, ties by depth
 *   effort W       the user's turns to them (the user's replies) in the
 *                  last W days, ties by depth
 *   replies W      their turns to the user in the last W days, ties by depth
 *   lat-tie B      depth in bins of B points, ties by their median reply
 *                  latency (faster first; unknown last): latency as a
 *                  tie-breaker only
 *   momentum K     depth + K x (m1 - m0) / (m1 + m0 + 1), m1 = min(direct
 *                  mail each way) in the last 90 days, m0 in the 90 before
 *   depth-w W      depth computed from the last W days' mail only (the
 *                  analysis re-run on that window), ties by depth
 *   blend W        the mean of depth-w W and depth
 *   +conv2 K       depth + K x log(1 + conv2 180)
 *   +win-min K     depth + K x log(1 + win-min 180)
 *
 * Variants rank depth's people only (what lib/depth.c could rank), each
 * by its person key's address, as the rolling check's depth column does.
 * The protocol (docs/depth.md §7): every parameter is chosen on one
 * mailbox (linux-man as mtk) and reported unchanged on the other two. */

#define VW_N 3
static const int vw_days[VW_N] = { 90, 180, 365 };
#define VW_DAY 86400LL

struct vfeat {                  /* per address, as of T */
	double dmin[VW_N];          /* min(direct mail each way), last W days */
	double prev90;              /* the same in [T - 180 d, T - 90 d) */
	double conv2[VW_N];         /* two-way conversations inside the window */
	double tu[VW_N], tt[VW_N];  /* turns by the user / by them, in the window */
	double depth, order;        /* depth; -(its place in depth's order) */
	double depth_w[2];          /* depth of the 180 / 365-day analysis; 0 absent */
	double lat;                 /* their median reply latency (h); 1e9 unknown */
	int listed;                 /* a person key of depth's analysis */
};

enum vkind { V_WINMIN, V_CONV2, V_EFFORT, V_REPLIES, V_LATTIE, V_MOMENTUM, V_DEPTHW, V_BLEND, V_PLUSCONV, V_PLUSMIN };

static const struct vspec {
	const char *name;
	enum vkind kind;
	double param;               /* window index, bin, or K */
} vspecs[] = {
	{ "win-min 180", V_WINMIN, 1 }, { "win-min 365", V_WINMIN, 2 },
	{ "conv2 180", V_CONV2, 1 }, { "conv2 365", V_CONV2, 2 },
	{ "effort 180", V_EFFORT, 1 }, { "effort 365", V_EFFORT, 2 },
	{ "replies 180", V_REPLIES, 1 }, { "replies 365", V_REPLIES, 2 },
	{ "lat-tie 2", V_LATTIE, 2 }, { "lat-tie 5", V_LATTIE, 5 },
	{ "momentum 5", V_MOMENTUM, 5 }, { "momentum 10", V_MOMENTUM, 10 },
	{ "momentum 20", V_MOMENTUM, 20 },
	{ "depth-w 180", V_DEPTHW, 0 }, { "depth-w 365", V_DEPTHW, 1 },
	{ "blend 180", V_BLEND, 0 }, { "blend 365", V_BLEND, 1 },
	{ "+conv2 5", V_PLUSCONV, 5 }, { "+conv2 10", V_PLUSCONV, 10 },
	{ "+win-min 5", V_PLUSMIN, 5 }, { "+win-min 10", V_PLUSMIN, 10 },
};
#define V_N (sizeof(vspecs) / sizeof(vspecs[0]))

/* --variants: run the study (0 off). */
static int do_variants;

struct vsum { double ap[V_N]; };

/* Variant s's score of one person; *tie breaks equal scores. */
static double vscore(const struct vspec *s, const struct vfeat *f, double *tie)
{
	size_t w = (size_t)s->param;
	double m;

	*tie = f->order;
	switch (s->kind) {
	case V_WINMIN: return f->dmin[w];
	case V_CONV2: return f->conv2[w];
	case V_EFFORT: return f->tu[w];
	case V_REPLIES: return f->tt[w];
	case V_LATTIE:
		*tie = -f->lat;
		return floor(f->depth / s->param);
	case V_MOMENTUM:
		m = (f->dmin[0] - f->prev90) / (f->dmin[0] + f->prev90 + 1);
		return f->depth + s->param * m;
	case V_DEPTHW: return f->depth_w[w];
	case V_BLEND: return (f->depth_w[w] + f->depth) / 2;
	case V_PLUSCONV: return f->depth + s->param * log1p(f->conv2[1]);
	case V_PLUSMIN: return f->depth + s->param * log1p(f->dmin[1]);
	}
	return 0;
}

/* Turns and two-way conversations per person key inside each window. */
static void vturns(const struct rview *v, const struct kith_analysis *a, int64_t t,
		   struct vfeat *f)
{
	uint8_t *both = calloc(a->n_conversations + 1, 1); /* bit 2w: user, 2w+1: them */
	size_t i, ix, w;

	if (!both)
		exit(2);
	for (i = 0; i < a->n_turns; i++) {
		const struct kith_turn *u = &a->turns[i];
		if (!kith_smap_get(&v->ix, a->people[u->person].key, &ix))
			continue;
		for (w = 0; w < VW_N; w++) {
			if (u->date < t - vw_days[w] * VW_DAY)
				continue;
			*(u->by_user ? &f[ix].tu[w] : &f[ix].tt[w]) += 1;
			both[u->conversation] |= (uint8_t)(1u << (2 * w + !u->by_user));
		}
	}
	for (i = 0; i < a->n_conversations; i++)
		for (w = 0; w < VW_N; w++)
			if ((both[i] >> (2 * w) & 3) == 3 &&
			    kith_smap_get(&v->ix, a->people[a->conversations[i].person].key, &ix))
				f[ix].conv2[w]++;
	free(both);
}

/* Depth as of t from the last `days` days' mail only (0 for people absent
 * from that analysis). */
static void vdepth_window(const struct rview *v, const struct box *b, int64_t t, int days,
			  struct vfeat *f, size_t slot)
{
	struct kith_msg *sub = malloc((b->n + 1) * sizeof(*sub));
	struct kith_policy p = policy_for(b);
	struct kith_analysis *a = NULL;
	size_t i, k = 0, ix;

	if (!sub)
		exit(2);
	for (i = 0; i < b->n; i++)
		if (b->m[i].date != KITH_DATE_NONE && b->m[i].date >= t - days * VW_DAY &&
		    b->m[i].date < t)
			sub[k++] = b->m[i]; /* shallow: the analysis copies what it keeps */
	if (kith_analyze(sub, k, &p, t, &a) < 0)
		exit(2);
	for (i = 0; i < a->n_people; i++)
		if (kith_smap_get(&v->ix, a->people[i].key, &ix))
			f[ix].depth_w[slot] = a->people[i].depth;
	kith_analysis_free(a);
	free(sub);
}

/* Every feature of every candidate as of t. */
static void vfeatures(const struct rview *v, const struct box *b, int64_t t,
		      const struct kith_analysis *a, struct vfeat *f)
{
	struct rcount *c = calloc(v->n_addr + 1, sizeof(*c));
	size_t i, w, ix;

	if (!c)
		exit(2);
	for (w = 0; w <= VW_N; w++) { /* VW_N: the 90 days before the last 90 */
		int64_t lo = t - (w < VW_N ? vw_days[w] : 180) * VW_DAY;
		int64_t hi = w < VW_N ? t : t - 90 * VW_DAY;
		memset(c, 0, (v->n_addr + 1) * sizeof(*c));
		roll_past_in(v, b, lo, hi, c);
		for (i = 0; i < v->n_addr; i++)
			*(w < VW_N ? &f[i].dmin[w] : &f[i].prev90) = c[i].sent < c[i].recv ? c[i].sent : c[i].recv;
	}
	free(c);
	for (i = 0; i < a->n_people; i++)
		if (kith_smap_get(&v->ix, a->people[i].key, &ix)) {
			f[ix].listed = 1;
			f[ix].depth = a->people[i].depth;
			f[ix].order = -(double)i;
			f[ix].lat = a->people[i].latency_them >= 0 ? a->people[i].latency_them / 3600.0 : 1e9;
		}
	vturns(v, a, t, f);
	vdepth_window(v, b, t, 180, f, 0);
	vdepth_window(v, b, t, 365, f, 1);
}

/* One cut date: each variant's AP against the rolling check's truth (c). */
static void variants_date(const struct rview *v, const struct box *b, int64_t t,
			  const struct kith_analysis *a, const struct rcount *c, size_t npos,
			  struct vsum *vs)
{
	struct vfeat *f = calloc(v->n_addr + 1, sizeof(*f));
	struct ranked *r = calloc(v->n_addr + 1, sizeof(*r));
	size_t i, k, n;
	double ap, p10;

	if (!f || !r)
		exit(2);
	vfeatures(v, b, t, a, f);
	printf("    variants");
	for (k = 0; k < V_N; k++) {
		for (i = n = 0; i < v->n_addr; i++)
			if (f[i].listed && c[i].touch) {
				r[n].addr = v->addr[i];
				r[n].score = vscore(&vspecs[k], &f[i], &r[n].tie);
				n++;
			}
		rscore(v, c, r, n, npos, &ap, &p10);
		vs->ap[k] += ap;
		printf(" %s=%.3f", vspecs[k].name, ap);
	}
	printf("\n");
	free(f);
	free(r);
}

/* The means, against depth's and the best baseline's. */
static void variants_report(const char *name, const struct vsum *vs, const struct rsum *s)
{
	double best = 0, d, x;
	size_t k;
	int m;

	if (!s->dates)
		return;
	for (m = R_DEPTH + 1; m < R_N; m++)
		best = s->ap[m] > best ? s->ap[m] : best;
	d = s->ap[R_DEPTH] / (double)s->dates;
	best /= (double)s->dates;
	printf("variants %s: depth=%.3f (%.2fx best baseline %.3f)\n", name, d, best > 0 ? d / best : 0, best);
	for (k = 0; k < V_N; k++) {
		x = vs->ap[k] / (double)s->dates;
		printf("  %-12s %.3f  %.2fx depth  %.2fx best baseline\n", vspecs[k].name, x,
		       d > 0 ? x / d : 0, best > 0 ? x / best : 0);
	}
}
