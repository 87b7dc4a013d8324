/* tasks_plan.h: which of the wanted tasks kith writes now.
 *
 * The rules (lib/followup.c) say what should be open, most important
 * first.  The plan caps how many are open at once (followups.max_open):
 * the rest are held back, kept as task records with status KITH_TS_HELD
 * (`kith followups --all` lists them), never dropped silently.  And no
 * task is overdue the day it appears: a first run over old mail, or a
 * keep-in-touch task for someone quiet for months, is due at the end of
 * the (UTC) day kith first writes it, and stays so.
 *
 * Order of use, each cycle: kith_tasks_unhold on the stored records,
 * kith_tasks_plan, the writer (kith_tasks_sync) on the first n_write
 * wants, kith_tasks_hold on the rest, then save the records.
 */
#ifndef KITH_TASKS_PLAN_H
#define KITH_TASKS_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include "../tasks/tasks.h"

/* Held records are not the writer's: drops those never written (no etag)
 * and turns the others (the writer completed their file when they were
 * held back) back into KITH_TS_DONE, so that the writer reopens the file
 * if the task is shown again.  Frees what it drops; *n shrinks. */
void kith_tasks_unhold(struct kith_task_record *rec, size_t *n);

/* Reorders w[0..n) (stable) so that w[0..*n_write) are the wants to write
 * and the rest are held back: at most max_open (0: no cap) tasks the user
 * will see as open, in the given order.  A want whose task the user
 * closed or deleted, or closed with `kith done`, takes no room (the writer
 * never shows it again).  Due dates: never before the end of the day the
 * task was first written (its record's creation, else now); a
 * keep-in-touch task is due exactly then.  Returns 0 or -ENOMEM. */
int kith_tasks_plan(struct kith_task_want *w, size_t n, const struct kith_task_record *rec,
		    size_t n_rec, int max_open, int64_t now, size_t *n_write);

/* Records the held-back wants held[0..n_held) in *rec (after the writer
 * ran): a new KITH_TS_HELD record for a want without one; a record kith
 * completed (KITH_TS_DONE) becomes KITH_TS_HELD; records the user closed
 * stay as they are.  *rec may be reallocated.  Returns 0 or -ENOMEM
 * (*rec and *n_rec then still valid). */
int kith_tasks_hold(const struct kith_task_want *held, size_t n_held,
		    struct kith_task_record **rec, size_t *n_rec, int64_t now);

#endif
