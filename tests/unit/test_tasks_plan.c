/* test_tasks_plan.c: the cap on open tasks and held-back records
 * (daemon/tasks_plan.c), over a few cycles as cycle.c runs them, with the
 * writer's part played by hand (it completes what is no longer wanted). */
#include <stdlib.h>
#include <string.h>

#include "../../daemon/tasks_plan.h"
#include "t.h"

#define DAY 86400
#define NOW 1717200000LL /* 2024-06-01 00:00:00 UTC */

static struct kith_task_want want(const char *uid, enum kith_task_kind kind, int64_t due)
{
	struct kith_task_want w;

	memset(&w, 0, sizeof(w));
	w.uid = (char *)uid;
	w.person_key = (char *)uid;
	w.episode = (char *)"e";
	w.summary = (char *)uid;
	w.kind = kind;
	w.due = due;
	w.priority = 5;
	return w;
}

static void add_rec(struct kith_task_record **v, size_t *n, const char *uid,
		    enum kith_task_status st, const char *etag, int64_t created)
{
	struct kith_task_record *r;

	*v = realloc(*v, (*n + 1) * sizeof(**v));
	r = &(*v)[(*n)++];
	memset(r, 0, sizeof(*r));
	r->uid = strdup(uid);
	r->person_key = strdup(uid);
	r->episode = strdup("e");
	r->summary = strdup(uid);
	r->etag = etag ? strdup(etag) : NULL;
	r->status = st;
	r->created = created;
}

static const struct kith_task_record *rec(const struct kith_task_record *v, size_t n,
					  const char *uid)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].uid, uid) == 0)
			return &v[i];
	return NULL;
}

static void test_cap_and_hold(void)
{
	struct kith_task_want w[4] = { want("a", KITH_TASK_REPLY, NOW), want("b", KITH_TASK_REPLY, NOW),
				       want("c", KITH_TASK_WAITING, NOW),
				       want("d", KITH_TASK_KEEP_IN_TOUCH, NOW) };
	struct kith_task_record *v = NULL;
	size_t n = 0, nw = 99;

	/* the user completed "a" in their app: it takes no room */
	add_rec(&v, &n, "a", KITH_TS_USER_DONE, "h", NOW - DAY);
	CHECK_INT(kith_tasks_plan(w, 4, v, n, 2, NOW, &nw), 0);
	CHECK_INT(nw, 3);
	CHECK_STR(w[0].uid, "a");
	CHECK_STR(w[1].uid, "b");
	CHECK_STR(w[2].uid, "c");
	CHECK_STR(w[3].uid, "d");
	/* the writer ran on a, b, c; d is held: a record with no file */
	CHECK_INT(kith_tasks_hold(w + nw, 4 - nw, &v, &n, NOW), 0);
	CHECK_INT(n, 2);
	CHECK(rec(v, n, "d") && rec(v, n, "d")->status == KITH_TS_HELD);
	CHECK(rec(v, n, "d") && rec(v, n, "d")->etag == NULL);
	CHECK(rec(v, n, "a") && rec(v, n, "a")->status == KITH_TS_USER_DONE);
	/* the next cycle: a never-written held record stays held (the writer
	 * leaves it alone unless it is wanted within the cap) */
	kith_tasks_unhold(v, n);
	CHECK_INT(n, 2);
	CHECK(rec(v, n, "d") && rec(v, n, "d")->status == KITH_TS_HELD);
	/* no cap: everything is written */
	CHECK_INT(kith_tasks_plan(w, 4, v, n, 0, NOW, &nw), 0);
	CHECK_INT(nw, 4);
	kith_task_records_free(v, n);
}

/* A task that was open and is pushed out by more important ones: the
 * writer completed its file; held, then unheld, it is DONE again, so that
 * the writer reopens the same file when it is shown again. */
static void test_pushed_out(void)
{
	struct kith_task_want w[1] = { want("x", KITH_TASK_REPLY, NOW) };
	struct kith_task_record *v = NULL;
	size_t n = 0;

	add_rec(&v, &n, "x", KITH_TS_DONE, "hash", NOW - DAY);
	CHECK_INT(kith_tasks_hold(w, 1, &v, &n, NOW), 0);
	CHECK_INT(n, 1);
	CHECK_INT(v[0].status, KITH_TS_HELD);
	kith_tasks_unhold(v, n);
	CHECK_INT(n, 1);
	CHECK_INT(v[0].status, KITH_TS_DONE);
	CHECK_STR(v[0].etag, "hash");
	kith_task_records_free(v, n);
}

/* No task is overdue the day it appears: a keep-in-touch task is due the
 * day it was first written (the rules say "today" every cycle; the plan
 * keeps the first day), and a task over old mail found by a first run is
 * due at the end of that day, not days ago. */
static void test_due_not_before_first_day(void)
{
	struct kith_task_want w[4] = { want("k", KITH_TASK_KEEP_IN_TOUCH, NOW + 5 * DAY),
				       want("r", KITH_TASK_REPLY, NOW + 3 * DAY),
				       want("old", KITH_TASK_WAITING, NOW - 10 * DAY),
				       want("seen", KITH_TASK_REPLY, NOW - 10 * DAY) };
	struct kith_task_record *v = NULL;
	size_t n = 0, nw;

	add_rec(&v, &n, "k", KITH_TS_OPEN, "h", NOW + 3600);
	add_rec(&v, &n, "r", KITH_TS_OPEN, "h", NOW + 3600);
	add_rec(&v, &n, "seen", KITH_TS_OPEN, "h", NOW - 20 * DAY);
	CHECK_INT(kith_tasks_plan(w, 4, v, n, 12, NOW + 5 * DAY + 7200, &nw), 0);
	CHECK_INT(nw, 4);
	CHECK_INT(w[0].due, NOW + DAY - 1);     /* the end of the day it was written */
	CHECK_INT(w[1].due, NOW + 3 * DAY);     /* later than that: its own */
	CHECK_INT(w[2].due, NOW + 6 * DAY - 1); /* new now: the end of today */
	CHECK_INT(w[3].due, NOW - 10 * DAY);    /* written long ago: its own */
	kith_task_records_free(v, n);
}

/* Nothing wanted (wants NULL, as the rules return them): nothing to do. */
static void test_nothing(void)
{
	struct kith_task_record *v = NULL;
	size_t n = 0, nw = 99;

	CHECK_INT(kith_tasks_plan(NULL, 0, NULL, 0, 12, NOW, &nw), 0);
	CHECK_INT(nw, 0);
	CHECK_INT(kith_tasks_hold(NULL, 0, &v, &n, NOW), 0);
	CHECK_INT(n, 0);
	kith_tasks_unhold(v, n);
	CHECK_INT(n, 0);
}

/* One cycle as cycle.c runs it at `now`, the writer played by hand: a
 * want let through gets a record (created now) unless it has one, and
 * goes OPEN (the writer keeps a held record's creation). */
static void cycle(struct kith_task_want *w, size_t nw, struct kith_task_record **v, size_t *n,
		  int max_open, int64_t now)
{
	size_t k = 99;

	kith_tasks_unhold(*v, *n);
	CHECK_INT(kith_tasks_plan(w, nw, *v, *n, max_open, now, &k), 0);
	for (size_t i = 0; i < k; i++) {
		struct kith_task_record *r = (struct kith_task_record *)rec(*v, *n, w[i].uid);

		if (!r) {
			add_rec(v, n, w[i].uid, KITH_TS_OPEN, "h", now);
			r = &(*v)[*n - 1];
		}
		if (!r->etag || !r->etag[0]) { /* the file is written now */
			free(r->etag);
			r->etag = strdup("h");
		}
		r->status = KITH_TS_OPEN;
		r->due = w[i].due;
	}
	CHECK_INT(kith_tasks_hold(w + k, nw - k, v, n, now), 0);
}

/* A task held back before it was ever written keeps the day kith first
 * wanted it, cycle after cycle (it used to be dropped and made anew each
 * cycle: created "today" always); when it comes within the cap it keeps
 * that creation but is due from the day it appears (never overdue the
 * moment it appears), and stays due then in the cycles after; a held task
 * nobody wants any more goes. */
static void test_held_keeps_first_day(void)
{
	struct kith_task_want w[3] = { want("a", KITH_TASK_REPLY, NOW + DAY),
				       want("k", KITH_TASK_KEEP_IN_TOUCH, NOW),
				       want("gone", KITH_TASK_KEEP_IN_TOUCH, NOW) };
	struct kith_task_record *v = NULL;
	const struct kith_task_record *k;
	size_t n = 0;

	cycle(w, 3, &v, &n, 1, NOW + 3600);
	k = rec(v, n, "k");
	CHECK(k && k->status == KITH_TS_HELD && k->created == NOW + 3600);
	CHECK(k && k->due == NOW + DAY - 1);
	/* two days later, still held: same creation; it would appear today */
	w[1].due = NOW + 2 * DAY; /* the rules say "today" each cycle */
	cycle(w, 3, &v, &n, 1, NOW + 2 * DAY + 7200);
	k = rec(v, n, "k");
	CHECK(k && k->status == KITH_TS_HELD && k->created == NOW + 3600);
	CHECK(k && k->due == NOW + 3 * DAY - 1);
	CHECK(rec(v, n, "gone") && rec(v, n, "gone")->created == NOW + 3600);
	/* four days on, "a" was answered and "gone" is wanted no more: "k"
	 * comes within the cap, its creation kept, due the day it appears */
	w[0] = w[1];
	w[0].due = NOW + 4 * DAY;
	cycle(w, 1, &v, &n, 1, NOW + 4 * DAY);
	k = rec(v, n, "k");
	CHECK(k && k->status == KITH_TS_OPEN && k->created == NOW + 3600);
	CHECK_INT(w[0].due, NOW + 5 * DAY - 1);
	CHECK_NULL(rec(v, n, "gone"));
	/* the day after, written and open: due stays (not back to its first day) */
	w[0].due = NOW + 5 * DAY;
	cycle(w, 1, &v, &n, 1, NOW + 5 * DAY + 60);
	CHECK_INT(w[0].due, NOW + 5 * DAY - 1);
	k = rec(v, n, "k");
	CHECK(k && k->status == KITH_TS_OPEN && k->created == NOW + 3600);
	kith_task_records_free(v, n);
}

int main(void)
{
	test_nothing();
	test_cap_and_hold();
	test_pushed_out();
	test_due_not_before_first_day();
	test_held_keeps_first_day();
	return T_DONE();
}
