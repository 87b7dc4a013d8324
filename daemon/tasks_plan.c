/* tasks_plan.c: see tasks_plan.h.  Pure logic over wants and records: no
 * I/O, no clock ("now" is passed in). */
#include "tasks_plan.h"
#include "../lib/isodate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>


void kith_tasks_unhold(struct kith_task_record *rec, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rec[i].status == KITH_TS_HELD && rec[i].etag && rec[i].etag[0])
			rec[i].status = KITH_TS_DONE;
}

static const struct kith_task_record *find_rec(const struct kith_task_record *rec, size_t n,
					       const char *uid)
{
	for (size_t i = 0; i < n; i++)
		if (rec[i].uid && uid && strcmp(rec[i].uid, uid) == 0)
			return &rec[i];
	return NULL;
}

static int user_closed(const struct kith_task_record *r)
{
	return r && (r->status == KITH_TS_USER_DONE || r->status == KITH_TS_USER_DELETED ||
		     r->status == KITH_TS_DONE_BY_HAND);
}

/* Why: a task must not be overdue the day it appears in the user's list.
 * Never written (new, or held back by the cap so far), it appears now.
 * Written, it is due no earlier than the end of the day it was created,
 * nor than the due it is open with: a task the cap let through keeps the
 * day kith first wanted it as CREATED, but was due from its release. */
static int64_t due_floor(const struct kith_task_record *r, int64_t now)
{
	int64_t f;

	if (!r || !r->etag || !r->etag[0])
		return kith_utc_day_end(now);
	f = kith_utc_day_end(r->created > 0 && r->created < now ? r->created : now);
	return r->status == KITH_TS_OPEN && r->due > f ? r->due : f;
}

int kith_tasks_plan(struct kith_task_want *w, size_t n, const struct kith_task_record *rec,
		    size_t n_rec, int max_open, int64_t now, size_t *n_write)
{
	struct kith_task_want *held = malloc((n ? n : 1) * sizeof(*held));
	size_t i, k = 0, nh = 0, shown = 0;

	if (!held)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct kith_task_record *r = find_rec(rec, n_rec, w[i].uid);
		int64_t floor = due_floor(r, now);

		if (w[i].kind == KITH_TASK_KEEP_IN_TOUCH || w[i].due < floor)
			w[i].due = floor;
		if (user_closed(r) || max_open <= 0 || shown < (size_t)max_open) {
			shown += !user_closed(r);
			w[k++] = w[i];
		} else {
			held[nh++] = w[i];
		}
	}
	if (nh)
		memcpy(w + k, held, nh * sizeof(*held));
	free(held);
	*n_write = k;
	return 0;
}

static int hold_new(struct kith_task_record *r, const struct kith_task_want *w, int64_t now)
{
	memset(r, 0, sizeof(*r));
	r->uid = strdup(w->uid);
	r->person_key = strdup(w->person_key);
	r->episode = strdup(w->episode);
	r->summary = strdup(w->summary ? w->summary : "");
	r->kind = w->kind;
	r->status = KITH_TS_HELD;
	r->due = w->due;
	r->priority = w->priority;
	r->created = r->modified = now;
	if (!r->uid || !r->person_key || !r->episode || !r->summary) {
		kith_task_record_clear(r);
		return -ENOMEM;
	}
	return 0;
}

/* Why a held record keeps summary and due fresh: `kith followups --all`
 * shows them.  Its creation stays: the day kith first wanted the task. */
static int hold_existing(struct kith_task_record *r, const struct kith_task_want *w)
{
	char *sum;

	if (r->status != KITH_TS_DONE && r->status != KITH_TS_HELD)
		return 0; /* open cannot happen (the writer completes what is not
			   * wanted); the user's decisions stand */
	sum = strdup(w->summary ? w->summary : "");
	if (!sum)
		return -ENOMEM;
	free(r->summary);
	r->summary = sum;
	r->status = KITH_TS_HELD;
	r->due = w->due;
	r->priority = w->priority;
	return 0;
}

static int is_held_want(const struct kith_task_want *held, size_t n_held, const char *uid)
{
	for (size_t i = 0; i < n_held; i++)
		if (held[i].uid && uid && strcmp(held[i].uid, uid) == 0)
			return 1;
	return 0;
}

/* Why: a never-written held record the writer left alone and the cap
 * holds no more is a task nobody wants now (the exchange happened, or it
 * left the horizon): like a file kith completes, it goes. */
static void drop_unwanted_held(const struct kith_task_want *held, size_t n_held,
			       struct kith_task_record *rec, size_t *n_rec)
{
	size_t i, k = 0;

	for (i = 0; i < *n_rec; i++) {
		if (rec[i].status == KITH_TS_HELD && (!rec[i].etag || !rec[i].etag[0]) &&
		    !is_held_want(held, n_held, rec[i].uid)) {
			kith_task_record_clear(&rec[i]);
			continue;
		}
		rec[k++] = rec[i];
	}
	*n_rec = k;
}

int kith_tasks_hold(const struct kith_task_want *held, size_t n_held,
		    struct kith_task_record **rec, size_t *n_rec, int64_t now)
{
	size_t i;
	int r;

	drop_unwanted_held(held, n_held, *rec, n_rec);
	for (i = 0; i < n_held; i++) {
		struct kith_task_record *ex = (struct kith_task_record *)find_rec(*rec, *n_rec,
										    held[i].uid);
		struct kith_task_record *nv;

		if (ex) {
			if ((r = hold_existing(ex, &held[i])) < 0)
				return r;
			continue;
		}
		nv = realloc(*rec, (*n_rec + 1) * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		*rec = nv;
		if ((r = hold_new(&nv[*n_rec], &held[i], now)) < 0)
			return r;
		(*n_rec)++;
	}
	return 0;
}
