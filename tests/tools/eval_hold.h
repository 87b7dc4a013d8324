/* eval_hold.h: the --hold section of kith-eval (included once, by
 * kith-eval.c, after eval_inert.h, whose task comparison it shares).
 * Proves followup.h's next_change on real mail: kithd keeps an analysis
 * and its tasks until then when no mail comes (daemon/basis.h), instead of
 * analysing again every hour.
 *
 * At cut dates T every 5 days across the mailbox, the messages before T
 * are the mailbox and T is now: the tasks W and next_change N are decided.
 * Then, with the same analysis and messages:
 *   exact   at eight moments spread over [T, N), and at N - 1, the rules
 *           decide W again, field by field (exits 1 otherwise);
 *   moved   at N they decide otherwise (N is not merely early: counted);
 *   drift   a full analysis at N - 1 gives these tasks too (counted: what
 *           recency moving depth and tiers would have changed by then,
 *           the price of holding; the end of the day bounds it), or the
 *           same tasks with a description quoting another depth;
 * and prints how long the decisions held (the analyses a day takes).
 *
 * horizon  at each of those moments the rules also decide reading only the
 *          horizon's messages, the rest from what the analysis gathered
 *          (fu_prep.h, as kithd does), and must decide the same (exits 1
 *          otherwise). */

#define HOLD_STEP (5 * 86400LL)

struct hold_tally { size_t cuts, checks, bad, moved, reworded, drift, tasks, hz, hz_bad;
		   double held_h; };

/* 1 when the horizon path decides at t what the whole read decided (w0,
 * next0).  Exits 2 when the analysis gathered nothing to take that path
 * (the check would prove nothing) or the rules fail. */
static int hold_horizon_same(const struct box *b, const struct kith_analysis *a,
			     const struct kith_msg *v, size_t n, int64_t t,
			     const struct kith_task_want *w0, size_t n0, int64_t next0)
{
	struct kith_msg_array as = { v, n }; /* ids rise: the box's order */
	struct kith_msg_source src;
	struct kith_followup_params fp;
	struct kith_task_want *w = NULL;
	size_t nw = 0;
	int64_t next = 0;
	char diff[256];
	int same;

	if (!a->fu || !a->fu->ids_rise || a->fu->n_seen != n) {
		fprintf(stderr, "kith-eval: the analysis gathered nothing for the horizon path\n");
		exit(2);
	}
	kith_msg_array_source(&as, &src);
	kith_followup_params_defaults(&fp);
	fp.identities = b->ids;
	fp.n_identities = b->n_ids;
	if (kith_followups_decide_source(a, &src, &fp, NULL, 0, t, &w, &nw, &next) < 0)
		exit(2);
	same = in_tasks_same(w0, n0, w, nw, diff, sizeof(diff)) && next == next0;
	if (!same)
		printf("  horizon path at %lld DIFFERS: %s (next %lld, then %lld)\n", (long long)t,
		       diff, (long long)next0, (long long)next);
	kith_task_wants_free(w, nw);
	return same;
}

/* 1 when the rules decide w0 again at t (same analysis and messages). */
static int hold_same_at(const struct box *b, const struct kith_analysis *a,
			const struct kith_msg *v, size_t n, int64_t t,
			const struct kith_task_want *w0, size_t n0, char *diff, size_t len,
			struct hold_tally *h)
{
	struct kith_task_want *w = NULL;
	size_t nw = 0;
	int same;

	int64_t next = 0;

	in_tasks_next(b, a, v, n, t, &w, &nw, &next);
	same = in_tasks_same(w0, n0, w, nw, diff, len);
	h->hz++;
	h->hz_bad += !hold_horizon_same(b, a, v, n, t, w, nw, next);
	kith_task_wants_free(w, nw);
	return same;
}

/* 1 when x and y name the same tasks, each with the same kind, due date,
 * priority and summary, in any order (the description, which quotes the
 * depth, may differ). */
static int hold_same_set(const struct kith_task_want *x, size_t nx,
			 const struct kith_task_want *y, size_t ny)
{
	if (nx != ny)
		return 0;
	for (size_t i = 0; i < nx; i++) {
		size_t j;
		for (j = 0; j < ny && strcmp(x[i].uid, y[j].uid) != 0; j++)
			;
		if (j == ny || x[i].kind != y[j].kind || x[i].due != y[j].due ||
		    x[i].priority != y[j].priority || strcmp(x[i].summary, y[j].summary) != 0)
			return 0;
	}
	return 1;
}

/* A full analysis at t against w0: 0 the same tasks, 1 the same but for
 * the wording of a description (the depth it quotes), 2 other tasks. */
static int hold_full_drift(const struct box *b, const struct kith_msg *v, size_t n, int64_t t,
			   const struct kith_task_want *w0, size_t n0)
{
	struct kith_policy p = policy_for(b);
	struct kith_analysis *a = NULL;
	struct kith_task_want *w = NULL;
	size_t nw = 0;
	char diff[256];
	int d;

	if (kith_analyze(v, n, &p, t, &a) < 0)
		exit(2);
	in_tasks_next(b, a, v, n, t, &w, &nw, NULL);
	d = in_tasks_same(w0, n0, w, nw, diff, sizeof(diff)) ? 0 : hold_same_set(w0, n0, w, nw) ? 1 : 2;
	kith_task_wants_free(w, nw);
	kith_analysis_free(a);
	return d;
}

static void hold_cut(const struct box *b, int64_t t0, struct hold_tally *h)
{
	struct kith_policy p = policy_for(b);
	struct kith_msg *v = calloc(b->n + 1, sizeof(*v));
	struct kith_followup_params fp;
	struct kith_analysis *a = NULL;
	struct kith_task_want *w0 = NULL;
	size_t n = 0, n0 = 0, i;
	int64_t next = 0;
	char diff[256], day[32];
	time_t tt = (time_t)t0;

	for (i = 0; v && i < b->n; i++) /* the mailbox as of t0: no mail after it */
		if (b->m[i].date == KITH_DATE_NONE || b->m[i].date < t0)
			v[n++] = b->m[i]; /* shallow: the box owns the strings */
	kith_followup_params_defaults(&fp);
	p.recent_days = fp.horizon_days; /* what kithd gathers (daemon/cycle.c) */
	if (!v || kith_analyze(v, n, &p, t0, &a) < 0)
		exit(2);
	in_tasks_next(b, a, v, n, t0, &w0, &n0, &next);
	h->hz++;
	h->hz_bad += !hold_horizon_same(b, a, v, n, t0, w0, n0, next);
	strftime(day, sizeof(day), "%Y-%m-%d", gmtime(&tt));
	if (next <= t0) {
		printf("  %s next_change %lld is not after now\n", day, (long long)next);
		h->bad++;
	}
	for (int k = 1; next > t0 && k <= 9; k++) {
		int64_t t = k < 9 ? t0 + (next - t0) * k / 9 : next - 1;
		h->checks++;
		if (!hold_same_at(b, a, v, n, t, w0, n0, diff, sizeof(diff), h)) {
			printf("  %s CHANGED before next_change (%lld s after now): %s\n", day,
			       (long long)(t - t0), diff);
			h->bad++;
		}
	}
	h->moved += next > t0 && !hold_same_at(b, a, v, n, next, w0, n0, diff, sizeof(diff), h);
	if (next > t0) {
		int d = hold_full_drift(b, v, n, next - 1, w0, n0);
		h->reworded += d == 1;
		h->drift += d == 2;
	}
	h->held_h += (double)(next - t0) / 3600.0;
	h->tasks += n0;
	h->cuts++;
	kith_task_wants_free(w0, n0);
	kith_analysis_free(a);
	free(v);
}

static int hold_eval(const struct box *b, const char *name)
{
	struct hold_tally h = { 0 };
	int64_t lo = date_quantile(b, 0.05), hi = date_quantile(b, 0.95);

	printf("hold %s: tasks kept until next_change, checked at 10 moments each\n", name);
	for (int64_t t = lo; t <= hi; t += HOLD_STEP)
		hold_cut(b, t, &h);
	if (!h.cuts)
		return 2;
	printf("hold %s: %zu cuts, %zu tasks; held %.1f h on average (%.1f analyses a day"
	       " instead of 24)\n", name, h.cuts, h.tasks, h.held_h / (double)h.cuts,
	       24.0 * (double)h.cuts / h.held_h);
	printf("hold %s: at next_change the tasks moved in %zu of %zu cuts\n", name, h.moved,
	       h.cuts);
	printf("hold %s: a full analysis just before next_change gave other tasks in %zu cuts,"
	       " reworded a description (the depth it quotes) in %zu\n", name, h.drift,
	       h.reworded);
	printf("hold %s: %zu of %zu checks before next_change differed\n", name, h.bad, h.checks);
	printf("hold %s: reading only the horizon, %zu of %zu decisions differed\n", name,
	       h.hz_bad, h.hz);
	return h.bad || h.hz_bad ? 1 : 0;
}
