/* tasks_plan.h: which of the wanted tasks kith writes now.
 *
 * The rules (lib/followup.c) say what should be open, most important
 * first.  The plan caps how many are open at once (followups.max_open):
 * the rest are held back, kept as task records with status KITH_TS_HELD
 * (`kith followups --all` lists them), never dropped silently.  And no
 * task is overdue the day kith first decides it: a first run over old
 * mail, or a keep-in-touch task for someone quiet for months, is due at
 * the end of the (UTC) day kith first writes it, and stays so; a task
 * held back for a while is due from the day the cap lets it through,
 * though its CREATED keeps the day kith first wanted it.
 *
 * Order of use, each cycle: kith_tasks_unhold on the stored records,
 * kith_tasks_plan, the writer (kith_tasks_sync) on the first n_write
 * wants and all the records, kith_tasks_hold on the rest, then save the
 * records.
 */
#ifndef KITH_TASKS_PLAN_H
#define KITH_TASKS_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include "../tasks/tasks.h"

/* Before each cycle's plan: a held record kith had written before (the
 * writer completed its file when it was held back) turns back into
 * KITH_TS_DONE, so that the writer reopens the file if the task is shown
 * again.  A held record never written stays KITH_TS_HELD: its creation is
 * the day kith first wanted the task, kept across cycles (the writer,
 * handed the record, writes the task with that CREATED when the cap lets
 * it through, and leaves it alone otherwise). */
void kith_tasks_unhold(struct kith_task_record *rec, size_t n);

/* Reorders w[0..n) (stable) so that w[0..*n_write) are the wants to write
 * and the rest are held back: at most max_open (0: no cap) tasks the user
 * will see as open, in the given order.  A want whose task the user
 * closed or deleted, or closed with `kith done`, takes no room (the writer
 * never shows it again).  Due dates: never before the end of the day the
 * task is first written (a written record's creation, or the due it is
 * open with if later; else now); a keep-in-touch task is due exactly
 * then.  Returns 0 or -ENOMEM. */
int kith_tasks_plan(struct kith_task_want *w, size_t n, const struct kith_task_record *rec,
		    size_t n_rec, int max_open, int64_t now, size_t *n_write);

/* Records the held-back wants held[0..n_held) in *rec (after the writer
 * ran): a new KITH_TS_HELD record (created now) for a want without one; a
 * record kith completed (KITH_TS_DONE) becomes KITH_TS_HELD, a held one
 * stays so (summary, due and priority refreshed, creation kept); records
 * the user closed stay as they are.  A never-written held record that is
 * not among held[] is wanted no more: it is dropped (freed).  *rec may be reallocated.  Returns 0 or -ENOMEM
 * (*rec and *n_rec then still valid). */
int kith_tasks_hold(const struct kith_task_want *held, size_t n_held,
		    struct kith_task_record **rec, size_t *n_rec, int64_t now);

#endif
