/* eval_inert.h: the --inert section of kith-eval (included once, by
 * kith-eval.c, after its loaders).  Proves the inert-mail shortcut
 * (lib/inert.h) on real mail: at cut dates T (the 0.2, 0.3, ... 0.9
 * quantiles of the mailbox's dates) the messages before T are the saved
 * analysis; the messages of the next IN_WINDOW days then arrive one by one,
 * in date order, as new rows.  Each is judged against the analysis of what
 * came before it; then everything is analysed again with it.  A message
 * judged inert must leave that analysis unchanged, person by person,
 * turn by turn, conversation by conversation (tests/unit/asame.h), and
 * the follow-up tasks decided from it task by task (kithd keeps the tasks
 * it wrote when it absorbs a message: they must be the ones a full
 * analysis would give).  Prints per cut how many arrived, how many were
 * inert and proved equal; exits 1 on any inert message that changed the
 * analysis or a task.
 */
#include "inert.h"
#include "../unit/asame.h"

#define IN_WINDOW (14 * 86400LL)
#define IN_MAX 60 /* arrivals per cut: each costs a full analysis */

/* Why arrivals were not inert, for the summary (static strings). */
static struct { const char *why; size_t n; } in_whys[16];

static void in_count_why(const char *why)
{
	size_t i;

	for (i = 0; i < 16 && in_whys[i].why && strcmp(in_whys[i].why, why) != 0; i++)
		;
	if (i < 16) {
		in_whys[i].why = why;
		in_whys[i].n++;
	}
}

struct in_run { struct kith_msg *v; size_t n; const struct kith_analysis *a; };

static int in_is_person(void *ctx, const char *addr)
{
	return as_has_person_addr(ctx, addr);
}

static int in_judge(const struct kith_analysis *a, const struct kith_policy *p,
		    const struct kith_msg *m, int64_t now, const char **why)
{
	struct kith_inert in;
	enum kith_class cls;
	int r = kith_inert_init(&in, p, (const char *const *)a->user_addrs, a->n_user_addrs,
				(const char *const *)a->list_addrs, a->n_list_addrs, a->newest, now,
				in_is_person, (void *)a);

	if (r == 0)
		r = kith_inert_check(&in, m, &cls, why);
	kith_inert_free(&in);
	return r;
}

static size_t in_n_tasks; /* tasks in the lists compared: the check is not empty */

static int in_str_same(const char *x, const char *y)
{
	return x == y || (x && y && strcmp(x, y) == 0);
}

/* 1 when two task lists are the same, field by field, in the same order;
 * else 0 and the first difference in diff. */
static int in_tasks_same(const struct kith_task_want *x, size_t nx,
			 const struct kith_task_want *y, size_t ny, char *diff, size_t len)
{
	if (nx != ny) {
		snprintf(diff, len, "%zu tasks, then %zu", nx, ny);
		return 0;
	}
	for (size_t i = 0; i < nx; i++) {
		const struct kith_task_want *a = &x[i], *b = &y[i];
		if (a->kind != b->kind || !in_str_same(a->person_key, b->person_key) ||
		    !in_str_same(a->person_name, b->person_name) ||
		    !in_str_same(a->episode, b->episode) ||
		    !in_str_same(a->uid, b->uid) || !in_str_same(a->summary, b->summary) ||
		    !in_str_same(a->description, b->description) ||
		    !in_str_same(a->message_id, b->message_id) || !in_str_same(a->subject, b->subject) ||
		    a->since != b->since || a->due != b->due || a->priority != b->priority ||
		    a->tier != b->tier || a->depth != b->depth) {
			snprintf(diff, len, "task %zu: %s, then %s", i, a->uid, b->uid);
			return 0;
		}
	}
	return 1;
}

/* The tasks decided from analysis a of v[0..n) as of now; *next (may be
 * NULL) gets next_change. */
static void in_tasks_next(const struct box *b, const struct kith_analysis *a,
			  const struct kith_msg *v, size_t n, int64_t now,
			  struct kith_task_want **w, size_t *nw, int64_t *next)
{
	struct kith_followup_params fp;

	kith_followup_params_defaults(&fp);
	fp.identities = b->ids;
	fp.n_identities = b->n_ids;
	if (kith_followups_decide(a, v, n, &fp, NULL, 0, now, w, nw, next) < 0)
		exit(2);
}

static void in_tasks(const struct box *b, const struct kith_analysis *a, const struct kith_msg *v,
		     size_t n, int64_t now, struct kith_task_want **w, size_t *nw)
{
	in_tasks_next(b, a, v, n, now, w, nw, NULL);
}

static int in_cmp_date(const void *x, const void *y)
{
	const struct kith_msg *a = *(const struct kith_msg *const *)x;
	const struct kith_msg *b = *(const struct kith_msg *const *)y;

	return (a->date > b->date) - (a->date < b->date);
}

/* The arrivals after t, oldest first, at most IN_MAX; the rest before t
 * go into r (in the box's order). */
static size_t in_split(const struct box *b, int64_t t, struct in_run *r, const struct kith_msg **arr)
{
	size_t i, n = 0;

	for (i = 0; i < b->n; i++) {
		const struct kith_msg *m = &b->m[i];
		if (m->date != KITH_DATE_NONE && m->date >= t && m->date < t + IN_WINDOW)
			arr[n++] = m;
		else if (m->date == KITH_DATE_NONE || m->date < t)
			r->v[r->n++] = *m; /* shallow: the box owns the strings */
	}
	qsort(arr, n, sizeof(*arr), in_cmp_date);
	return n < IN_MAX ? n : IN_MAX;
}

/* The tasks before and after an inert message m: 0 and a line when they
 * differ.  *w and *nw hold the tasks of a (decided by the caller's last
 * round, or now); they become next's. */
static int in_tasks_kept(const struct box *b, const struct kith_analysis *next,
			 const struct in_run *r, int64_t now, const struct kith_msg *m,
			 struct kith_task_want **w, size_t *nw)
{
	struct kith_task_want *w2 = NULL;
	size_t n2 = 0;
	char diff[256];
	int same;

	in_tasks(b, next, r->v, r->n, now, &w2, &n2);
	in_n_tasks += n2;
	same = in_tasks_same(*w, *nw, w2, n2, diff, sizeof(diff));
	if (!same)
		printf("    TASKS CHANGED by inert message %lld (%s): %s\n", (long long)m->id,
		       m->from.addr ? m->from.addr : "-", diff);
	kith_task_wants_free(*w, *nw);
	*w = w2;
	*nw = n2;
	return same;
}

/* One cut: returns the inert messages that changed the analysis or the
 * tasks; *tasks counts the task lists compared. */
static size_t in_cut(const struct box *b, int64_t t, size_t *arrived, size_t *inert,
		     size_t *tasks)
{
	struct kith_task_want *w = NULL;
	size_t nw = 0;
	struct kith_policy p = policy_for(b);
	struct in_run r = { calloc(b->n + 1, sizeof(*r.v)), 0, NULL };
	const struct kith_msg **arr = calloc(b->n + 1, sizeof(*arr));
	struct kith_analysis *a = NULL, *next = NULL;
	size_t i, n, bad = 0;
	int64_t now = t + IN_WINDOW;
	const char *why;
	char diff[256];

	if (!r.v || !arr)
		exit(2);
	n = in_split(b, t, &r, arr);
	if (kith_analyze(r.v, r.n, &p, now, &a) < 0)
		exit(2);
	in_tasks(b, a, r.v, r.n, now, &w, &nw);
	for (i = 0; i < n; i++) {
		int v = in_judge(a, &p, arr[i], now, &why);
		r.v[r.n++] = *arr[i];
		if (v < 0 || kith_analyze(r.v, r.n, &p, now, &next) < 0)
			exit(2);
		*inert += v == 1;
		if (v == 0)
			in_count_why(why);
		if (v == 1 && !kith_analysis_same(a, next, diff, sizeof(diff))) {
			printf("    CHANGED by inert message %lld (%s): %s\n", (long long)arr[i]->id,
			       arr[i]->from.addr ? arr[i]->from.addr : "-", diff);
			bad++;
		}
		if (v == 1) {
			bad += !in_tasks_kept(b, next, &r, now, arr[i], &w, &nw);
			(*tasks)++;
		} else { /* the next inert message is compared with these */
			kith_task_wants_free(w, nw);
			w = NULL;
			nw = 0;
			in_tasks(b, next, r.v, r.n, now, &w, &nw);
		}
		kith_analysis_free(a);
		a = next;
	}
	*arrived += n;
	kith_task_wants_free(w, nw);
	kith_analysis_free(a);
	free(arr);
	free(r.v);
	return bad;
}

static int inert_eval(const struct box *b, const char *name)
{
	size_t arrived = 0, inert = 0, bad = 0, tasks = 0, a0, i0, i;
	double q;
	char day[32];

	printf("inert %s: new mail judged against the saved analysis, then analysed in full\n", name);
	for (q = 0.2; q < 0.95; q += 0.1) {
		int64_t t = date_quantile(b, q);
		time_t tt = (time_t)t;

		a0 = arrived;
		i0 = inert;
		bad += in_cut(b, t, &arrived, &inert, &tasks);
		strftime(day, sizeof(day), "%Y-%m-%d", gmtime(&tt));
		printf("  %s arrived=%zu inert=%zu\n", day, arrived - a0, inert - i0);
	}
	for (i = 0; i < 16 && in_whys[i].why; i++)
		printf("  not inert: %zu %s\n", in_whys[i].n, in_whys[i].why);
	printf("inert %s: %zu task lists compared (%zu tasks)\n", name, tasks, in_n_tasks);
	printf("inert %s: %zu of %zu arrivals inert (%.0f%%), %zu changed the analysis or its tasks\n", name,
	       inert, arrived, arrived ? 100.0 * (double)inert / (double)arrived : 0.0, bad);
	return bad ? 1 : 0;
}
