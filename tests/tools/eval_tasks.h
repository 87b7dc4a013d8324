/* eval_tasks.h: the --tasks section of kith-eval (included once, by
 * kith-eval.c, after its loaders).  Why a section of its own: the follow-up
 * measurement and the --predict ranking check change for different
 * reasons; apart, they can change independently.
 *
 * At rolling dates T (every 60 days across the span where the user's own
 * sent mail exists), the follow-up rules run as of T (messages before T
 * only) and each task is compared with what the mail shows afterwards:
 *
 *   reply     precision: the user wrote to that person within 14 days;
 *   recall    of the people whose last direct mail before T was theirs, at
 *             most 21 days old, and whom the user then wrote to within 14
 *             days: the share with a reply task (all; with a tier);
 *   naive     "every unanswered direct message from the last 21 days": the
 *             same people before the user's answer is known; its precision
 *             is the baseline;
 *   waiting   precision: any mail between the two within 21 days;
 *   keep      count and tier mix;
 *   open      tasks per date (median, max), before and after the cap.
 *
 * Direct mail is mail between the user and a person with the other in To or
 * Cc, not automated (list mail included).  --tasks-dump prints one line per
 * candidate (naive set or kith reply task) with its header features, for
 * choosing rules; --tasks-csv prefixes the mailbox's name.
 */
#include "followup.h"
#include "hashmap.h"

#define TK_STEP (60 * 86400LL)
#define TK_REPLY_WIN (14 * 86400LL)
#define TK_WAIT_WIN (21 * 86400LL)
#define TK_NAIVE_AGE (21 * 86400LL)
#define TK_MAX_DATES 64
#define TK_CAP 12 /* followups.max_open's default: what kithd shows */

struct tk_sums {
	size_t dates;
	size_t reply, reply_hit;           /* kith reply tasks, answered within 14 days */
	size_t naive, naive_hit;           /* the naive rule's people */
	size_t want, want_task;            /* recall set: answered, and with a task */
	size_t want_t, want_t_task;        /* the same for people with a tier */
	size_t wait, wait_hit;
	size_t keep, keep_tier[6];
	size_t fp_kind[3], miss_kind[3];   /* by pending message: new, answer, closing */
	size_t open[TK_MAX_DATES], shown[TK_MAX_DATES];
};

static int tk_dump;
static const char *tk_box_name = "";

/* Everything about one date T. */
struct tk_sent;

struct tk_date {
	const struct box *b;
	int64_t t;
	struct kith_analysis *a;
	struct kith_task_want *w;
	size_t nw;
	struct kith_smap who;     /* normalised address -> person */
	struct kith_umap turn_of; /* msg id -> turn index (answers by them) */
	int64_t *last_dir;        /* per person: date of the last direct mail */
	size_t *last_them;        /* per person: msgs index of it when theirs, else NONE */
	unsigned char *wrote14, *any21, *task;
	uint32_t *hist_n, *hist_ans; /* their direct mail before T-14d; answered in 14 days */
	struct tk_sent *sent;     /* the user's mail to each person, by person and date */
	size_t n_sent;
};

#define TK_NONE ((size_t)-1)

static size_t tk_person(const struct tk_date *d, const char *raw)
{
	char *a = raw ? kith_addr_normalize(raw, 0) : NULL;
	size_t p = TK_NONE;

	if (a && !kith_smap_get(&d->who, a, &p))
		p = TK_NONE;
	free(a);
	return p;
}

static int tk_from_user(const struct box *b, const struct kith_msg *m)
{
	return (m->flags & KITH_MSG_IN_SENT) || (m->from.addr && is_id(b, m->from.addr));
}

static int tk_index(struct tk_date *d)
{
	size_t i, j;

	kith_smap_init(&d->who);
	kith_umap_init(&d->turn_of);
	for (i = 0; i < d->a->n_people; i++)
		for (j = 0; j < d->a->people[i].n_addrs; j++)
			if (kith_smap_put(&d->who, d->a->people[i].addrs[j], i) < 0)
				return -ENOMEM;
	for (i = 0; i < d->a->n_turns; i++) {
		size_t out;

		if (!d->a->turns[i].by_user &&
		    kith_umap_intern(&d->turn_of, (uint64_t)d->a->turns[i].msg_id, i, &out) < 0)
			return -ENOMEM;
	}
	return 0;
}

struct tk_sent { size_t p; int64_t date; };

static int tk_sent_cmp(const void *x, const void *y)
{
	const struct tk_sent *a = x, *b = y;

	if (a->p != b->p)
		return a->p < b->p ? -1 : 1;
	return (a->date > b->date) - (a->date < b->date);
}

/* The user wrote to p in (from, to): a binary search in the user's mail
 * to p (d->sent, sorted by person then date). */
static int tk_user_wrote(const struct tk_date *d, size_t p, int64_t from, int64_t to)
{
	size_t lo = 0, hi = d->n_sent;

	while (lo < hi) { /* first entry >= (p, from + 1) */
		size_t mid = lo + (hi - lo) / 2;
		const struct tk_sent *e = &d->sent[mid];

		if (e->p < p || (e->p == p && e->date <= from))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->n_sent && d->sent[lo].p == p && d->sent[lo].date < to;
}

static int tk_collect_sent(struct tk_date *d)
{
	size_t i, r, p, cap = 0;

	for (i = 0; i < d->b->n; i++)
		if (tk_from_user(d->b, &d->b->m[i]))
			cap += (size_t)(d->b->m[i].n_to + d->b->m[i].n_cc);
	d->sent = malloc((cap ? cap : 1) * sizeof(*d->sent));
	if (!d->sent)
		return -ENOMEM;
	for (i = 0; i < d->b->n; i++) {
		const struct kith_msg *m = &d->b->m[i];

		if (m->date == KITH_DATE_NONE || !tk_from_user(d->b, m))
			continue;
		for (r = 0; r < (size_t)(m->n_to + m->n_cc); r++)
			if ((p = tk_person(d, m->rcpt[r].addr)) != TK_NONE)
				d->sent[d->n_sent++] = (struct tk_sent){ p, m->date };
	}
	qsort(d->sent, d->n_sent, sizeof(*d->sent), tk_sent_cmp);
	return 0;
}

static void tk_note_before(struct tk_date *d, size_t i)
{
	const struct kith_msg *m = &d->b->m[i];
	size_t r, p;

	if (d->a->msg_class[i] == KITH_CLASS_AUTOMATED)
		return;
	if (tk_from_user(d->b, m)) {
		for (r = 0; r < (size_t)(m->n_to + m->n_cc); r++) {
			p = tk_person(d, m->rcpt[r].addr);
			if (p != TK_NONE && m->date >= d->last_dir[p]) {
				d->last_dir[p] = m->date;
				d->last_them[p] = TK_NONE;
			}
		}
		return;
	}
	if (!user_rcpt(d->b, m) || (p = tk_person(d, m->from.addr)) == TK_NONE)
		return;
	if (m->date > d->last_dir[p]) {
		d->last_dir[p] = m->date;
		d->last_them[p] = i;
	}
	if (m->date < d->t - TK_REPLY_WIN) {
		d->hist_n[p]++;
		d->hist_ans[p] += (uint32_t)tk_user_wrote(d, p, m->date, m->date + TK_REPLY_WIN);
	}
}

static void tk_note_after(struct tk_date *d, size_t i)
{
	const struct kith_msg *m = &d->b->m[i];
	struct kith_class_in in = { 0, 1 };
	size_t r, p;

	if (tk_from_user(d->b, m)) {
		for (r = 0; r < (size_t)(m->n_to + m->n_cc); r++) {
			if ((p = tk_person(d, m->rcpt[r].addr)) == TK_NONE)
				continue;
			d->any21[p] = 1;
			d->wrote14[p] |= m->date < d->t + TK_REPLY_WIN;
		}
		return;
	}
	if (user_rcpt(d->b, m) && kith_classify(m, &in, NULL) != KITH_CLASS_AUTOMATED &&
	    (p = tk_person(d, m->from.addr)) != TK_NONE)
		d->any21[p] = 1;
}

static int tk_scan(struct tk_date *d)
{
	size_t n = d->a->n_people ? d->a->n_people : 1, i;

	d->last_dir = malloc(n * sizeof(*d->last_dir));
	d->last_them = malloc(n * sizeof(*d->last_them));
	d->wrote14 = calloc(n, 1);
	d->any21 = calloc(n, 1);
	d->task = calloc(n, 1);
	d->hist_n = calloc(n, sizeof(*d->hist_n));
	d->hist_ans = calloc(n, sizeof(*d->hist_ans));
	if (!d->last_dir || !d->last_them || !d->wrote14 || !d->any21 || !d->task ||
	    !d->hist_n || !d->hist_ans)
		return -ENOMEM;
	if (tk_collect_sent(d) < 0)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		d->last_dir[i] = INT64_MIN;
		d->last_them[i] = TK_NONE;
	}
	for (i = 0; i < d->b->n; i++) {
		int64_t dt = d->b->m[i].date;

		if (dt == KITH_DATE_NONE)
			continue;
		if (dt < d->t)
			tk_note_before(d, i);
		else if (dt < d->t + TK_WAIT_WIN)
			tk_note_after(d, i);
	}
	return 0;
}

/* What the person's pending message is: 0 a new message (it answers
 * nothing of the user's), 1 an answer to the user's opening message, 2 an
 * answer to the user's own answer (a closing word, often "thanks"). */
static int tk_kind(const struct tk_date *d, size_t i)
{
	const struct kith_turn *t;
	size_t ti, k;

	if (i == TK_NONE || !kith_umap_get(&d->turn_of, (uint64_t)d->b->m[i].id, &ti))
		return 0;
	t = &d->a->turns[ti];
	for (k = 0; k < ti; k++)
		if (d->a->turns[k].by_user && d->a->turns[k].conversation == t->conversation)
			return 2;
	return 1;
}

static size_t tk_msg_by_id(const struct box *b, const char *mid)
{
	size_t i;

	for (i = 0; mid && i < b->n; i++)
		if (b->m[i].message_id && !strcmp(b->m[i].message_id, mid))
			return i;
	return TK_NONE;
}

static void tk_free(struct tk_date *d)
{
	kith_smap_free(&d->who);
	kith_umap_free(&d->turn_of);
	kith_task_wants_free(d->w, d->nw);
	kith_analysis_free(d->a);
	free(d->last_dir);
	free(d->last_them);
	free(d->wrote14);
	free(d->any21);
	free(d->task);
	free(d->hist_n);
	free(d->hist_ans);
	free(d->sent);
}

/* One candidate line for --tasks-dump: the person's pending message and
 * what the header facts say about it. */
static void tk_dump_line(const struct tk_date *d, size_t p, size_t mi, int naive)
{
	const struct kith_person *pp = &d->a->people[p];
	const struct kith_msg *m = mi != TK_NONE ? &d->b->m[mi] : NULL;
	size_t r, in_to = 0;
	char day[16];
	time_t tt = (time_t)d->t;

	for (r = 0; m && r < m->n_to; r++)
		in_to |= (size_t)is_id(d->b, m->rcpt[r].addr);
	strftime(day, sizeof(day), "%Y-%m-%d", gmtime(&tt));
	printf("cand\t%s\t%s\t%s\t%s\t%.1f\t%d\t%d\t%d\t%.1f\t%c\t%zu\t%u\t%d\t%d\t%u\t%u\t%u\t%u\t%.0f\t%u\t%u\n",
	       tk_box_name, day, pp->key, kith_tier_name(pp->tier), pp->depth, naive,
	       d->task[p], d->wrote14[p],
	       m ? (double)(d->t - m->date) / 86400.0 : -1.0,
	       m ? (d->a->msg_class[mi] == KITH_CLASS_LIST ? 'L' : 'P') : '-', in_to,
	       m ? m->n_rcpt_total : 0, tk_kind(d, mi),
	       m && m->subject && strchr(m->subject, '?') ? 1 : 0, d->hist_n[p], d->hist_ans[p],
	       pp->msgs_to, pp->msgs_from,
	       pp->latency_user >= 0 ? (double)pp->latency_user / 3600.0 : -1.0,
	       pp->conversations, pp->turns_user);
}

static void tk_reply_tasks(struct tk_date *d, struct tk_sums *s)
{
	size_t i, p;

	for (i = 0; i < d->nw; i++) {
		const struct kith_task_want *w = &d->w[i];

		if ((p = tk_person(d, w->person_key)) == TK_NONE)
			continue;
		if (w->kind == KITH_TASK_REPLY) {
			d->task[p] = 1;
			s->reply++;
			s->reply_hit += d->wrote14[p];
			if (!d->wrote14[p])
				s->fp_kind[tk_kind(d, tk_msg_by_id(d->b, w->message_id))]++;
		} else if (w->kind == KITH_TASK_WAITING) {
			s->wait++;
			s->wait_hit += d->any21[p];
		} else {
			s->keep++;
			s->keep_tier[w->tier < 6 ? w->tier : 0]++;
		}
	}
}

/* The naive rule and recall: people whose last direct mail before T was
 * theirs, at most 21 days old. */
static void tk_naive(struct tk_date *d, struct tk_sums *s)
{
	size_t p;

	for (p = 0; p < d->a->n_people; p++) {
		int naive = d->last_them[p] != TK_NONE && d->t - d->last_dir[p] <= TK_NAIVE_AGE;
		int tiered = d->a->people[p].tier != KITH_TIER_NONE;

		if (tk_dump && (naive || d->task[p]))
			tk_dump_line(d, p, d->last_them[p], naive);
		if (!naive)
			continue;
		s->naive++;
		s->naive_hit += d->wrote14[p];
		if (!d->wrote14[p])
			continue;
		s->want++;
		s->want_task += d->task[p];
		s->want_t += tiered;
		s->want_t_task += tiered && d->task[p];
		if (!d->task[p])
			s->miss_kind[tk_kind(d, d->last_them[p])]++;
	}
}

static int tk_one_date(const struct box *b, int64_t t, struct tk_sums *s)
{
	struct kith_policy pol = policy_for(b);
	struct kith_followup_params fp;
	struct tk_date d = { .b = b, .t = t };
	int rc;

	kith_followup_params_defaults(&fp);
	fp.identities = b->ids;
	fp.n_identities = b->n_ids;
	rc = kith_analyze(b->m, b->n, &pol, t, &d.a);
	if (rc == 0)
		rc = kith_followups_decide(d.a, b->m, b->n, &fp, NULL, 0, t, &d.w, &d.nw, NULL);
	if (rc == 0)
		rc = tk_index(&d);
	if (rc == 0)
		rc = tk_scan(&d);
	if (rc == 0) {
		tk_reply_tasks(&d, s);
		tk_naive(&d, s);
		if (s->dates < TK_MAX_DATES) {
			s->shown[s->dates] = d.nw < TK_CAP ? d.nw : TK_CAP;
			s->open[s->dates++] = d.nw;
		}
	}
	tk_free(&d);
	return rc;
}

/* The span where the user's own mail exists: the longest run (by number
 * of messages) of the user's sent mail without a gap of more than 60 days
 * (Enron's sent folders stop in May 2001 but for a few August messages).
 * T runs back from 14 days before its end (the truth needs the user's
 * mail after T) every 60 days while at least 30 days after its start. */
static int tk_span(const struct box *b, int64_t *lo, int64_t *hi)
{
	int64_t *v = malloc((b->n ? b->n : 1) * sizeof(*v));
	size_t n = 0, i, start = 0, best = 0, best_n = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < b->n; i++)
		if (b->m[i].date != KITH_DATE_NONE && b->m[i].date > 631152000 &&
		    tk_from_user(b, &b->m[i]))
			v[n++] = b->m[i].date;
	qsort(v, n, sizeof(*v), cmp_i64);
	for (i = 1; i <= n; i++) {
		if (i < n && v[i] - v[i - 1] <= 60 * 86400LL)
			continue;
		if (i - start > best_n)
			best = start, best_n = i - start;
		start = i;
	}
	if (best_n < 10) {
		free(v);
		return -ENOENT;
	}
	*lo = v[best] + 30 * 86400LL;
	*hi = v[best + best_n - 1] - TK_REPLY_WIN;
	free(v);
	return 0;
}

static double tk_ratio(size_t a, size_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

static int tk_size_cmp(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	return (a > b) - (a < b);
}

/* The median of v[0..n), sorted. */
static double tk_median(const size_t *v, size_t n)
{
	if (!n)
		return 0;
	return n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
}

static void tk_print(const char *name, const struct tk_sums *s)
{
	size_t o[TK_MAX_DATES], sh[TK_MAX_DATES], n = s->dates < TK_MAX_DATES ? s->dates : TK_MAX_DATES;

	memcpy(o, s->open, n * sizeof(*o));
	qsort(o, n, sizeof(*o), tk_size_cmp);
	memcpy(sh, s->shown, n * sizeof(*sh));
	qsort(sh, n, sizeof(*sh), tk_size_cmp);
	printf("%-9s dates %zu | reply P %.2f (%zu/%zu) | naive P %.2f (%zu/%zu) | ratio %.1f"
	       " | recall %.2f (%zu/%zu), tiered %.2f (%zu/%zu)\n",
	       name, s->dates, tk_ratio(s->reply_hit, s->reply), s->reply_hit, s->reply,
	       tk_ratio(s->naive_hit, s->naive), s->naive_hit, s->naive,
	       tk_ratio(s->reply_hit, s->reply) / (s->naive_hit ? tk_ratio(s->naive_hit, s->naive) : 1),
	       tk_ratio(s->want_task, s->want), s->want_task, s->want,
	       tk_ratio(s->want_t_task, s->want_t), s->want_t_task, s->want_t);
	printf("%-9s waiting P %.2f (%zu/%zu) | keep %zu (inner %zu close %zu active %zu wider %zu fading %zu)"
	       " | wanted per date median %g max %zu; open after the cap of %d: median %g max %zu\n",
	       "", tk_ratio(s->wait_hit, s->wait), s->wait_hit, s->wait, s->keep, s->keep_tier[1],
	       s->keep_tier[2], s->keep_tier[3], s->keep_tier[4], s->keep_tier[5],
	       tk_median(o, n), n ? o[n - 1] : 0, TK_CAP, tk_median(sh, n), n ? sh[n - 1] : 0);
	printf("%-9s unanswered reply tasks by pending message: new %zu, answer to the user's opening %zu,"
	       " closing (answers the user's answer) %zu; missed: %zu / %zu / %zu\n",
	       "", s->fp_kind[0], s->fp_kind[1], s->fp_kind[2], s->miss_kind[0], s->miss_kind[1],
	       s->miss_kind[2]);
}

/* --tasks: the measurement over the box's span; sums into *pool too. */
static int eval_tasks(const struct box *b, const char *name)
{
	struct tk_sums s;
	int64_t lo, hi, t;
	char a[16], z[16];
	time_t ta, tz;
	int rc = tk_span(b, &lo, &hi);

	memset(&s, 0, sizeof(s));
	if (rc < 0) {
		printf("%s: too little sent mail for the follow-up check\n", name);
		return 0;
	}
	tk_box_name = name;
	hi -= hi % 86400; /* midnight UTC */
	for (t = hi - (hi - lo) / TK_STEP * TK_STEP; t <= hi && rc == 0; t += TK_STEP)
		rc = tk_one_date(b, t, &s);
	ta = (time_t)(hi - (hi - lo) / TK_STEP * TK_STEP), tz = (time_t)hi;
	strftime(a, sizeof(a), "%Y-%m-%d", gmtime(&ta));
	strftime(z, sizeof(z), "%Y-%m-%d", gmtime(&tz));
	printf("%s: T from %s to %s every 60 days\n", name, a, z);
	tk_print(name, &s);
	printf("sums %s dates=%zu reply=%zu reply_hit=%zu naive=%zu naive_hit=%zu want=%zu"
	       " want_task=%zu want_t=%zu want_t_task=%zu wait=%zu wait_hit=%zu keep=%zu"
	       " keep_inner=%zu keep_close=%zu keep_active=%zu keep_wider=%zu keep_fading=%zu"
	       " fp_new=%zu fp_answer=%zu fp_closing=%zu miss_new=%zu miss_answer=%zu"
	       " miss_closing=%zu open=",
	       name, s.dates, s.reply, s.reply_hit, s.naive, s.naive_hit, s.want, s.want_task,
	       s.want_t, s.want_t_task, s.wait, s.wait_hit, s.keep, s.keep_tier[1],
	       s.keep_tier[2], s.keep_tier[3], s.keep_tier[4], s.keep_tier[5], s.fp_kind[0],
	       s.fp_kind[1], s.fp_kind[2], s.miss_kind[0], s.miss_kind[1], s.miss_kind[2]);
	for (size_t i = 0; i < s.dates; i++)
		printf("%zu%s", s.open[i], i + 1 < s.dates ? "," : "");
	printf(" shown=");
	for (size_t i = 0; i < s.dates; i++)
		printf("%zu%s", s.shown[i], i + 1 < s.dates ? "," : "");
	printf("\n");
	return rc;
}

/* --tasks-list: the wants as of t, most important first, as the rules give
 * them (before the daemon's cap), for checking by hand. */
static int list_tasks(const struct box *b, int64_t t)
{
	struct kith_policy pol = policy_for(b);
	struct kith_followup_params fp;
	struct kith_analysis *a = NULL;
	struct kith_task_want *w = NULL;
	size_t nw = 0, i;
	char due[32];
	int rc;

	kith_followup_params_defaults(&fp);
	fp.identities = b->ids;
	fp.n_identities = b->n_ids;
	rc = kith_analyze(b->m, b->n, &pol, t, &a);
	if (rc == 0)
		rc = kith_followups_decide(a, b->m, b->n, &fp, NULL, 0, t, &w, &nw, NULL);
	for (i = 0; rc == 0 && i < nw; i++) {
		time_t tt = (time_t)w[i].due;

		strftime(due, sizeof(due), "%Y-%m-%d", gmtime(&tt));
		printf("%2zu %-13s due %s %-7s %s\n", i + 1, kith_task_kind_name(w[i].kind), due,
		       kith_tier_name(w[i].tier), w[i].summary);
	}
	kith_task_wants_free(w, nw);
	kith_analysis_free(a);
	return rc;
}
